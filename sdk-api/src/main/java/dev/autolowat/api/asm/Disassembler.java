package dev.autolowat.api.asm;

import dev.autolowat.api.program.BpfBytecode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders eBPF instructions as text that reads like {@code bpftool prog dump xlated} (the kernel's
 * {@code kernel/bpf/disasm.c}): one line per instruction, led by its slot number and opcode byte.
 *
 * <pre>
 *    0: (bf) r6 = r1
 *    1: (61) r2 = *(u32 *)(r6 +0)
 *    2: (55) if r2 != 0x15 goto pc+3
 *    3: (85) call bpf_skb_load_bytes#26
 *    4: (85) call bpf_sock_ops_tcp_set_rcvlowat (kfunc)
 *    5: (18) r1 = map[id:0]
 *    7: (61) r3 = *(u32 *)(r2 +0) ; tcp_sock.copied_seq
 *    8: (95) exit
 * </pre>
 *
 * <p>Relocations are shown where the backend will fill them in: a map load shows the map's index
 * ({@code map[id:N]}), a kfunc call its name, a relocatable field access its {@code struct.field}
 * after a {@code ;}. 32-bit ALU operations and jumps use the {@code w} registers. An LD_IMM64
 * takes two slots, so the next line's number skips one.
 *
 * <p>The disassembler never throws on well-framed bytecode: an opcode that is not in the
 * instruction set renders as {@code (xx) unknown opcode}, a truncated or malformed LD_IMM64 as
 * {@code (18) invalid ld_imm64: ...} (and the next slot is shown as its own instruction).
 */
public final class Disassembler {
    private static final String[] LDST = {"u32", "u16", "u8", "u64"};
    private static final String[] LDSX = {"s32", "s16", "s8", null};
    private static final String[] ALU_OPS = {
        "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", null, null,
    };
    private static final String[] JMP_OPS = {
        "jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", null, null,
    };
    private static final String[] ATOMIC_OPS = {
        "add", null, null, null, "or", "and", null, null, null, null, "xor", null, null, null, null, null,
    };
    /** {@code BPF_JCOND}: the kernel's conditional pseudo jumps ({@code may_goto}). */
    private static final int JCOND = 0xe0;

    private Disassembler() {
    }

    /**
     * The whole program, one line per instruction, each ending in a newline.
     *
     * @param code the program; its relocations annotate the instructions they name
     */
    public static String disassemble(BpfBytecode code) {
        StringBuilder out = new StringBuilder();
        for (String line : lines(code)) {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /**
     * The program's lines without newlines, e.g. {@code "   0: (bf) r6 = r1"}: the slot number
     * right-aligned in four columns, a colon and the instruction as {@link #format(Instruction,
     * Relocation)} renders it.
     */
    public static List<String> lines(BpfBytecode code) {
        byte[] bytes = code.toByteArray();
        Map<Integer, Relocation> bySlot = new HashMap<>();
        for (Relocation r : code.relocations()) {
            bySlot.put(r.slot(), r);
        }
        List<String> out = new ArrayList<>();
        int slots = code.slots();
        for (int slot = 0; slot < slots; ) {
            String text;
            int advance;
            try {
                Instruction insn = Instruction.decode(bytes, slot);
                text = format(insn, bySlot.get(slot));
                advance = insn.slots();
            } catch (IllegalArgumentException e) {
                // Only an LD_IMM64 without a proper second slot fails to decode.
                text = fmt("(%02x) invalid ld_imm64: %s", bytes[slot * Instruction.SLOT_SIZE] & 0xff,
                        slot + 1 < slots ? "the second slot must be zero but for its imm" : "no second slot");
                advance = 1;
            }
            out.add(fmt("%4d: %s", slot, text));
            slot += advance;
        }
        return out;
    }

    /** One instruction without relocation, e.g. {@code "(bf) r6 = r1"}. */
    public static String format(Instruction insn) {
        return format(insn, null);
    }

    /**
     * One instruction, e.g. {@code "(bf) r6 = r1"}, annotated with {@code relocation} (which may be
     * {@code null}): a {@link Relocation.MapRef} on an LD_IMM64 shows as {@code map[id:N]}, a
     * {@link Relocation.KfuncRef} on a kfunc call as {@code call NAME (kfunc)}, a
     * {@link Relocation.FieldRef} (or a relocation on an instruction it does not fit) as a
     * {@code ; ...} comment.
     */
    public static String format(Instruction insn, Relocation relocation) {
        String body = body(insn, relocation);
        String text = fmt("(%02x) %s", insn.opcode(), body == null ? "unknown opcode" : body);
        String comment = comment(insn, relocation);
        return comment == null ? text : text + " ; " + comment;
    }

    private static String comment(Instruction insn, Relocation relocation) {
        if (relocation instanceof Relocation.FieldRef f) {
            return f.struct() + "." + f.field();
        }
        if (relocation instanceof Relocation.MapRef m && !insn.isLoadImm64()) {
            return "map[id:" + m.mapIndex() + "]";
        }
        if (relocation instanceof Relocation.KfuncRef k && !isKfuncCall(insn)) {
            return "kfunc " + k.name();
        }
        return null;
    }

    private static boolean isKfuncCall(Instruction insn) {
        return insn.opcode() == (Opcode.JMP | Opcode.CALL) && insn.src() == Opcode.PSEUDO_KFUNC_CALL;
    }

    /** The text after the opcode byte, or {@code null} for an opcode outside the instruction set. */
    private static String body(Instruction insn, Relocation relocation) {
        return switch (Opcode.instructionClass(insn.opcode())) {
            case Opcode.ALU, Opcode.ALU64 -> alu(insn);
            case Opcode.STX -> stx(insn);
            case Opcode.ST -> st(insn);
            case Opcode.LDX -> ldx(insn);
            case Opcode.LD -> ld(insn, relocation);
            default -> jmp(insn, relocation);
        };
    }

    private static String alu(Instruction insn) {
        int code = insn.opcode();
        boolean is32 = Opcode.instructionClass(code) == Opcode.ALU;
        char w = is32 ? 'w' : 'r';
        int op = Opcode.operation(code);
        int dst = insn.dst();
        int src = insn.src();
        boolean x = Opcode.source(code) == Opcode.X;
        if (op == Opcode.END) {
            if (!is32) {
                // ALU64 | END | X is reserved.
                return x ? null : fmt("r%d = bswap%d r%d", dst, insn.imm(), dst);
            }
            return fmt("r%d = %s%d r%d", dst, x ? "be" : "le", insn.imm(), dst);
        }
        if (op == Opcode.NEG) {
            return x ? null : fmt("%c%d = -%c%d", w, dst, w, dst);
        }
        String sym = ALU_OPS[op >> 4];
        if (sym == null) {
            return null;
        }
        boolean signed = (op == Opcode.DIV || op == Opcode.MOD) && insn.offset() == 1;
        if (signed) {
            sym = "s" + sym;
        }
        if (!x) {
            return fmt("%c%d %s %d", w, dst, sym, insn.imm());
        }
        if (code == (Opcode.ALU64 | Opcode.MOV | Opcode.X) && insn.offset() == 1) {
            return fmt("r%d = addr_space_cast(r%d, %d, %d)", dst, src, insn.imm() >>> 16, insn.imm() & 0xffff);
        }
        if (code == (Opcode.ALU64 | Opcode.MOV | Opcode.X) && insn.offset() == -1) {
            return fmt("r%d = &(void __percpu *)(r%d)", dst, src);
        }
        String cast = "";
        if (op == Opcode.MOV) {
            cast = switch (insn.offset()) {
                case 8 -> "(s8)";
                case 16 -> "(s16)";
                case 32 -> "(s32)";
                default -> "";
            };
        }
        return fmt("%c%d %s %s%c%d", w, dst, sym, cast, w, src);
    }

    private static String stx(Instruction insn) {
        int code = insn.opcode();
        String size = LDST[Opcode.size(code) >> 3];
        int dst = insn.dst();
        int src = insn.src();
        String off = offset(insn.offset());
        if (Opcode.mode(code) == Opcode.MEM) {
            return fmt("*(%s *)(r%d %s) = r%d", size, dst, off, src);
        }
        if (Opcode.mode(code) != Opcode.ATOMIC || (Opcode.size(code) != Opcode.W && Opcode.size(code) != Opcode.DW)) {
            return null;
        }
        int imm = insn.imm();
        String bits = Opcode.size(code) == Opcode.DW ? "64" : "";
        String atomicOp = (imm & ~(0xf0 | Opcode.FETCH)) == 0 ? ATOMIC_OPS[(imm >> 4) & 0xf] : null;
        if (atomicOp != null && (imm & Opcode.FETCH) == 0) {
            return fmt("lock *(%s *)(r%d %s) %s r%d", size, dst, off, ALU_OPS[imm >> 4], src);
        }
        if (atomicOp != null) {
            return fmt("r%d = atomic%s_fetch_%s((%s *)(r%d %s), r%d)", src, bits, atomicOp, size, dst, off, src);
        }
        if (imm == Opcode.CMPXCHG) {
            return fmt("r0 = atomic%s_cmpxchg((%s *)(r%d %s), r0, r%d)", bits, size, dst, off, src);
        }
        if (imm == Opcode.XCHG) {
            return fmt("r%d = atomic%s_xchg((%s *)(r%d %s), r%d)", src, bits, size, dst, off, src);
        }
        return fmt("unknown atomic operation 0x%x", imm);
    }

    private static String st(Instruction insn) {
        int code = insn.opcode();
        if (Opcode.mode(code) == Opcode.MEM) {
            return fmt("*(%s *)(r%d %s) = %d", LDST[Opcode.size(code) >> 3], insn.dst(),
                    offset(insn.offset()), insn.imm());
        }
        // BPF_NOSPEC: a speculation barrier the verifier inserts (no uapi name).
        return Opcode.mode(code) == 0xc0 ? "nospec" : null;
    }

    private static String ldx(Instruction insn) {
        int code = insn.opcode();
        String size = switch (Opcode.mode(code)) {
            case Opcode.MEM -> LDST[Opcode.size(code) >> 3];
            case Opcode.MEMSX -> LDSX[Opcode.size(code) >> 3];
            default -> null;
        };
        return size == null ? null
                : fmt("r%d = *(%s *)(r%d %s)", insn.dst(), size, insn.src(), offset(insn.offset()));
    }

    private static String ld(Instruction insn, Relocation relocation) {
        int code = insn.opcode();
        int size = Opcode.size(code);
        switch (Opcode.mode(code)) {
            case Opcode.ABS:
                return size == Opcode.DW ? null : fmt("r0 = *(%s *)skb[%d]", LDST[size >> 3], insn.imm());
            case Opcode.IND:
                return size == Opcode.DW ? null
                        : fmt("r0 = *(%s *)skb[r%d + %d]", LDST[size >> 3], insn.src(), insn.imm());
            case Opcode.IMM:
                return insn.isLoadImm64() ? fmt("r%d = %s", insn.dst(), imm64(insn, relocation)) : null;
            default:
                return null;
        }
    }

    private static String imm64(Instruction insn, Relocation relocation) {
        if (relocation instanceof Relocation.MapRef m) {
            return "map[id:" + m.mapIndex() + "]";
        }
        long low = insn.constant() & 0xffffffffL;
        long high = insn.constant() >>> 32;
        return switch (insn.src()) {
            case Opcode.PSEUDO_MAP_FD -> "map[id:" + low + "]";
            case Opcode.PSEUDO_MAP_VALUE -> "map[id:" + low + "][0]+" + high;
            case Opcode.PSEUDO_MAP_IDX -> "map[idx:" + low + "]";
            case 6 /* BPF_PSEUDO_MAP_IDX_VALUE */ -> "map[idx:" + low + "]+" + high;
            case 4 /* BPF_PSEUDO_FUNC */ -> fmt("subprog[%+d]", insn.imm());
            default -> "0x" + Long.toHexString(insn.constant());
        };
    }

    private static String jmp(Instruction insn, Relocation relocation) {
        int code = insn.opcode();
        boolean is32 = Opcode.instructionClass(code) == Opcode.JMP32;
        int op = Opcode.operation(code);
        boolean x = Opcode.source(code) == Opcode.X;
        if (op == Opcode.CALL) {
            return is32 || x ? null : call(insn, relocation);
        }
        if (op == Opcode.EXIT) {
            return is32 || x ? null : "exit";
        }
        if (op == Opcode.JA) {
            if (x) {
                return null;
            }
            return is32 ? fmt("gotol pc%+d", insn.imm()) : fmt("goto pc%+d", insn.offset());
        }
        if (op == JCOND) {
            return !is32 && !x && insn.src() == 0 ? fmt("may_goto pc%+d", insn.offset()) : null;
        }
        String sym = JMP_OPS[op >> 4];
        if (sym == null) {
            return null;
        }
        char w = is32 ? 'w' : 'r';
        if (x) {
            return fmt("if %c%d %s %c%d goto pc%+d", w, insn.dst(), sym, w, insn.src(), insn.offset());
        }
        return fmt("if %c%d %s 0x%x goto pc%+d", w, insn.dst(), sym, insn.imm(), insn.offset());
    }

    private static String call(Instruction insn, Relocation relocation) {
        if (insn.src() == Opcode.PSEUDO_CALL) {
            return fmt("call pc%+d", insn.imm());
        }
        if (insn.src() == Opcode.PSEUDO_KFUNC_CALL) {
            return relocation instanceof Relocation.KfuncRef k
                    ? "call " + k.name() + " (kfunc)"
                    : "call kernel-function#" + insn.imm();
        }
        String name = insn.src() == 0 ? HelperNames.of(insn.imm()) : null;
        return "call " + (name == null ? "unknown" : name) + "#" + insn.imm();
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** {@code %+d}: {@code +0}, {@code -8}. */
    private static String offset(int off) {
        return off < 0 ? Integer.toString(off) : "+" + off;
    }
}
