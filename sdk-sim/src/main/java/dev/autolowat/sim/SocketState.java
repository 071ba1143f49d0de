package dev.autolowat.sim;

import dev.autolowat.api.program.StorageKey;

/**
 * What tests and tools may read of a simulated socket below the SPI: its sequence numbers, the
 * fields the contract talks about, its receive memory and window, and its readiness. Read-only:
 * nothing here changes the socket (unlike {@code epoll_wait}, which {@code TcpSocketModel.readable()}
 * models).
 */
public interface SocketState {
    /** {@code tp->rcv_nxt} (u32, H6). */
    int rcvNxt();

    /** {@code tp->copied_seq} (u32, H6). */
    int copiedSeq();

    /** {@code sk_rcvlowat}. */
    int rcvLowat();

    /** {@code sk_rcvbuf}. */
    int rcvBuf();

    /** Whether {@code SO_RCVBUF} locked the buffer ({@code SOCK_RCVBUF_LOCK}, K4). */
    boolean rcvBufLocked();

    /** {@code bpf_sock_ops_cb_flags} (F1). */
    int cbFlags();

    boolean isMptcp();

    /** A member of a SOCKMAP (F3, F4). */
    boolean inSockmap();

    /** Accepted: the socket has a {@code struct socket} (K3). */
    boolean hasStructSocket();

    /** {@code sk_rmem_alloc}. */
    int rmemAlloc();

    /** {@code icsk_ack.rcv_mss}. */
    int rcvMss();

    /** {@code SOCK_DONE}: FIN received. */
    boolean finReceived();

    /** RCV_SHUTDOWN: FIN received or local SHUT_RD. */
    boolean rcvShutdown();

    /** Edge-triggered wakeups so far (H3). */
    long edgeWakeups();

    /** Segments waiting in the out-of-order queue. */
    int outOfOrderSegments();

    /** {@code rcv_nxt - copied_seq} (a FIN counts one). */
    int avail();

    /** {@code ioctl(FIONREAD)}. */
    int inq();

    /** What {@code tcp_poll()} answers now for {@code EPOLLIN}. */
    boolean pollReadable();

    /** {@code tcp_rmem_pressure()}. */
    boolean memoryPressure();

    /** {@code tcp_receive_window()}: what is left of the last advertised window. */
    int receiveWindow();

    /** The largest window advertised so far (the peer's {@code tp->max_window}). */
    int maxAdvertisedWindow();

    /** The socket's storage under {@code key}, or {@code null}; never creates it. */
    <T> T storage(StorageKey<T> key);
}
