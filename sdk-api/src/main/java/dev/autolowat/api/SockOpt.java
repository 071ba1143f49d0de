package dev.autolowat.api;

/**
 * Socket option levels and names used by the contract (uapi values, x86-64).
 *
 * <p>{@link #AUTOLOWAT_LEVEL}/{@link #AUTOLOWAT_OPTNAME} are the private option of the
 * reference policy's enable path (rule A2): the kernel never sees it, a cgroup setsockopt
 * program consumes it.
 */
public final class SockOpt {
    public static final int SOL_SOCKET = 1;
    public static final int SOL_TCP = 6;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVLOWAT = 18;
    /** {@code TCP_BPF_SOCK_OPS_CB_FLAGS}, level {@link #SOL_TCP}, for bpf_{get,set}sockopt only (F2). */
    public static final int TCP_BPF_SOCK_OPS_CB_FLAGS = 1008;
    /** Level of the reference policy's enable option (A2). */
    public static final int AUTOLOWAT_LEVEL = 0xdeadbeef;
    /** Name of the reference policy's enable option (A2). */
    public static final int AUTOLOWAT_OPTNAME = 0x8badf00d;

    private SockOpt() {
    }
}
