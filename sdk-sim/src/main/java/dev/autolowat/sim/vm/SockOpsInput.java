package dev.autolowat.sim.vm;

/**
 * The input of one sock_ops dispatch: the socket, the op, and for op 21 the segment (H1) or none
 * (H2). Reused: the backend sets it before every dispatch; every program of the dispatch sees the
 * same instance, so a {@code reply} written by one is read by the next, as in the kernel. The
 * socket is the opaque handle the VM's {@link KernelServices} understand (the simulator: its TCP
 * socket model).
 */
public final class SockOpsInput {
    Object socket;
    SocketInfo info;
    int op;
    boolean segment;
    int seq;
    int endSeq;
    boolean fin;
    int length;
    final int[] args = new int[4];

    /** Starts a dispatch of {@code op} on {@code socket} without a segment; args and reply are zero. */
    public SockOpsInput set(Object socket, SocketInfo info, int op) {
        this.socket = socket;
        this.info = info;
        this.op = op;
        this.segment = false;
        this.seq = 0;
        this.endSeq = 0;
        this.fin = false;
        this.length = 0;
        args[0] = 0; // four stores: this runs before every bytecode invocation
        args[1] = 0;
        args[2] = 0;
        args[3] = 0;
        return this;
    }

    /**
     * Rule H1: the dispatch carries the segment {@code [seq, endSeq)} whose {@code length} payload
     * bytes are the last ones queued on the socket ({@code bpf_skb_load_bytes} reads them through
     * {@link KernelServices#loadSegmentBytes}).
     */
    public SockOpsInput segment(int seq, int endSeq, boolean fin, int length) {
        this.segment = true;
        this.seq = seq;
        this.endSeq = endSeq;
        this.fin = fin;
        this.length = length;
        return this;
    }

    /** {@code bpf_sock_ops.reply} after the programs ran. */
    public int reply() {
        return args[0];
    }

    /** The segment's TCP flags as {@code skb_tcp_flags} reports them: ACK, PSH with data, FIN. */
    int tcpFlags() {
        if (!segment) {
            return 0;
        }
        return 0x10 | (length > 0 ? 0x08 : 0) | (fin ? 0x01 : 0);
    }
}
