package dev.autolowat.jmh;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.Errno;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
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
 * peer as 3 segments of 86 bytes over one long-lived {@link SimConnection}, and read by an
 * event-loop reader that makes one non-blocking recv per edge-triggered wakeup (rule H3).
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
 * <p>The operation allocates nothing: the frame, the segment cuts and the read buffer are made once
 * at setup, the peer writes with {@link SimConnection#sendSegments} and the reader drains with
 * {@link SimConnection#recvDiscard}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimulatorThroughputBenchmark {
    /** Reader setups, the values of {@link #mode}. */
    public static final String LOWAT_1 = "LOWAT_1";
    public static final String AUTOLOWAT = "AUTOLOWAT";

    /** A1: descriptor size. */
    public static final int DESCRIPTOR_SIZE = 8;
    /** A1 descriptor values of the series' selftest frame. */
    public static final int HEADER_LEN = 100;
    public static final int PAYLOAD_LEN = 150;
    /** Bytes per frame, descriptor included: 258. */
    public static final int FRAME_SIZE = DESCRIPTOR_SIZE + HEADER_LEN + PAYLOAD_LEN;
    /** Segments each frame is cut into. */
    public static final int SEGMENTS_PER_FRAME = 3;
    /** The reader's buffer, as an RPC server's event loop would have (and the conformance workload has). */
    public static final int READ_BUFFER = 1 << 16;

    /** The reader's setup: {@value #LOWAT_1} or {@value #AUTOLOWAT}. */
    @Param({LOWAT_1, AUTOLOWAT})
    public String mode;

    private final byte[] frame = frame(HEADER_LEN, PAYLOAD_LEN);
    private final int[] segmentOffsets = new int[SEGMENTS_PER_FRAME];
    private final int[] segmentLengths = new int[SEGMENTS_PER_FRAME];
    private final byte[] readBuffer = new byte[READ_BUFFER];

    private SimSession session;
    private SimConnection connection;
    /** Edge wakeups the reader has already handled. */
    private long seenWakeups;
    /** Bytes sent and read since setup: the reader must keep up (liveness), checked at teardown. */
    private long bytesSent;
    private long bytesRead;

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
        int off = 0;
        for (int i = 0; i < SEGMENTS_PER_FRAME; i++) {
            segmentOffsets[i] = off;
            segmentLengths[i] = FRAME_SIZE / SEGMENTS_PER_FRAME + (i < FRAME_SIZE % SEGMENTS_PER_FRAME ? 1 : 0);
            off += segmentLengths[i];
        }
        session = new SimBackend().openSession();
        if (autoLowat) {
            session.attach(ReferenceAutoLowat.policy());
        }
        connection = session.connect(ConnectOptions.IPV4);
        if (autoLowat) {
            int rc = connection.enableAutoLowat(1);
            if (rc != 0) {
                session.close();
                throw new AutoLowatException("enabling the AutoLOWAT reference policy failed with "
                        + Errno.describeResult(rc) + "; the benchmark needs enableAutoLowat(1) == 0");
            }
        }
        seenWakeups = connection.edgeWakeups();
        bytesSent = 0;
        bytesRead = 0;
    }

    /**
     * Checks that the reader got every byte (a frame left unread means a lost wakeup, and the numbers
     * of the run would be meaningless), then closes the session.
     *
     * @throws AutoLowatException on a liveness failure
     */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (bytesRead != bytesSent) {
                throw new AutoLowatException("liveness failure in mode " + mode + ": the reader got " + bytesRead
                        + " of " + bytesSent + " bytes; the rest stayed queued without a wakeup");
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
        for (int s = 0; s < SEGMENTS_PER_FRAME; s++) {
            c.sendSegments(frame, segmentOffsets[s], segmentLengths[s]);
            long now = c.edgeWakeups();
            if (now != seenWakeups) {
                counters.wakeups += now - seenWakeups;
                int n = c.recvDiscard(readBuffer, READ_BUFFER);
                counters.recvCalls++;
                if (n > 0) {
                    read += n;
                }
                seenWakeups = c.edgeWakeups();
            }
        }
        counters.frames++;
        bytesSent += FRAME_SIZE;
        bytesRead += read;
        return read;
    }

    /** The connection under test, for the smoke test; {@code null} outside setup..teardown. */
    SimConnection connection() {
        return connection;
    }

    /** Bytes the peer sent and the reader read since setup. */
    long bytesSent() {
        return bytesSent;
    }

    long bytesRead() {
        return bytesRead;
    }

    /**
     * An A1 frame: the descriptor {@code {headerLen, payloadLen}} as little-endian u32s, then zero
     * header and payload bytes.
     */
    static byte[] frame(int headerLen, int payloadLen) {
        byte[] out = new byte[DESCRIPTOR_SIZE + headerLen + payloadLen];
        putIntLe(out, 0, headerLen);
        putIntLe(out, 4, payloadLen);
        return out;
    }

    private static void putIntLe(byte[] dst, int off, int value) {
        dst[off] = (byte) value;
        dst[off + 1] = (byte) (value >>> 8);
        dst[off + 2] = (byte) (value >>> 16);
        dst[off + 3] = (byte) (value >>> 24);
    }
}
