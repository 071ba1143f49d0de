package dev.autolowat.jmh;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.CbFlags;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.ExecutionMode;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
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
 * peer sends as 3 segments of 86 bytes over one long-lived connection on which the policy is
 * enabled ({@code enableAutoLowat(1) == 0}); after each packet the reader, an event loop, makes one
 * non-blocking recv for each edge-triggered wakeup — the workload of
 * {@link SimulatorThroughputBenchmark} in its {@code AUTOLOWAT} mode ({@link RpcFrameLoop}, driven
 * through the SPI; the bytecode's execution mode is {@code SessionOption.EXECUTION_MODE}). The policy runs once per
 * enqueued segment (H1) and once per recv that copied data (H2): 4 invocations per frame, the rest
 * of the work (TCP receive model, wakeup rule, reader) is the same for both forms.
 *
 * <p>Counters ({@link Counters}, JMH {@code @AuxCounters(EVENTS)}: totals over the measured
 * iterations): {@code invocations} — policy invocations, counted without allocation as the segments
 * the peer sent (each is one packet: 86 bytes, below the MSS, and the reader drains every frame, so
 * the window never holds one back) plus recv calls that returned data, both while the hook is
 * enabled; {@code frames} (= operations) and
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

    public static final int FRAME_SIZE = RpcFrameLoop.FRAME_SIZE;
    public static final int SEGMENTS_PER_FRAME = RpcFrameLoop.SEGMENTS_PER_FRAME;
    public static final int READ_BUFFER = RpcFrameLoop.READ_BUFFER;

    /** The policy's form: {@value #JAVA}, {@value #BYTECODE} or {@value #BYTECODE_INTERPRETER}. */
    @Param({JAVA, BYTECODE, BYTECODE_INTERPRETER})
    public String policy;

    private RpcFrameLoop loop;
    /** Since setup: invocations counted (checked against the log at teardown). */
    private long invocationsCounted;

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
        ExecutionMode mode = BYTECODE_INTERPRETER.equals(policy) ? ExecutionMode.INTERPRETER : ExecutionMode.JIT;
        loop = new RpcFrameLoop(new SimBackend(), p, mode, "the " + policy + " reference policy");
        invocationsCounted = 0;
    }

    /**
     * Checks liveness (every byte read), that the policy is still enabled, and that the invocations
     * counted equal the dispatches the connection logged; then closes the session. (An invocation the
     * VM aborted already failed the operation: the simulator's sessions throw it from the SPI call.)
     *
     * @throws AutoLowatException when a check fails (the run's figures would be wrong)
     */
    @TearDown(Level.Trial)
    public void tearDown() {
        RpcFrameLoop l = loop;
        loop = null;
        l.checkAndClose(() -> {
            if ((l.connection().cbFlags() & CbFlags.RCVQ) == 0) {
                throw new AutoLowatException("the " + policy + " policy disabled itself (A5) during the run; "
                        + "the invocation counts are void");
            }
            long logged = l.dispatchesSinceSetup();
            if (logged != invocationsCounted) {
                throw new AutoLowatException("the " + policy + " benchmark counted " + invocationsCounted
                        + " invocations but the connection dispatched " + logged);
            }
        });
    }

    /**
     * One frame ({@link RpcFrameLoop#frame()}), its invocations counted: one per segment sent (H1)
     * and one per recv that returned data (H2).
     *
     * @return bytes read during this operation (consumed by JMH)
     */
    @Benchmark
    public int rpcFrame(Counters counters) {
        RpcFrameLoop l = loop;
        int read = l.frame();
        long invocations = SEGMENTS_PER_FRAME + l.lastRecvsWithData;
        counters.invocations += invocations;
        counters.wakeups += l.lastWakeups;
        counters.frames++;
        invocationsCounted += invocations;
        return read;
    }

    /** The fixture (for the smoke test: its lowat trace, its log). */
    RpcFrameLoop loop() {
        return loop;
    }

    /** Sock_ops dispatches since setup, from the connection's invocation log (drains it). */
    long dispatchesSinceSetup() {
        return loop.dispatchesSinceSetup();
    }

    /** Drains the connection's invocation log (allocates: for teardown and tests only). */
    List<Invocation> drainInvocations() {
        return loop.drainInvocations();
    }

    Connection connection() {
        return loop.connection();
    }

    long bytesSent() {
        return loop.bytesSent();
    }

    long bytesRead() {
        return loop.bytesRead();
    }

    long invocationsCounted() {
        return invocationsCounted;
    }
}
