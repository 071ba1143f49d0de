package dev.autolowat.sim.tcp;

/**
 * {@code sk_receive_queue} with its memory accounting: one skb per in-order segment, its payload in
 * a growable ring, per skb the bytes not yet read and the truesize charged to {@code sk_rmem_alloc};
 * the last skb may carry the FIN. Sequence numbers are the socket's ({@link TcpSocketModel}); this
 * class only knows bytes. Allocates nothing once warm.
 */
final class ReceiveQueue {
    private final ByteRing payload = new ByteRing(1 << 16);
    /** Per queued skb: payload bytes not yet read. */
    private final IntRing skbRemaining = new IntRing();
    /** Per queued skb: the truesize charged to {@code sk_rmem_alloc}. */
    private final IntRing skbTruesize = new IntRing();
    /** The last queued skb carries FIN. */
    private boolean finQueued;
    /** {@code sk_rmem_alloc}. */
    private int rmemAlloc;

    /** Moves the first {@code len} bytes of {@code source} to the end of the payload. */
    void appendPayload(ByteRing source, int len) {
        payload.transferFrom(source, len);
    }

    /** Copies {@code bytes} to the end of the payload. */
    void appendPayload(byte[] bytes) {
        payload.append(bytes, 0, bytes.length);
    }

    /** Queues the skb whose {@code len} payload bytes were just appended, charging {@code truesize}. */
    void addSkb(int len, int truesize, boolean fin) {
        skbRemaining.add(len);
        skbTruesize.add(truesize);
        rmemAlloc += truesize;
        finQueued = fin;
    }

    boolean isEmpty() {
        return skbRemaining.isEmpty();
    }

    /** Unread payload bytes (FIN excluded). */
    int payloadBytes() {
        return payload.size();
    }

    int rmemAlloc() {
        return rmemAlloc;
    }

    /** Copies unread payload {@code [index, index+len)} to {@code dst} without consuming it. */
    void peek(int index, byte[] dst, int dstOff, int len) {
        payload.peek(index, dst, dstOff, len);
    }

    /**
     * One pass of {@code tcp_recvmsg()}'s copy loop (H5): copies up to {@code len} bytes, freeing each
     * skb read to its end; a FIN that directly follows the bytes copied is consumed with them and ends
     * the pass ({@code found_fin_ok}).
     *
     * @return bytes copied; {@link #finQueued()} tells whether the FIN went with them
     */
    int copy(byte[] dst, int off, int len) {
        int copied = 0;
        while (copied < len && !skbRemaining.isEmpty()) {
            int remaining = skbRemaining.peekFirst();
            int chunk = Math.min(remaining, len - copied);
            if (chunk > 0) {
                payload.take(dst, off + copied, chunk);
                copied += chunk;
                remaining -= chunk;
                skbRemaining.setFirst(remaining);
            }
            if (remaining > 0) {
                break;
            }
            boolean last = skbRemaining.size() == 1;
            if (last && finQueued) {
                finQueued = false;
                freeFirstSkb();
                break;
            }
            freeFirstSkb();
        }
        return copied;
    }

    /** Whether a FIN is still queued (not yet read). */
    boolean finQueued() {
        return finQueued;
    }

    /** Whether the next thing to read is the FIN. */
    boolean atFin() {
        return skbRemaining.size() == 1 && finQueued && skbRemaining.peekFirst() == 0;
    }

    /** Consumes the FIN, which {@link #atFin()} found next. */
    void takeFin() {
        finQueued = false;
        freeFirstSkb();
    }

    private void freeFirstSkb() {
        skbRemaining.removeFirst();
        rmemAlloc -= skbTruesize.removeFirst();
    }

    /** Drops everything (close). */
    void clear() {
        payload.clear();
        skbRemaining.clear();
        skbTruesize.clear();
        rmemAlloc = 0;
    }
}
