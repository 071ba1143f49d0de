package dev.autolowat.jmh;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.spi.Connection;
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

import java.util.concurrent.TimeUnit;

/**
 * Simulator throughput for the RPC workload of the series: one operation is one 258-byte frame
 * (rule A1 descriptor {@code {100, 150}}, little-endian, zero header and payload bytes) sent by the
 * peer as 3 segments of 86 bytes over one long-lived connection, and read by an event-loop reader
 * that makes one non-blocking recv per edge-triggered wakeup (rule H3) — {@link RpcFrameLoop}, driven
 * through the SPI.
 *
 * <ul>
 *   <li>{@code LOWAT_1}: no policy, {@code SO_RCVLOWAT} 1: every segment wakes the reader, so 3
 *       wakeups and 3 recv calls per frame.</li>
 *   <li>{@code AUTOLOWAT}: the reference policy ({@link ReferenceAutoLowat#policy()}), enabled with
 *       its A2 setsockopt: one wakeup and one recv per frame.</li>
 * </ul>
 *
 * <p>The counts come out of the same run as the throughput, as JMH auxiliary counters
 * ({@link Counters}): {@code wakeups}, {@code recvCalls} and {@code frames} are totals per
 * iteration; wakeups per frame = {@code wakeups / frames}.
 *
 * <p>The operation allocates nothing: the segments and the read buffer are made once at setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimulatorThroughputBenchmark {
    /** Reader setups, the values of {@link #mode}. */
    public static final String LOWAT_1 = "LOWAT_1";
    public static final String AUTOLOWAT = "AUTOLOWAT";

    /** A1: descriptor size. */
    public static final int DESCRIPTOR_SIZE = RpcFrameLoop.DESCRIPTOR_SIZE;
    /** A1 descriptor values of the series' selftest frame. */
    public static final int HEADER_LEN = RpcFrameLoop.HEADER_LEN;
    public static final int PAYLOAD_LEN = RpcFrameLoop.PAYLOAD_LEN;
    /** Bytes per frame, descriptor included: 258. */
    public static final int FRAME_SIZE = RpcFrameLoop.FRAME_SIZE;
    /** Segments each frame is cut into. */
    public static final int SEGMENTS_PER_FRAME = RpcFrameLoop.SEGMENTS_PER_FRAME;
    /** The reader's buffer, as an RPC server's event loop would have (and the conformance workload has). */
    public static final int READ_BUFFER = RpcFrameLoop.READ_BUFFER;

    /** The reader's setup: {@value #LOWAT_1} or {@value #AUTOLOWAT}. */
    @Param({LOWAT_1, AUTOLOWAT})
    public String mode;

    private RpcFrameLoop loop;

    /** Auxiliary counters of one iteration, reported by JMH next to the throughput. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Edge-triggered wakeups of the reader (H3). */
        public long wakeups;
        /** Non-blocking recv calls of the reader: one per wakeup. */
        public long recvCalls;
        /** Frames sent (= operations). */
        public long frames;

        @Setup(Level.Iteration)
        public void reset() {
            wakeups = 0;
            recvCalls = 0;
            frames = 0;
        }
    }

    /**
     * Opens a session and a connection, and in {@code AUTOLOWAT} mode attaches the reference policy
     * and enables it ({@code enableAutoLowat(1)} must return 0).
     *
     * @throws IllegalArgumentException for an unknown {@link #mode}
     * @throws AutoLowatException when the policy cannot be enabled
     */
    @Setup(Level.Trial)
    public void setup() {
        boolean autoLowat;
        if (LOWAT_1.equals(mode)) {
            autoLowat = false;
        } else if (AUTOLOWAT.equals(mode)) {
            autoLowat = true;
        } else {
            throw new IllegalArgumentException("unknown mode '" + mode + "'; use " + LOWAT_1 + " or " + AUTOLOWAT);
        }
        loop = new RpcFrameLoop(new SimBackend(), autoLowat ? ReferenceAutoLowat.policy() : null, null,
                autoLowat ? "the AutoLOWAT reference policy" : "mode " + mode);
    }

    /**
     * Checks that the reader got every byte (a frame left unread means a lost wakeup, and the numbers
     * of the run would be meaningless), then closes the session.
     *
     * @throws AutoLowatException on a liveness failure
     */
    @TearDown(Level.Trial)
    public void tearDown() {
        RpcFrameLoop l = loop;
        loop = null;
        l.checkAndClose(() -> { });
    }

    /**
     * One frame ({@link RpcFrameLoop#frame()}), its wakeups and recv calls counted.
     *
     * @return bytes read during this operation (consumed by JMH)
     */
    @Benchmark
    public int rpcFrame(Counters counters) {
        RpcFrameLoop l = loop;
        int read = l.frame();
        counters.wakeups += l.lastWakeups;
        counters.recvCalls += l.lastRecvCalls;
        counters.frames++;
        return read;
    }

    /** The connection under test, for the smoke test; {@code null} outside setup..teardown. */
    Connection connection() {
        return loop == null ? null : loop.connection();
    }

    /** Bytes the peer sent and the reader read since setup. */
    long bytesSent() {
        return loop.bytesSent();
    }

    long bytesRead() {
        return loop.bytesRead();
    }

    /**
     * An A1 frame: the descriptor {@code {headerLen, payloadLen}} as little-endian u32s, then zero
     * header and payload bytes.
     */
    static byte[] frame(int headerLen, int payloadLen) {
        return RpcFrameLoop.frame(headerLen, payloadLen);
    }
}
