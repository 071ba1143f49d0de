package dev.autolowat.api;

/**
 * The per-socket sock_ops callback flag word ({@code tcp_sock.bpf_sock_ops_cb_flags}) and its bits.
 *
 * <p>Rule F1: {@code bpf_sock_ops_cb_flags_set()} replaces the word; bits outside
 * {@link #allFlags(boolean)} are returned as "unsupported". Rule F2: the same word is set with
 * {@code bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)}. Rule F3 guards the transition of
 * {@link #RCVQ} from clear to set.
 */
public final class CbFlags {
    public static final int RTO = 0x1;
    public static final int RETRANS = 0x2;
    public static final int STATE = 0x4;
    public static final int RTT = 0x8;
    public static final int PARSE_ALL_HDR_OPT = 0x10;
    public static final int PARSE_UNKNOWN_HDR_OPT = 0x20;
    public static final int WRITE_HDR_OPT = 0x40;
    /** {@code BPF_SOCK_OPS_RCVQ_CB_FLAG}: enables op 21 for this socket (H1/H2). */
    public static final int RCVQ = 0x80;

    /** {@code BPF_SOCK_OPS_ALL_CB_FLAGS} on a kernel without the series (Linux 6.18). */
    public static final int ALL_WITHOUT_SERIES = 0x7F;
    /** {@code BPF_SOCK_OPS_ALL_CB_FLAGS} on a kernel carrying the series. */
    public static final int ALL_WITH_SERIES = 0xFF;

    private CbFlags() {
    }

    /** The "all flags" mask of a kernel with or without the AutoLOWAT series (F1). */
    public static int allFlags(boolean kernelHasSeries) {
        return kernelHasSeries ? ALL_WITH_SERIES : ALL_WITHOUT_SERIES;
    }

    /** Whether {@link #RCVQ} is set in {@code word}. */
    public static boolean rcvqEnabled(int word) {
        return (word & RCVQ) != 0;
    }

    /** A readable form such as {@code 0x84 [STATE|RCVQ]}. */
    public static String describe(int word) {
        StringBuilder names = new StringBuilder();
        String[] bitNames = {"RTO", "RETRANS", "STATE", "RTT", "PARSE_ALL_HDR_OPT",
            "PARSE_UNKNOWN_HDR_OPT", "WRITE_HDR_OPT", "RCVQ"};
        for (int bit = 0; bit < 32; bit++) {
            if ((word & (1 << bit)) != 0) {
                if (names.length() > 0) {
                    names.append('|');
                }
                names.append(bit < bitNames.length ? bitNames[bit] : "0x" + Integer.toHexString(1 << bit));
            }
        }
        return "0x" + Integer.toHexString(word) + " [" + names + "]";
    }
}
