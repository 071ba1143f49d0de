package dev.autolowat.sim.vm;

/**
 * The {@code struct bpf_sockopt} of one userspace {@code setsockopt()} (rule A2), shared by every
 * cgroup setsockopt program of the call (and by the Java form of such programs): programs may
 * rewrite {@code level}, {@code optname}, {@code optlen} and the optval bytes, and set
 * {@code optlen = -1} to consume the option. The SPI's setsockopt passes a 4-byte int in a zeroed 16-byte buffer
 * ({@code optval_end = optval + 16}, {@link #BUFFER_SIZE}).
 */
public final class SockoptInput {
    /** Size of the optval buffer: {@code max(16, optlen)} in {@code __cgroup_bpf_run_filter_setsockopt()}. */
    public static final int BUFFER_SIZE = 16;

    Object socket;
    SocketInfo info;
    int level;
    int optname;
    int optlen;
    final byte[] optval = new byte[BUFFER_SIZE];

    /** Starts a call: {@code setsockopt(fd, level, optname, &value, 4)}. */
    public SockoptInput set(Object socket, SocketInfo info, int level, int optname, int value) {
        this.socket = socket;
        this.info = info;
        this.level = level;
        this.optname = optname;
        this.optlen = Integer.BYTES;
        java.util.Arrays.fill(optval, (byte) 0);
        setValue(value);
        return this;
    }

    public int level() {
        return level;
    }

    public int optname() {
        return optname;
    }

    /** {@code ctx->optlen}: 4 as called, {@code -1} once consumed, or what a program wrote. */
    public int optlen() {
        return optlen;
    }

    /** The first four bytes of the optval buffer as a little-endian int (what the kernel reads for an int option). */
    public int value() {
        return (int) MemRegion.read(optval, 0, 4);
    }

    public void setLevel(int level) {
        this.level = level;
    }

    public void setOptname(int optname) {
        this.optname = optname;
    }

    public void setOptlen(int optlen) {
        this.optlen = optlen;
    }

    public void setValue(int value) {
        MemRegion.write(optval, 0, 4, value);
    }

    /** Whether a program consumed the option ({@code optlen == -1}). */
    public boolean consumed() {
        return optlen == -1;
    }

    /** The socket handle given to {@link #set} (see {@link KernelServices}). */
    public Object socket() {
        return socket;
    }
}
