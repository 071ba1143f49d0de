package dev.autolowat.sim.vm;

/**
 * The kernel a VM runs in: what the helpers, kfuncs and socket options of the two program types
 * do to a socket, and what the context and kernel objects ({@code bpf_sock}, {@code bpf_tcp_sock},
 * {@code tcp_sock}) read of it. The VM checks a call's arguments as the verifier would (region,
 * bounds, context pointer) and then asks these services; it holds no socket state and knows
 * nothing of TCP. This is uBPF's {@code ubpf_register} shape: the VM is told its environment
 * ({@link VmOptions#kernel()}) instead of containing it. The simulator implements it next to its
 * socket model ({@code dev.autolowat.sim.kernel.SimKernel}).
 *
 * <p>The socket is an opaque handle, {@code sk}: whatever object the caller put into the
 * invocation's input ({@link SockOpsInput#set}, {@link SockoptInput#set}); the VM only compares it
 * (per-socket storage is keyed by it) and hands it back here, as a kernel's helpers take a
 * {@code struct sock *}. Every method is called during an invocation, on the VM's thread, and must
 * not allocate on the paths a policy takes per invocation.
 */
public interface KernelServices {
    // ---- reads (context and kernel objects) ----

    /** {@code tcp_sock.rcv_nxt}. */
    int rcvNxt(Object sk);

    /** {@code tcp_sock.copied_seq}. */
    int copiedSeq(Object sk);

    /** {@code sk_rcvlowat}. */
    int rcvLowat(Object sk);

    /** {@code sk_rcvbuf}. */
    int rcvBuf(Object sk);

    /** {@code sk_userlocks & SOCK_RCVBUF_LOCK}. */
    boolean rcvBufLocked(Object sk);

    /** {@code sk_shutdown & RCV_SHUTDOWN}. */
    boolean rcvShutdown(Object sk);

    /** Whether the socket is an MPTCP subflow ({@code sk_protocol == IPPROTO_MPTCP}; no {@code tcp_sock} for BPF). */
    boolean isMptcp(Object sk);

    /** {@code icsk_ack.rcv_mss}. */
    int rcvMss(Object sk);

    /** {@code bpf_sock_ops_cb_flags}. */
    int cbFlags(Object sk);

    /** {@code skc_state} of a connected socket: {@code TCP_ESTABLISHED}, or {@code TCP_CLOSE_WAIT} once the FIN arrived. */
    int tcpState(Object sk);

    /** {@code tcp_sock.bytes_received}, the peer's initial sequence number in {@code info}. */
    long bytesReceived(Object sk, SocketInfo info);

    /** {@code sk_txhash}. */
    int txhash(Object sk);

    /** Writes {@code sk_txhash} (a sock_ops program may). */
    void setTxhash(Object sk, int value);

    // ---- helpers and kfuncs ----

    /** Rules F1, F3: {@code bpf_sock_ops_cb_flags_set(ctx, flags)}'s result. */
    int cbFlagsSet(Object sk, int flags);

    /**
     * Rule H1: copies {@code len} bytes from offset {@code offset} of the segment of
     * {@code segmentLength} payload bytes that was the last one queued on the socket
     * ({@code bpf_skb_load_bytes}); the caller has checked the range.
     */
    void loadSegmentBytes(Object sk, int segmentLength, int offset, byte[] to, int at, int len);

    /**
     * {@code bpf_setsockopt} ({@code set}) or {@code bpf_getsockopt} of either program type, after
     * the VM checked the arguments: rules K3, K4, F2. {@code sockOpsOp} is the op of a sock_ops
     * program, -1 in a cgroup setsockopt program. The option value is the {@code optlen} bytes at
     * {@code optval[at]}; a get writes them (zeroed, then the value when the result is 0).
     *
     * @return 0 or {@code -errno}, as the helper returns it
     */
    int sockopt(Object sk, boolean set, int sockOpsOp, int level, int optname, byte[] optval, int at, int optlen);

    /** Rule K1: {@code bpf_sock_ops_tcp_set_rcvlowat(ctx, val)} in a sock_ops program of op {@code sockOpsOp}. */
    int sockOpsTcpSetRcvlowat(Object sk, int sockOpsOp, int val);
}
