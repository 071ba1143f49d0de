package dev.autolowat.api.asm;

/**
 * Offsets in the uapi {@code struct bpf_sockopt}, the context of a cgroup setsockopt program
 * (rule A2). {@code sk}, {@code optval} and {@code optval_end} are 8-byte pointers; {@code level},
 * {@code optname}, {@code optlen} and {@code retval} are 4-byte signed ints. A setsockopt program
 * may write {@code level}, {@code optname} and {@code optlen} ({@code -1} = consumed); as in
 * Linux 6.12, {@code retval} is not accessible to {@code BPF_CGROUP_SETSOCKOPT} programs.
 */
public final class SockoptCtx {
    private SockoptCtx() {
    }

    public static final int SK = 0;
    public static final int OPTVAL = 8;
    public static final int OPTVAL_END = 16;
    public static final int LEVEL = 24;
    public static final int OPTNAME = 28;
    public static final int OPTLEN = 32;
    public static final int RETVAL = 36;
    /** {@code sizeof(struct bpf_sockopt)}. */
    public static final int SIZE = 40;
}
