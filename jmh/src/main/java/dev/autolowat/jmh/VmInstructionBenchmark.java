package dev.autolowat.jmh;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.sim.tcp.RcvQueueHooks;
import dev.autolowat.sim.tcp.ReceiveWait;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.sim.vm.SockOpsInput;
import dev.autolowat.sim.vm.SockoptInput;
import dev.autolowat.sim.vm.SocketInfo;
import dev.autolowat.sim.vm.VmLoader;
import dev.autolowat.sim.vm.VmMaps;
import dev.autolowat.sim.vm.VmOptions;
import dev.autolowat.sim.vm.VmProgram;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R2;

/**
 * The simulator's eBPF VM on its own, through its public API ({@link VmLoader#load} into a
 * {@link VmMaps}, {@link VmProgram#runSockOps}) on a standalone {@link TcpSocketModel}: no session,
 * no connection, no peer, no invocation log.
 *
 * <ul>
 *   <li>{@link #emptyProgram}: the control: a program of {@value #EMPTY_INSTRUCTIONS} instructions
 *       ({@code r0 = 1; exit}), so its time is the VM's fixed cost of one invocation (entry checks,
 *       register and stack reset, return check).</li>
 *   <li>{@link #countedLoop}: one invocation of a program that runs a counted loop of
 *       {@value #LOOP_ITERATIONS} iterations of {@value #LOOP_BODY_ALU_OPS} ALU operations plus the
 *       counter increment and the bounded loop's conditional jump:
 *       {@value #LOOP_INSTRUCTIONS} instructions per invocation, exactly (see {@link #loopProgram()}).
 *       This is the interpreter's instruction rate on straight ALU/JMP code.</li>
 *   <li>{@link #policySegment}: one H1 invocation (op 21 with a segment) of the reference policy's
 *       sock_ops program ({@link FramingPolicy#REFERENCE_RPC}) on the middle segment of a frame whose
 *       descriptor is known: storage lookup, cast to the kernel context, the A3 checks, the A4 target
 *       (unchanged, so no kfunc). The event leaves the policy state and the socket exactly as they
 *       were, so it can be repeated; its instruction count is constant.</li>
 *   <li>{@link #policyFrame}: the reference policy's programs on the RPC workload of
 *       {@link PolicyInvocationBenchmark}, minus the simulator's connection layer: one 258-byte A1
 *       frame arrives on the standalone socket as 3 segments (3 H1 invocations, which parse the
 *       descriptor and walk the frame), then one read of the whole frame (1 H2). The hooks run the
 *       program in the VM directly.</li>
 * </ul>
 *
 * <p>Counters ({@link Counters}, JMH {@code @AuxCounters(OPERATIONS)}, so JMH reports them as rates
 * next to the score): {@code instructions} — instructions the VM executed, summed from
 * {@link VmProgram#lastInstructionCount()} after every invocation: the {@code :instructions} row
 * is VM instructions per second; {@code invocations} — program invocations per second.
 *
 * <p>Nothing is allocated per operation: programs, inputs, the socket and the frame's segments are
 * made at setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VmInstructionBenchmark {
    /** Iterations of the counted loop. */
    public static final int LOOP_ITERATIONS = 1000;
    /** ALU operations in the loop body, besides the counter increment. */
    public static final int LOOP_BODY_ALU_OPS = 4;
    /**
     * Instructions one run of {@link #loopProgram()} executes: 2 before the loop, per iteration the
     * body, the increment and the conditional jump, and 2 after it (mask, exit): 6004.
     */
    public static final int LOOP_INSTRUCTIONS = 2 + LOOP_ITERATIONS * (LOOP_BODY_ALU_OPS + 2) + 2;

    /** Instructions of {@link #emptyProgram()}: {@code r0 = 1; exit}. */
    public static final int EMPTY_INSTRUCTIONS = 2;

    /** The peer's initial sequence number on the standalone sockets (fixed: runs are reproducible). */
    static final int PEER_ISN = 0x1234_5678;
    static final int MSS = SimConfig.DEFAULT.mssIpv4();
    static final int RCVQ_CB = SockOpsOp.RCVQ_CB.value();

    /** How the VM runs the programs: {@code JIT} (translated to JVM bytecode, the default) or {@code INTERPRETER}. */
    @Param({"JIT", "INTERPRETER"})
    public String mode = "JIT";

    private final VmMaps maps = new VmMaps();
    private VmOptions options;

    // ---- emptyProgram, countedLoop ----
    private VmProgram empty;
    private VmProgram loop;
    private final SockOpsInput loopInput = new SockOpsInput();

    // ---- the reference policy, both programs sharing its state map in `maps` ----
    private VmProgram policySockOps;
    private VmProgram policyEnable;

    // ---- policySegment ----
    private TcpSocketModel segmentSocket;
    private final SocketInfo info = SocketInfo.loopback(MSS, ~PEER_ISN, PEER_ISN);
    private final SockOpsInput segmentInput = new SockOpsInput();
    private int middleSeq;
    private int middleLength;

    // ---- policyFrame ----
    private TcpSocketModel frameSocket;
    private PolicyHooks frameHooks;
    private final byte[][] segments = new byte[PolicyInvocationBenchmark.SEGMENTS_PER_FRAME][];
    private final byte[] readBuffer = new byte[PolicyInvocationBenchmark.READ_BUFFER];

    /** Auxiliary counters of one iteration, reported by JMH as rates (per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Instructions the VM executed. */
        public long instructions;
        /** Program invocations. */
        public long invocations;

        @Setup(Level.Iteration)
        public void reset() {
            instructions = 0;
            invocations = 0;
        }
    }

    /** The control program: {@code r0 = 1; exit}. */
    static SockOpsProgram.Bytecode emptyProgram() {
        return new Assembler().mov64(R0, 1).exit().program("empty", "GPL", List.of());
    }

    /**
     * The counted loop:
     * <pre>
     *   r0 = 0; r2 = 0
     * loop:
     *   r0 += r2; r0 ^= 0x5a5a5a5a; r0 *= 3; r0 >>= 1     ; the body: LOOP_BODY_ALU_OPS ALU ops
     *   r2 += 1
     *   if r2 &lt; LOOP_ITERATIONS goto loop                 ; the bounded loop's exit test
     *   r0 &amp;= 1                                           ; a sock_ops program returns 0 or 1
     *   exit
     * </pre>
     */
    static SockOpsProgram.Bytecode loopProgram() {
        Assembler a = new Assembler();
        a.mov64(R0, 0)
                .mov64(R2, 0)
                .label("loop")
                .add64(R0, R2)
                .xor64(R0, 0x5a5a5a5a)
                .mul64(R0, 3)
                .rsh64(R0, 1)
                .add64(R2, 1)
                .jlt(R2, LOOP_ITERATIONS, "loop")
                .and64(R0, 1)
                .exit();
        return a.program("counted_loop", "GPL", List.of());
    }

    /**
     * Loads the programs; enables the reference policy on two standalone sockets (its A2 program,
     * run in the VM); brings the segment socket to "descriptor known, middle segment queued" and
     * the frame socket to "between frames".
     *
     * @throws AutoLowatException when the policy does not behave as the benchmark assumes
     */
    @Setup(Level.Trial)
    public void setup() {
        options = VmOptions.of(true, () -> 0L).withMode(VmOptions.ExecutionMode.valueOf(mode))
                .withKernel(SimKernel.INSTANCE);
        SockOpsProgram.Bytecode ep = emptyProgram();
        empty = VmLoader.load(ep.name(), ProgramType.SOCK_OPS, ep.license(), ep.code(), ep.maps(), maps, options);
        SockOpsProgram.Bytecode lp = loopProgram();
        loop = VmLoader.load(lp.name(), ProgramType.SOCK_OPS, lp.license(), lp.code(), lp.maps(), maps, options);
        loopInput.set(new TcpSocketModel(SimConfig.DEFAULT, false, PEER_ISN, MSS), info, RCVQ_CB);

        SockOpsProgram.Bytecode so = FramingPolicy.REFERENCE_RPC.sockOpsProgram();
        SockoptProgram.Bytecode en = FramingPolicy.REFERENCE_RPC.enableProgram();
        policySockOps = VmLoader.load(so.name(), ProgramType.SOCK_OPS, so.license(), so.code(), so.maps(), maps,
                options);
        policyEnable = VmLoader.load(en.name(), ProgramType.CGROUP_SETSOCKOPT, en.license(), en.code(), en.maps(),
                maps, options);

        byte[] frame = SimulatorThroughputBenchmark.frame(SimulatorThroughputBenchmark.HEADER_LEN,
                SimulatorThroughputBenchmark.PAYLOAD_LEN);
        int off = 0;
        for (int i = 0; i < segments.length; i++) {
            int len = PolicyInvocationBenchmark.FRAME_SIZE / segments.length
                    + (i < PolicyInvocationBenchmark.FRAME_SIZE % segments.length ? 1 : 0);
            segments[i] = Arrays.copyOfRange(frame, off, off + len);
            off += len;
        }

        // policySegment: segment 0 (the descriptor) and segment 1 arrive through the hooks; the
        // benchmark then repeats H1 for segment 1.
        segmentSocket = enabledSocket();
        segmentSocket.setHooks(new PolicyHooks(policySockOps, info));
        int seq = segmentSocket.rcvNxt();
        segmentSocket.arrive(seq, segments[0], false);
        middleSeq = seq + segments[0].length;
        middleLength = segments[1].length;
        segmentSocket.arrive(middleSeq, segments[1], false);
        segmentSocket.setHooks(null);
        if (segmentSocket.rcvLowat() != PolicyInvocationBenchmark.FRAME_SIZE) {
            throw new AutoLowatException("after the first two segments of a frame the policy set sk_rcvlowat "
                    + segmentSocket.rcvLowat() + ", expected the frame end " + PolicyInvocationBenchmark.FRAME_SIZE);
        }

        // policyFrame
        frameSocket = enabledSocket();
        frameHooks = new PolicyHooks(policySockOps, info);
        frameSocket.setHooks(frameHooks);
    }

    /** A standalone accepted socket on which the policy's A2 program enabled the policy. */
    private TcpSocketModel enabledSocket() {
        TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT, false, PEER_ISN, MSS);
        socket.markAccepted();
        SockoptInput in = new SockoptInput().set(socket, info, SockOpt.AUTOLOWAT_LEVEL, SockOpt.AUTOLOWAT_OPTNAME, 1);
        long rc = policyEnable.runSockopt(in);
        if (rc != 1 || !in.consumed() || (socket.cbFlags() & CbFlags.RCVQ) == 0) {
            throw new AutoLowatException("the reference policy's enable program returned " + rc + ", consumed="
                    + in.consumed() + ", cb_flags=" + CbFlags.describe(socket.cbFlags())
                    + "; expected 1, consumed, RCVQ set");
        }
        return socket;
    }

    /** One invocation of the control program: {@value #EMPTY_INSTRUCTIONS} instructions. */
    @Benchmark
    public long emptyProgram(Counters counters) {
        long r0 = empty.runSockOps(loopInput);
        counters.instructions += empty.lastInstructionCount();
        counters.invocations++;
        return r0;
    }

    /** One invocation of the counted loop: {@value #LOOP_INSTRUCTIONS} instructions. */
    @Benchmark
    public long countedLoop(Counters counters) {
        long r0 = loop.runSockOps(loopInput);
        counters.instructions += loop.lastInstructionCount();
        counters.invocations++;
        return r0;
    }

    /** One H1 invocation of the reference policy on the middle segment of a frame (repeatable). */
    @Benchmark
    public long policySegment(Counters counters) {
        SockOpsInput in = segmentInput.set(segmentSocket, info, RCVQ_CB)
                .segment(middleSeq, middleSeq + middleLength, false, middleLength);
        long r0 = policySockOps.runSockOps(in);
        counters.instructions += policySockOps.lastInstructionCount();
        counters.invocations++;
        return r0;
    }

    /**
     * One 258-byte frame through the reference policy on a standalone socket: 3 segments arrive
     * (3 H1), then the reader takes the whole frame (1 H2).
     *
     * @return bytes read (the frame)
     */
    @Benchmark
    public int policyFrame(Counters counters) {
        TcpSocketModel socket = frameSocket;
        PolicyHooks hooks = frameHooks;
        long instructionsBefore = hooks.instructions;
        long invocationsBefore = hooks.invocations;
        int seq = socket.rcvNxt();
        for (byte[] segment : segments) {
            socket.arrive(seq, segment, false);
            seq += segment.length;
        }
        int n = socket.recvmsg(readBuffer, 0, readBuffer.length, RecvMode.NON_BLOCKING, ReceiveWait.NONE);
        counters.instructions += hooks.instructions - instructionsBefore;
        counters.invocations += hooks.invocations - invocationsBefore;
        return n;
    }

    /**
     * Op 21 dispatch on a standalone socket, as the simulator's connection does it (one input per
     * dispatch, set before the program runs), straight into the VM; counts invocations and
     * instructions.
     */
    static final class PolicyHooks implements RcvQueueHooks {
        private final VmProgram program;
        private final SocketInfo info;
        private final SockOpsInput input = new SockOpsInput();
        long instructions;
        long invocations;

        PolicyHooks(VmProgram program, SocketInfo info) {
            this.program = program;
            this.info = info;
        }

        @Override
        public void onSegmentEnqueued(TcpSocketModel socket, int seq, int endSeq, boolean fin, int payloadLength) {
            program.runSockOps(input.set(socket, info, RCVQ_CB).segment(seq, endSeq, fin, payloadLength));
            count();
        }

        @Override
        public void onRecvmsgDone(TcpSocketModel socket, int copied) {
            program.runSockOps(input.set(socket, info, RCVQ_CB));
            count();
        }

        private void count() {
            instructions += program.lastInstructionCount();
            invocations++;
        }
    }

    // ---- for the smoke test ----

    VmProgram empty() {
        return empty;
    }

    VmProgram loop() {
        return loop;
    }

    VmProgram policySockOps() {
        return policySockOps;
    }

    TcpSocketModel segmentSocket() {
        return segmentSocket;
    }

    TcpSocketModel frameSocket() {
        return frameSocket;
    }

    PolicyHooks frameHooks() {
        return frameHooks;
    }

    VmMaps maps() {
        return maps;
    }
}
