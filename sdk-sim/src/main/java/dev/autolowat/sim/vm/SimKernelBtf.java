package dev.autolowat.sim.vm;

import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfWriter;
import dev.autolowat.api.btf.BtfWriter.M;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated kernel's BTF: its kernel objects ({@code tcp_sock} and what it embeds,
 * {@code bpf_sock_ops_kern}, {@code sk_buff} and the {@code tcp_skb_cb} in its {@code cb}) described
 * as a kernel's vmlinux BTF describes them — same struct names, member names and nesting — at the
 * offsets of the simulator's documented layout ({@link Layouts}, the one source of those offsets).
 * CO-RE relocations of a clang-compiled object resolve against it exactly as against a real
 * kernel's BTF, so the object's reads land on the fields the VM serves with the model's live values
 * (docs/objects.md lists them). A member the model does not track is absent here: a CO-RE read of
 * it is unsatisfiable and poisoned, and faults with its name if executed.
 *
 * <p>Why the simulator's own layout rather than a copy of a real kernel's: the VM's views already
 * serve these offsets (the policy compiler's {@code FieldRef}s resolve to them), and CO-RE makes the
 * numbers irrelevant to the program — which is the point of CO-RE, and checked by running the same
 * object against the kernel's BTF in the native backend (decision recorded in docs/decisions.md).
 */
public final class SimKernelBtf {
    private static final Btf BTF = Btf.parse(build(), "the simulated kernel's BTF");

    private SimKernelBtf() {
    }

    /** The BTF (immutable, shared). */
    public static Btf btf() {
        return BTF;
    }

    private static byte[] build() {
        BtfWriter w = new BtfWriter();
        int u8 = w.intType("unsigned char", 1, false);
        int u16 = w.intType("short unsigned int", 2, false);
        int u32 = w.intType("unsigned int", 4, false);
        int s32 = w.intType("int", 4, true);
        int u64 = w.intType("long long unsigned int", 8, false);
        int chr = w.intType("char", 1, true);
        int be16 = w.typedef("__be16", u16);
        int be32 = w.typedef("__be32", u32);

        Layout t = Layouts.TCP_SOCK;
        List<M> common = new ArrayList<>();
        common.add(M.of("skc_daddr", be32, bits(t, "skc_daddr")));
        common.add(M.of("skc_rcv_saddr", be32, bits(t, "skc_rcv_saddr")));
        common.add(M.of("skc_dport", be16, bits(t, "skc_dport")));
        common.add(M.of("skc_num", u16, bits(t, "skc_num")));
        common.add(M.of("skc_family", u16, bits(t, "skc_family")));
        common.add(M.of("skc_state", u8, bits(t, "skc_state")));
        int sockCommon = w.struct("sock_common", 0x88, common.toArray(M[]::new));

        int sock = w.struct("sock", 0x150,
                M.of("__sk_common", sockCommon, 0),
                M.of("sk_rcvlowat", s32, bits(t, "sk_rcvlowat")),
                M.of("sk_rcvbuf", s32, bits(t, "sk_rcvbuf")),
                M.of("sk_sndbuf", s32, bits(t, "sk_sndbuf")),
                M.of("sk_userlocks", u8, bits(t, "sk_userlocks")),
                M.of("sk_shutdown", u8, bits(t, "sk_shutdown")),
                M.of("sk_type", u16, bits(t, "sk_type")),
                M.of("sk_protocol", u16, bits(t, "sk_protocol")),
                M.of("sk_txhash", u32, bits(t, "sk_txhash")));
        int inetSock = w.struct("inet_sock", 0x150, M.of("sk", sock, 0));
        long ackAt = bits(t, "icsk_ack.rcv_mss");
        int icskAck = w.struct("", 0x10, M.of("rcv_mss", u16, 0));
        int icsk = w.struct("inet_connection_sock", 0x500, M.of("icsk_inet", inetSock, 0), M.of("icsk_ack", icskAck, ackAt));
        w.struct("tcp_sock", t.size,
                M.of("inet_conn", icsk, 0),
                M.of("rcv_nxt", u32, bits(t, "rcv_nxt")),
                M.of("copied_seq", u32, bits(t, "copied_seq")),
                M.of("snd_nxt", u32, bits(t, "snd_nxt")),
                M.of("snd_una", u32, bits(t, "snd_una")),
                M.of("mss_cache", u32, bits(t, "mss_cache")),
                M.of("bpf_sock_ops_cb_flags", u8, bits(t, "bpf_sock_ops_cb_flags")),
                M.of("bytes_received", u64, bits(t, "bytes_received")));

        Layout skbLayout = Layouts.SK_BUFF;
        int cbArray = w.array(chr, u32, skbLayout.member("cb").size);
        int skBuff = w.struct("sk_buff", skbLayout.size,
                M.of("cb", cbArray, bits(skbLayout, "cb")),
                M.of("len", u32, bits(skbLayout, "len")),
                M.of("data_len", u32, bits(skbLayout, "data_len")));
        w.struct("tcp_skb_cb", skbLayout.member("cb").size,
                M.of("seq", u32, 8L * Layouts.CB_SEQ),
                M.of("end_seq", u32, 8L * Layouts.CB_END_SEQ),
                M.of("tcp_flags", u8, 8L * Layouts.CB_TCP_FLAGS));

        Layout k = Layouts.SOCK_OPS_KERN;
        int sockPtr = w.ptr(sock);
        int skbPtr = w.ptr(skBuff);
        int voidPtr = w.ptr(0);
        int args = w.array(u32, u32, 4);
        int argsUnion = w.union("", 16, M.of("args", args, 0), M.of("reply", u32, 0), M.of("replylong", args, 0));
        w.struct("bpf_sock_ops_kern", k.size,
                M.of("sk", sockPtr, bits(k, "sk")),
                M.of("", argsUnion, bits(k, "args")),
                M.of("syn_skb", skbPtr, bits(k, "syn_skb")),
                M.of("skb", skbPtr, bits(k, "skb")),
                M.of("skb_data_end", voidPtr, bits(k, "skb_data_end")),
                M.of("op", u8, bits(k, "op")),
                M.of("is_fullsock", u8, bits(k, "is_fullsock")),
                M.of("remaining_opt_len", u8, bits(k, "remaining_opt_len")),
                M.of("temp", u64, bits(k, "temp")));
        return w.build();
    }

    private static long bits(Layout l, String member) {
        Layout.Member m = l.member(member);
        if (m == null) {
            throw new IllegalStateException("the simulator's layout " + l.name + " has no member " + member);
        }
        return 8L * m.off;
    }
}
