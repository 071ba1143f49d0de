package dev.autolowat.api;

/**
 * The {@code bpf_sock_ops.op} values of the v3 uapi ({@code enum BPF_SOCK_OPS_*}).
 *
 * <p>Ops 0–20 are those of Linux 6.18; {@link #RCVQ_CB} (21) is added by the AutoLOWAT series
 * and is the op under which a program sees the rules H1 (segment enqueued) and H2 (recvmsg
 * done). Native backends should still read the value from vmlinux BTF when the kernel has it.
 */
public enum SockOpsOp {
    VOID(0),
    TIMEOUT_INIT(1),
    RWND_INIT(2),
    TCP_CONNECT_CB(3),
    ACTIVE_ESTABLISHED_CB(4),
    PASSIVE_ESTABLISHED_CB(5),
    NEEDS_ECN(6),
    BASE_RTT(7),
    RTO_CB(8),
    RETRANS_CB(9),
    STATE_CB(10),
    TCP_LISTEN_CB(11),
    RTT_CB(12),
    PARSE_HDR_OPT_CB(13),
    HDR_OPT_LEN_CB(14),
    WRITE_HDR_OPT_CB(15),
    TSTAMP_SCHED_CB(16),
    TSTAMP_SND_SW_CB(17),
    TSTAMP_SND_HW_CB(18),
    TSTAMP_ACK_CB(19),
    TSTAMP_SENDMSG_CB(20),
    /** The AutoLOWAT op: rules H1 and H2. */
    RCVQ_CB(21);

    private static final SockOpsOp[] BY_VALUE = values();

    private final int value;

    SockOpsOp(int value) {
        this.value = value;
    }

    /** The numeric uapi value written to {@code bpf_sock_ops.op}. */
    public int value() {
        return value;
    }

    /**
     * The op for a numeric value.
     *
     * @throws IllegalArgumentException when {@code value} is not an op of the v3 uapi
     */
    public static SockOpsOp of(int value) {
        if (value < 0 || value >= BY_VALUE.length) {
            throw new IllegalArgumentException("unknown sock_ops op " + value
                    + ": the v3 uapi defines ops 0.." + (BY_VALUE.length - 1));
        }
        return BY_VALUE[value];
    }
}
