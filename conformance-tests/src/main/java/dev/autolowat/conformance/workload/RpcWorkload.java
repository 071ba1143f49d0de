package dev.autolowat.conformance.workload;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.Errno;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.RecvMode;

import java.util.Objects;
import dev.autolowat.sim.policy.Frames;

/**
 * An RPC workload over any backend: a sender writes {@code frames} frames of {@code frameSize}
 * bytes (rule A1), each cut into {@code segmentsPerFrame} segments; a reader that wakes on
 * edge-triggered events reads with non-blocking {@code recv}s of up to {@value #READ_BUFFER} bytes
 * while the socket stays readable — the event loop of an RPC server. With the AutoLOWAT policy the reader should wake once per
 * frame and read it whole (the series' promise: one wakeup, one recv).
 *
 * @param frames           number of frames
 * @param frameSize        bytes per frame, descriptor included
 * @param segmentsPerFrame segments each frame is cut into (1..frameSize)
 * @param mode             the reader's setup
 * @param connect          address family and MPTCP
 */
public record RpcWorkload(int frames, int frameSize, int segmentsPerFrame, ReaderMode mode, ConnectOptions connect) {
    /** The reader's buffer. */
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
    }

    /**
     * Runs the workload on a fresh session of {@code backend}.
     *
     * @param policy the policy to attach in {@link ReaderMode#AUTOLOWAT_POLICY} mode
     * @throws AutoLowatException when the policy cannot be enabled, or when bytes were left unread
     *         at the end (the reader was never woken for them: a liveness failure)
     */
    public WorkloadResult run(Backend backend, Policy policy) {
        byte[] frame = Frames.frame(frameSize);
        int[] cuts = Frames.evenCuts(frameSize, segmentsPerFrame);
        byte[][] segments = new byte[cuts.length][];
        int[][] oneSegment = new int[cuts.length][];
        int off = 0;
        for (int i = 0; i < cuts.length; i++) {
            segments[i] = java.util.Arrays.copyOfRange(frame, off, off + cuts[i]);
            oneSegment[i] = new int[] {cuts[i]};
            off += cuts[i];
        }
        byte[] buffer = new byte[READ_BUFFER];
        try (BackendSession session = backend.openSession()) {
            if (mode == ReaderMode.AUTOLOWAT_POLICY) {
                session.attach(Objects.requireNonNull(policy, "policy"));
            }
            try (Connection connection = session.connect(connect)) {
                if (mode == ReaderMode.AUTOLOWAT_POLICY) {
                    int rc = connection.enableAutoLowat(1);
                    if (rc != 0) {
                        throw new AutoLowatException("enabling the AutoLOWAT policy failed with "
                                + Errno.describeResult(rc) + " on backend " + backend.name());
                    }
                }
                long seenWakeups = connection.edgeWakeups();
                long wakeups = 0;
                long recvCalls = 0;
                long bytesRead = 0;
                for (int f = 0; f < frames; f++) {
                    for (int s = 0; s < segments.length; s++) {
                        connection.send(segments[s], oneSegment[s]);
                        // Woken by an edge-triggered event, the reader reads while the socket stays
                        // readable (level-triggered). A recv can itself let waiting data in (the
                        // window opens); the wakeups that causes are served by the same loop.
                        long now;
                        while ((now = connection.edgeWakeups()) != seenWakeups) {
                            wakeups++;
                            seenWakeups = now;
                            do {
                                int n = connection.recv(buffer, 0, buffer.length, RecvMode.NON_BLOCKING);
                                recvCalls++;
                                if (n > 0) {
                                    bytesRead += n;
                                }
                            } while (connection.readable());
                        }
                    }
                }
                long expected = (long) frames * frameSize;
                if (bytesRead != expected) {
                    throw new AutoLowatException("liveness failure on backend " + backend.name() + ": the reader got "
                            + bytesRead + " of " + expected + " bytes; " + (expected - bytesRead)
                            + " bytes stayed queued without a wakeup (" + this + ")");
                }
                return new WorkloadResult(this, frames, wakeups, recvCalls, bytesRead);
            }
        }
    }
}
