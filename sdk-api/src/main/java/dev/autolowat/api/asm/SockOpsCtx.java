package dev.autolowat.api.asm;

/**
 * Offsets in the uapi {@code struct bpf_sock_ops}, the context of a sock_ops program (R1 at entry).
 * 4-byte fields unless noted; {@code args}/{@code reply} and {@code sk_txhash} are the only fields
 * a program may write. Pointer fields ({@code sk}, {@code skb_data}, {@code skb_data_end}) are
 * 8 bytes.
 */
public final class SockOpsCtx {
    private SockOpsCtx() {
    }

    public static final int OP = 0;
    /** {@code args[4]} / {@code reply} / {@code replylong[4]}: 16 bytes, writable. */
    public static final int ARGS = 4;
    public static final int REPLY = 4;
    public static final int FAMILY = 20;
    public static final int REMOTE_IP4 = 24;
    public static final int LOCAL_IP4 = 28;
    public static final int REMOTE_IP6 = 32;
    public static final int LOCAL_IP6 = 48;
    public static final int REMOTE_PORT = 64;
    public static final int LOCAL_PORT = 68;
    public static final int IS_FULLSOCK = 72;
    public static final int SND_CWND = 76;
    public static final int SRTT_US = 80;
    public static final int BPF_SOCK_OPS_CB_FLAGS = 84;
    public static final int STATE = 88;
    public static final int RTT_MIN = 92;
    public static final int SND_SSTHRESH = 96;
    public static final int RCV_NXT = 100;
    public static final int SND_NXT = 104;
    public static final int SND_UNA = 108;
    public static final int MSS_CACHE = 112;
    public static final int ECN_FLAGS = 116;
    public static final int RATE_DELIVERED = 120;
    public static final int RATE_INTERVAL_US = 124;
    public static final int PACKETS_OUT = 128;
    public static final int RETRANS_OUT = 132;
    public static final int TOTAL_RETRANS = 136;
    public static final int SEGS_IN = 140;
    public static final int DATA_SEGS_IN = 144;
    public static final int SEGS_OUT = 148;
    public static final int DATA_SEGS_OUT = 152;
    public static final int LOST_OUT = 156;
    public static final int SACKED_OUT = 160;
    /** Writable. */
    public static final int SK_TXHASH = 164;
    /** 8 bytes. */
    public static final int BYTES_RECEIVED = 168;
    /** 8 bytes. */
    public static final int BYTES_ACKED = 176;
    /** {@code struct bpf_sock *}, 8 bytes. */
    public static final int SK = 184;
    /** 8 bytes. */
    public static final int SKB_DATA = 192;
    /** 8 bytes. */
    public static final int SKB_DATA_END = 200;
    /** For op 21 (H1): the segment's payload length. */
    public static final int SKB_LEN = 208;
    public static final int SKB_TCP_FLAGS = 212;
    /** 8 bytes. */
    public static final int SKB_HWTSTAMP = 216;
    /** {@code sizeof(struct bpf_sock_ops)}. */
    public static final int SIZE = 224;
}
