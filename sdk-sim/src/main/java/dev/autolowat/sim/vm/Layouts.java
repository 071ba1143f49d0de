package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every struct the VM exposes. The two contexts and the uapi socket views use the kernel's uapi
 * offsets and the kernel's access rules; the kernel objects reached through BTF pointers
 * ({@code tcp_sock}, {@code bpf_sock_ops_kern}, {@code sk_buff}) use the simulator's own,
 * documented layout, which {@link dev.autolowat.api.asm.Relocation.FieldRef}s resolve against (a
 * kernel resolves the same names against vmlinux BTF).
 *
 * <p>The access rules of {@link #SOCK_OPS}, {@link #SOCKOPT} and {@link #BPF_SOCK} are checked
 * against a kernel's verifier: every offset and size, recorded from a real kernel by
 * conformance-tests' {@code ContextAccessAgreementTest} and compared on every machine by
 * {@code ContextAccessTableTest} (docs/programs.md, "Checked against the kernel").
 */
final class Layouts {
    private Layouts() {
    }

    // ---- struct bpf_sock_ops (uapi) ----
    static final Layout SOCK_OPS;

    static {
        Layout.Builder b = Layout.builder("bpf_sock_ops", SockOpsCtx.SIZE, Layout.Rule.UAPI)
                .scalar("op", SockOpsCtx.OP, 4)
                // reply is args[0]; only it may be written (sock_ops_is_valid_access)
                .writable("reply", SockOpsCtx.REPLY, 4)
                .scalar("args[1]", 8, 4).scalar("args[2]", 12, 4).scalar("args[3]", 16, 4)
                .scalar("family", SockOpsCtx.FAMILY, 4)
                .scalar("remote_ip4", SockOpsCtx.REMOTE_IP4, 4)
                .scalar("local_ip4", SockOpsCtx.LOCAL_IP4, 4);
        for (int i = 0; i < 4; i++) {
            b.scalar("remote_ip6[" + i + "]", SockOpsCtx.REMOTE_IP6 + 4 * i, 4);
        }
        for (int i = 0; i < 4; i++) {
            b.scalar("local_ip6[" + i + "]", SockOpsCtx.LOCAL_IP6 + 4 * i, 4);
        }
        b.scalar("remote_port", SockOpsCtx.REMOTE_PORT, 4)
                .scalar("local_port", SockOpsCtx.LOCAL_PORT, 4)
                .scalar("is_fullsock", SockOpsCtx.IS_FULLSOCK, 4)
                .scalar("snd_cwnd", SockOpsCtx.SND_CWND, 4)
                .scalar("srtt_us", SockOpsCtx.SRTT_US, 4)
                .scalar("bpf_sock_ops_cb_flags", SockOpsCtx.BPF_SOCK_OPS_CB_FLAGS, 4)
                .scalar("state", SockOpsCtx.STATE, 4)
                .scalar("rtt_min", SockOpsCtx.RTT_MIN, 4)
                .scalar("snd_ssthresh", SockOpsCtx.SND_SSTHRESH, 4)
                .scalar("rcv_nxt", SockOpsCtx.RCV_NXT, 4)
                .scalar("snd_nxt", SockOpsCtx.SND_NXT, 4)
                .scalar("snd_una", SockOpsCtx.SND_UNA, 4)
                .scalar("mss_cache", SockOpsCtx.MSS_CACHE, 4)
                .scalar("ecn_flags", SockOpsCtx.ECN_FLAGS, 4)
                .scalar("rate_delivered", SockOpsCtx.RATE_DELIVERED, 4)
                .scalar("rate_interval_us", SockOpsCtx.RATE_INTERVAL_US, 4)
                .scalar("packets_out", SockOpsCtx.PACKETS_OUT, 4)
                .scalar("retrans_out", SockOpsCtx.RETRANS_OUT, 4)
                .scalar("total_retrans", SockOpsCtx.TOTAL_RETRANS, 4)
                .scalar("segs_in", SockOpsCtx.SEGS_IN, 4)
                .scalar("data_segs_in", SockOpsCtx.DATA_SEGS_IN, 4)
                .scalar("segs_out", SockOpsCtx.SEGS_OUT, 4)
                .scalar("data_segs_out", SockOpsCtx.DATA_SEGS_OUT, 4)
                .scalar("lost_out", SockOpsCtx.LOST_OUT, 4)
                .scalar("sacked_out", SockOpsCtx.SACKED_OUT, 4)
                .writable("sk_txhash", SockOpsCtx.SK_TXHASH, 4)
                .scalar("bytes_received", SockOpsCtx.BYTES_RECEIVED, 8)
                .scalar("bytes_acked", SockOpsCtx.BYTES_ACKED, 8)
                .pointer("sk", SockOpsCtx.SK)
                .pointer("skb_data", SockOpsCtx.SKB_DATA)
                .pointer("skb_data_end", SockOpsCtx.SKB_DATA_END)
                .scalar("skb_len", SockOpsCtx.SKB_LEN, 4)
                // sock_ops_is_valid_access() (net/core/filter.c) matches skb_tcp_flags with
                // case offsetof(struct bpf_sock_ops, skb_tcp_flags), one offset, then
                // bpf_ctx_narrow_access_ok(): 1-, 2- and 4-byte loads at offset 212 only; a load
                // at 213-215 falls to the default case (size must be 4) and is refused. Measured
                // against the kernel by conformance-tests ContextAccessAgreementTest.
                .narrowAtStart("skb_tcp_flags", SockOpsCtx.SKB_TCP_FLAGS, 4)
                .scalar("skb_hwtstamp", SockOpsCtx.SKB_HWTSTAMP, 8);
        SOCK_OPS = b.build();
    }

    // ---- struct bpf_sockopt (uapi), as a BPF_CGROUP_SETSOCKOPT program sees it ----
    static final Layout SOCKOPT = Layout.builder("bpf_sockopt", SockoptCtx.SIZE, Layout.Rule.UAPI)
            .pointer("sk", SockoptCtx.SK)
            .pointer("optval", SockoptCtx.OPTVAL)
            .pointer("optval_end", SockoptCtx.OPTVAL_END)
            .writable("level", SockoptCtx.LEVEL, 4)
            .writable("optname", SockoptCtx.OPTNAME, 4)
            .writable("optlen", SockoptCtx.OPTLEN, 4)
            .denied("retval", SockoptCtx.RETVAL, 4,
                    "retval is accessible only to BPF_CGROUP_GETSOCKOPT programs (cg_sockopt_is_valid_access)")
            .build();

    // ---- struct bpf_sock (uapi): ctx->sk ----
    static final Layout BPF_SOCK;

    static {
        // bpf_sock_is_valid_access() (net/core/filter.c): family, type, protocol, src_port, state
        // and rx_queue_mapping are matched with case offsetof() (one offset), so their narrow loads
        // start at the field's first byte; the addresses with bpf_ctx_range() (every byte), so
        // theirs may start anywhere inside; dst_port (a __be16 and 2 bytes of padding) with
        // bpf_ctx_range() over its 2 bytes. Measured against the kernel (ContextAccessTableTest).
        Layout.Builder b = Layout.builder("bpf_sock", 80, Layout.Rule.UAPI)
                .scalar("bound_dev_if", 0, 4)
                .narrowAtStart("family", 4, 4)
                .narrowAtStart("type", 8, 4)
                .narrowAtStart("protocol", 12, 4)
                .scalar("mark", 16, 4)
                .scalar("priority", 20, 4)
                .narrow("src_ip4", 24, 4, 4);
        for (int i = 0; i < 4; i++) {
            b.narrow("src_ip6[" + i + "]", 28 + 4 * i, 4, 4);
        }
        b.narrowAtStart("src_port", 44, 4)
                .narrow("dst_port", 48, 4, 2)
                .narrow("dst_ip4", 52, 4, 4);
        for (int i = 0; i < 4; i++) {
            b.narrow("dst_ip6[" + i + "]", 56 + 4 * i, 4, 4);
        }
        b.narrowAtStart("state", 72, 4)
                .narrowAtStart("rx_queue_mapping", 76, 4);
        BPF_SOCK = b.build();
    }

    // ---- struct bpf_tcp_sock (uapi): bpf_tcp_sock() ----
    static final String[] TCP_SOCK_U32 = {"snd_cwnd", "srtt_us", "rtt_min", "snd_ssthresh", "rcv_nxt", "snd_nxt",
        "snd_una", "mss_cache", "ecn_flags", "rate_delivered", "rate_interval_us", "packets_out", "retrans_out",
        "total_retrans", "segs_in", "data_segs_in", "segs_out", "data_segs_out", "lost_out", "sacked_out"};
    static final Layout BPF_TCP_SOCK;

    static {
        Layout.Builder b = Layout.builder("bpf_tcp_sock", 112, Layout.Rule.UAPI);
        for (int i = 0; i < TCP_SOCK_U32.length; i++) {
            b.scalar(TCP_SOCK_U32[i], 4 * i, 4);
        }
        BPF_TCP_SOCK = b.scalar("bytes_received", 80, 8)
                .scalar("bytes_acked", 88, 8)
                .scalar("dsack_dups", 96, 4)
                .scalar("delivered", 100, 4)
                .scalar("delivered_ce", 104, 4)
                .scalar("icsk_retransmits", 108, 4)
                .build();
    }

    // ---- the socket as a kernel object (struct tcp_sock and everything it embeds) ----
    /**
     * One flat object, as in the kernel where {@code sock_common} starts {@code sock}, which starts
     * {@code inet_sock}, {@code inet_connection_sock} and {@code tcp_sock}: so {@code sock} and
     * {@code tcp_sock} offsets work on the same pointer. The {@code sock_common} offsets are those of
     * x86-64; the others are the simulator's own.
     */
    static final Layout TCP_SOCK = Layout.builder("tcp_sock", 0x700, Layout.Rule.BTF)
            .scalar("skc_daddr", 0, 4)
            .scalar("skc_rcv_saddr", 4, 4)
            .scalar("skc_dport", 12, 2)
            .scalar("skc_num", 14, 2)
            .scalar("skc_family", 16, 2)
            .scalar("skc_state", 18, 1)
            .scalar("sk_rcvlowat", 0x130, 4)
            .scalar("sk_rcvbuf", 0x134, 4)
            .scalar("sk_sndbuf", 0x138, 4)
            .scalar("sk_userlocks", 0x13c, 1)
            .scalar("sk_shutdown", 0x13d, 1)
            .scalar("sk_type", 0x140, 2)
            .scalar("sk_protocol", 0x142, 2)
            .scalar("sk_txhash", 0x144, 4)
            .scalar("icsk_ack.rcv_mss", 0x400, 2)
            .scalar("rcv_nxt", 0x600, 4)
            .scalar("copied_seq", 0x604, 4)
            .scalar("snd_nxt", 0x60c, 4)
            .scalar("snd_una", 0x610, 4)
            .scalar("mss_cache", 0x614, 4)
            .scalar("bpf_sock_ops_cb_flags", 0x61c, 1)
            .scalar("bytes_received", 0x620, 8)
            .build();

    // ---- struct bpf_sock_ops_kern (bpf_cast_to_kern_ctx) ----
    static final Layout SOCK_OPS_KERN = Layout.builder("bpf_sock_ops_kern", 64, Layout.Rule.BTF)
            .pointer("sk", 0)
            .bytes("args", 8, 16)
            .scalar("syn_skb", 24, 8)
            .pointer("skb", 32)
            .scalar("skb_data_end", 40, 8)
            .scalar("op", 48, 1)
            .scalar("is_fullsock", 49, 1)
            .scalar("remaining_opt_len", 50, 1)
            .scalar("temp", 56, 8)
            .build();

    // ---- struct sk_buff: the segment of an op-21 invocation (H1) ----
    /** {@code cb} holds {@code struct tcp_skb_cb}: seq @0, end_seq @4, tcp_flags @12. */
    static final Layout SK_BUFF = Layout.builder("sk_buff", 232, Layout.Rule.BTF)
            .bytes("cb", 40, 48)
            .scalar("len", 112, 4)
            .scalar("data_len", 116, 4)
            .build();

    /** Offsets of {@code struct tcp_skb_cb} inside {@code sk_buff.cb}. */
    static final int CB_SEQ = 0;
    static final int CB_END_SEQ = 4;
    static final int CB_TCP_FLAGS = 12;

    // ---- FieldRef resolution ----
    private static final Map<String, Map<String, Integer>> FIELDS = new LinkedHashMap<>();

    static {
        Map<String, Integer> skc = new LinkedHashMap<>();
        Map<String, Integer> sk = new LinkedHashMap<>();
        Map<String, Integer> tcp = new LinkedHashMap<>();
        for (Layout.Member m : TCP_SOCK.members) {
            if (m.name.startsWith("skc_")) {
                skc.put(m.name, m.off);
            } else if (m.name.startsWith("sk_")) {
                sk.put(m.name, m.off);
            } else if (!m.name.startsWith("icsk_")) {
                tcp.put(m.name, m.off);
            }
        }
        Map<String, Integer> sockCommon = new LinkedHashMap<>(skc);
        Map<String, Integer> sock = new LinkedHashMap<>(sk);
        skc.forEach((n, off) -> sock.put("__sk_common." + n, off));
        Map<String, Integer> inetSock = prefixed("sk.", sock);
        Map<String, Integer> icsk = prefixed("icsk_inet.", inetSock);
        icsk.put("icsk_ack.rcv_mss", TCP_SOCK.member("icsk_ack.rcv_mss").off);
        Map<String, Integer> tcpSock = new LinkedHashMap<>(tcp);
        tcpSock.putAll(prefixed("inet_conn.", icsk));
        FIELDS.put("sock_common", sockCommon);
        FIELDS.put("sock", sock);
        FIELDS.put("inet_sock", inetSock);
        FIELDS.put("inet_connection_sock", icsk);
        FIELDS.put("tcp_sock", tcpSock);
        Map<String, Integer> kern = new LinkedHashMap<>();
        for (Layout.Member m : SOCK_OPS_KERN.members) {
            kern.put(m.name, m.off);
        }
        kern.put("reply", 8);
        kern.put("replylong", 8);
        FIELDS.put("bpf_sock_ops_kern", kern);
        Map<String, Integer> skb = new LinkedHashMap<>();
        for (Layout.Member m : SK_BUFF.members) {
            skb.put(m.name, m.off);
        }
        FIELDS.put("sk_buff", skb);
    }

    private static Map<String, Integer> prefixed(String prefix, Map<String, Integer> fields) {
        Map<String, Integer> out = new LinkedHashMap<>();
        fields.forEach((n, off) -> out.put(prefix + n, off));
        return out;
    }

    /** The simulator's offset of {@code struct.field}, or {@code null} when the layout has no such field. */
    static Integer fieldOffset(String struct, String field) {
        Map<String, Integer> fields = FIELDS.get(struct);
        return fields == null ? null : fields.get(field);
    }

    /** What {@link #fieldOffset} knows, for error messages. */
    static String knownFields(String struct) {
        Map<String, Integer> fields = FIELDS.get(struct);
        if (fields == null) {
            return "the simulator's layout has structs " + String.join(", ", FIELDS.keySet());
        }
        return "the simulator's struct " + struct + " has " + String.join(", ", fields.keySet());
    }

    /** Every struct and field {@link #fieldOffset} resolves, with its offset (for documentation). */
    static Map<String, Map<String, Integer>> fieldTable() {
        return FIELDS;
    }
}
