package dev.autolowat.conformance.oracle;

/**
 * The reference AutoLOWAT policy (rules A1–A5 of SEMANTICS.md) as a deliberately plain, step-by-step
 * model written from the contract text alone: the independent oracle the policy's two forms (the
 * Java handler {@code ReferenceAutoLowat} and the bytecode {@code FramingPolicy.REFERENCE_RPC}) are
 * compared with. It shares no code with either of them, nor with the SDK's sequence helpers: sequence
 * numbers are {@code long}s in {@code [0, 2^32)} and every sum is reduced modulo 2^32 here.
 *
 * <p>Why a second implementation: the two forms were written from one reading of the contract, so a
 * differential test between them (or between simulator and kernel, which both run the bytecode) cannot
 * see where that reading is wrong. This model reads every rule again, literally:
 * <ul>
 *   <li><b>A1</b> frame = 8-byte descriptor {@code {u32 header_len, u32 payload_len}}, little-endian;
 *       frame length = 8 + header_len + payload_len (no wrap).</li>
 *   <li><b>A2</b> enable: {@code desc_seq = end_seq = copied_seq}, {@code buf_len = 0}.</li>
 *   <li><b>A3</b> for the segment {@code [seq, end_seq)} without its FIN: keep copying descriptor bytes
 *       into the 8-byte buffer; when complete, {@code end_seq_frame = desc_seq + frame length}. Then the
 *       walk: each pass first checks a per-segment counter (from 0) and disables if it is above 100,
 *       then increments it; while the frame ends at or before the segment end, the next frame starts
 *       at its end ({@code desc_seq = end}, {@code buf_len = 0}); stop when it ends exactly at the
 *       segment end, else parse the next descriptor from this segment.</li>
 *   <li><b>A4</b> target: {@code copied_seq} before {@code desc_seq} → {@code desc_seq - copied_seq};
 *       else descriptor incomplete → 8; else {@code end_seq_frame - copied_seq}; the setter is called
 *       only when the value differs from {@code sk_rcvlowat}. H2 (no segment): only A4.</li>
 *   <li><b>A5</b> disable on zero bytes to copy when a descriptor is being copied, frame length above
 *       INT_MAX, the walk bound, a failed byte load (here: the next descriptor byte is not in the
 *       segment): clear RCVQ, then lowat 1.</li>
 * </ul>
 *
 * <p>What the policy <em>does</em> is the model's output ({@link Action}); {@link #apply} turns it into
 * the socket's {@code sk_rcvlowat} and RCVQ bit with rule K1's setter ({@code max(1, min(val, cap))},
 * a negative value refused), so that a test can compare it with what a backend shows.
 */
public final class ContractModel {
    /** A1: descriptor size. */
    static final int DESCRIPTOR = 8;
    /** A3: the walk disables when its counter is above this. */
    static final int WALK_LIMIT = 100;
    private static final long MOD = 1L << 32;
    private static final long INT_MAX = Integer.MAX_VALUE;

    /** What the policy does on one invocation. */
    public sealed interface Action {
    }

    /** No setter call, no disable (the target equals {@code sk_rcvlowat}, or there is no state). */
    public record Nothing() implements Action {
    }

    /** A4: the K1 kfunc is called with {@code value} (the u32 target, as the int the kfunc takes). */
    public record SetLowat(int value) implements Action {
    }

    /** A5: RCVQ cleared, then lowat 1. {@code why} says which rule fired. */
    public record Disable(String why) implements Action {
    }

    // ---- the per-socket state of A2, or none ----
    private boolean enabled;
    private long descSeq;
    private long endSeqFrame;
    private int bufLen;
    private final int[] buffer = new int[DESCRIPTOR];

    /** Whether the model holds a per-socket state (A2 ran, A5 did not since). */
    public boolean hasState() {
        return enabled;
    }

    /** Whether the current descriptor has all its 8 bytes (false without a state). */
    public boolean descriptorComplete() {
        return enabled && bufLen == DESCRIPTOR;
    }

    /** The state, for messages. */
    public String describeState() {
        return enabled ? "desc_seq=" + descSeq + " end_seq_frame=" + endSeqFrame + " buf_len=" + bufLen : "no state";
    }

    /** A2: a successful enable with a non-zero value at this {@code copied_seq} (u32). */
    public void enable(long copiedSeq) {
        enabled = true;
        descSeq = mod(copiedSeq);
        endSeqFrame = mod(copiedSeq);
        bufLen = 0;
    }

    /**
     * H1: a segment was enqueued. {@code seq} is its first sequence number, {@code payload} its bytes
     * (the FIN, if any, is not part of {@code [seq, end_seq)}), {@code copiedSeq} and {@code rcvLowat}
     * the socket's values when the program runs.
     */
    public Action segment(long seq, byte[] payload, long copiedSeq, int rcvLowat) {
        if (!enabled) {
            return new Nothing();
        }
        long segStart = mod(seq);
        long segEnd = mod(segStart + payload.length);
        // A3, first part: the current descriptor, if it is still being copied
        if (bufLen < DESCRIPTOR) {
            String problem = copyDescriptor(segStart, payload);
            if (problem != null) {
                return disable(problem);
            }
            if (bufLen < DESCRIPTOR) {
                return target(copiedSeq, rcvLowat); // still partial: wait for the next segment
            }
        }
        // A3, the walk
        int counter = 0;
        int frameEnds = 0;
        while (true) {
            if (counter > WALK_LIMIT) {
                return disable("A3 walk bound: pass " + (counter + 1) + " finds the counter above " + WALK_LIMIT
                        + " (" + frameEnds + " frames ended in this segment; the current frame "
                        + (isAfter(endSeqFrame, segEnd) ? "does not end here" : "ends here") + ")");
            }
            counter = counter + 1;
            boolean endsInSegment = !isAfter(endSeqFrame, segEnd);
            if (!endsInSegment) {
                break; // the frame does not end in this segment
            }
            frameEnds = frameEnds + 1;
            descSeq = endSeqFrame;
            bufLen = 0;
            if (endSeqFrame == segEnd) {
                break; // it ends exactly at the segment end
            }
            String problem = copyDescriptor(segStart, payload);
            if (problem != null) {
                return disable(problem);
            }
            if (bufLen < DESCRIPTOR) {
                break; // the next descriptor continues in a later segment
            }
        }
        return target(copiedSeq, rcvLowat);
    }

    /** H2: a recvmsg copied data; only A4 runs. */
    public Action recvmsgDone(long copiedSeq, int rcvLowat) {
        if (!enabled) {
            return new Nothing();
        }
        return target(copiedSeq, rcvLowat);
    }

    /**
     * A3's "keep copying descriptor bytes": copies what the segment holds of the current descriptor.
     * Returns the A5 reason when it must disable, else {@code null}.
     */
    private String copyDescriptor(long segStart, byte[] payload) {
        long next = mod(descSeq + bufLen);           // the sequence number of the next descriptor byte
        long offset = mod(next - segStart);           // where it is in the segment
        if (offset > payload.length) {
            return "A5 failed byte load: the next descriptor byte (seq " + next + ") is not in the segment";
        }
        int toCopy = (int) Math.min(DESCRIPTOR - bufLen, payload.length - offset);
        if (toCopy == 0) {
            return "A5 zero bytes to copy while descriptor byte " + bufLen + " is being copied";
        }
        for (int i = 0; i < toCopy; i++) {
            buffer[bufLen + i] = payload[(int) offset + i] & 0xFF;
        }
        bufLen = bufLen + toCopy;
        if (bufLen < DESCRIPTOR) {
            return null;
        }
        long headerLen = buffer[0] | buffer[1] << 8 | buffer[2] << 16 | (long) buffer[3] << 24;
        long payloadLen = buffer[4] | buffer[5] << 8 | buffer[6] << 16 | (long) buffer[7] << 24;
        long frameLength = DESCRIPTOR + headerLen + payloadLen; // at most 8 + 2 * (2^32 - 1): no wrap in a long
        if (frameLength > INT_MAX) {
            return "A5 frame length " + frameLength + " above INT_MAX";
        }
        endSeqFrame = mod(descSeq + frameLength);
        return null;
    }

    /** A4. */
    private Action target(long copiedSeq, int rcvLowat) {
        long copied = mod(copiedSeq);
        long value;
        if (isBefore(copied, descSeq)) {
            value = mod(descSeq - copied);
        } else if (bufLen < DESCRIPTOR) {
            value = DESCRIPTOR;
        } else {
            value = mod(endSeqFrame - copied);
        }
        if (value == mod(rcvLowat)) {
            return new Nothing();
        }
        return new SetLowat((int) value);
    }

    private Action disable(String why) {
        enabled = false; // the hook no longer runs; a later A2 starts afresh
        return new Disable(why);
    }

    // ---- u32 sequence arithmetic, written out (H6: before()/after() on the signed difference) ----

    private static long mod(long v) {
        return Math.floorMod(v, MOD);
    }

    /** {@code before(a, b)}: the signed 32-bit difference {@code a - b} is negative. */
    private static boolean isBefore(long a, long b) {
        long d = mod(a - b);
        return d >= MOD / 2;
    }

    private static boolean isAfter(long a, long b) {
        return isBefore(b, a);
    }

    // ---- what the socket shows afterwards (K1, A5) ----

    /**
     * The socket's {@code sk_rcvlowat} and RCVQ bit after {@code action}, by rule K1's setter:
     * {@code cap = locked ? rcvbuf / 2 : tcp_rmem[2] / 2}, a negative value is refused (-EINVAL,
     * nothing changes), else {@code max(1, min(val, cap))}; A5 clears RCVQ, then sets lowat 1.
     *
     * @return {@code {lowat, rcvq ? 1 : 0}}
     */
    public static int[] apply(Action action, int lowatBefore, boolean rcvqBefore, int rcvbuf, boolean rcvbufLocked,
                              int tcpRmemMax) {
        int cap = rcvbufLocked ? rcvbuf / 2 : tcpRmemMax / 2;
        if (action instanceof SetLowat s) {
            int lowat = s.value() < 0 ? lowatBefore : Math.max(1, Math.min(s.value(), cap));
            return new int[] {lowat, rcvqBefore ? 1 : 0};
        }
        if (action instanceof Disable) {
            return new int[] {Math.max(1, Math.min(1, cap)), 0};
        }
        return new int[] {lowatBefore, rcvqBefore ? 1 : 0};
    }
}
