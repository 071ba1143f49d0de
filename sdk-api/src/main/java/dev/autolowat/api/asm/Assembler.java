package dev.autolowat.api.asm;

import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A readable builder of eBPF programs: one method per instruction, named after what it does, with
 * labels for jump targets, helper and kfunc calls by name, map loads by map index and relocatable
 * field accesses by {@code struct.field}. {@link #build()} resolves the labels and returns the
 * encoded {@link BpfBytecode} with its {@link Relocation}s.
 *
 * <pre>{@code
 * Assembler a = new Assembler();
 * a.mov64(R6, R1)
 *  .ldxw(R2, R6, SockOpsCtx.OP)
 *  .jne(R2, 21, "out")
 *  .ldxField(Opcode.W, R3, R2, "tcp_sock", "copied_seq")
 *  .label("out")
 *  .mov64(R0, 1)
 *  .exit();
 * BpfBytecode code = a.build();
 * }</pre>
 *
 * <p>Conventions, as in the kernel's {@code BPF_*} instruction macros: {@code dst} comes first;
 * memory operations take {@code (dst, src, off)} ({@code off} is added to the base register, which
 * is {@code src} for loads and {@code dst} for stores); {@code size} arguments are the opcode's size
 * field ({@link Opcode#B}, {@link Opcode#H}, {@link Opcode#W}, {@link Opcode#DW}). Methods ending
 * in {@code 64} operate on the whole register ({@code ALU64}/{@code JMP}), those ending in
 * {@code 32} on its low half ({@code ALU}/{@code JMP32}); jumps without a suffix are 64-bit.
 *
 * <p>Labels mark the next instruction; they may be used before or after they are defined. Jump
 * and call offsets count 8-byte slots (an {@code LD_IMM64} is two) from the instruction after the
 * jump. Misuse fails early with {@link IllegalArgumentException} (bad operands, a label defined
 * twice) or {@link NullPointerException} ({@code null} operands); {@link #build()} fails with
 * {@link IllegalStateException} for undefined labels and offsets that do not fit their field. An
 * assembler may be built more than once and extended in between.
 */
public final class Assembler {
    /** How an instruction refers to a label, if it does. */
    private enum Target {
        /** Not at all. */
        NONE,
        /** Through the 16-bit offset (conditional jumps, {@code ja}). */
        OFFSET,
        /** Through the 32-bit imm ({@code ja32}, bpf-to-bpf calls). */
        IMM
    }

    /** An instruction as emitted, before labels are resolved. */
    private record Pending(int slot, Instruction insn, Target target, String label, Relocation relocation) {
    }

    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private int slots;

    /** An empty program. */
    public Assembler() {
    }

    // ------------------------------------------------------------------------------------------
    // Labels, raw instructions, building
    // ------------------------------------------------------------------------------------------

    /**
     * Marks the next instruction with {@code name}, the target of jumps and bpf-to-bpf calls.
     *
     * @throws IllegalArgumentException when the name is blank or already defined
     */
    public Assembler label(String name) {
        checkLabelName(name);
        Integer previous = labels.putIfAbsent(name, slots);
        if (previous != null) {
            throw new IllegalArgumentException("label '" + name + "' is already defined (at slot " + previous + ")");
        }
        return this;
    }

    /** Appends {@code insn} as it is (an escape hatch for encodings the builder has no method for). */
    public Assembler raw(Instruction insn) {
        return emit(Objects.requireNonNull(insn, "insn"), Target.NONE, null, null);
    }

    /** The number of 8-byte slots emitted so far, which is the slot of the next instruction. */
    public int slots() {
        return slots;
    }

    /**
     * Resolves the labels and encodes the program.
     *
     * @return the instructions with their relocations
     * @throws IllegalStateException when the program is empty, a label is used but not defined or
     *         marks no instruction, or a jump's offset does not fit its 16-bit field
     */
    public BpfBytecode build() {
        if (pending.isEmpty()) {
            throw new IllegalStateException("empty program: emit at least one instruction (e.g. exit())");
        }
        List<Instruction> out = new ArrayList<>(pending.size());
        List<Relocation> relocations = new ArrayList<>();
        for (Pending p : pending) {
            out.add(resolve(p));
            if (p.relocation() != null) {
                relocations.add(p.relocation());
            }
        }
        return BpfBytecode.of(out, relocations);
    }

    /**
     * Builds a sock_ops program ({@code BPF_PROG_TYPE_SOCK_OPS}).
     *
     * @param name    1–15 characters of {@code [A-Za-z0-9_.]}
     * @param license e.g. {@code "GPL"}
     * @param maps    the maps that {@link #loadMap(Reg, int)} indexes, in index order
     * @throws IllegalStateException    as {@link #build()}
     * @throws IllegalArgumentException for a bad name, or a map index without a map
     */
    public SockOpsProgram.Bytecode program(String name, String license, List<MapSpec> maps) {
        BpfBytecode code = build();
        checkMapIndexes(code, maps);
        return new SockOpsProgram.Bytecode(name, license, code, maps);
    }

    /**
     * Builds a cgroup setsockopt program ({@code BPF_PROG_TYPE_CGROUP_SOCKOPT}); see
     * {@link #program(String, String, List)}.
     */
    public SockoptProgram.Bytecode sockoptProgram(String name, String license, List<MapSpec> maps) {
        BpfBytecode code = build();
        checkMapIndexes(code, maps);
        return new SockoptProgram.Bytecode(name, license, code, maps);
    }

    // ------------------------------------------------------------------------------------------
    // ALU: generic forms
    // ------------------------------------------------------------------------------------------

    /**
     * {@code dst op= imm} on 64 bits ({@code ALU64 | op | K}).
     *
     * @param op an {@link Opcode} ALU operation other than {@link Opcode#END} and {@link Opcode#NEG}
     */
    public Assembler alu64(int op, Reg dst, int imm) {
        return alu(Opcode.ALU64, op, dst, imm, 0);
    }

    /** {@code dst op= src} on 64 bits ({@code ALU64 | op | X}); see {@link #alu64(int, Reg, int)}. */
    public Assembler alu64(int op, Reg dst, Reg src) {
        return alu(Opcode.ALU64, op, dst, src, 0);
    }

    /** {@code wdst op= imm} on 32 bits ({@code ALU | op | K}); see {@link #alu64(int, Reg, int)}. */
    public Assembler alu32(int op, Reg dst, int imm) {
        return alu(Opcode.ALU, op, dst, imm, 0);
    }

    /** {@code wdst op= wsrc} on 32 bits ({@code ALU | op | X}); see {@link #alu64(int, Reg, int)}. */
    public Assembler alu32(int op, Reg dst, Reg src) {
        return alu(Opcode.ALU, op, dst, src, 0);
    }

    // ------------------------------------------------------------------------------------------
    // ALU64
    // ------------------------------------------------------------------------------------------

    /** {@code dst += imm} (64-bit). */
    public Assembler add64(Reg dst, int imm) {
        return alu64(Opcode.ADD, dst, imm);
    }

    /** {@code dst += src} (64-bit). */
    public Assembler add64(Reg dst, Reg src) {
        return alu64(Opcode.ADD, dst, src);
    }

    /** {@code dst -= imm} (64-bit). */
    public Assembler sub64(Reg dst, int imm) {
        return alu64(Opcode.SUB, dst, imm);
    }

    /** {@code dst -= src} (64-bit). */
    public Assembler sub64(Reg dst, Reg src) {
        return alu64(Opcode.SUB, dst, src);
    }

    /** {@code dst *= imm} (64-bit). */
    public Assembler mul64(Reg dst, int imm) {
        return alu64(Opcode.MUL, dst, imm);
    }

    /** {@code dst *= src} (64-bit). */
    public Assembler mul64(Reg dst, Reg src) {
        return alu64(Opcode.MUL, dst, src);
    }

    /** {@code dst /= imm}, unsigned (64-bit). */
    public Assembler div64(Reg dst, int imm) {
        return alu64(Opcode.DIV, dst, imm);
    }

    /** {@code dst /= src}, unsigned (64-bit). */
    public Assembler div64(Reg dst, Reg src) {
        return alu64(Opcode.DIV, dst, src);
    }

    /** {@code dst s/= imm}, signed (v4 SDIV: DIV with offset 1; 64-bit). */
    public Assembler sdiv64(Reg dst, int imm) {
        return alu(Opcode.ALU64, Opcode.DIV, dst, imm, 1);
    }

    /** {@code dst s/= src}, signed (v4 SDIV: DIV with offset 1; 64-bit). */
    public Assembler sdiv64(Reg dst, Reg src) {
        return alu(Opcode.ALU64, Opcode.DIV, dst, src, 1);
    }

    /** {@code dst %= imm}, unsigned (64-bit). */
    public Assembler mod64(Reg dst, int imm) {
        return alu64(Opcode.MOD, dst, imm);
    }

    /** {@code dst %= src}, unsigned (64-bit). */
    public Assembler mod64(Reg dst, Reg src) {
        return alu64(Opcode.MOD, dst, src);
    }

    /** {@code dst s%= imm}, signed (v4 SMOD: MOD with offset 1; 64-bit). */
    public Assembler smod64(Reg dst, int imm) {
        return alu(Opcode.ALU64, Opcode.MOD, dst, imm, 1);
    }

    /** {@code dst s%= src}, signed (v4 SMOD: MOD with offset 1; 64-bit). */
    public Assembler smod64(Reg dst, Reg src) {
        return alu(Opcode.ALU64, Opcode.MOD, dst, src, 1);
    }

    /** {@code dst |= imm} (64-bit). */
    public Assembler or64(Reg dst, int imm) {
        return alu64(Opcode.OR, dst, imm);
    }

    /** {@code dst |= src} (64-bit). */
    public Assembler or64(Reg dst, Reg src) {
        return alu64(Opcode.OR, dst, src);
    }

    /** {@code dst &= imm} (64-bit). */
    public Assembler and64(Reg dst, int imm) {
        return alu64(Opcode.AND, dst, imm);
    }

    /** {@code dst &= src} (64-bit). */
    public Assembler and64(Reg dst, Reg src) {
        return alu64(Opcode.AND, dst, src);
    }

    /** {@code dst <<= imm} (64-bit). */
    public Assembler lsh64(Reg dst, int imm) {
        return alu64(Opcode.LSH, dst, imm);
    }

    /** {@code dst <<= src} (64-bit). */
    public Assembler lsh64(Reg dst, Reg src) {
        return alu64(Opcode.LSH, dst, src);
    }

    /** {@code dst >>= imm}, logical (64-bit). */
    public Assembler rsh64(Reg dst, int imm) {
        return alu64(Opcode.RSH, dst, imm);
    }

    /** {@code dst >>= src}, logical (64-bit). */
    public Assembler rsh64(Reg dst, Reg src) {
        return alu64(Opcode.RSH, dst, src);
    }

    /** {@code dst s>>= imm}, arithmetic (64-bit). */
    public Assembler arsh64(Reg dst, int imm) {
        return alu64(Opcode.ARSH, dst, imm);
    }

    /** {@code dst s>>= src}, arithmetic (64-bit). */
    public Assembler arsh64(Reg dst, Reg src) {
        return alu64(Opcode.ARSH, dst, src);
    }

    /** {@code dst ^= imm} (64-bit). */
    public Assembler xor64(Reg dst, int imm) {
        return alu64(Opcode.XOR, dst, imm);
    }

    /** {@code dst ^= src} (64-bit). */
    public Assembler xor64(Reg dst, Reg src) {
        return alu64(Opcode.XOR, dst, src);
    }

    /** {@code dst = imm}, the imm sign-extended to 64 bits. */
    public Assembler mov64(Reg dst, int imm) {
        return alu64(Opcode.MOV, dst, imm);
    }

    /** {@code dst = src} (64-bit). */
    public Assembler mov64(Reg dst, Reg src) {
        return alu64(Opcode.MOV, dst, src);
    }

    /** {@code dst = -dst} (64-bit). */
    public Assembler neg64(Reg dst) {
        return emit(new Instruction(Opcode.ALU64 | Opcode.NEG | Opcode.K, reg(dst), 0, (short) 0, 0));
    }

    /**
     * {@code dst = (s8|s16|s32) src}: v4 MOVSX, the low {@code bits} of {@code src} sign-extended
     * to 64 bits ({@code ALU64 | MOV | X} with offset {@code bits}).
     *
     * @param bits 8, 16 or 32
     */
    public Assembler movsx64(Reg dst, Reg src, int bits) {
        if (bits != 8 && bits != 16 && bits != 32) {
            throw new IllegalArgumentException("movsx64 sign-extends 8, 16 or 32 bits, not " + bits);
        }
        return alu(Opcode.ALU64, Opcode.MOV, dst, src, bits);
    }

    // ------------------------------------------------------------------------------------------
    // ALU (32-bit); the result is zero-extended to 64 bits
    // ------------------------------------------------------------------------------------------

    /** {@code wdst += imm} (32-bit). */
    public Assembler add32(Reg dst, int imm) {
        return alu32(Opcode.ADD, dst, imm);
    }

    /** {@code wdst += wsrc} (32-bit). */
    public Assembler add32(Reg dst, Reg src) {
        return alu32(Opcode.ADD, dst, src);
    }

    /** {@code wdst -= imm} (32-bit). */
    public Assembler sub32(Reg dst, int imm) {
        return alu32(Opcode.SUB, dst, imm);
    }

    /** {@code wdst -= wsrc} (32-bit). */
    public Assembler sub32(Reg dst, Reg src) {
        return alu32(Opcode.SUB, dst, src);
    }

    /** {@code wdst *= imm} (32-bit). */
    public Assembler mul32(Reg dst, int imm) {
        return alu32(Opcode.MUL, dst, imm);
    }

    /** {@code wdst *= wsrc} (32-bit). */
    public Assembler mul32(Reg dst, Reg src) {
        return alu32(Opcode.MUL, dst, src);
    }

    /** {@code wdst /= imm}, unsigned (32-bit). */
    public Assembler div32(Reg dst, int imm) {
        return alu32(Opcode.DIV, dst, imm);
    }

    /** {@code wdst /= wsrc}, unsigned (32-bit). */
    public Assembler div32(Reg dst, Reg src) {
        return alu32(Opcode.DIV, dst, src);
    }

    /** {@code wdst s/= imm}, signed (v4 SDIV; 32-bit). */
    public Assembler sdiv32(Reg dst, int imm) {
        return alu(Opcode.ALU, Opcode.DIV, dst, imm, 1);
    }

    /** {@code wdst s/= wsrc}, signed (v4 SDIV; 32-bit). */
    public Assembler sdiv32(Reg dst, Reg src) {
        return alu(Opcode.ALU, Opcode.DIV, dst, src, 1);
    }

    /** {@code wdst %= imm}, unsigned (32-bit). */
    public Assembler mod32(Reg dst, int imm) {
        return alu32(Opcode.MOD, dst, imm);
    }

    /** {@code wdst %= wsrc}, unsigned (32-bit). */
    public Assembler mod32(Reg dst, Reg src) {
        return alu32(Opcode.MOD, dst, src);
    }

    /** {@code wdst s%= imm}, signed (v4 SMOD; 32-bit). */
    public Assembler smod32(Reg dst, int imm) {
        return alu(Opcode.ALU, Opcode.MOD, dst, imm, 1);
    }

    /** {@code wdst s%= wsrc}, signed (v4 SMOD; 32-bit). */
    public Assembler smod32(Reg dst, Reg src) {
        return alu(Opcode.ALU, Opcode.MOD, dst, src, 1);
    }

    /** {@code wdst |= imm} (32-bit). */
    public Assembler or32(Reg dst, int imm) {
        return alu32(Opcode.OR, dst, imm);
    }

    /** {@code wdst |= wsrc} (32-bit). */
    public Assembler or32(Reg dst, Reg src) {
        return alu32(Opcode.OR, dst, src);
    }

    /** {@code wdst &= imm} (32-bit). */
    public Assembler and32(Reg dst, int imm) {
        return alu32(Opcode.AND, dst, imm);
    }

    /** {@code wdst &= wsrc} (32-bit). */
    public Assembler and32(Reg dst, Reg src) {
        return alu32(Opcode.AND, dst, src);
    }

    /** {@code wdst <<= imm} (32-bit). */
    public Assembler lsh32(Reg dst, int imm) {
        return alu32(Opcode.LSH, dst, imm);
    }

    /** {@code wdst <<= wsrc} (32-bit). */
    public Assembler lsh32(Reg dst, Reg src) {
        return alu32(Opcode.LSH, dst, src);
    }

    /** {@code wdst >>= imm}, logical (32-bit). */
    public Assembler rsh32(Reg dst, int imm) {
        return alu32(Opcode.RSH, dst, imm);
    }

    /** {@code wdst >>= wsrc}, logical (32-bit). */
    public Assembler rsh32(Reg dst, Reg src) {
        return alu32(Opcode.RSH, dst, src);
    }

    /** {@code wdst s>>= imm}, arithmetic (32-bit). */
    public Assembler arsh32(Reg dst, int imm) {
        return alu32(Opcode.ARSH, dst, imm);
    }

    /** {@code wdst s>>= wsrc}, arithmetic (32-bit). */
    public Assembler arsh32(Reg dst, Reg src) {
        return alu32(Opcode.ARSH, dst, src);
    }

    /** {@code wdst ^= imm} (32-bit). */
    public Assembler xor32(Reg dst, int imm) {
        return alu32(Opcode.XOR, dst, imm);
    }

    /** {@code wdst ^= wsrc} (32-bit). */
    public Assembler xor32(Reg dst, Reg src) {
        return alu32(Opcode.XOR, dst, src);
    }

    /** {@code wdst = imm}, zero-extended to 64 bits. */
    public Assembler mov32(Reg dst, int imm) {
        return alu32(Opcode.MOV, dst, imm);
    }

    /** {@code wdst = wsrc}, zero-extended to 64 bits. */
    public Assembler mov32(Reg dst, Reg src) {
        return alu32(Opcode.MOV, dst, src);
    }

    /** {@code wdst = -wdst} (32-bit). */
    public Assembler neg32(Reg dst) {
        return emit(new Instruction(Opcode.ALU | Opcode.NEG | Opcode.K, reg(dst), 0, (short) 0, 0));
    }

    /**
     * {@code wdst = (s8|s16) wsrc}: v4 MOVSX on 32 bits ({@code ALU | MOV | X} with offset
     * {@code bits}); the upper half of {@code dst} becomes zero.
     *
     * @param bits 8 or 16
     */
    public Assembler movsx32(Reg dst, Reg src, int bits) {
        if (bits != 8 && bits != 16) {
            throw new IllegalArgumentException("movsx32 sign-extends 8 or 16 bits, not " + bits);
        }
        return alu(Opcode.ALU, Opcode.MOV, dst, src, bits);
    }

    // ------------------------------------------------------------------------------------------
    // Byte swaps
    // ------------------------------------------------------------------------------------------

    /** {@code dst = le16 dst}: to little-endian, keeping the low 16 bits ({@code ALU | END | TO_LE}). */
    public Assembler le16(Reg dst) {
        return endian(Opcode.ALU | Opcode.END | Opcode.K, dst, 16);
    }

    /** {@code dst = le32 dst}: to little-endian, keeping the low 32 bits. */
    public Assembler le32(Reg dst) {
        return endian(Opcode.ALU | Opcode.END | Opcode.K, dst, 32);
    }

    /** {@code dst = le64 dst}: to little-endian (64 bits). */
    public Assembler le64(Reg dst) {
        return endian(Opcode.ALU | Opcode.END | Opcode.K, dst, 64);
    }

    /** {@code dst = be16 dst}: to big-endian, keeping the low 16 bits ({@code ALU | END | TO_BE}). */
    public Assembler be16(Reg dst) {
        return endian(Opcode.ALU | Opcode.END | Opcode.X, dst, 16);
    }

    /** {@code dst = be32 dst}: to big-endian, keeping the low 32 bits. */
    public Assembler be32(Reg dst) {
        return endian(Opcode.ALU | Opcode.END | Opcode.X, dst, 32);
    }

    /** {@code dst = be64 dst}: to big-endian (64 bits). */
    public Assembler be64(Reg dst) {
        return endian(Opcode.ALU | Opcode.END | Opcode.X, dst, 64);
    }

    /** {@code dst = bswap16 dst}: unconditional byte swap of the low 16 bits (v4, {@code ALU64 | END}). */
    public Assembler bswap16(Reg dst) {
        return endian(Opcode.ALU64 | Opcode.END | Opcode.K, dst, 16);
    }

    /** {@code dst = bswap32 dst}: unconditional byte swap of the low 32 bits (v4). */
    public Assembler bswap32(Reg dst) {
        return endian(Opcode.ALU64 | Opcode.END | Opcode.K, dst, 32);
    }

    /** {@code dst = bswap64 dst}: unconditional byte swap (v4). */
    public Assembler bswap64(Reg dst) {
        return endian(Opcode.ALU64 | Opcode.END | Opcode.K, dst, 64);
    }

    // ------------------------------------------------------------------------------------------
    // Jumps: generic forms
    // ------------------------------------------------------------------------------------------

    /**
     * {@code if dst op imm goto label} on 64 bits ({@code JMP | op | K}).
     *
     * @param op an {@link Opcode} conditional jump operation ({@link Opcode#JEQ} … {@link Opcode#JSLE})
     */
    public Assembler jump(int op, Reg dst, int imm, String label) {
        return conditional(Opcode.JMP, op, Opcode.K, reg(dst), 0, imm, label);
    }

    /** {@code if dst op src goto label} on 64 bits ({@code JMP | op | X}); see {@link #jump(int, Reg, int, String)}. */
    public Assembler jump(int op, Reg dst, Reg src, String label) {
        return conditional(Opcode.JMP, op, Opcode.X, reg(dst), reg(src), 0, label);
    }

    /** {@code if wdst op imm goto label} on 32 bits ({@code JMP32 | op | K}); see {@link #jump(int, Reg, int, String)}. */
    public Assembler jump32(int op, Reg dst, int imm, String label) {
        return conditional(Opcode.JMP32, op, Opcode.K, reg(dst), 0, imm, label);
    }

    /** {@code if wdst op wsrc goto label} on 32 bits ({@code JMP32 | op | X}); see {@link #jump(int, Reg, int, String)}. */
    public Assembler jump32(int op, Reg dst, Reg src, String label) {
        return conditional(Opcode.JMP32, op, Opcode.X, reg(dst), reg(src), 0, label);
    }

    // ------------------------------------------------------------------------------------------
    // Jumps
    // ------------------------------------------------------------------------------------------

    /** {@code goto label} ({@code JMP | JA}, 16-bit offset). */
    public Assembler ja(String label) {
        return emit(new Instruction(Opcode.JMP | Opcode.JA, 0, 0, (short) 0, 0), Target.OFFSET, label, null);
    }

    /** {@code gotol label}: v4 long jump ({@code JMP32 | JA}, the offset in the 32-bit imm). */
    public Assembler ja32(String label) {
        return emit(new Instruction(Opcode.JMP32 | Opcode.JA, 0, 0, (short) 0, 0), Target.IMM, label, null);
    }

    /** {@code if dst == imm goto label}. */
    public Assembler jeq(Reg dst, int imm, String label) {
        return jump(Opcode.JEQ, dst, imm, label);
    }

    /** {@code if dst == src goto label}. */
    public Assembler jeq(Reg dst, Reg src, String label) {
        return jump(Opcode.JEQ, dst, src, label);
    }

    /** {@code if dst != imm goto label}. */
    public Assembler jne(Reg dst, int imm, String label) {
        return jump(Opcode.JNE, dst, imm, label);
    }

    /** {@code if dst != src goto label}. */
    public Assembler jne(Reg dst, Reg src, String label) {
        return jump(Opcode.JNE, dst, src, label);
    }

    /** {@code if dst > imm goto label}, unsigned. */
    public Assembler jgt(Reg dst, int imm, String label) {
        return jump(Opcode.JGT, dst, imm, label);
    }

    /** {@code if dst > src goto label}, unsigned. */
    public Assembler jgt(Reg dst, Reg src, String label) {
        return jump(Opcode.JGT, dst, src, label);
    }

    /** {@code if dst >= imm goto label}, unsigned. */
    public Assembler jge(Reg dst, int imm, String label) {
        return jump(Opcode.JGE, dst, imm, label);
    }

    /** {@code if dst >= src goto label}, unsigned. */
    public Assembler jge(Reg dst, Reg src, String label) {
        return jump(Opcode.JGE, dst, src, label);
    }

    /** {@code if dst < imm goto label}, unsigned. */
    public Assembler jlt(Reg dst, int imm, String label) {
        return jump(Opcode.JLT, dst, imm, label);
    }

    /** {@code if dst < src goto label}, unsigned. */
    public Assembler jlt(Reg dst, Reg src, String label) {
        return jump(Opcode.JLT, dst, src, label);
    }

    /** {@code if dst <= imm goto label}, unsigned. */
    public Assembler jle(Reg dst, int imm, String label) {
        return jump(Opcode.JLE, dst, imm, label);
    }

    /** {@code if dst <= src goto label}, unsigned. */
    public Assembler jle(Reg dst, Reg src, String label) {
        return jump(Opcode.JLE, dst, src, label);
    }

    /** {@code if dst s> imm goto label}, signed. */
    public Assembler jsgt(Reg dst, int imm, String label) {
        return jump(Opcode.JSGT, dst, imm, label);
    }

    /** {@code if dst s> src goto label}, signed. */
    public Assembler jsgt(Reg dst, Reg src, String label) {
        return jump(Opcode.JSGT, dst, src, label);
    }

    /** {@code if dst s>= imm goto label}, signed. */
    public Assembler jsge(Reg dst, int imm, String label) {
        return jump(Opcode.JSGE, dst, imm, label);
    }

    /** {@code if dst s>= src goto label}, signed. */
    public Assembler jsge(Reg dst, Reg src, String label) {
        return jump(Opcode.JSGE, dst, src, label);
    }

    /** {@code if dst s< imm goto label}, signed. */
    public Assembler jslt(Reg dst, int imm, String label) {
        return jump(Opcode.JSLT, dst, imm, label);
    }

    /** {@code if dst s< src goto label}, signed. */
    public Assembler jslt(Reg dst, Reg src, String label) {
        return jump(Opcode.JSLT, dst, src, label);
    }

    /** {@code if dst s<= imm goto label}, signed. */
    public Assembler jsle(Reg dst, int imm, String label) {
        return jump(Opcode.JSLE, dst, imm, label);
    }

    /** {@code if dst s<= src goto label}, signed. */
    public Assembler jsle(Reg dst, Reg src, String label) {
        return jump(Opcode.JSLE, dst, src, label);
    }

    /** {@code if dst & imm goto label}. */
    public Assembler jset(Reg dst, int imm, String label) {
        return jump(Opcode.JSET, dst, imm, label);
    }

    /** {@code if dst & src goto label}. */
    public Assembler jset(Reg dst, Reg src, String label) {
        return jump(Opcode.JSET, dst, src, label);
    }

    /** {@code if wdst == imm goto label} (32-bit compare). */
    public Assembler jeq32(Reg dst, int imm, String label) {
        return jump32(Opcode.JEQ, dst, imm, label);
    }

    /** {@code if wdst == wsrc goto label} (32-bit compare). */
    public Assembler jeq32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JEQ, dst, src, label);
    }

    /** {@code if wdst != imm goto label} (32-bit compare). */
    public Assembler jne32(Reg dst, int imm, String label) {
        return jump32(Opcode.JNE, dst, imm, label);
    }

    /** {@code if wdst != wsrc goto label} (32-bit compare). */
    public Assembler jne32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JNE, dst, src, label);
    }

    /** {@code if wdst > imm goto label}, unsigned (32-bit compare). */
    public Assembler jgt32(Reg dst, int imm, String label) {
        return jump32(Opcode.JGT, dst, imm, label);
    }

    /** {@code if wdst > wsrc goto label}, unsigned (32-bit compare). */
    public Assembler jgt32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JGT, dst, src, label);
    }

    /** {@code if wdst >= imm goto label}, unsigned (32-bit compare). */
    public Assembler jge32(Reg dst, int imm, String label) {
        return jump32(Opcode.JGE, dst, imm, label);
    }

    /** {@code if wdst >= wsrc goto label}, unsigned (32-bit compare). */
    public Assembler jge32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JGE, dst, src, label);
    }

    /** {@code if wdst < imm goto label}, unsigned (32-bit compare). */
    public Assembler jlt32(Reg dst, int imm, String label) {
        return jump32(Opcode.JLT, dst, imm, label);
    }

    /** {@code if wdst < wsrc goto label}, unsigned (32-bit compare). */
    public Assembler jlt32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JLT, dst, src, label);
    }

    /** {@code if wdst <= imm goto label}, unsigned (32-bit compare). */
    public Assembler jle32(Reg dst, int imm, String label) {
        return jump32(Opcode.JLE, dst, imm, label);
    }

    /** {@code if wdst <= wsrc goto label}, unsigned (32-bit compare). */
    public Assembler jle32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JLE, dst, src, label);
    }

    /** {@code if wdst s> imm goto label}, signed (32-bit compare). */
    public Assembler jsgt32(Reg dst, int imm, String label) {
        return jump32(Opcode.JSGT, dst, imm, label);
    }

    /** {@code if wdst s> wsrc goto label}, signed (32-bit compare). */
    public Assembler jsgt32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JSGT, dst, src, label);
    }

    /** {@code if wdst s>= imm goto label}, signed (32-bit compare). */
    public Assembler jsge32(Reg dst, int imm, String label) {
        return jump32(Opcode.JSGE, dst, imm, label);
    }

    /** {@code if wdst s>= wsrc goto label}, signed (32-bit compare). */
    public Assembler jsge32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JSGE, dst, src, label);
    }

    /** {@code if wdst s< imm goto label}, signed (32-bit compare). */
    public Assembler jslt32(Reg dst, int imm, String label) {
        return jump32(Opcode.JSLT, dst, imm, label);
    }

    /** {@code if wdst s< wsrc goto label}, signed (32-bit compare). */
    public Assembler jslt32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JSLT, dst, src, label);
    }

    /** {@code if wdst s<= imm goto label}, signed (32-bit compare). */
    public Assembler jsle32(Reg dst, int imm, String label) {
        return jump32(Opcode.JSLE, dst, imm, label);
    }

    /** {@code if wdst s<= wsrc goto label}, signed (32-bit compare). */
    public Assembler jsle32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JSLE, dst, src, label);
    }

    /** {@code if wdst & imm goto label} (32-bit test). */
    public Assembler jset32(Reg dst, int imm, String label) {
        return jump32(Opcode.JSET, dst, imm, label);
    }

    /** {@code if wdst & wsrc goto label} (32-bit test). */
    public Assembler jset32(Reg dst, Reg src, String label) {
        return jump32(Opcode.JSET, dst, src, label);
    }

    // ------------------------------------------------------------------------------------------
    // Calls and exit
    // ------------------------------------------------------------------------------------------

    /** Calls {@code helper} ({@code JMP | CALL}, imm = the helper id); the result is in R0. */
    public Assembler call(Helper helper) {
        return call(Objects.requireNonNull(helper, "helper").id());
    }

    /** Calls the helper with id {@code helperId} (for helpers {@link Helper} does not name). */
    public Assembler call(int helperId) {
        return emit(new Instruction(Opcode.JMP | Opcode.CALL, 0, 0, (short) 0, helperId));
    }

    /**
     * Calls the kernel function {@code name} ({@code CALL} with src {@link Opcode#PSEUDO_KFUNC_CALL}
     * and imm 0, plus a {@link Relocation.KfuncRef} the backend resolves to the function's id).
     *
     * @throws IllegalArgumentException when the name is blank
     */
    public Assembler callKfunc(String name) {
        Objects.requireNonNull(name, "kfunc name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("kfunc name must not be blank");
        }
        return emit(new Instruction(Opcode.JMP | Opcode.CALL, 0, Opcode.PSEUDO_KFUNC_CALL, (short) 0, 0),
                Target.NONE, null, new Relocation.KfuncRef(slots, name));
    }

    /**
     * Calls the bpf-to-bpf function that starts at {@code label} ({@code CALL} with src
     * {@link Opcode#PSEUDO_CALL}, imm = the relative slot offset, resolved by {@link #build()}).
     */
    public Assembler callLabel(String label) {
        return emit(new Instruction(Opcode.JMP | Opcode.CALL, 0, Opcode.PSEUDO_CALL, (short) 0, 0),
                Target.IMM, label, null);
    }

    /** {@code exit}: returns R0. */
    public Assembler exit() {
        return emit(new Instruction(Opcode.JMP | Opcode.EXIT, 0, 0, (short) 0, 0));
    }

    // ------------------------------------------------------------------------------------------
    // Loads and stores
    // ------------------------------------------------------------------------------------------

    /**
     * {@code dst = *(size *)(src + off)}, zero-extended ({@code LDX | size | MEM}).
     *
     * @param size {@link Opcode#B}, {@link Opcode#H}, {@link Opcode#W} or {@link Opcode#DW}
     * @param off  a signed 16-bit offset
     */
    public Assembler ldx(int size, Reg dst, Reg src, int off) {
        return emit(new Instruction(Opcode.LDX | size(size, "ldx") | Opcode.MEM, reg(dst), reg(src), off(off), 0));
    }

    /** {@code dst = *(u8 *)(src + off)}. */
    public Assembler ldxb(Reg dst, Reg src, int off) {
        return ldx(Opcode.B, dst, src, off);
    }

    /** {@code dst = *(u16 *)(src + off)}. */
    public Assembler ldxh(Reg dst, Reg src, int off) {
        return ldx(Opcode.H, dst, src, off);
    }

    /** {@code dst = *(u32 *)(src + off)}. */
    public Assembler ldxw(Reg dst, Reg src, int off) {
        return ldx(Opcode.W, dst, src, off);
    }

    /** {@code dst = *(u64 *)(src + off)}. */
    public Assembler ldxdw(Reg dst, Reg src, int off) {
        return ldx(Opcode.DW, dst, src, off);
    }

    /**
     * {@code dst = *(s8|s16|s32 *)(src + off)}, sign-extended to 64 bits (v4
     * {@code LDX | size | MEMSX}).
     *
     * @param size {@link Opcode#B}, {@link Opcode#H} or {@link Opcode#W}
     */
    public Assembler ldxsx(int size, Reg dst, Reg src, int off) {
        if (size == Opcode.DW) {
            throw new IllegalArgumentException(
                    "ldxsx loads 1, 2 or 4 bytes (Opcode.B, H or W); a 64-bit load has nothing to extend");
        }
        return emit(new Instruction(Opcode.LDX | size(size, "ldxsx") | Opcode.MEMSX, reg(dst), reg(src), off(off), 0));
    }

    /** {@code dst = *(s8 *)(src + off)}. */
    public Assembler ldxsxb(Reg dst, Reg src, int off) {
        return ldxsx(Opcode.B, dst, src, off);
    }

    /** {@code dst = *(s16 *)(src + off)}. */
    public Assembler ldxsxh(Reg dst, Reg src, int off) {
        return ldxsx(Opcode.H, dst, src, off);
    }

    /** {@code dst = *(s32 *)(src + off)}. */
    public Assembler ldxsxw(Reg dst, Reg src, int off) {
        return ldxsx(Opcode.W, dst, src, off);
    }

    /**
     * {@code *(size *)(dst + off) = src} ({@code STX | size | MEM}).
     *
     * @param size {@link Opcode#B}, {@link Opcode#H}, {@link Opcode#W} or {@link Opcode#DW}
     */
    public Assembler stx(int size, Reg dst, Reg src, int off) {
        return emit(new Instruction(Opcode.STX | size(size, "stx") | Opcode.MEM, reg(dst), reg(src), off(off), 0));
    }

    /** {@code *(u8 *)(dst + off) = src}. */
    public Assembler stxb(Reg dst, Reg src, int off) {
        return stx(Opcode.B, dst, src, off);
    }

    /** {@code *(u16 *)(dst + off) = src}. */
    public Assembler stxh(Reg dst, Reg src, int off) {
        return stx(Opcode.H, dst, src, off);
    }

    /** {@code *(u32 *)(dst + off) = src}. */
    public Assembler stxw(Reg dst, Reg src, int off) {
        return stx(Opcode.W, dst, src, off);
    }

    /** {@code *(u64 *)(dst + off) = src}. */
    public Assembler stxdw(Reg dst, Reg src, int off) {
        return stx(Opcode.DW, dst, src, off);
    }

    /**
     * {@code *(size *)(dst + off) = imm} ({@code ST | size | MEM}; a 64-bit store sign-extends imm).
     *
     * @param size {@link Opcode#B}, {@link Opcode#H}, {@link Opcode#W} or {@link Opcode#DW}
     */
    public Assembler st(int size, Reg dst, int off, int imm) {
        return emit(new Instruction(Opcode.ST | size(size, "st") | Opcode.MEM, reg(dst), 0, off(off), imm));
    }

    /** {@code *(u8 *)(dst + off) = imm}. */
    public Assembler stb(Reg dst, int off, int imm) {
        return st(Opcode.B, dst, off, imm);
    }

    /** {@code *(u16 *)(dst + off) = imm}. */
    public Assembler sth(Reg dst, int off, int imm) {
        return st(Opcode.H, dst, off, imm);
    }

    /** {@code *(u32 *)(dst + off) = imm}. */
    public Assembler stw(Reg dst, int off, int imm) {
        return st(Opcode.W, dst, off, imm);
    }

    /** {@code *(u64 *)(dst + off) = imm}, imm sign-extended. */
    public Assembler stdw(Reg dst, int off, int imm) {
        return st(Opcode.DW, dst, off, imm);
    }

    /**
     * Loads {@code struct.field} of the kernel object {@code src} points to:
     * {@code dst = *(size *)(src + offsetof(struct, field))}. The instruction is emitted with offset
     * 0 and a {@link Relocation.FieldRef} that each backend resolves at load time.
     *
     * @param size {@link Opcode#B}, {@link Opcode#H}, {@link Opcode#W} or {@link Opcode#DW}
     */
    public Assembler ldxField(int size, Reg dst, Reg src, String struct, String field) {
        return ldxField(size, dst, src, struct, field, 0);
    }

    /**
     * As {@link #ldxField(int, Reg, Reg, String, String)}, at {@code off} bytes past the field's
     * start (the backend adds the field's offset to {@code off}).
     */
    public Assembler ldxField(int size, Reg dst, Reg src, String struct, String field, int off) {
        Instruction insn = new Instruction(Opcode.LDX | size(size, "ldxField") | Opcode.MEM, reg(dst), reg(src), off(off), 0);
        return emit(insn, Target.NONE, null, new Relocation.FieldRef(slots, struct, field));
    }

    /**
     * Stores {@code src} into {@code struct.field} of the kernel object {@code dst} points to:
     * {@code *(size *)(dst + offsetof(struct, field)) = src}, with a {@link Relocation.FieldRef}.
     *
     * @param size {@link Opcode#B}, {@link Opcode#H}, {@link Opcode#W} or {@link Opcode#DW}
     */
    public Assembler stxField(int size, Reg dst, Reg src, String struct, String field) {
        return stxField(size, dst, src, struct, field, 0);
    }

    /**
     * As {@link #stxField(int, Reg, Reg, String, String)}, at {@code off} bytes past the field's
     * start.
     */
    public Assembler stxField(int size, Reg dst, Reg src, String struct, String field, int off) {
        Instruction insn = new Instruction(Opcode.STX | size(size, "stxField") | Opcode.MEM, reg(dst), reg(src), off(off), 0);
        return emit(insn, Target.NONE, null, new Relocation.FieldRef(slots, struct, field));
    }

    // ------------------------------------------------------------------------------------------
    // 64-bit immediates and maps
    // ------------------------------------------------------------------------------------------

    /** {@code dst = value}: the two-slot {@code LD_IMM64} with a 64-bit constant. */
    public Assembler lddw(Reg dst, long value) {
        return emit(new Instruction(Opcode.LD_IMM64, reg(dst), 0, (short) 0, value));
    }

    /**
     * {@code dst = map[mapIndex]}: an {@code LD_IMM64} with src {@link Opcode#PSEUDO_MAP_FD} and imm
     * 0, plus a {@link Relocation.MapRef} that the backend resolves to the map's fd or handle.
     *
     * @param mapIndex index into the program's map list
     */
    public Assembler loadMap(Reg dst, int mapIndex) {
        if (mapIndex < 0) {
            throw new IllegalArgumentException("map index must not be negative, got " + mapIndex);
        }
        return emit(new Instruction(Opcode.LD_IMM64, reg(dst), Opcode.PSEUDO_MAP_FD, (short) 0, 0),
                Target.NONE, null, new Relocation.MapRef(slots, mapIndex));
    }

    // ------------------------------------------------------------------------------------------
    // Atomics ({@code STX | size | ATOMIC}, size W or DW)
    // ------------------------------------------------------------------------------------------

    /**
     * An atomic operation on {@code *(size *)(dst + off)} with operand {@code src}
     * ({@code STX | size | ATOMIC}, imm = {@code op}).
     *
     * @param size {@link Opcode#W} or {@link Opcode#DW}
     * @param op   {@link Opcode#ADD}, {@link Opcode#OR}, {@link Opcode#AND} or {@link Opcode#XOR},
     *             each optionally {@code | }{@link Opcode#FETCH}; or {@link Opcode#XCHG} or
     *             {@link Opcode#CMPXCHG}
     */
    public Assembler atomic(int size, int op, Reg dst, Reg src, int off) {
        if (size != Opcode.W && size != Opcode.DW) {
            throw new IllegalArgumentException("atomic operations are 32 or 64 bits (Opcode.W or Opcode.DW), got size field 0x"
                    + Integer.toHexString(size));
        }
        int base = op & ~Opcode.FETCH;
        boolean valid = op == Opcode.XCHG || op == Opcode.CMPXCHG
                || base == Opcode.ADD || base == Opcode.OR || base == Opcode.AND || base == Opcode.XOR;
        if (!valid) {
            throw new IllegalArgumentException("not an atomic operation: 0x" + Integer.toHexString(op)
                    + " (ADD, OR, AND, XOR, optionally | FETCH; XCHG; CMPXCHG)");
        }
        return emit(new Instruction(Opcode.STX | size | Opcode.ATOMIC, reg(dst), reg(src), off(off), op));
    }

    /** {@code lock *(size *)(dst + off) += src}. */
    public Assembler atomicAdd(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.ADD, dst, src, off);
    }

    /** {@code lock *(size *)(dst + off) |= src}. */
    public Assembler atomicOr(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.OR, dst, src, off);
    }

    /** {@code lock *(size *)(dst + off) &= src}. */
    public Assembler atomicAnd(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.AND, dst, src, off);
    }

    /** {@code lock *(size *)(dst + off) ^= src}. */
    public Assembler atomicXor(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.XOR, dst, src, off);
    }

    /** {@code src = atomic_fetch_add((size *)(dst + off), src)}: adds, {@code src} gets the old value. */
    public Assembler atomicFetchAdd(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.ADD | Opcode.FETCH, dst, src, off);
    }

    /** {@code src = atomic_fetch_or((size *)(dst + off), src)}. */
    public Assembler atomicFetchOr(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.OR | Opcode.FETCH, dst, src, off);
    }

    /** {@code src = atomic_fetch_and((size *)(dst + off), src)}. */
    public Assembler atomicFetchAnd(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.AND | Opcode.FETCH, dst, src, off);
    }

    /** {@code src = atomic_fetch_xor((size *)(dst + off), src)}. */
    public Assembler atomicFetchXor(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.XOR | Opcode.FETCH, dst, src, off);
    }

    /** {@code src = atomic_xchg((size *)(dst + off), src)}. */
    public Assembler atomicXchg(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.XCHG, dst, src, off);
    }

    /**
     * {@code r0 = atomic_cmpxchg((size *)(dst + off), r0, src)}: stores {@code src} if the memory
     * equals R0; R0 gets the old value either way.
     */
    public Assembler atomicCmpxchg(int size, Reg dst, Reg src, int off) {
        return atomic(size, Opcode.CMPXCHG, dst, src, off);
    }

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

    private Assembler alu(int cls, int op, Reg dst, int imm, int off) {
        checkAluOp(op);
        return emit(new Instruction(cls | op | Opcode.K, reg(dst), 0, (short) off, imm));
    }

    private Assembler alu(int cls, int op, Reg dst, Reg src, int off) {
        checkAluOp(op);
        return emit(new Instruction(cls | op | Opcode.X, reg(dst), reg(src), (short) off, 0));
    }

    private static void checkAluOp(int op) {
        if ((op & ~0xf0) != 0 || op == Opcode.NEG || op == Opcode.END || op > Opcode.ARSH) {
            throw new IllegalArgumentException("not a binary ALU operation: 0x" + Integer.toHexString(op)
                    + " (use neg64/neg32 for NEG and the le/be/bswap methods for END)");
        }
    }

    private Assembler endian(int opcode, Reg dst, int bits) {
        return emit(new Instruction(opcode, reg(dst), 0, (short) 0, bits));
    }

    private Assembler conditional(int cls, int op, int source, int dst, int src, int imm, String label) {
        boolean conditional = op == Opcode.JEQ || op == Opcode.JGT || op == Opcode.JGE || op == Opcode.JSET
                || op == Opcode.JNE || op == Opcode.JSGT || op == Opcode.JSGE || op == Opcode.JLT
                || op == Opcode.JLE || op == Opcode.JSLT || op == Opcode.JSLE;
        if (!conditional) {
            throw new IllegalArgumentException("not a conditional jump operation: 0x" + Integer.toHexString(op)
                    + " (use ja/ja32, call and exit for the others)");
        }
        return emit(new Instruction(cls | op | source, dst, src, (short) 0, imm), Target.OFFSET, label, null);
    }

    private Assembler emit(Instruction insn) {
        return emit(insn, Target.NONE, null, null);
    }

    private Assembler emit(Instruction insn, Target target, String label, Relocation relocation) {
        if (target != Target.NONE) {
            checkLabelName(label);
        }
        if (slots + insn.slots() > BpfBytecode.MAX_INSNS) {
            throw new IllegalStateException("program exceeds " + BpfBytecode.MAX_INSNS + " instruction slots");
        }
        pending.add(new Pending(slots, insn, target, label, relocation));
        slots += insn.slots();
        return this;
    }

    private Instruction resolve(Pending p) {
        Instruction insn = p.insn();
        if (p.target() == Target.NONE) {
            return insn;
        }
        Integer target = labels.get(p.label());
        if (target == null) {
            throw new IllegalStateException("undefined label '" + p.label() + "' (used at slot " + p.slot() + ")");
        }
        if (target >= slots) {
            throw new IllegalStateException("label '" + p.label() + "' (used at slot " + p.slot()
                    + ") marks the end of the program: no instruction follows it");
        }
        int delta = target - (p.slot() + 1);
        if (p.target() == Target.IMM) {
            return new Instruction(insn.opcode(), insn.dst(), insn.src(), insn.offset(), delta);
        }
        if (delta != (short) delta) {
            throw new IllegalStateException("jump at slot " + p.slot() + " to label '" + p.label() + "' needs offset "
                    + delta + ", outside the 16-bit offset field (-32768..32767); use ja32 for long jumps");
        }
        return new Instruction(insn.opcode(), insn.dst(), insn.src(), (short) delta, insn.constant());
    }

    private static void checkMapIndexes(BpfBytecode code, List<MapSpec> maps) {
        Objects.requireNonNull(maps, "maps");
        for (Relocation r : code.relocations()) {
            if (r instanceof Relocation.MapRef m && m.mapIndex() >= maps.size()) {
                throw new IllegalArgumentException("loadMap at slot " + m.slot() + " refers to map index "
                        + m.mapIndex() + " but the program declares " + maps.size() + " map(s)");
            }
        }
    }

    private static void checkLabelName(String name) {
        Objects.requireNonNull(name, "label");
        if (name.isBlank()) {
            throw new IllegalArgumentException("label names must not be blank");
        }
    }

    private static int reg(Reg r) {
        return Objects.requireNonNull(r, "register").number();
    }

    private static int size(int size, String what) {
        if (size != Opcode.B && size != Opcode.H && size != Opcode.W && size != Opcode.DW) {
            throw new IllegalArgumentException(what + ": size must be Opcode.B, H, W or DW (the size field), got 0x"
                    + Integer.toHexString(size));
        }
        return size;
    }

    private static short off(int off) {
        if (off != (short) off) {
            throw new IllegalArgumentException("offset " + off + " does not fit the signed 16-bit offset field");
        }
        return (short) off;
    }
}
