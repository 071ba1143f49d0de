package dev.autolowat.sim.vm;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.DW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every ALU and jump opcode against a Java oracle of the instruction set's semantics
 * (Documentation/bpf/standardization/instruction-set.rst; kernel/bpf/core.c ___bpf_prog_run, with the
 * verifier's rewrites of division and modulo by zero), on operands at the edges: equal operands
 * (where {@code >} and {@code >=} part), the signed/unsigned and 32/64-bit boundaries, shift counts
 * up to the width. Where {@link InstructionSetTest} has one vector per opcode, this crosses every
 * opcode with every pair of a set of edge values, so a wrong operator or boundary in one form
 * (immediate or register, 64 or 32 bits: each has its own case in the interpreter) cannot hide.
 *
 * <p>Raw programs ({@link VmLoader#loadRaw}): the operands come from the memory buffer, the results
 * go back to it, so one loaded program runs on every pair.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class InstructionOracleTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    private static final long[] VALUES = {0, 1, 2, 3, 5, 7, -1, -2, -5, 31, 32, 63, 64, 0x80, 0x8000, 0xff80,
            0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L, 0x1_0000_0005L, -0x1_0000_0000L,
            Long.MAX_VALUE, Long.MIN_VALUE, 0x1234_5678_9abc_def0L};
    private static final int[] IMMS = {0, 1, 2, 3, 5, 7, -1, -2, -5, 31, 32, 63, 0x80, 0x8000, 0x7fff_ffff,
            Integer.MIN_VALUE};
    private static final int[] ALU_OPS = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, MOV, ARSH};

    private VmProgram load(Asm a, int memory) {
        VmProgram p = VmLoader.loadRaw("oracle", a.build(), memory, new VmOptions(true, () -> 77, false, mode));
        assertEquals(mode, p.executionMode(), () -> p.fallbackReason().orElse(""));
        return p;
    }

    private static byte[] memory(int size, long a, long b) {
        ByteBuffer bb = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(0, a).putLong(8, b);
        return bb.array();
    }

    private static long result(byte[] mem, int i) {
        return ByteBuffer.wrap(mem).order(ByteOrder.LITTLE_ENDIAN).getLong(16 + 8 * i);
    }

    // ---- the oracle ----

    static long alu(int op, boolean is64, int off, long a, long b) {
        if (is64) {
            return switch (op) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> b == 0 ? 0 : off == 1 ? (b == -1 ? -a : a / b) : Long.divideUnsigned(a, b);
                case MOD -> b == 0 ? a : off == 1 ? (b == -1 ? 0 : a % b) : Long.remainderUnsigned(a, b);
                case OR -> a | b;
                case AND -> a & b;
                case XOR -> a ^ b;
                case LSH -> a << (b & 63);
                case RSH -> a >>> (b & 63);
                case ARSH -> a >> (b & 63);
                case MOV -> off == 8 ? (byte) b : off == 16 ? (short) b : off == 32 ? (int) b : b;
                case NEG -> -a;
                default -> throw new IllegalArgumentException("op " + op);
            };
        }
        int x = (int) a;
        int y = (int) b;
        int r = switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> y == 0 ? 0 : off == 1 ? (y == -1 ? -x : x / y) : Integer.divideUnsigned(x, y);
            case MOD -> y == 0 ? x : off == 1 ? (y == -1 ? 0 : x % y) : Integer.remainderUnsigned(x, y);
            case OR -> x | y;
            case AND -> x & y;
            case XOR -> x ^ y;
            case LSH -> x << (y & 31);
            case RSH -> x >>> (y & 31);
            case ARSH -> x >> (y & 31);
            case MOV -> off == 8 ? (byte) y : off == 16 ? (short) y : y;
            case NEG -> -x;
            default -> throw new IllegalArgumentException("op " + op);
        };
        return r & 0xffff_ffffL;
    }

    static boolean taken(int op, boolean is64, long a, long b) {
        if (!is64) {
            a = (int) a;
            b = (int) b;
        }
        long ua = is64 ? a : a & 0xffff_ffffL;
        long ub = is64 ? b : b & 0xffff_ffffL;
        return switch (op) {
            case JEQ -> a == b;
            case JNE -> a != b;
            case JGT -> Long.compareUnsigned(ua, ub) > 0;
            case JGE -> Long.compareUnsigned(ua, ub) >= 0;
            case JLT -> Long.compareUnsigned(ua, ub) < 0;
            case JLE -> Long.compareUnsigned(ua, ub) <= 0;
            case JSET -> (a & b) != 0;
            case JSGT -> a > b;
            case JSGE -> a >= b;
            case JSLT -> a < b;
            case JSLE -> a <= b;
            default -> throw new IllegalArgumentException("op " + op);
        };
    }

    private static boolean validImm(int op, boolean is64, int off, int imm) {
        if ((op == DIV || op == MOD) && imm == 0) {
            return false; // refused at load ("div by zero")
        }
        if (op == LSH || op == RSH || op == ARSH) {
            return imm >= 0 && imm < (is64 ? 64 : 32);
        }
        return true;
    }

    private static String name(int op, boolean is64, boolean x, int off) {
        return (is64 ? "ALU64" : "ALU") + " op 0x" + Integer.toHexString(op) + (x ? " X" : " K")
                + (off != 0 ? " off " + off : "");
    }

    // ---- ALU ----

    /** r3 = a, r4 = b; r5 = r3 op r4 (or op imm_i for each immediate) stored at 16 + 8i. */
    private void checkAlu(int op, boolean is64, boolean x, int off) {
        int cls = is64 ? ALU64 : ALU;
        int[] imms = x || op == NEG ? new int[] {0} : java.util.Arrays.stream(IMMS).filter(i -> validImm(op, is64, off, i)).toArray();
        Asm asm = new Asm().ldx(DW, 3, 1, 0).ldx(DW, 4, 1, 8);
        for (int i = 0; i < imms.length; i++) {
            asm.mov64x(5, 3).raw(cls | op | (x ? X : K), 5, x ? 4 : 0, off, x ? 0 : imms[i]).stx(DW, 1, 5, 16 + 8 * i);
        }
        int size = 16 + 8 * imms.length;
        VmProgram p = load(asm.mov64(0, 0).exit(), size);
        for (long a : VALUES) {
            for (long b : x ? VALUES : new long[] {0}) {
                byte[] mem = memory(size, a, b);
                p.runRaw(mem);
                for (int i = 0; i < imms.length; i++) {
                    long operand = x ? b : imms[i];
                    long expected = alu(op, is64, off, a, operand);
                    long actual = result(mem, i);
                    if (expected != actual) {
                        assertEquals(expected, actual, name(op, is64, x, off) + " a=0x" + Long.toHexString(a)
                                + " b=0x" + Long.toHexString(operand));
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("ALU64 and ALU32, immediate and register: every operation on every pair of edge values matches the oracle")
    void aluAgainstOracle() {
        for (boolean is64 : new boolean[] {true, false}) {
            for (boolean x : new boolean[] {true, false}) {
                for (int op : ALU_OPS) {
                    checkAlu(op, is64, x, 0);
                }
                checkAlu(DIV, is64, x, 1); // sdiv
                checkAlu(MOD, is64, x, 1); // smod
            }
            checkAlu(NEG, is64, false, 0);
            checkAlu(MOV, is64, true, 8);  // movsx
            checkAlu(MOV, is64, true, 16);
        }
        checkAlu(MOV, true, true, 32);
    }

    @Test
    @DisplayName("byte swaps: le16/32/64 truncate, be16/32/64 and bswap16/32/64 swap (a little-endian machine)")
    void byteSwapsAgainstOracle() {
        int[][] forms = {{ALU | END | K, 0}, {ALU | END | X, 1}, {ALU64 | END | K, 1}};
        for (int[] form : forms) {
            for (int bits : new int[] {16, 32, 64}) {
                VmProgram p = load(new Asm().ldx(DW, 3, 1, 0).raw(form[0], 3, 0, 0, bits).stx(DW, 1, 3, 16)
                        .mov64(0, 0).exit(), 24);
                for (long a : VALUES) {
                    byte[] mem = memory(24, a, 0);
                    p.runRaw(mem);
                    long expected = form[1] == 0
                            ? (bits == 16 ? a & 0xffff : bits == 32 ? a & 0xffff_ffffL : a)
                            : (bits == 16 ? Short.reverseBytes((short) a) & 0xffff
                            : bits == 32 ? Integer.reverseBytes((int) a) & 0xffff_ffffL : Long.reverseBytes(a));
                    assertEquals(expected, result(mem, 0), "opcode 0x" + Integer.toHexString(form[0]) + " " + bits
                            + " of 0x" + Long.toHexString(a));
                }
            }
        }
    }

    // ---- jumps ----

    private void checkJump(int op, boolean is64, boolean x) {
        int cls = is64 ? JMP : JMP32;
        int[] imms = x ? new int[] {0} : IMMS;
        Asm asm = new Asm().ldx(DW, 3, 1, 0).ldx(DW, 4, 1, 8);
        for (int i = 0; i < imms.length; i++) {
            // r5 = 1; if (r3 op r4/imm) goto +1; r5 = 0; *(u64 *)(r1 + 16 + 8i) = r5
            asm.mov64(5, 1).raw(cls | op | (x ? X : K), 3, x ? 4 : 0, 1, x ? 0 : imms[i]).mov64(5, 0)
                    .stx(DW, 1, 5, 16 + 8 * i);
        }
        int size = 16 + 8 * imms.length;
        VmProgram p = load(asm.mov64(0, 0).exit(), size);
        for (long a : VALUES) {
            for (long b : x ? VALUES : new long[] {0}) {
                byte[] mem = memory(size, a, b);
                p.runRaw(mem);
                for (int i = 0; i < imms.length; i++) {
                    long operand = x ? b : imms[i];
                    boolean expected = taken(op, is64, a, operand);
                    if (expected != (result(mem, i) == 1)) {
                        assertEquals(expected, result(mem, i) == 1, (is64 ? "JMP" : "JMP32") + " op 0x"
                                + Integer.toHexString(op) + (x ? " X" : " K") + " a=0x" + Long.toHexString(a)
                                + " b=0x" + Long.toHexString(operand));
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("JMP and JMP32, immediate and register: every comparison on every pair of edge values matches the oracle")
    void jumpsAgainstOracle() {
        for (int op : new int[] {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE}) {
            for (boolean is64 : new boolean[] {true, false}) {
                checkJump(op, is64, true);
                checkJump(op, is64, false);
            }
        }
    }

    @Test
    @DisplayName("a conditional jump reads an uninitialized register: the fault names that register (dst or src)")
    void jumpOnUninitialized() {
        for (int cls : new int[] {JMP, JMP32}) {
            for (int op : new int[] {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE}) {
                // r6 never written: as dst (K and X forms) and as src
                VmProgram dk = load(new Asm().raw(cls | op | K, 6, 0, 0, 1).mov64(0, 0).exit(), 0);
                BpfVmException e = assertThrows(BpfVmException.class, () -> dk.runRaw(new byte[0]));
                assertTrue(e.reason().startsWith("R6 !read_ok"), e.getMessage());
                VmProgram dx = load(new Asm().mov64(3, 1).raw(cls | op | X, 6, 3, 0, 0).mov64(0, 0).exit(), 0);
                e = assertThrows(BpfVmException.class, () -> dx.runRaw(new byte[0]));
                assertTrue(e.reason().startsWith("R6 !read_ok"), e.getMessage());
                VmProgram sx = load(new Asm().mov64(3, 1).raw(cls | op | X, 3, 7, 0, 0).mov64(0, 0).exit(), 0);
                e = assertThrows(BpfVmException.class, () -> sx.runRaw(new byte[0]));
                assertTrue(e.reason().startsWith("R7 !read_ok"), e.getMessage());
            }
        }
    }

    // ---- pointers in ALU instructions ----

    @Test
    @DisplayName("pointer arithmetic: ptr += scalar, ptr -= scalar, scalar += ptr and ptr - ptr compute; every other operation on a pointer faults")
    void pointerArithmetic() {
        // r6 = r10 - 8 through a register, then *(u64 *)r6 = 42 and r0 = *(u64 *)(r10 - 8)
        assertEquals(42, load(new Asm().mov64x(6, 10).mov64(4, -8).alu64x(ADD, 6, 4).st(DW, 6, 0, 42)
                .ldx(DW, 0, 10, -8).exit(), 0).runRaw(new byte[0]));
        assertEquals(42, load(new Asm().mov64x(6, 10).mov64(4, 8).alu64x(SUB, 6, 4).st(DW, 6, 0, 42)
                .ldx(DW, 0, 10, -8).exit(), 0).runRaw(new byte[0]));
        assertEquals(42, load(new Asm().mov64x(6, 10).alu64(SUB, 6, 8).st(DW, 6, 0, 42)
                .ldx(DW, 0, 10, -8).exit(), 0).runRaw(new byte[0]));
        // scalar += pointer: the pointer moves into the scalar's register
        assertEquals(42, load(new Asm().mov64(6, -16).alu64x(ADD, 6, 10).st(DW, 6, 0, 42)
                .ldx(DW, 0, 10, -16).exit(), 0).runRaw(new byte[0]));
        // the same through the memory buffer (plain memory: r1)
        byte[] mem = new byte[16];
        load(new Asm().mov64(6, 8).alu64x(ADD, 6, 1).st(DW, 6, 0, 42).mov64(0, 0).exit(), 16).runRaw(mem);
        assertEquals(42, mem[8]);
        // pointer - pointer of the same region is a scalar (the distance)
        assertEquals(24, load(new Asm().mov64x(6, 10).alu64(ADD, 6, -24).mov64x(0, 10).alu64x(SUB, 0, 6).exit(), 0)
                .runRaw(new byte[0]));
        // a 64-bit move of a pointer keeps it; a 32-bit one or a sign-extending one faults
        assertEquals(42, load(new Asm().mov64x(6, 10).st(DW, 6, -8, 42).ldx(DW, 0, 6, -8).exit(), 0)
                .runRaw(new byte[0]));
        assertFault(new Asm().raw(ALU | MOV | X, 6, 10, 0, 0).mov64(0, 0).exit(), "partial copy of pointer");
        assertFault(new Asm().raw(ALU64 | MOV | X, 6, 10, 8, 0).mov64(0, 0).exit(), "sign-extending move of a pointer");
        assertFault(new Asm().raw(ALU64 | MOV | X, 6, 7, 0, 0).mov64(0, 0).exit(), "R7 !read_ok");
        for (int op : new int[] {MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, ARSH}) {
            String what = "op 0x" + Integer.toHexString(op);
            // pointer op scalar (register and immediate), scalar op pointer, pointer op pointer
            assertFault(new Asm().mov64x(6, 10).mov64(4, 1).alu64x(op, 6, 4).mov64(0, 0).exit(),
                    "pointer arithmetic with", what);
            assertFault(new Asm().mov64x(6, 10).alu64(op, 6, 1).mov64(0, 0).exit(), "pointer arithmetic with", what);
            assertFault(new Asm().mov64(6, 1).alu64x(op, 6, 10).mov64(0, 0).exit(), "pointer prohibited", what);
            assertFault(new Asm().mov64x(6, 10).alu64x(op, 6, 10).mov64(0, 0).exit(), "pointer prohibited", what);
        }
        for (int op : ALU_OPS) {
            if (op == MOV) {
                continue;
            }
            String what = "op 0x" + Integer.toHexString(op);
            // 32-bit arithmetic on a pointer (as dst, register and immediate; as src)
            assertFault(new Asm().mov64x(6, 10).mov64(4, 1).alu32x(op, 6, 4).mov64(0, 0).exit(), "32-bit pointer arithmetic", what);
            assertFault(new Asm().mov64x(6, 10).alu32(op, 6, 1).mov64(0, 0).exit(), "32-bit pointer arithmetic", what);
            assertFault(new Asm().mov64(6, 1).alu32x(op, 6, 10).mov64(0, 0).exit(), "32-bit pointer arithmetic", what);
            // an uninitialized operand
            assertFault(new Asm().mov64(4, 1).alu64x(op, 6, 4).mov64(0, 0).exit(), "R6 !read_ok", what);
            assertFault(new Asm().mov64(6, 1).alu64x(op, 6, 7).mov64(0, 0).exit(), "R7 !read_ok", what);
            assertFault(new Asm().mov64(6, 1).alu32x(op, 6, 7).mov64(0, 0).exit(), "R7 !read_ok", what);
        }
        // ptr - ptr of two regions, and ptr + ptr, fault
        assertFault(new Asm().mov64x(6, 10).alu64x(SUB, 6, 1).mov64(0, 0).exit(), "pointer -= pointer prohibited");
        assertFault(new Asm().mov64x(6, 10).alu64x(ADD, 6, 1).mov64(0, 0).exit(), "pointer += pointer prohibited");
    }

    private void assertFault(Asm asm, String reason, String... context) {
        VmProgram p = load(asm, 8);
        BpfVmException e = assertThrows(BpfVmException.class, () -> p.runRaw(new byte[8]),
                () -> String.join(" ", context));
        assertTrue(e.reason().contains(reason), String.join(" ", context) + ": " + e.getMessage());
    }
}
