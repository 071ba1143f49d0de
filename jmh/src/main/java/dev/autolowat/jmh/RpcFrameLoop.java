package dev.autolowat.jmh;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.Errno;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.ExecutionMode;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.SessionOption;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The shared fixture of {@link SimulatorThroughputBenchmark} and {@link PolicyInvocationBenchmark}: one
 * long-lived connection of a backend, driven through the SPI, on which the peer sends 258-byte A1
 * frames ({@code {100, 150}} descriptor, little-endian, then zero bytes) as {@value #SEGMENTS_PER_FRAME}
 * segments of 86 bytes, and an event-loop reader makes one non-blocking recv of up to
 * {@value #READ_BUFFER} bytes for each edge-triggered wakeup (H3).
 *
 * <p>{@link #frame()} allocates nothing: the segments, the empty cut list and the read buffer are made
 * here. What it did is in the {@code last*} fields (for the benchmarks' JMH counters) and in the totals
 * since setup; {@link #checkAndClose} and {@link #dispatchesSinceSetup()} check them at teardown.
 */
final class RpcFrameLoop implements AutoCloseable {
    /** A1: descriptor size. */
    static final int DESCRIPTOR_SIZE = 8;
    /** A1 descriptor values of the series' selftest frame. */
    static final int HEADER_LEN = 100;
    static final int PAYLOAD_LEN = 150;
    /** Bytes per frame, descriptor included: 258. */
    static final int FRAME_SIZE = DESCRIPTOR_SIZE + HEADER_LEN + PAYLOAD_LEN;
    /** Segments each frame is cut into. */
    static final int SEGMENTS_PER_FRAME = 3;
    /** The reader's buffer, as an RPC server's event loop would have (and the conformance workload has). */
    static final int READ_BUFFER = 1 << 16;
    /** {@code send(segment)} as one write: the segment fits one packet (86 bytes, below every MSS). */
    private static final int[] ONE_WRITE = new int[0];

    private final String label;
    private final BackendSession session;
    private final Connection connection;
    private final byte[][] segments = new byte[SEGMENTS_PER_FRAME][];
    private final byte[] readBuffer = new byte[READ_BUFFER];
    /** Edge wakeups the reader has already handled. */
    private long seenWakeups;

    // ---- the last frame ----
    /** Edge-triggered wakeups the reader handled. */
    long lastWakeups;
    /** Non-blocking recv calls the reader made (one per wakeup). */
    long lastRecvCalls;
    /** recv calls that returned data: each one runs a policy's recvmsg-done invocation (H2). */
    long lastRecvsWithData;

    // ---- since setup ----
    private long bytesSent;
    private long bytesRead;
    /** Log entries drained since setup, and the dropped count at setup. */
    private long drainedSinceSetup;
    private final long droppedAtSetup;

    /**
     * Test hook, {@code null} in benchmark runs: when set, {@code sk_rcvlowat} after every packet and
     * every recv is appended here ({@value #SEGMENTS_PER_FRAME} + 1 values per frame with a policy).
     */
    int[] lowatTrace;
    int lowatTraceLength;

    /**
     * Opens a session of {@code backend}; with a policy, attaches it (bytecode run in {@code mode} when
     * not null, {@link SessionOption#EXECUTION_MODE}), connects and enables it (A2:
     * {@code enableAutoLowat(1)} must return 0); then drains the invocation log (the handshake's
     * dispatch is not part of the workload).
     *
     * @param label  what runs, for messages: e.g. {@code "the BYTECODE reference policy"}
     * @param policy the policy, or {@code null} for none (the reader with {@code SO_RCVLOWAT} 1)
     * @throws AutoLowatException when the policy cannot be enabled
     */
    RpcFrameLoop(Backend backend, Policy policy, ExecutionMode mode, String label) {
        this.label = Objects.requireNonNull(label, "label");
        byte[] frame = frame(HEADER_LEN, PAYLOAD_LEN);
        int off = 0;
        for (int i = 0; i < SEGMENTS_PER_FRAME; i++) {
            int len = FRAME_SIZE / SEGMENTS_PER_FRAME + (i < FRAME_SIZE % SEGMENTS_PER_FRAME ? 1 : 0);
            segments[i] = Arrays.copyOfRange(frame, off, off + len);
            off += len;
        }
        session = backend.openSession();
        try {
            if (mode != null) {
                session.setOption(SessionOption.EXECUTION_MODE, mode);
            }
            if (policy != null) {
                session.attach(policy);
            }
            connection = session.connect(ConnectOptions.IPV4);
            if (policy != null) {
                int rc = connection.enableAutoLowat(1);
                if (rc != 0) {
                    throw new AutoLowatException("enabling " + label + " failed with " + Errno.describeResult(rc)
                            + "; the benchmark needs enableAutoLowat(1) == 0");
                }
            }
            droppedAtSetup = connection.observe().droppedInvocations();
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
        seenWakeups = connection.edgeWakeups();
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

    /**
     * One frame: the peer sends each segment; after each packet, if the reader was woken (edge
     * triggered), it makes one non-blocking recv.
     *
     * @return bytes read during this frame
     */
    int frame() {
        Connection c = connection;
        int read = 0;
        long wakeups = 0;
        long recvCalls = 0;
        long recvsWithData = 0;
        for (byte[] segment : segments) {
            c.send(segment, ONE_WRITE);
            if (lowatTrace != null) {
                trace(c.rcvLowat());
            }
            long now = c.edgeWakeups();
            if (now != seenWakeups) {
                wakeups += now - seenWakeups;
                int n = c.recv(readBuffer, 0, READ_BUFFER, RecvMode.NON_BLOCKING);
                recvCalls++;
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
        lastWakeups = wakeups;
        lastRecvCalls = recvCalls;
        lastRecvsWithData = recvsWithData;
        bytesSent += FRAME_SIZE;
        bytesRead += read;
        return read;
    }

    private void trace(int lowat) {
        lowatTrace[lowatTraceLength++] = lowat;
    }

    /**
     * The teardown: checks liveness (every byte read — a frame left unread means a lost wakeup, and the
     * run's figures are void), then {@code moreChecks}, and closes the session whatever they find.
     *
     * @throws AutoLowatException when a check fails
     */
    void checkAndClose(Runnable moreChecks) {
        try {
            if (bytesRead != bytesSent) {
                throw new AutoLowatException("liveness failure with " + label + ": the reader got " + bytesRead + " of "
                        + bytesSent + " bytes; the rest stayed queued without a wakeup");
            }
            moreChecks.run();
        } finally {
            close();
        }
    }

    /**
     * Sock_ops dispatches since setup, from the connection's invocation log: the entries it dropped
     * plus those drained (this drains the log). Each dispatch runs a one-program policy once.
     */
    long dispatchesSinceSetup() {
        long dropped = droppedSinceSetup(); // drains: counted in drainedSinceSetup
        return dropped + drainedSinceSetup;
    }

    /** Drains the connection's invocation log (allocates: for teardown and tests only). */
    List<Invocation> drainInvocations() {
        return observe().invocations();
    }

    /** Invocation-log entries dropped since setup (this drains the log). */
    long droppedSinceSetup() {
        return observe().droppedInvocations() - droppedAtSetup;
    }

    /** An observation, its drained log entries counted. */
    private Observation observe() {
        Observation o = connection.observe();
        drainedSinceSetup += o.invocations().size();
        return o;
    }

    Connection connection() {
        return connection;
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() {
        session.close();
    }
}
