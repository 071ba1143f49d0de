package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Opcode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static dev.autolowat.api.asm.Opcode.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-opcode vectors of the instruction set (Documentation/bpf/standardization/instruction-set.rst,
 * kernel/bpf/core.c with the verifier's division rewrites). Each vector sets up registers, runs
 * one instruction (or a few) and returns r0; the harness does not check the return range.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class InstructionSetTest {
    /** Every test of this class runs once per execution mode (interpreter and translated code). */
    @Parameter
    VmOptions.ExecutionMode mode;

    private static final long INT_MIN = Integer.MIN_VALUE & 0xffff_ffffL;

    private record Vector(String name, Consumer<Asm> body, long expected) {
    }

    private final List<Vector> vectors = new ArrayList<>();

    private void v(String name, long expected, Consumer<Asm> body) {
        vectors.add(new Vector(name, body, expected));
    }

    /** r0 = a; r1 = b; then {@code op} on (r0, r1) or (r0, imm). */
    private void bin(String name, long a, long b, long expected, Consumer<Asm> op) {
        v(name, expected, asm -> {
            asm.ldImm64(0, a).ldImm64(1, b);
            op.accept(asm);
        });
    }

    private long run(Consumer<Asm> body) {
        Asm asm = new Asm();
        body.accept(asm);
        asm.exit();
        return VmHarness.raw(mode).run(asm);
    }

    @TestFactory
    @DisplayName("instruction vectors: ALU64, ALU32, jumps, loads/stores, atomics, byte swaps, LD_IMM64")
    List<DynamicTest> vectors() {
        // ---- ALU64 ----
        bin("add64 x", 5, 7, 12, a -> a.alu64x(ADD, 0, 1));
        bin("add64 wraps", -1, 1, 0, a -> a.alu64x(ADD, 0, 1));
        bin("add64 imm is sign-extended", 10, 0, 9, a -> a.alu64(ADD, 0, -1));
        bin("sub64", 5, 7, -2, a -> a.alu64x(SUB, 0, 1));
        bin("mul64", 0x1_0000_0001L, 3, 0x3_0000_0003L, a -> a.alu64x(MUL, 0, 1));
        bin("or64", 0xf0, 0x0f, 0xff, a -> a.alu64x(OR, 0, 1));
        bin("and64 imm sign-extended", 0x1234_5678_9abc_def0L, 0, 0x1234_5678_9abc_def0L & -16L, a -> a.alu64(AND, 0, -16));
        bin("xor64", 0xff, 0x0f, 0xf0, a -> a.alu64x(XOR, 0, 1));
        bin("neg64", 5, 0, -5, a -> a.alu64(NEG, 0, 0));
        bin("neg64 of LONG_MIN", Long.MIN_VALUE, 0, Long.MIN_VALUE, a -> a.alu64(NEG, 0, 0));
        bin("mov64 imm sign-extends", 0, 0, -1, a -> a.mov64(0, -1));
        bin("mov64 x", 0, 77, 77, a -> a.mov64x(0, 1));
        // division and modulo (unsigned), by zero: div -> 0, mod -> dst unchanged
        bin("div64 unsigned", -2, 2, 0x7fff_ffff_ffff_ffffL, a -> a.alu64x(DIV, 0, 1));
        bin("div64 by zero register gives 0", 1234, 0, 0, a -> a.alu64x(DIV, 0, 1));
        bin("mod64 unsigned", -1, 10, Long.remainderUnsigned(-1, 10), a -> a.alu64x(MOD, 0, 1));
        bin("mod64 by zero register leaves dst", 0xdead_beef_cafeL, 0, 0xdead_beef_cafeL, a -> a.alu64x(MOD, 0, 1));
        bin("div64 imm is sign-extended (u64 / 0xffff...ff)", -1, 0, 1, a -> a.alu64(DIV, 0, -1));
        // signed division (v4, off = 1)
        bin("sdiv64 rounds toward zero", -7, 2, -3, a -> a.raw(ALU64 | DIV | X, 0, 1, 1, 0));
        bin("smod64 has the dividend's sign", -7, 2, -1, a -> a.raw(ALU64 | MOD | X, 0, 1, 1, 0));
        bin("sdiv64 LONG_MIN / -1 = LONG_MIN", Long.MIN_VALUE, -1, Long.MIN_VALUE, a -> a.raw(ALU64 | DIV | X, 0, 1, 1, 0));
        bin("smod64 LONG_MIN % -1 = 0", Long.MIN_VALUE, -1, 0, a -> a.raw(ALU64 | MOD | X, 0, 1, 1, 0));
        bin("sdiv64 imm -1 = neg", Long.MIN_VALUE, 0, Long.MIN_VALUE, a -> a.raw(ALU64 | DIV | K, 0, 0, 1, -1));
        bin("smod64 imm -1 = 0", 77, 0, 0, a -> a.raw(ALU64 | MOD | K, 0, 0, 1, -1));
        bin("sdiv64 by zero register gives 0", -9, 0, 0, a -> a.raw(ALU64 | DIV | X, 0, 1, 1, 0));
        bin("smod64 by zero register leaves dst", -9, 0, -9, a -> a.raw(ALU64 | MOD | X, 0, 1, 1, 0));
        // shifts: register amounts masked to 6 bits
        bin("lsh64 by 65 = by 1", 1, 65, 2, a -> a.alu64x(LSH, 0, 1));
        bin("rsh64 is logical", -1, 60, 0xf, a -> a.alu64x(RSH, 0, 1));
        bin("arsh64 is arithmetic", -16, 2, -4, a -> a.alu64x(ARSH, 0, 1));
        bin("arsh64 by 64+63 = by 63", Long.MIN_VALUE, 127, -1, a -> a.alu64x(ARSH, 0, 1));
        bin("lsh64 imm 63", 1, 0, Long.MIN_VALUE, a -> a.alu64(LSH, 0, 63));
        // ---- ALU32: results zero-extended ----
        bin("add32 zero-extends", 0xffff_ffff_ffff_ffffL, 1, 0, a -> a.alu32(ADD, 0, 1));
        bin("add32 drops the high halves", 0x1_0000_0005L, 0x7_0000_0003L, 8, a -> a.alu32x(ADD, 0, 1));
        bin("mov32 -1 = 0xffffffff", 0, 0, 0xffff_ffffL, a -> a.mov32(0, -1));
        bin("mov32 x drops the high half", 0, 0x1234_5678_9abc_def0L, 0x9abc_def0L, a -> a.alu32x(MOV, 0, 1));
        bin("sub32 wraps", 0, 1, 0xffff_ffffL, a -> a.alu32x(SUB, 0, 1));
        bin("mul32", 0x10000, 0x10000, 0, a -> a.alu32x(MUL, 0, 1));
        bin("neg32 of INT_MIN", INT_MIN, 0, INT_MIN, a -> a.alu32(NEG, 0, 0));
        bin("neg32 zero-extends", 1, 0, 0xffff_ffffL, a -> a.alu32(NEG, 0, 0));
        bin("div32 unsigned", 0xffff_fffeL, 2, 0x7fff_ffffL, a -> a.alu32x(DIV, 0, 1));
        bin("div32 by zero register gives 0", 0xdead_beef_1234L, 0x1_0000_0000L, 0, a -> a.alu32x(DIV, 0, 1));
        bin("mod32 by zero register leaves dst, zero-extended", 0xdead_beef_1234L, 0x1_0000_0000L, 0xbeef_1234L,
                a -> a.alu32x(MOD, 0, 1));
        bin("mod32 unsigned", 0xffff_ffffL, 10, 0xffff_ffffL % 10, a -> a.alu32x(MOD, 0, 1));
        bin("sdiv32 INT_MIN / -1 = INT_MIN", INT_MIN, 0xffff_ffffL, INT_MIN, a -> a.raw(ALU | DIV | X, 0, 1, 1, 0));
        bin("smod32 INT_MIN % -1 = 0", INT_MIN, 0xffff_ffffL, 0, a -> a.raw(ALU | MOD | X, 0, 1, 1, 0));
        bin("sdiv32 -7 / 2 = -3 (zero-extended)", -7, 2, (-3) & 0xffff_ffffL, a -> a.raw(ALU | DIV | X, 0, 1, 1, 0));
        bin("smod32 -7 % 2 = -1 (zero-extended)", -7, 2, 0xffff_ffffL, a -> a.raw(ALU | MOD | X, 0, 1, 1, 0));
        bin("sdiv32 imm -1 = neg", INT_MIN, 0, INT_MIN, a -> a.raw(ALU | DIV | K, 0, 0, 1, -1));
        bin("sdiv32 by zero gives 0", -7, 0, 0, a -> a.raw(ALU | DIV | X, 0, 1, 1, 0));
        bin("smod32 by zero leaves dst zero-extended", -7, 0, (-7) & 0xffff_ffffL, a -> a.raw(ALU | MOD | X, 0, 1, 1, 0));
        bin("lsh32 by 33 = by 1", 1, 33, 2, a -> a.alu32x(LSH, 0, 1));
        bin("lsh32 drops bits above 32", 0x8000_0001L, 1, 2, a -> a.alu32(LSH, 0, 1));
        bin("rsh32 of a 64-bit value", 0xffff_ffff_0000_0000L, 4, 0, a -> a.alu32(RSH, 0, 4));
        bin("arsh32 sign-extends bit 31 then zero-extends", 0x8000_0000L, 4, 0xf800_0000L, a -> a.alu32(ARSH, 0, 4));
        bin("arsh32 by 35 = by 3", 0x8000_0000L, 35, 0xf000_0000L, a -> a.alu32x(ARSH, 0, 1));
        // ---- sign-extending moves (v4) ----
        bin("movsx64 s8", 0, 0x80, -128, a -> a.raw(ALU64 | MOV | X, 0, 1, 8, 0));
        bin("movsx64 s16", 0, 0x8000, -32768, a -> a.raw(ALU64 | MOV | X, 0, 1, 16, 0));
        bin("movsx64 s32", 0, 0x8000_0000L, Integer.MIN_VALUE, a -> a.raw(ALU64 | MOV | X, 0, 1, 32, 0));
        bin("movsx32 s8 zero-extends the 32-bit result", 0, 0xff, 0xffff_ffffL, a -> a.raw(ALU | MOV | X, 0, 1, 8, 0));
        bin("movsx32 s16", 0, 0x1_7fffL, 0x7fff, a -> a.raw(ALU | MOV | X, 0, 1, 16, 0));
        // ---- byte swaps ----
        long x = 0x0102_0304_0506_0708L;
        bin("le16 truncates", x, 0, 0x0708, a -> a.raw(ALU | END | K, 0, 0, 0, 16));
        bin("le32 truncates", x, 0, 0x0506_0708L, a -> a.raw(ALU | END | K, 0, 0, 0, 32));
        bin("le64 is the identity", x, 0, x, a -> a.raw(ALU | END | K, 0, 0, 0, 64));
        bin("be16 swaps and truncates", x, 0, 0x0807, a -> a.raw(ALU | END | X, 0, 0, 0, 16));
        bin("be32 swaps and truncates", x, 0, 0x0807_0605L, a -> a.raw(ALU | END | X, 0, 0, 0, 32));
        bin("be64 swaps", x, 0, 0x0807_0605_0403_0201L, a -> a.raw(ALU | END | X, 0, 0, 0, 64));
        bin("bswap16 (ALU64)", x, 0, 0x0807, a -> a.raw(ALU64 | END | K, 0, 0, 0, 16));
        bin("bswap32 (ALU64)", x, 0, 0x0807_0605L, a -> a.raw(ALU64 | END | K, 0, 0, 0, 32));
        bin("bswap64 (ALU64)", x, 0, 0x0807_0605_0403_0201L, a -> a.raw(ALU64 | END | K, 0, 0, 0, 64));
        // ---- LD_IMM64 ----
        v("ld_imm64 carries 64 bits", 0x1234_5678_9abc_def0L, a -> a.ldImm64(0, 0x1234_5678_9abc_def0L));
        v("ld_imm64 high half only", 0xffff_ffff_0000_0000L, a -> a.ldImm64(0, 0xffff_ffff_0000_0000L));
        // ---- jumps: JMP compares 64 bits, JMP32 the low halves ----
        jump("jeq64 sees the high half", 0x1_0000_0000L, JEQ, 0, false, false);
        jump("jeq32 ignores the high half", 0x1_0000_0000L, JEQ, 0, true, true);
        jump("jgt64 unsigned vs imm sign-extended", -1, JGT, -2, false, true);
        jump("jgt32 unsigned", 0xffff_fffeL, JGT, 1, true, true);
        jump("jsgt32 sees a negative low half", 0x8000_0000L, JSGT, 0, true, false);
        jump("jsgt64 sees a positive value", 0x8000_0000L, JSGT, 0, false, true);
        jump("jslt64", -5, JSLT, -4, false, true);
        jump("jsle32", 0xffff_fffbL, JSLE, -5, true, true);
        jump("jsge64", 3, JSGE, 3, false, true);
        jump("jlt64", 3, JLT, 4, false, true);
        jump("jle64", 5, JLE, 4, false, false);
        jump("jge32", 0x1_0000_0003L, JGE, 4, true, false);
        jump("jne64", 1, JNE, 1, false, false);
        jump("jset64", 0x1_0000_0000L, JSET, 0, false, false);
        jump("jset32 ignores high bits", 0x1_0000_0000L, JSET, -1, true, false);
        jump("jset64 with sign-extended imm", 0x1_0000_0000L, JSET, -1, false, true);
        v("ja32 (gotol) jumps by its imm", 7, a -> a.mov64(0, 1).jmp(JEQ, 0, 5, "s").ja32("t").label("s").mov64(0, 2)
                .label("t").add64(0, 6));
        v("ja (goto) jumps by its offset", 9, a -> a.mov64(0, 9).jmp(JEQ, 0, 5, "s").ja("t").label("s").mov64(0, 2)
                .label("t"));
        v("jmpx compares two registers", 1, a -> a.mov64(0, 0).mov64(1, 5).mov64(2, 5).jmpx(JEQ, 1, 2, "t")
                .mov64(0, 99).ja("e").label("t").mov64(0, 1).label("e"));
        // ---- loads and stores on the stack ----
        v("stx/ldx u64 round trip", 0x1122_3344_5566_7788L, a -> a.ldImm64(1, 0x1122_3344_5566_7788L)
                .stx(DW, 10, 1, -8).ldx(DW, 0, 10, -8));
        v("ldx u8 zero-extends", 0x88, a -> a.ldImm64(1, 0x1122_3344_5566_7788L).stx(DW, 10, 1, -8).ldx(B, 0, 10, -8));
        v("stack is little-endian", 0x5566, a -> a.ldImm64(1, 0x1122_3344_5566_7788L).stx(DW, 10, 1, -8).ldx(H, 0, 10, -6));
        v("ldxsx u8 sign-extends", -0x78, a -> a.ldImm64(1, 0x88).stx(DW, 10, 1, -8).ldxsx(B, 0, 10, -8));
        v("ldxsx u16 sign-extends", -0x7878, a -> a.ldImm64(1, 0x8788).stx(DW, 10, 1, -8).ldxsx(H, 0, 10, -8));
        v("ldxsx u32 sign-extends", (long) (int) 0x8765_4321, a -> a.ldImm64(1, 0x8765_4321L).stx(DW, 10, 1, -8)
                .ldxsx(W, 0, 10, -8));
        v("st imm u32 stores the low 32 bits", 0xffff_fffeL, a -> a.st(DW, 10, -8, 0).st(W, 10, -8, -2).ldx(DW, 0, 10, -8));
        v("st imm u64 sign-extends the imm", -2, a -> a.st(DW, 10, -8, -2).ldx(DW, 0, 10, -8));
        v("stack starts zeroed", 0, a -> a.ldx(DW, 0, 10, -512));
        // ---- atomics ----
        v("atomic add64", 15, a -> a.st(DW, 10, -8, 10).mov64(1, 5).atomic(DW, 10, 1, -8, ADD).ldx(DW, 0, 10, -8));
        v("atomic fetch_add64 returns the old value", 10, a -> a.st(DW, 10, -8, 10).mov64(0, 5)
                .atomic(DW, 10, 0, -8, ADD | FETCH));
        v("atomic fetch_or64", 0x0f, a -> a.st(DW, 10, -8, 0x0f).mov64(0, 0xf0).atomic(DW, 10, 0, -8, OR | FETCH));
        v("atomic or64 result", 0xff, a -> a.st(DW, 10, -8, 0x0f).mov64(1, 0xf0).atomic(DW, 10, 1, -8, OR)
                .ldx(DW, 0, 10, -8));
        v("atomic and64 result", 0x0c, a -> a.st(DW, 10, -8, 0x0f).mov64(1, 0xfc).atomic(DW, 10, 1, -8, AND)
                .ldx(DW, 0, 10, -8));
        v("atomic fetch_and64", 0x0f, a -> a.st(DW, 10, -8, 0x0f).mov64(0, 0xfc).atomic(DW, 10, 0, -8, AND | FETCH));
        v("atomic xor64 result", 0xf3, a -> a.st(DW, 10, -8, 0x0f).mov64(1, 0xfc).atomic(DW, 10, 1, -8, XOR)
                .ldx(DW, 0, 10, -8));
        v("atomic fetch_xor64", 0x0f, a -> a.st(DW, 10, -8, 0x0f).mov64(0, 0xfc).atomic(DW, 10, 0, -8, XOR | FETCH));
        v("atomic xchg64 returns old", 7, a -> a.st(DW, 10, -8, 7).mov64(0, 9).atomic(DW, 10, 0, -8, XCHG));
        v("atomic xchg64 stores new", 9, a -> a.st(DW, 10, -8, 7).mov64(1, 9).atomic(DW, 10, 1, -8, XCHG)
                .ldx(DW, 0, 10, -8));
        v("cmpxchg64 success: r0 = old, memory = new", 7 * 100 + 9, a -> a.st(DW, 10, -8, 7).mov64(0, 7).mov64(1, 9)
                .atomic(DW, 10, 1, -8, CMPXCHG).alu64(MUL, 0, 100).ldx(DW, 2, 10, -8).alu64x(ADD, 0, 2));
        v("cmpxchg64 failure: r0 = old, memory unchanged", 7 * 100 + 7, a -> a.st(DW, 10, -8, 7).mov64(0, 8).mov64(1, 9)
                .atomic(DW, 10, 1, -8, CMPXCHG).alu64(MUL, 0, 100).ldx(DW, 2, 10, -8).alu64x(ADD, 0, 2));
        v("atomic add32 wraps in 32 bits", 0x1_0000_0000L, a -> a.st(DW, 10, -8, 0).st(W, 10, -4, 1)
                .st(W, 10, -8, -1).mov64(1, 1).atomic(W, 10, 1, -8, ADD).ldx(DW, 0, 10, -8));
        v("atomic fetch_add32 zero-extends the old value", 0xffff_ffffL, a -> a.st(DW, 10, -8, -1).mov64(0, 1)
                .atomic(W, 10, 0, -8, ADD | FETCH));
        v("cmpxchg32 compares the low half of r0", 5, a -> a.st(W, 10, -8, 3).ldImm64(0, 0x7_0000_0003L).mov64(1, 5)
                .atomic(W, 10, 1, -8, CMPXCHG).ldx(W, 0, 10, -8));
        v("xchg32 zero-extends the old value", 0xffff_fffeL, a -> a.st(W, 10, -8, -2).mov64(0, 1)
                .atomic(W, 10, 0, -8, XCHG));
        // ---- bpf-to-bpf calls ----
        v("a call returns r0 and keeps r6-r9", 42 + 6, a -> a.mov64(6, 6).callLocal("f").alu64x(ADD, 0, 6).exit()
                .label("f").mov64(6, 100).mov64(0, 42));
        List<DynamicTest> tests = new ArrayList<>();
        for (Vector vec : vectors) {
            tests.add(DynamicTest.dynamicTest(vec.name(), () -> assertEquals(vec.expected(), run(vec.body()),
                    () -> vec.name() + ": expected 0x" + Long.toHexString(vec.expected()))));
        }
        return tests;
    }

    /**
     * Regression: a byte swap reads only its destination. Its src field is 0 and its X bit is the
     * byte order (TO_BE), not a register source: the kernel's check_alu_op checks only the
     * destination, so r0 (named by the unused field) may hold a pointer or be uninitialized
     * (bpf_conformance's ldxh-all/ldxw-all swap r9 while r0 holds the memory pointer). Every form:
     * le16/32/64, be16/32/64 (ALU) and bswap16/32/64 (ALU64).
     */
    @TestFactory
    @DisplayName("byte swaps read only the destination: r0 holding a pointer or uninitialized does not matter")
    List<DynamicTest> byteSwapsIgnoreTheUnusedSourceField() {
        long x = 0x0102_0304_0506_0708L;
        record Form(String name, int code, int bits, long expected) {
        }
        List<Form> forms = List.of(
                new Form("le16", ALU | END | K, 16, 0x0708),
                new Form("le32", ALU | END | K, 32, 0x0506_0708L),
                new Form("le64", ALU | END | K, 64, x),
                new Form("be16", ALU | END | X, 16, 0x0807),
                new Form("be32", ALU | END | X, 32, 0x0807_0605L),
                new Form("be64", ALU | END | X, 64, 0x0807_0605_0403_0201L),
                new Form("bswap16", ALU64 | END | K, 16, 0x0807),
                new Form("bswap32", ALU64 | END | K, 32, 0x0807_0605L),
                new Form("bswap64", ALU64 | END | K, 64, 0x0807_0605_0403_0201L));
        List<DynamicTest> tests = new ArrayList<>();
        for (Form f : forms) {
            // r0 = the frame pointer (a pointer), r9 = x; swap r9; r0 = r9
            tests.add(DynamicTest.dynamicTest(f.name() + " r9 with a pointer in r0", () -> assertEquals(f.expected(),
                    run(a -> a.mov64x(0, 10).ldImm64(9, x).raw(f.code(), 9, 0, 0, f.bits()).mov64x(0, 9)))));
            // r0 = the context pointer (r1 copied), through a stack pointer copy too
            tests.add(DynamicTest.dynamicTest(f.name() + " r9 with the context in r0", () -> assertEquals(f.expected(),
                    run(a -> a.mov64x(0, 1).ldImm64(9, x).raw(f.code(), 9, 0, 0, f.bits()).mov64x(0, 9)))));
            // r0 never written
            tests.add(DynamicTest.dynamicTest(f.name() + " r9 with r0 uninitialized", () -> assertEquals(f.expected(),
                    run(a -> a.ldImm64(9, x).raw(f.code(), 9, 0, 0, f.bits()).mov64x(0, 9)))));
            // the swap of a pointer itself still faults
            tests.add(DynamicTest.dynamicTest(f.name() + " of a pointer faults", () -> {
                BpfVmException e = org.junit.jupiter.api.Assertions.assertThrows(BpfVmException.class,
                        () -> run(a -> a.mov64x(9, 10).raw(f.code(), 9, 0, 0, f.bits()).mov64(0, 0)));
                assertEquals(1, e.pc(), e.getMessage());
                org.junit.jupiter.api.Assertions.assertTrue(e.reason().startsWith("R9 "), e.getMessage());
            }));
            // the swap of an uninitialized register faults naming it
            tests.add(DynamicTest.dynamicTest(f.name() + " of an uninitialized register faults", () -> {
                BpfVmException e = org.junit.jupiter.api.Assertions.assertThrows(BpfVmException.class,
                        () -> run(a -> a.mov64x(0, 10).raw(f.code(), 9, 0, 0, f.bits()).mov64(0, 0)));
                org.junit.jupiter.api.Assertions.assertTrue(e.reason().startsWith("R9 !read_ok"), e.getMessage());
            }));
        }
        return tests;
    }

    /** {@code r0 = 1 if (a OP imm) else 0}, as JMP or JMP32. */
    private void jump(String name, long a, int op, int imm, boolean is32, boolean taken) {
        v(name, taken ? 1 : 0, asm -> {
            asm.ldImm64(1, a).mov64(0, 1);
            if (is32) {
                asm.jmp32(op, 1, imm, "t");
            } else {
                asm.jmp(op, 1, imm, "t");
            }
            asm.mov64(0, 0).label("t");
        });
    }

    @Test
    @DisplayName("an exit with r0 outside [0, 1] aborts a sock_ops invocation (the return range the verifier proves)")
    void returnRange() {
        VmHarness h = new VmHarness(true, mode);
        BpfVmException e = org.junit.jupiter.api.Assertions.assertThrows(BpfVmException.class,
                () -> h.run(new Asm().ret(2)));
        org.junit.jupiter.api.Assertions.assertTrue(e.reason().contains("must return 0 or 1"), e.getMessage());
        assertEquals(1, h.run(new Asm().ret(1)));
        assertEquals(0, h.run(new Asm().ret(0)));
    }

    @Test
    @DisplayName("Opcode constants used by the vectors are the uapi values")
    void opcodes() {
        assertEquals(0xdb, STX | ATOMIC | DW);
        assertEquals(0x3f, ALU64 | DIV | X);
        assertEquals(0x06, Opcode.JMP32 | Opcode.JA);
    }
}
