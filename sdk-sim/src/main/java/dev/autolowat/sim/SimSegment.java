package dev.autolowat.sim;

import dev.autolowat.api.Errno;
import dev.autolowat.api.event.SegmentEnqueued;
import dev.autolowat.sim.tcp.TcpSocketModel;

import java.util.Arrays;
import java.util.Objects;

/** The reusable {@link SegmentEnqueued} of one socket (H1): it reads the payload from the receive queue. */
final class SimSegment implements SegmentEnqueued {
    private TcpSocketModel socket;
    private int seq;
    private int endSeq;
    private boolean fin;
    private int length;
    /** Index of the first payload byte among the socket's unread queued bytes. */
    private int queueIndex;

    void set(TcpSocketModel socket, int seq, int endSeq, boolean fin, int length) {
        this.socket = socket;
        this.seq = seq;
        this.endSeq = endSeq;
        this.fin = fin;
        this.length = length;
        this.queueIndex = socket.queuedPayload() - length;
    }

    @Override
    public int seq() {
        return seq;
    }

    @Override
    public int endSeq() {
        return endSeq;
    }

    @Override
    public boolean fin() {
        return fin;
    }

    @Override
    public int payloadLength() {
        return length;
    }

    @Override
    public int loadBytes(int offset, byte[] dst, int dstOffset, int len) {
        Objects.requireNonNull(dst, "dst");
        if (len > 0) {
            Objects.checkFromIndexSize(dstOffset, len, dst.length);
        }
        // bpf_skb_load_bytes: offset and length must lie inside the payload; on failure the
        // destination is zeroed and -EFAULT returned.
        if (len <= 0 || offset < 0 || offset > length - len) {
            if (len > 0) {
                Arrays.fill(dst, dstOffset, dstOffset + len, (byte) 0);
            }
            return Errno.EFAULT.negative();
        }
        socket.loadQueuedBytes(queueIndex + offset, dst, dstOffset, len);
        return 0;
    }

    @Override
    public String toString() {
        return "SegmentEnqueued[seq=" + Integer.toUnsignedString(seq) + ", endSeq=" + Integer.toUnsignedString(endSeq)
                + ", fin=" + fin + ", len=" + length + "]";
    }
}
