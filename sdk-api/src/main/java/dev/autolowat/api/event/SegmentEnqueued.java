package dev.autolowat.api.event;

/**
 * Rule H1: a segment was appended in order to {@code sk_receive_queue}; {@code rcv_nxt} has moved
 * past it and the wakeup decision (H3) has not run yet.
 *
 * <p>Sequence numbers are u32 values carried in an {@code int}; compare them with
 * {@link dev.autolowat.api.Seq} (rule H6). {@link #endSeq()} counts a FIN as one.
 */
public non-sealed interface SegmentEnqueued extends RcvQueueEvent {
    /** First sequence number of the segment (u32). */
    int seq();

    /** Sequence number after the segment, FIN included (u32). */
    int endSeq();

    /** Whether the segment carries FIN. */
    boolean fin();

    /** {@code skb_len}: the payload length in bytes (0 for a bare FIN). */
    int payloadLength();

    /**
     * {@code bpf_skb_load_bytes(skb, offset, dst, len)}: copies payload bytes
     * {@code [offset, offset+len)} (offset 0 = first payload byte) into {@code dst[dstOffset..]}.
     *
     * @return 0, or {@code -EFAULT} when the range is outside the payload or {@code len <= 0}
     *         (as the kernel, the destination is then zero-filled)
     * @throws IndexOutOfBoundsException when the <em>destination</em> range is invalid (API misuse)
     */
    int loadBytes(int offset, byte[] dst, int dstOffset, int len);
}
