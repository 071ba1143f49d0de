package dev.autolowat.kernel.btf;

import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.testfixtures.Commands;
import dev.autolowat.api.object.CoreRelocation;
import dev.autolowat.api.object.CoreRelocator;
import dev.autolowat.api.object.ObjectProgram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CO-RE relocation of the committed example objects (examples/bpf/, docs/objects.md) against the
 * running kernel's vmlinux BTF: every field offset equals what the BTF field query (used by the
 * native backend since issue #4) finds, the unsatisfiable site is poisoned, and — as root with
 * Debian's bpftool — the offsets libbpf wrote into the same program are the ones we compute.
 */
class CoreRelocationVmlinuxTest {
    static final Path EXAMPLES = Path.of("..", "examples", "bpf");
    static Btf vmlinux;

    @BeforeAll
    static void load() {
        assumeTrue(Files.isReadable(Btf.VMLINUX), "no /sys/kernel/btf/vmlinux on this machine");
        vmlinux = KernelBtf.vmlinux();
    }

    private static CoreRelocator.Relocated relocate(String object, String program) {
        BpfObject o = BpfObject.open(EXAMPLES.resolve(object + ".o"));
        return new CoreRelocator(o.btf().orElseThrow(), vmlinux).relocate(o.program(program));
    }

    @Test
    @DisplayName("A3/A4 reads of the C policy land on the kernel's own offsets (bpf_sock_ops_kern.skb, sk_buff.cb, tcp_sock.copied_seq, sock.sk_rcvlowat)")
    void referencePolicyOffsets() {
        CoreRelocator.Relocated r = relocate("autolowat_policy", "autolowat_rcvq");
        assertTrue(r.poisoned().isEmpty(), r.poisoned().toString());
        for (CoreRelocator.Resolution res : r.resolutions()) {
            String d = res.relocation().description();
            long expected;
            if (d.startsWith("struct bpf_sock_ops_kern::skb")) {
                expected = vmlinux.field("bpf_sock_ops_kern", "skb").byteOffset();
            } else if (d.startsWith("struct sk_buff::cb[0]")) {
                expected = vmlinux.field("sk_buff", "cb").byteOffset();
            } else if (d.startsWith("struct tcp_skb_cb::seq")) {
                expected = vmlinux.field("tcp_skb_cb", "seq").byteOffset();
            } else if (d.startsWith("struct tcp_sock::copied_seq")) {
                expected = vmlinux.field("tcp_sock", "copied_seq").byteOffset();
            } else if (d.startsWith("struct tcp_sock::inet_conn.icsk_inet.sk.sk_rcvlowat")) {
                expected = vmlinux.field("tcp_sock", "inet_conn.icsk_inet.sk.sk_rcvlowat").byteOffset();
            } else {
                throw new AssertionError("unexpected site " + d);
            }
            assertEquals(expected, res.value(), d);
            Instruction insn = Instruction.decode(r.bytecode().toByteArray(), res.relocation().slot());
            assertEquals(expected, insn.isLoadImm64() ? insn.constant()
                    : (insn.opcode() & 0x07) == 0x01 ? insn.offset() : insn.imm(), "patched " + d);
        }
        assertEquals(5, r.resolutions().size());
    }

    @Test
    @DisplayName("field existence and size against the kernel; the ___future flavour matches no field and is poisoned")
    void existenceSizeAndPoison() {
        CoreRelocator.Relocated core = relocate("feature_core", "core_reads");
        for (CoreRelocator.Resolution res : core.resolutions()) {
            assertTrue(res.satisfied(), res.toString());
            if (res.relocation().kind() == CoreRelocation.Kind.FIELD_BYTE_SIZE) {
                assertEquals(4, res.value());
            }
            if (res.relocation().kind() == CoreRelocation.Kind.FIELD_EXISTS) {
                assertEquals(1, res.value());
            }
        }
        CoreRelocator.Relocated unsat = relocate("feature_core_unsat", "core_unsatisfiable");
        assertEquals(1, unsat.poisoned().size());
        CoreRelocator.Resolution p = unsat.poisoned().get(0);
        Instruction insn = Instruction.decode(unsat.bytecode().toByteArray(), p.relocation().slot());
        assertEquals(0x85, insn.opcode());
        assertEquals(CoreRelocator.POISON_IMM, insn.imm());
        assertFalse(p.satisfied());
    }

    @Test
    @DisplayName("libbpf agrees: bpftool loads feature_core.o and its xlated loads use the offsets we compute (root, bpftool)")
    void libbpfAgrees() {
        assumeTrue("root".equals(System.getProperty("user.name")), "requires root (bpftool prog loadall)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/bpftool")), "bpftool not installed (apt-get install bpftool)");
        Path pin = Path.of("/sys/fs/bpf/autolowat-core-test-" + ProcessHandle.current().pid());
        try {
            Commands.runOk("bpftool", "prog", "loadall", EXAMPLES.resolve("feature_core.o").toString(), pin.toString());
            String xlated = Commands.runOk("bpftool", "prog", "dump", "xlated", "pinned", pin.resolve("core_reads").toString());
            CoreRelocator.Relocated ours = relocate("feature_core", "core_reads");
            List<String> missing = new ArrayList<>();
            for (CoreRelocator.Resolution res : ours.resolutions()) {
                if (res.relocation().kind() == CoreRelocation.Kind.FIELD_BYTE_OFFSET) {
                    // a 4-byte load from a BTF pointer at exactly that offset, e.g. "r1 = *(u32 *)(r2 +1464)"
                    java.util.regex.Pattern load = java.util.regex.Pattern.compile(
                            "= \\*\\(u32 \\*\\)\\(r\\d+ \\+" + res.value() + "\\)");
                    if (!load.matcher(xlated).find()) {
                        missing.add(res.relocation().description() + " -> +" + res.value());
                    }
                }
            }
            assertTrue(missing.isEmpty(), "offsets not in libbpf's program: " + missing + "\n" + xlated);
        } finally {
            Commands.runOk("rm", "-rf", pin.toString());
        }
    }
}
