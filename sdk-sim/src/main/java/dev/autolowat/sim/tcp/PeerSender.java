package dev.autolowat.sim.tcp;

/**
 * The peer's send side, as far as the receiver can tell it apart: the segments it puts on the wire
 * and when. The peer has {@code TCP_NODELAY} set (no Nagle) and an unbounded send buffer.
 *
 * <p>Flow control: a segment is sent only within the receiver's advertised window. A segment that
 * does not fit is cut at the window's edge (a window-limited partial segment) and the rest waits
 * until the reader frees space and the receiver advertises more (after recv). A write longer than
 * the current MSS ({@link #currentMss}) goes out in pieces of that MSS, cut when they are sent.
 * A FIN follows the last byte; it needs no window (a simplification: the kernel needs one byte of
 * window for it).
 */
public final class PeerSender {
    /**
     * {@code 68U - tp->tcp_header_len} in {@code tcp_bound_to_half_wnd()}: the smallest segment the
     * half-window bound may produce, with the 32-byte header of a connection using timestamps (as
     * Linux loopback connections do).
     */
    static final int MIN_HALF_WINDOW_SEGMENT = 68 - 32;
    /** {@code TCP_MSS_DEFAULT}: below this largest window the bound is the whole window, not half. */
    static final int TCP_MSS_DEFAULT = 536;

    private final TcpSocketModel receiver;
    private final int mss;
    private final ByteRing pending = new ByteRing(1 << 16);
    /** Lengths of the application's writes not yet (completely) on the wire, in order. */
    private final IntRing pendingSegments = new IntRing();
    private int sndNxt;
    private boolean finRequested;
    private boolean finSent;
    private long packetsSent;

    public PeerSender(TcpSocketModel receiver, int isn, int mss) {
        this.receiver = receiver;
        this.mss = mss;
        this.sndNxt = isn + 1;
    }

    public int sndNxt() {
        return sndNxt;
    }

    /** Bytes written by the application and not yet on the wire. */
    public int pendingBytes() {
        return pending.size();
    }

    public boolean finRequested() {
        return finRequested;
    }

    public long packetsSent() {
        return packetsSent;
    }

    /**
     * The application writes {@code data[off, off+len)}; {@link #push} sends it in segments of at most
     * {@link #currentMss} (as large as that MSS and the window allow).
     */
    public void write(byte[] data, int off, int len) {
        if (finRequested) {
            throw new IllegalStateException("the peer already shut down its write side");
        }
        pending.append(data, off, len);
        pendingSegments.add(len);
    }

    /**
     * The segment size the peer uses now: its MSS bounded to half the largest window the receiver has
     * advertised, as the kernel's {@code tcp_sync_mss()} → {@code tcp_bound_to_half_wnd()} (re-run
     * whenever an ACK raises {@code max_window}, in {@code tcp_ack_update_window()}): with the
     * handshake's loopback window of 65483 bytes the first segments are at most 32741 bytes — measured
     * on 6.18: one 32768-byte {@code send()} arrives as 32741 + 27 bytes ({@code tcpi_data_segs_in} 2,
     * {@code tcpi_rcv_mss} 32741), and the sender's {@code tcpi_snd_mss} grows 32741 → 47616 → 65483 as
     * the receiver's window grows.
     */
    public int currentMss() {
        int maxWindow = receiver.maxAdvertisedWindow();
        int cutoff = maxWindow > TCP_MSS_DEFAULT ? maxWindow >> 1 : maxWindow;
        if (cutoff > 0 && mss > cutoff) {
            return Math.max(cutoff, MIN_HALF_WINDOW_SEGMENT);
        }
        return mss;
    }

    /** {@code shutdown(SHUT_WR)}: a FIN follows the pending data. */
    public void shutdownWrite() {
        finRequested = true;
    }

    /**
     * Puts on the wire every pending segment the receiver's window allows (each one an arriving
     * packet at the receiver), and the FIN when nothing is left.
     *
     * @return the number of packets sent
     */
    public int push() {
        int sent = 0;
        while (!pendingSegments.isEmpty()) {
            int window = receiver.receiveWindow();
            if (window <= 0) {
                break;
            }
            int segment = pendingSegments.peekFirst();
            int len = Math.min(Math.min(segment, currentMss()), window);
            boolean whole = len == segment;
            if (whole) {
                pendingSegments.removeFirst();
            } else {
                pendingSegments.setFirst(segment - len);
            }
            boolean fin = whole && finRequested && pendingSegments.isEmpty();
            int seq = sndNxt;
            sndNxt += len + (fin ? 1 : 0);
            finSent |= fin;
            packetsSent++;
            sent++;
            receiver.arriveInOrder(seq, pending, len, fin);
        }
        if (pendingSegments.isEmpty() && finRequested && !finSent) {
            int seq = sndNxt;
            sndNxt++;
            finSent = true;
            packetsSent++;
            sent++;
            receiver.arriveInOrder(seq, pending, 0, true);
        }
        return sent;
    }

    /**
     * Sends {@code data} as segments of the given lengths delivered in {@code order}: the payloads are
     * copied because segments ahead of a gap wait in the receiver's out-of-order queue. Requires no
     * pending data and a window that holds all of {@code data}; the caller checks.
     */
    public void sendReordered(byte[] data, int[] lengths, int[] order) {
        int[] starts = new int[lengths.length];
        int pos = 0;
        for (int i = 0; i < lengths.length; i++) {
            starts[i] = pos;
            pos += lengths[i];
        }
        int base = sndNxt;
        for (int index : order) {
            byte[] payload = new byte[lengths[index]];
            System.arraycopy(data, starts[index], payload, 0, lengths[index]);
            packetsSent++;
            receiver.arrive(base + starts[index], payload, false);
        }
        sndNxt = base + data.length;
    }

    public void close() {
        pending.clear();
        pendingSegments.clear();
    }
}
