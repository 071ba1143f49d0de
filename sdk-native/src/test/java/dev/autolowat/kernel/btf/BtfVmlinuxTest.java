package dev.autolowat.kernel.btf;

import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfKind;
import dev.autolowat.api.btf.BtfLookupException;
import dev.autolowat.api.btf.FieldLocation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Btf} on this machine's {@code /sys/kernel/btf/vmlinux}: the values {@code kernel-facts.md}
 * measured on a stock 6.18 kernel, read the way the native backend reads them (K1, H1, F1, F2,
 * FieldRef). Skipped, visibly, on a kernel without BTF.
 */
@DisplayName("Btf on this kernel's /sys/kernel/btf/vmlinux")
class BtfVmlinuxTest {
    private static Btf vmlinux;

    @BeforeAll
    static void load() {
        assumeTrue(Files.isReadable(Btf.VMLINUX),
                "not supported by this kernel: no vmlinux BTF at " + Btf.VMLINUX + " (needs CONFIG_DEBUG_INFO_BTF=y)");
        long start = System.nanoTime();
        vmlinux = KernelBtf.vmlinux();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("[BtfVmlinuxTest] " + vmlinux + ": " + vmlinux.typeCount() + " types, parsed in " + ms + " ms");
    }

    @Test
    @DisplayName("the blob parses; its origin names the kernel release (uname -r)")
    void parses() {
        assertTrue(vmlinux.typeCount() > 10_000, vmlinux.toString());
        assertTrue(vmlinux.origin().contains(System.getProperty("os.version")), vmlinux.origin());
        assertEquals(8, vmlinux.pointerSize());
    }

    @Test
    @DisplayName("H1: sock_ops ops end at BPF_SOCK_OPS_TSTAMP_SENDMSG_CB = 20 and the cb flags match the contract's table")
    void opsAndFlags() {
        assertEquals(OptionalInt.of(0), vmlinux.enumValue(null, "BPF_SOCK_OPS_VOID"));
        assertEquals(OptionalInt.of(20), vmlinux.enumValue(null, "BPF_SOCK_OPS_TSTAMP_SENDMSG_CB"));
        String[] flags = {"RTO", "RETRANS", "STATE", "RTT", "PARSE_ALL_HDR_OPT", "PARSE_UNKNOWN_HDR_OPT", "WRITE_HDR_OPT"};
        for (int i = 0; i < flags.length; i++) {
            assertEquals(OptionalInt.of(1 << i), vmlinux.enumValue(null, "BPF_SOCK_OPS_" + flags[i] + "_CB_FLAG"), flags[i]);
        }
        assertEquals(OptionalInt.of(13), vmlinux.enumValue("bpf_prog_type", "BPF_PROG_TYPE_SOCK_OPS"));
        assertEquals(OptionalInt.of(3), vmlinux.enumValue("bpf_attach_type", "BPF_CGROUP_SOCK_OPS"));
    }

    @Test
    @DisplayName("F1/F2: TCP_BPF_SOCK_OPS_CB_FLAGS = 1008 is an enumerator (of the anonymous TCP_BPF_* enum), so BTF gives it")
    void sockOpsCbFlagsOption() {
        assertEquals(OptionalInt.of(1008), vmlinux.enumValue(null, "TCP_BPF_SOCK_OPS_CB_FLAGS"));
    }

    @Test
    @DisplayName("H1/F1/K1: the RCVQ_CB series is absent on this kernel (op 21, flag 0x80, kfunc), or wholly present")
    void rcvqSeries() {
        OptionalInt op = vmlinux.enumValue(null, "BPF_SOCK_OPS_RCVQ_CB");
        OptionalInt kfunc = vmlinux.funcId("bpf_sock_ops_tcp_set_rcvlowat");
        OptionalInt all = vmlinux.enumValue(null, "BPF_SOCK_OPS_ALL_CB_FLAGS");
        System.out.println("[BtfVmlinuxTest] BPF_SOCK_OPS_RCVQ_CB " + op + ", BPF_SOCK_OPS_ALL_CB_FLAGS " + all
                + ", kfunc bpf_sock_ops_tcp_set_rcvlowat " + kfunc);
        if (op.isEmpty()) {
            // A stock kernel (kernel-facts.md: no released kernel has the series).
            assertEquals(OptionalInt.of(0x7F), all);
            assertEquals(OptionalInt.empty(), vmlinux.enumValue(null, "BPF_SOCK_OPS_RCVQ_CB_FLAG"));
            assertEquals(OptionalInt.empty(), kfunc);
        } else {
            // A kernel carrying the v3 series, as this project patches it (SEMANTICS.md constants).
            assertEquals(OptionalInt.of(21), op);
            assertEquals(OptionalInt.of(0x80), vmlinux.enumValue(null, "BPF_SOCK_OPS_RCVQ_CB_FLAG"));
            assertEquals(OptionalInt.of(0xFF), all);
            assertTrue(kfunc.isPresent());
        }
    }

    @Test
    @DisplayName("K1: kfunc ids by name — bpf_cast_to_kern_ctx is a FUNC tagged bpf_kfunc")
    void kfuncs() {
        int id = vmlinux.funcId("bpf_cast_to_kern_ctx").orElseThrow();
        assertEquals(BtfKind.FUNC, vmlinux.kind(id));
        assertEquals("bpf_cast_to_kern_ctx", vmlinux.name(id));
        assertEquals(BtfKind.FUNC_PROTO, vmlinux.kind(vmlinux.referencedType(id)));
        assertEquals(1, vmlinux.params(vmlinux.referencedType(id)).size());
        assertTrue(vmlinux.declTags(id).contains("bpf_kfunc"), vmlinux.declTags(id).toString());
        assertEquals(OptionalInt.empty(), vmlinux.funcId("no_such_function_anywhere"));
    }

    @Test
    @DisplayName("FieldRef: tcp_sock.copied_seq and rcv_nxt are 4-byte u32 fields")
    void tcpSockSeqs() {
        for (String f : new String[]{"copied_seq", "rcv_nxt"}) {
            FieldLocation loc = vmlinux.field("tcp_sock", f);
            assertEquals(4, loc.size(), loc.toString());
            assertEquals(BtfKind.INT, loc.kind(), loc.toString());
            assertFalse(vmlinux.intInfo(loc.typeId()).signed(), loc.toString());
            assertFalse(loc.isBitfield());
            assertTrue(loc.byteOffset() > 0 && loc.byteOffset() + 4 <= vmlinux.structSize("tcp_sock").orElseThrow(), loc.toString());
            System.out.println("[BtfVmlinuxTest] " + loc);
        }
    }

    @Test
    @DisplayName("FieldRef: sock.sk_rcvlowat and sk_rcvbuf are 4-byte ints; the nested path from tcp_sock agrees")
    void sockFields() {
        FieldLocation lowat = vmlinux.field("sock", "sk_rcvlowat");
        FieldLocation rcvbuf = vmlinux.field("sock", "sk_rcvbuf");
        assertEquals(4, lowat.size());
        assertEquals(4, rcvbuf.size());
        assertEquals(BtfKind.INT, lowat.kind());
        System.out.println("[BtfVmlinuxTest] " + lowat + "; " + rcvbuf);
        FieldLocation viaTcp = vmlinux.field("tcp_sock", "inet_conn.icsk_inet.sk.sk_rcvlowat");
        int skInTcp = vmlinux.field("tcp_sock", "inet_conn.icsk_inet.sk").byteOffset();
        assertEquals(skInTcp + lowat.byteOffset(), viaTcp.byteOffset());
        assertEquals(vmlinux.field("sock_common", "skc_state").byteOffset(),
                vmlinux.field("sock", "__sk_common.skc_state").byteOffset());
        // skc_daddr sits in an anonymous struct inside an anonymous union of sock_common
        assertEquals(4, vmlinux.field("sock", "__sk_common.skc_daddr").size());
    }

    @Test
    @DisplayName("FieldRef: bpf_sock_ops_kern.skb is a pointer to struct sk_buff; sk_buff.cb is char[48]")
    void skbAndCb() {
        FieldLocation skb = vmlinux.field("bpf_sock_ops_kern", "skb");
        assertEquals(BtfKind.PTR, skb.kind());
        assertEquals(8, skb.size());
        int target = vmlinux.resolve(vmlinux.referencedType(skb.typeId()));
        assertEquals(BtfKind.STRUCT, vmlinux.kind(target));
        assertEquals("sk_buff", vmlinux.name(target));
        FieldLocation cb = vmlinux.field("sk_buff", "cb");
        assertEquals(48, cb.size());
        assertEquals(BtfKind.ARRAY, cb.kind());
        assertEquals(48, vmlinux.array(cb.typeId()).elements());
        assertEquals(1L, vmlinux.sizeOf(vmlinux.array(cb.typeId()).elementType()).orElseThrow());
        System.out.println("[BtfVmlinuxTest] " + skb + "; " + cb + "; sizeof(tcp_sock) "
                + vmlinux.structSize("tcp_sock").orElseThrow() + ", sizeof(sock) " + vmlinux.structSize("sock").orElseThrow());
    }

    @Test
    @DisplayName("bitfields of sk_buff are reported as bitfields (kind_flag encoding)")
    void skbBitfields() {
        FieldLocation cloned = vmlinux.field("sk_buff", "cloned");
        assertTrue(cloned.isBitfield(), cloned.toString());
        assertEquals(1, cloned.bitfieldSize());
    }

    @Test
    @DisplayName("a missing member names the struct, the field, the kernel release and similar members")
    void missingField() {
        BtfLookupException e = assertThrows(BtfLookupException.class, () -> vmlinux.field("tcp_sock", "copied_seqq"));
        assertTrue(e.getMessage().contains("struct tcp_sock has no member 'copied_seqq'"), e.getMessage());
        assertTrue(e.getMessage().contains("kernel " + System.getProperty("os.version")), e.getMessage());
        assertEquals("copied_seq", e.similar().get(0));
        BtfLookupException s = assertThrows(BtfLookupException.class, () -> vmlinux.field("tcp_sok", "rcv_nxt"));
        assertTrue(s.similar().contains("tcp_sock"), s.getMessage());
        assertEquals(OptionalInt.empty(), vmlinux.structSize("no_such_struct_anywhere"));
    }
}
