package dev.autolowat.api.program;

import dev.autolowat.api.SockOpsOp;

/**
 * The context of a sock_ops invocation: {@code struct bpf_sock_ops} plus the helpers and the
 * kfunc a sock_ops program may call.
 */
public interface SockOpsContext extends SocketContext {
    /** The op of this invocation. */
    SockOpsOp op();

    /** {@code bpf_sock_ops.bpf_sock_ops_cb_flags}: the flag word at the time of the call. */
    int cbFlags();

    /**
     * Rule F1: {@code bpf_sock_ops_cb_flags_set(skops, flags)} replaces the flag word with
     * {@code flags & ALL_CB_FLAGS} and returns the unsupported bits ({@code flags & ~ALL_CB_FLAGS},
     * 0 when all were set), or {@code -errno} when a guard of F3 refuses RCVQ (word unchanged).
     */
    int cbFlagsSet(int flags);

    /**
     * Rule K1: the kfunc {@code bpf_sock_ops_tcp_set_rcvlowat(skops, val)}. Only in op 21
     * ({@code -EOPNOTSUPP} otherwise); {@code val < 0} gives {@code -EINVAL}; otherwise sets
     * {@code sk_rcvlowat = max(1, min(val, cap))}, may grow {@code sk_rcvbuf}, returns 0, and runs
     * no wakeup check of its own (H3 follows the hook).
     */
    int tcpSetRcvlowat(int val);

    /**
     * Rule K3: {@code bpf_setsockopt(SOL_SOCKET, SO_RCVLOWAT, val)}. As userspace (K2) when the
     * socket has a {@code struct socket}; stored as given (0 → 1, negative → INT_MAX) before accept;
     * {@code -EOPNOTSUPP} in op 21.
     */
    int setsockoptRcvlowat(int val);
}
