package dev.autolowat.jmh;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.sim.vm.VmOptions;
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
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference AutoLOWAT policy in its two forms, on the same workload, in the same run: the Java
 * handler ({@link ReferenceAutoLowat#policy()}) and the bytecode program run by the simulator's eBPF
 * VM ({@link FramingPolicy#REFERENCE_RPC}{@code .compile()}).
 *
 * <p>One operation is one 258-byte A1 frame ({@code {100, 150}} descriptor, then zero bytes) that the
 * peer sends as 3 segments of 86 bytes over one long-lived {@link SimConnection} on which the policy
 * is enabled ({@code enableAutoLowat(1) == 0}); after each packet the reader, an event loop, makes
 * one non-blocking recv for each edge-triggered wakeup — the workload of
 * {@link SimulatorThroughputBenchmark} in its {@code AUTOLOWAT} mode. The policy runs once per
 * enqueued segment (H1) and once per recv that copied data (H2): 4 invocations per frame, the rest
 * of the work (TCP receive model, wakeup rule, reader) is the same for both forms.
 *
 * <p>Counters ({@link Counters}, JMH {@code @AuxCounters(EVENTS)}: totals over the measured
 * iterations): {@code invocations} — policy invocations, counted exactly and without allocation as
 * packets that arrived ({@link dev.autolowat.sim.tcp.PeerSender#packetsSent()}) plus recv calls
 * that returned data, both while the hook is enabled; {@code frames} (= operations) and
 * {@code wakeups}. Invocations per second = score × {@code invocations / frames}. At teardown the
 * count is checked against the connection's own invocation log (dropped + pending entries), so a
 * run whose count drifted fails instead of reporting a wrong figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PolicyInvocationBenchmark {
    /** The Java handler form, {@link ReferenceAutoLowat#policy()}. */
    public static final String JAVA = "JAVA";
    /** The bytecode form run in the VM, {@code FramingPolicy.REFERENCE_RPC.compile()}. */
    public static final String BYTECODE = "BYTECODE";
    /**
     * The bytecode form run by the VM's interpreter instead of translated to JVM bytecode (the
     * default execution mode), to compare the two modes in the same run.
     */
    public static final String BYTECODE_INTERPRETER = "BYTECODE_INTERPRETER";

    public static final int FRAME_SIZE = SimulatorThroughputBenchmark.FRAME_SIZE;
    public static final int SEGMENTS_PER_FRAME = SimulatorThroughputBenchmark.SEGMENTS_PER_FRAME;
    public static final int READ_BUFFER = SimulatorThroughputBenchmark.READ_BUFFER;

    /** The policy's form: {@value #JAVA}, {@value #BYTECODE} or {@value #BYTECODE_INTERPRETER}. */
    @Param({JAVA, BYTECODE, BYTECODE_INTERPRETER})
    public String policy;

    private final byte[] frame = SimulatorThroughputBenchmark.frame(SimulatorThroughputBenchmark.HEADER_LEN,
            SimulatorThroughputBenchmark.PAYLOAD_LEN);
    private final int[] segmentOffsets = new int[SEGMENTS_PER_FRAME];
    private final int[] segmentLengths = new int[SEGMENTS_PER_FRAME];
    private final byte[] readBuffer = new byte[READ_BUFFER];

    private SimSession session;
    private SimConnection connection;
    /** Edge wakeups the reader has already handled. */
    private long seenWakeups;
    /** Packets the peer had sent after the previous operation. */
    private long seenPackets;
    /** Since setup: bytes sent and read (liveness), invocations counted (checked against the log). */
    private long bytesSent;
    private long bytesRead;
    private long invocationsCounted;
    /** {@link SimConnection#droppedInvocations()} at setup, after the log was drained. */
    private long droppedAtSetup;
    /** Log entries drained by {@link #drainInvocations()} since setup. */
    private long drainedSinceSetup;

    /**
     * Test hook, {@code null} in benchmark runs: when set, {@code sk_rcvlowat} after every packet and
     * every recv is appended here (4 values per frame), so the smoke test can compare both forms.
     */
    int[] lowatTrace;
    int lowatTraceLength;

    /** Auxiliary counters, totals of one iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Policy invocations: H1 per enqueued segment, H2 per recv that copied data. */
        public long invocations;
        /** Frames sent (= operations). */
        public long frames;
        /** Edge-triggered wakeups of the reader (H3). */
        public long wakeups;

        @Setup(Level.Iteration)
        public void reset() {
            invocations = 0;
            frames = 0;
            wakeups = 0;
        }
    }

    /** The policy of {@code form}. */
    static Policy policyOf(String form) {
        if (JAVA.equals(form)) {
            return ReferenceAutoLowat.policy();
        }
        if (BYTECODE.equals(form) || BYTECODE_INTERPRETER.equals(form)) {
            return FramingPolicy.REFERENCE_RPC.compile();
        }
        throw new IllegalArgumentException("unknown policy '" + form + "'; use " + JAVA + ", " + BYTECODE + " or "
                + BYTECODE_INTERPRETER);
    }

    /**
     * Opens a session with the policy attached, connects, enables the policy on the connection and
     * drains the invocation log (the handshake's op-5 dispatch is not part of the workload).
     *
     * @throws IllegalArgumentException for an unknown {@link #policy}
     * @throws AutoLowatException when the policy cannot be enabled
     */
    @Setup(Level.Trial)
    public void setup() {
        Policy p = policyOf(policy);
        int off = 0;
        for (int i = 0; i < SEGMENTS_PER_FRAME; i++) {
            segmentOffsets[i] = off;
            segmentLengths[i] = FRAME_SIZE / SEGMENTS_PER_FRAME + (i < FRAME_SIZE % SEGMENTS_PER_FRAME ? 1 : 0);
            off += segmentLengths[i];
        }
        session = new SimBackend().openSession();
        session.setVmMode(BYTECODE_INTERPRETER.equals(policy) ? VmOptions.ExecutionMode.INTERPRETER
                : VmOptions.ExecutionMode.JIT);
        session.attach(p);
        connection = session.connect(ConnectOptions.IPV4);
        int rc = connection.enableAutoLowat(1);
        if (rc != 0) {
            session.close();
            throw new AutoLowatException("enabling the " + policy + " reference policy failed with "
                    + Errno.describeResult(rc) + "; the benchmark needs enableAutoLowat(1) == 0");
        }
        connection.observe();
        droppedAtSetup = connection.droppedInvocations();
        drainedSinceSetup = 0;
        seenWakeups = connection.edgeWakeups();
        seenPackets = connection.peer().packetsSent();
        bytesSent = 0;
        bytesRead = 0;
        invocationsCounted = 0;
    }

    /**
     * Checks liveness (every byte read), that the policy is still enabled, and that the invocations
     * counted equal the dispatches the connection logged; then closes the session.
     *
     * @throws AutoLowatException when a check fails (the run's figures would be wrong)
     */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (bytesRead != bytesSent) {
                throw new AutoLowatException("liveness failure with the " + policy + " policy: the reader got "
                        + bytesRead + " of " + bytesSent + " bytes; the rest stayed queued without a wakeup");
            }
            if ((connection.cbFlags() & CbFlags.RCVQ) == 0) {
                throw new AutoLowatException("the " + policy + " policy disabled itself (A5) during the run; "
                        + "the invocation counts are void");
            }
            if (session.vmFaultCount() != 0) {
                throw new AutoLowatException("the VM aborted " + session.vmFaultCount() + " invocations of the "
                        + policy + " policy: " + session.vmFaults());
            }
            long logged = dispatchesSinceSetup();
            if (logged != invocationsCounted) {
                throw new AutoLowatException("the " + policy + " benchmark counted " + invocationsCounted
                        + " invocations but the connection dispatched " + logged);
            }
        } finally {
            if (session != null) {
                session.close();
                session = null;
                connection = null;
            }
        }
    }

    /**
     * One frame: the peer sends each segment; after each packet, if the reader was woken (edge
     * triggered), it makes one non-blocking recv of up to {@value #READ_BUFFER} bytes.
     *
     * @return bytes read during this operation (consumed by JMH)
     */
    @Benchmark
    public int rpcFrame(Counters counters) {
        SimConnection c = connection;
        int read = 0;
        int recvsWithData = 0;
        for (int s = 0; s < SEGMENTS_PER_FRAME; s++) {
            c.sendSegments(frame, segmentOffsets[s], segmentLengths[s]);
            if (lowatTrace != null) {
                trace(c.rcvLowat());
            }
            long now = c.edgeWakeups();
            if (now != seenWakeups) {
                counters.wakeups += now - seenWakeups;
                int n = c.recvDiscard(readBuffer, READ_BUFFER);
                if (n > 0) {
                    read += n;
                    recvsWithData++;
                }
                if (lowatTrace != null) {
                    trace(c.rcvLowat());
                }
                seenWakeups = c.edgeWakeups();
            }
        }
        long packets = c.peer().packetsSent();
        long invocations = packets - seenPackets + recvsWithData;
        seenPackets = packets;
        counters.invocations += invocations;
        counters.frames++;
        invocationsCounted += invocations;
        bytesSent += FRAME_SIZE;
        bytesRead += read;
        return read;
    }

    private void trace(int lowat) {
        lowatTrace[lowatTraceLength++] = lowat;
    }

    /**
     * Sock_ops dispatches since setup, from the connection's invocation log: the entries it dropped
     * plus those drained (this drains the log). Each dispatch runs the policy's one sock_ops program
     * once.
     */
    long dispatchesSinceSetup() {
        drainInvocations();
        return connection.droppedInvocations() - droppedAtSetup + drainedSinceSetup;
    }

    /** Drains the connection's invocation log (allocates: for teardown and tests only). */
    List<Invocation> drainInvocations() {
        List<Invocation> out = connection.observe().invocations();
        drainedSinceSetup += out.size();
        return out;
    }

    SimConnection connection() {
        return connection;
    }

    SimSession session() {
        return session;
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesRead() {
        return bytesRead;
    }

    long invocationsCounted() {
        return invocationsCounted;
    }
}
