package dev.autolowat.api.object;

import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfWriter;
import dev.autolowat.api.btf.BtfWriter.M;
import dev.autolowat.api.program.BpfBytecode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libbpf's CO-RE rules on small hand-built BTFs (the vmlinux case is CoreRelocationVmlinuxTest in
 * sdk-native): flavours, anonymous members, a field that changed size, missing fields and
 * enumerators, ambiguity, incompatible types, and the patches each gives.
 */
class CoreRelocatorTest {
    /** Local: {@code struct tcp_sock___v2 { int pad; __u32 copied_seq; }} and {@code enum e___x { A, B }}. */
    private static final class Local {
        final BtfWriter w = new BtfWriter();
        final int u32 = w.intType("unsigned int", 4, false);
        final int s32 = w.intType("int", 4, true);
        final int sock = w.struct("tcp_sock___v2", 8, M.of("pad", s32, 0), M.of("copied_seq", u32, 32));
        final int en = w.enum32("e___x", 4, false, List.of("A", "B"), List.of(0, 1));
        final Btf btf = Btf.parse(w.build(), "local");
    }

    /** Target: copied_seq inside an anonymous struct at byte 1024 (+4), optionally 2 bytes wide. */
    private static Btf target(boolean narrow, boolean duplicate, boolean withField) {
        BtfWriter w = new BtfWriter();
        int u32 = w.intType("unsigned int", 4, false);
        int u16 = w.intType("unsigned short", 2, false);
        int inner = withField
                ? w.struct("", 8, M.of("rcv_nxt", u32, 0), M.of("copied_seq", narrow ? u16 : u32, 32))
                : w.struct("", 8, M.of("rcv_nxt", u32, 0));
        w.struct("tcp_sock", 2048, M.of("head", u32, 0), M.of("", inner, 1024 * 8));
        if (duplicate) {
            w.struct("tcp_sock", 64, M.of("copied_seq", u32, 8 * 8));
        }
        w.enum32("e", 4, false, List.of("B", "C"), List.of(7, 8));
        return Btf.parse(w.build(), "target");
    }

    private static CoreRelocation field(Local l, CoreRelocation.Kind kind) {
        return new CoreRelocation(0, l.sock, "0:1", kind, "struct tcp_sock___v2::copied_seq (0:1)");
    }

    /** A program of one instruction and exit: {@code insn} carries the relocation at slot 0. */
    private static ObjectProgram program(byte[] insn, CoreRelocation r) {
        byte[] code = new byte[insn.length + 8];
        System.arraycopy(insn, 0, code, 0, insn.length);
        code[insn.length] = (byte) 0x95; // exit
        return new ObjectProgram("p", "sockops", ProgramSection.of("sockops"), BpfBytecode.of(code), List.of(), List.of(r),
                List.of(), List.of());
    }

    private static byte[] ldxw(int off) {
        return new byte[]{0x61, 0x21, (byte) off, (byte) (off >> 8), 0, 0, 0, 0}; // r1 = *(u32 *)(r2 + off)
    }

    private static byte[] movImm(int imm) {
        return new byte[]{(byte) 0xb7, 0x01, 0, 0, (byte) imm, (byte) (imm >> 8), (byte) (imm >> 16), (byte) (imm >> 24)};
    }

    @Test
    @DisplayName("a ___flavour matches by essential name; a member is found through an anonymous struct; the load offset is patched")
    void flavourAndAnonymousMember() {
        Local l = new Local();
        CoreRelocator c = new CoreRelocator(l.btf, target(false, false, true));
        CoreRelocator.Relocated r = c.relocate(program(ldxw(4), field(l, CoreRelocation.Kind.FIELD_BYTE_OFFSET)));
        CoreRelocator.Resolution res = r.resolutions().get(0);
        assertTrue(res.satisfied(), res.reason());
        assertEquals(4, res.localValue());
        assertEquals(1028, res.value());
        Instruction insn = Instruction.decode(r.bytecode().toByteArray(), 0);
        assertEquals(1028, insn.offset());
        assertEquals(0x61, insn.opcode());
    }

    @Test
    @DisplayName("a field that is 2 bytes in the target: byte size 2, and the 4-byte load becomes a 2-byte load")
    void fieldChangedSize() {
        Local l = new Local();
        CoreRelocator c = new CoreRelocator(l.btf, target(true, false, true));
        assertEquals(2, c.resolve(field(l, CoreRelocation.Kind.FIELD_BYTE_SIZE)).value());
        CoreRelocator.Relocated r = c.relocate(program(ldxw(4), field(l, CoreRelocation.Kind.FIELD_BYTE_OFFSET)));
        assertEquals(0x69, Instruction.decode(r.bytecode().toByteArray(), 0).opcode()); // LDX | H | MEM
        assertEquals(0, c.resolve(field(l, CoreRelocation.Kind.FIELD_SIGNED)).value());
        assertEquals(64 - 16, c.resolve(field(l, CoreRelocation.Kind.FIELD_RSHIFT_U64)).value());
    }

    @Test
    @DisplayName("a missing field: existence 0 (not poisoned); an offset poisoned as libbpf does (call 0xbad2310)")
    void missingField() {
        Local l = new Local();
        CoreRelocator c = new CoreRelocator(l.btf, target(false, false, false));
        CoreRelocator.Resolution exists = c.resolve(field(l, CoreRelocation.Kind.FIELD_EXISTS));
        assertFalse(exists.satisfied());
        assertFalse(exists.poisoned());
        assertEquals(0, exists.value());
        CoreRelocator.Relocated r = c.relocate(program(ldxw(4), field(l, CoreRelocation.Kind.FIELD_BYTE_OFFSET)));
        assertEquals(1, r.poisoned().size());
        Instruction insn = Instruction.decode(r.bytecode().toByteArray(), 0);
        assertEquals(0x85, insn.opcode());
        assertEquals(CoreRelocator.POISON_IMM, insn.imm());
    }

    @Test
    @DisplayName("existence relocations patch an imm to 0 or 1")
    void existencePatchesImm() {
        Local l = new Local();
        CoreRelocator c = new CoreRelocator(l.btf, target(false, false, true));
        CoreRelocator.Relocated r = c.relocate(program(movImm(1), field(l, CoreRelocation.Kind.FIELD_EXISTS)));
        assertEquals(1, Instruction.decode(r.bytecode().toByteArray(), 0).imm());
        c = new CoreRelocator(l.btf, target(false, false, false));
        r = c.relocate(program(movImm(1), field(l, CoreRelocation.Kind.FIELD_EXISTS)));
        assertEquals(0, Instruction.decode(r.bytecode().toByteArray(), 0).imm());
    }

    @Test
    @DisplayName("two target types named tcp_sock with different offsets: ambiguous, refused as libbpf refuses")
    void ambiguous() {
        Local l = new Local();
        CoreRelocator c = new CoreRelocator(l.btf, target(false, true, true));
        CoreRelocator.CoreRelocationException e = assertThrows(CoreRelocator.CoreRelocationException.class,
                () -> c.resolve(field(l, CoreRelocation.Kind.FIELD_BYTE_OFFSET)));
        assertTrue(e.getMessage().contains("is ambiguous"), e.getMessage());
    }

    @Test
    @DisplayName("enumerators by essential name: value 7 in the target, absence 0; type size and target id")
    void enumsAndTypes() {
        Local l = new Local();
        Btf t = target(false, false, true);
        CoreRelocator c = new CoreRelocator(l.btf, t);
        CoreRelocator.Resolution v = c.resolve(new CoreRelocation(0, l.en, "1", CoreRelocation.Kind.ENUMVAL_VALUE, "enum e___x::B"));
        assertEquals(1, v.localValue());
        assertEquals(7, v.value());
        CoreRelocator.Resolution a = c.resolve(new CoreRelocation(0, l.en, "0", CoreRelocation.Kind.ENUMVAL_EXISTS, "enum e___x::A"));
        assertEquals(0, a.value());
        CoreRelocator.Resolution size = c.resolve(new CoreRelocation(0, l.sock, "0", CoreRelocation.Kind.TYPE_SIZE, "struct tcp_sock___v2"));
        assertEquals(8, size.localValue());
        assertEquals(2048, size.value());
        CoreRelocator.Resolution id = c.resolve(new CoreRelocation(0, l.sock, "0", CoreRelocation.Kind.TYPE_ID_TARGET, "struct tcp_sock___v2"));
        assertEquals(t.typesNamed("tcp_sock").get(0), (int) id.value());
    }

    @Test
    @DisplayName("an instruction that does not carry the local BTF's value: the object is inconsistent, said so")
    void inconsistentObject() {
        Local l = new Local();
        CoreRelocator c = new CoreRelocator(l.btf, target(false, false, true));
        CoreRelocator.CoreRelocationException e = assertThrows(CoreRelocator.CoreRelocationException.class,
                () -> c.relocate(program(ldxw(12), field(l, CoreRelocation.Kind.FIELD_BYTE_OFFSET))));
        assertTrue(e.getMessage().contains("the instruction's offset is 12, but the object's BTF gives 4"), e.getMessage());
    }

    @Test
    @DisplayName("a field whose type changed kind (int to struct) does not match: poisoned")
    void incompatibleType() {
        Local l = new Local();
        BtfWriter w = new BtfWriter();
        int u32 = w.intType("unsigned int", 4, false);
        int s = w.struct("inner", 4, M.of("x", u32, 0));
        w.struct("tcp_sock", 16, M.of("copied_seq", s, 0));
        CoreRelocator c = new CoreRelocator(l.btf, Btf.parse(w.build(), "target"));
        assertTrue(c.resolve(field(l, CoreRelocation.Kind.FIELD_BYTE_OFFSET)).poisoned());
    }
}
