package dev.autolowat.sim.policy;

/**
 * The per-socket parse state of the reference policy: the Java form of the value stored in the
 * policy's {@code BPF_MAP_TYPE_SK_STORAGE} map (rules A2–A4).
 *
 * <p>One instance lives per socket, for as long as the policy is enabled on it. It is created by
 * the enable path (A2) through {@code storage(KEY, true)} and read by the sock_ops handler through
 * {@code storage(KEY, false)}. Every buffer the hot path needs lives here, so that handling a
 * segment allocates nothing.
 *
 * <p>Sequence numbers are u32 values held in {@code int}s (H6): compare them with
 * {@link dev.autolowat.api.Seq}, never with {@code <}.
 */
final class AutoLowatState {
    /** A1: the descriptor is {@code {u32 header_len, u32 payload_len}}. */
    static final int DESCRIPTOR_SIZE = 8;

    /** Sequence number of the first byte of the current frame's descriptor (u32). */
    int descSeq;

    /**
     * Sequence number after the current frame (u32); meaningful only while
     * {@link #bufLen} == {@link #DESCRIPTOR_SIZE} (the descriptor is complete).
     */
    int endSeq;

    /** How many bytes of the current descriptor were copied into {@link #desc} (0..8). */
    int bufLen;

    /** The current descriptor's bytes as they arrived (A1: little-endian, x86-64 host order). */
    final byte[] desc = new byte[DESCRIPTOR_SIZE];

    /**
     * A2: start parsing at {@code copiedSeq}: the next byte the application reads is the first
     * byte of a descriptor. Zero-fills the buffer so a stale descriptor can never be decoded.
     */
    void reset(int copiedSeq) {
        descSeq = copiedSeq;
        endSeq = copiedSeq;
        bufLen = 0;
        for (int i = 0; i < DESCRIPTOR_SIZE; i++) {
            desc[i] = 0;
        }
    }

    /** Whether the current descriptor is complete (A4 distinguishes this case). */
    boolean descriptorComplete() {
        return bufLen == DESCRIPTOR_SIZE;
    }

    /**
     * A1/A5: {@code 8 + header_len + payload_len} of the complete descriptor, in 64 bits so that
     * it never wraps (two u32s plus 8 fit comfortably in a long).
     */
    long frameLength() {
        return DESCRIPTOR_SIZE + u32le(0) + u32le(4);
    }

    private long u32le(int at) {
        return (desc[at] & 0xFFL)
                | (desc[at + 1] & 0xFFL) << 8
                | (desc[at + 2] & 0xFFL) << 16
                | (desc[at + 3] & 0xFFL) << 24;
    }

    @Override
    public String toString() {
        return "AutoLowatState[descSeq=" + Integer.toUnsignedString(descSeq)
                + ", endSeq=" + Integer.toUnsignedString(endSeq) + ", bufLen=" + bufLen + "]";
    }
}
