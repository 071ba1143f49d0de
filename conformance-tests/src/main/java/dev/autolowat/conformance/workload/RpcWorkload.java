package dev.autolowat.conformance.workload;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.Errno;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.policy.Frames;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An RPC workload over any backend (the simulator, the native backend): a sender writes
 * {@code frames} frames of {@code frameSize} bytes (rule A1), each cut into {@code segmentsPerFrame}
 * segments, each segment sent on its own; a reader that wakes on edge-triggered events reads with
 * non-blocking {@code recv}s of up to {@code readBuffer} bytes while the socket stays readable — the
 * event loop of an RPC server. Counted: wakeups, recv calls, {@code setsockopt(SO_RCVLOWAT)} calls and
 * bytes. With the AutoLOWAT policy the reader should wake once per frame and read it whole (the
 * series' promise: one wakeup, one recv).
 *
 * <p><b>The read buffer.</b> By default it is {@code max(64 KiB, frameSize)}: large enough for a whole
 * frame, so that a reader woken once per frame needs one recv per frame (a 1 MiB frame read through a
 * 64 KiB buffer would take 16 recvs whatever the lowat). Pass another size to measure a fixed buffer.
 *
 * @param frames           number of frames
 * @param frameSize        bytes per frame, descriptor included
 * @param segmentsPerFrame segments each frame is cut into (1..frameSize)
 * @param mode             the reader's setup
 * @param connect          address family and MPTCP
 * @param readBuffer       bytes the reader asks for per recv ({@code >= 1})
 * @param staticLowat      the {@code SO_RCVLOWAT} of {@link ReaderMode#STATIC_LOWAT} ({@code >= 1};
 *                         the frame size by default); ignored by the other modes
 */
public record RpcWorkload(int frames, int frameSize, int segmentsPerFrame, ReaderMode mode, ConnectOptions connect,
                          int readBuffer, int staticLowat) {
    /** The reader's smallest default buffer: 64 KiB (larger frames get a buffer of their size). */
    public static final int READ_BUFFER = 1 << 16;

    public RpcWorkload {
        if (frames < 0) {
            throw new IllegalArgumentException("frames must not be negative, got " + frames);
        }
        if (frameSize < Frames.DESCRIPTOR_SIZE) {
            throw new IllegalArgumentException("a frame needs at least the " + Frames.DESCRIPTOR_SIZE
                    + "-byte descriptor, got " + frameSize + " bytes");
        }
        Frames.evenCuts(frameSize, segmentsPerFrame);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(connect, "connect");
        if (readBuffer < 1) {
            throw new IllegalArgumentException("the read buffer needs at least one byte, got " + readBuffer);
        }
        if (staticLowat < 1) {
            throw new IllegalArgumentException("a static lowat must be at least 1, got " + staticLowat);
        }
    }

    /** A workload with the default read buffer ({@link #defaultReadBuffer}) and a static lowat of one frame. */
    public RpcWorkload(int frames, int frameSize, int segmentsPerFrame, ReaderMode mode, ConnectOptions connect) {
        this(frames, frameSize, segmentsPerFrame, mode, connect, defaultReadBuffer(frameSize), Math.max(1, frameSize));
    }

    /** {@code max(64 KiB, frameSize)}: one recv can take a whole frame. */
    public static int defaultReadBuffer(int frameSize) {
        return Math.max(READ_BUFFER, frameSize);
    }

    /** This workload with another reader mode. */
    public RpcWorkload withMode(ReaderMode other) {
        return new RpcWorkload(frames, frameSize, segmentsPerFrame, other, connect, readBuffer, staticLowat);
    }

    /**
     * Runs the workload on a fresh session of {@code backend}.
     *
     * @param policy the policy to attach in {@link ReaderMode#BPF_AUTOLOWAT} mode (Java handler or
     *               bytecode); ignored by the other modes
     * @throws ModeNotSupportedException when the mode needs what the backend lacks (BPF AutoLOWAT on a
     *         kernel without the series)
     * @throws AutoLowatException when the policy cannot be enabled, a setsockopt fails, or bytes were
     *         left unread at the end (the reader was never woken for them: a liveness failure)
     */
    public WorkloadResult run(Backend backend, Policy policy) {
        if (mode.needsPolicy()) {
            Objects.requireNonNull(policy, "policy");
            if (!backend.capabilities().kernelHasSeries()) {
                throw new ModeNotSupportedException(mode, backend.name(), "the kernel lacks the AutoLOWAT series"
                        + " (no sock_ops op 21 BPF_SOCK_OPS_RCVQ_CB, no flag 0x80, no kfunc); run the userspace modes"
                        + " (" + ReaderMode.USERSPACE_AUTOLOWAT.label() + ", " + ReaderMode.STATIC_LOWAT.label()
                        + ") here, or BPF AutoLOWAT on the simulator");
            }
        }
        byte[] frame = Frames.frame(frameSize);
        int[] cuts = Frames.evenCuts(frameSize, segmentsPerFrame);
        byte[][] segments = new byte[cuts.length][];
        int[][] oneSegment = new int[cuts.length][];
        int off = 0;
        for (int i = 0; i < cuts.length; i++) {
            segments[i] = Arrays.copyOfRange(frame, off, off + cuts[i]);
            oneSegment[i] = new int[] {cuts[i]};
            off += cuts[i];
        }
        byte[] buffer = new byte[readBuffer];
        try (BackendSession session = backend.openSession()) {
            if (mode.needsPolicy()) {
                session.attach(policy);
            }
            try (Connection connection = session.connect(connect)) {
                Counter counter = new Counter(connection, backend.name());
                switch (mode) {
                    case BPF_AUTOLOWAT -> {
                        int rc = connection.enableAutoLowat(1);
                        if (rc != 0) {
                            throw new AutoLowatException("enabling the AutoLOWAT policy failed with "
                                    + Errno.describeResult(rc) + " on backend " + backend.name());
                        }
                    }
                    case STATIC_LOWAT -> counter.setLowat(staticLowat);
                    case USERSPACE_AUTOLOWAT -> counter.setLowat(counter.parser.needed());
                    case LOWAT_1 -> { }
                }
                long seenWakeups = connection.edgeWakeups();
                for (int f = 0; f < frames; f++) {
                    for (int s = 0; s < segments.length; s++) {
                        connection.send(segments[s], oneSegment[s]);
                        // Woken by an edge-triggered event, the reader reads while the socket stays
                        // readable (level-triggered). A recv (or a setsockopt) can itself let waiting
                        // data in (the window opens); the wakeups that causes are served by the same loop.
                        long now;
                        while ((now = connection.edgeWakeups()) != seenWakeups) {
                            counter.wakeups++;
                            seenWakeups = now;
                            do {
                                int n = connection.recv(buffer, 0, buffer.length, RecvMode.NON_BLOCKING);
                                counter.recvCalls++;
                                if (n > 0) {
                                    counter.bytesRead += n;
                                    if (mode == ReaderMode.USERSPACE_AUTOLOWAT) {
                                        counter.parser.consume(buffer, n);
                                        counter.setLowat(counter.parser.needed());
                                    }
                                }
                            } while (connection.readable());
                        }
                    }
                }
                long expected = (long) frames * frameSize;
                if (counter.bytesRead != expected) {
                    throw new AutoLowatException("liveness failure on backend " + backend.name() + ": the reader got "
                            + counter.bytesRead + " of " + expected + " bytes; " + (expected - counter.bytesRead)
                            + " bytes stayed queued without a wakeup (" + this + ")");
                }
                return new WorkloadResult(this, backend.name(), frames, counter.wakeups, counter.recvCalls,
                        counter.setsockoptCalls, counter.bytesRead);
            }
        }
    }

    /** The reader's counts and its current {@code SO_RCVLOWAT} (1, the kernel's default, at first). */
    private static final class Counter {
        final Connection connection;
        final String backend;
        final FrameParser parser = new FrameParser();
        long wakeups;
        long recvCalls;
        long setsockoptCalls;
        long bytesRead;
        int lowat = 1;

        Counter(Connection connection, String backend) {
            this.connection = connection;
            this.backend = backend;
        }

        /** {@code setsockopt(SO_RCVLOWAT, value)} when {@code value} differs from the last one set. */
        void setLowat(int value) {
            if (value == lowat) {
                return;
            }
            int rc = connection.setRcvLowat(value);
            setsockoptCalls++;
            if (rc != 0) {
                throw new AutoLowatException("setsockopt(SO_RCVLOWAT, " + value + ") failed with "
                        + Errno.describeResult(rc) + " on backend " + backend);
            }
            lowat = value;
        }
    }

    /**
     * The userspace reader's A1 parser: it follows the byte stream through descriptors
     * ({@code u32 header_len, u32 payload_len}, little-endian) and frame bodies, and says how many
     * bytes the reader still needs — for the rest of the current frame, or for the rest of the next
     * descriptor (8 at a frame boundary).
     */
    static final class FrameParser {
        private final byte[] descriptor = new byte[Frames.DESCRIPTOR_SIZE];
        private int descriptorHave;
        private long bodyLeft;
        private boolean inBody;
        private long framesSeen;

        void consume(byte[] data, int length) {
            int i = 0;
            while (i < length) {
                if (!inBody) {
                    int take = Math.min(Frames.DESCRIPTOR_SIZE - descriptorHave, length - i);
                    System.arraycopy(data, i, descriptor, descriptorHave, take);
                    descriptorHave += take;
                    i += take;
                    if (descriptorHave == Frames.DESCRIPTOR_SIZE) {
                        ByteBuffer b = ByteBuffer.wrap(descriptor).order(ByteOrder.LITTLE_ENDIAN);
                        bodyLeft = Integer.toUnsignedLong(b.getInt()) + Integer.toUnsignedLong(b.getInt());
                        descriptorHave = 0;
                        inBody = bodyLeft > 0;
                        if (!inBody) {
                            framesSeen++;
                        }
                    }
                } else {
                    int take = (int) Math.min(bodyLeft, length - i);
                    bodyLeft -= take;
                    i += take;
                    if (bodyLeft == 0) {
                        inBody = false;
                        framesSeen++;
                    }
                }
            }
        }

        /** Bytes still needed: the rest of the current frame's body, or of the next descriptor. */
        int needed() {
            return inBody ? (int) Math.min(Integer.MAX_VALUE, bodyLeft) : Frames.DESCRIPTOR_SIZE - descriptorHave;
        }

        long framesSeen() {
            return framesSeen;
        }
    }
}
