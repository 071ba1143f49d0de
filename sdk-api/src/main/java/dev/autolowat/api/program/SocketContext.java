package dev.autolowat.api.program;

/**
 * What every program context offers about its TCP socket: the fields a program reads through
 * {@code bpf_skc_to_tcp_sock}/{@code bpf_tcp_sock}, per-socket storage, and the flag word through
 * {@code bpf_{get,set}sockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)} (rule F2).
 *
 * <p>Helper-like methods follow the kernel's return convention: 0 or a non-negative value on
 * success, {@code -errno} on failure. A context is valid only during the call that received it.
 */
public interface SocketContext {
    /** {@code tcp_sock.rcv_nxt} (u32). */
    int rcvNxt();

    /** {@code tcp_sock.copied_seq} (u32). */
    int copiedSeq();

    /** {@code sk->sk_rcvlowat}. */
    int rcvLowat();

    /** {@code sk->sk_rcvbuf}. */
    int rcvBuf();

    /** Whether the socket is a plain TCP socket ({@code false} for an MPTCP socket, F3). */
    boolean isTcp();

    /**
     * {@code bpf_sk_storage_get(map, sk, NULL, create ? F_CREATE : 0)}: this socket's value for
     * {@code key}, created from {@link StorageKey#newValue()} when {@code create} is set.
     *
     * @return the value, or {@code null} when there is none and {@code create} is false
     */
    <T> T storage(StorageKey<T> key, boolean create);

    /** {@code bpf_sk_storage_delete}: 0, or {@code -ENOENT} when the socket had no value. */
    int deleteStorage(StorageKey<?> key);

    /**
     * Rule F2: {@code bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS, flags)}. Unsupported bits
     * give {@code -EINVAL} and change nothing; setting RCVQ is subject to the guards of F3.
     */
    int setCbFlagsSockopt(int flags);

    /** Rule F2: {@code bpf_getsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)}: the flag word. */
    int getCbFlagsSockopt();

    /** {@code bpf_ktime_get_ns()}: the backend's monotonic clock (virtual in the simulator). */
    long ktimeNs();
}
