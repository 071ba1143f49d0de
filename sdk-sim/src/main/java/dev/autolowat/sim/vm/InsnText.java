package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;

/**
 * The text of one instruction, in the style of {@code bpftool prog dump xlated} (and of the
 * kernel's {@code kernel/bpf/disasm.c}), for the VM's error messages. It never throws: an
 * instruction the VM does not know reads {@code (xx) unknown opcode}.
 */
public final class InsnText {
    private InsnText() {
    }

    /** Formats {@code insn}. */
    public static String format(Instruction insn) {
        return format(insn.opcode(), insn.dst(), insn.src(), insn.offset(), insn.constant());
    }

    /** Formats the fields of an instruction ({@code imm} is the 64-bit constant for LD_IMM64). */
    public static String format(int code, int dst, int src, int off, long imm) {
        int cls = code & 0x07;
        switch (cls) {
            case Opcode.ALU:
            case Opcode.ALU64:
                return alu(code, dst, src, off, (int) imm, cls == Opcode.ALU64);
            case Opcode.LDX:
                if ((code & 0xe0) == Opcode.MEM || (code & 0xe0) == Opcode.MEMSX) {
                    boolean sx = (code & 0xe0) == Opcode.MEMSX;
                    return "r" + dst + " = *(" + (sx ? "s" : "u") + bits(code) + " *)(r" + src + " " + signed(off) + ")";
                }
                return unknown(code);
            case Opcode.ST:
                if ((code & 0xe0) == Opcode.MEM) {
                    return "*(u" + bits(code) + " *)(r" + dst + " " + signed(off) + ") = " + (int) imm;
                }
                return unknown(code);
            case Opcode.STX:
                if ((code & 0xe0) == Opcode.MEM) {
                    return "*(u" + bits(code) + " *)(r" + dst + " " + signed(off) + ") = r" + src;
                }
                if ((code & 0xe0) == Opcode.ATOMIC) {
                    return atomic(code, dst, src, off, (int) imm);
                }
                return unknown(code);
            case Opcode.LD:
                if (code == Opcode.LD_IMM64) {
                    return switch (src) {
                        case 0 -> "r" + dst + " = 0x" + Long.toHexString(imm) + " ll";
                        case Opcode.PSEUDO_MAP_FD -> "r" + dst + " = map[id:" + (int) imm + "]";
                        case Opcode.PSEUDO_MAP_VALUE -> "r" + dst + " = map[id:" + (int) imm + "][0]+" + (int) (imm >>> 32);
                        default -> "r" + dst + " = 0x" + Long.toHexString(imm) + " ll (pseudo src " + src + ")";
                    };
                }
                return unknown(code);
            default:
                return jump(code, dst, src, off, (int) imm, cls == Opcode.JMP32);
        }
    }

    private static String alu(int code, int dst, int src, int off, int imm, boolean is64) {
        String r = is64 ? "r" : "w";
        boolean x = (code & 0x08) != 0;
        String operand = x ? r + src : Integer.toString(imm);
        int op = code & 0xf0;
        String d = r + dst;
        return switch (op) {
            case Opcode.ADD -> d + " += " + operand;
            case Opcode.SUB -> d + " -= " + operand;
            case Opcode.MUL -> d + " *= " + operand;
            case Opcode.DIV -> d + (off == 1 ? " s/= " : " /= ") + operand;
            case Opcode.OR -> d + " |= " + operand;
            case Opcode.AND -> d + " &= " + operand;
            case Opcode.LSH -> d + " <<= " + operand;
            case Opcode.RSH -> d + " >>= " + operand;
            case Opcode.NEG -> d + " = -" + d;
            case Opcode.MOD -> d + (off == 1 ? " s%= " : " %= ") + operand;
            case Opcode.XOR -> d + " ^= " + operand;
            case Opcode.MOV -> x && off != 0 ? d + " = (s" + off + ")" + r + src : d + " = " + operand;
            case Opcode.ARSH -> d + " s>>= " + operand;
            case Opcode.END -> {
                String kind = is64 ? "bswap" : x ? "be" : "le";
                yield "r" + dst + " = " + kind + imm + " r" + dst;
            }
            default -> unknown(code);
        };
    }

    private static String atomic(int code, int dst, int src, int off, int imm) {
        boolean dw = (code & 0x18) == Opcode.DW;
        String size = dw ? "u64" : "u32";
        String fn = dw ? "atomic64_" : "atomic_";
        String r = dw ? "r" : "w";
        String addr = "(" + size + " *)(r" + dst + " " + signed(off) + ")";
        String name = switch (imm & ~Opcode.FETCH) {
            case Opcode.ADD -> "add";
            case Opcode.AND -> "and";
            case Opcode.OR -> "or";
            case Opcode.XOR -> "xor";
            default -> null;
        };
        if (imm == Opcode.XCHG) {
            return r + src + " = " + fn + "xchg(" + addr + ", " + r + src + ")";
        }
        if (imm == Opcode.CMPXCHG) {
            return "r0 = " + fn + "cmpxchg(" + addr + ", r0, " + r + src + ")";
        }
        if (name == null) {
            return "(" + hex(code) + ") atomic with unknown operation 0x" + Integer.toHexString(imm);
        }
        if ((imm & Opcode.FETCH) != 0) {
            return r + src + " = " + fn + "fetch_" + name + "(" + addr + ", " + r + src + ")";
        }
        String sym = switch (name) {
            case "add" -> "+=";
            case "and" -> "&=";
            case "or" -> "|=";
            default -> "^=";
        };
        return "lock *" + addr + " " + sym + " " + r + src;
    }

    private static String jump(int code, int dst, int src, int off, int imm, boolean is32) {
        int op = code & 0xf0;
        boolean x = (code & 0x08) != 0;
        String r = is32 ? "w" : "r";
        switch (op) {
            case Opcode.JA:
                return is32 ? "gotol pc" + signed(imm) : "goto pc" + signed(off);
            case Opcode.CALL:
                if (src == Opcode.PSEUDO_CALL) {
                    return "call pc" + signed(imm);
                }
                if (src == Opcode.PSEUDO_KFUNC_CALL) {
                    return "call kfunc#" + imm + (Kfunc.ofId(imm) != null ? " (" + Kfunc.ofId(imm).kernelName() + ")" : "");
                }
                Helper h = Helper.ofId(imm);
                return "call " + (h != null ? h.kernelName() : "unknown") + "#" + imm;
            case Opcode.EXIT:
                return "exit";
            default:
                break;
        }
        String cmp = switch (op) {
            case Opcode.JEQ -> "==";
            case Opcode.JGT -> ">";
            case Opcode.JGE -> ">=";
            case Opcode.JSET -> "&";
            case Opcode.JNE -> "!=";
            case Opcode.JSGT -> "s>";
            case Opcode.JSGE -> "s>=";
            case Opcode.JLT -> "<";
            case Opcode.JLE -> "<=";
            case Opcode.JSLT -> "s<";
            case Opcode.JSLE -> "s<=";
            default -> null;
        };
        if (cmp == null) {
            return unknown(code);
        }
        return "if " + r + dst + " " + cmp + " " + (x ? r + src : Integer.toString(imm)) + " goto pc" + signed(off);
    }

    private static int bits(int code) {
        return 8 * dev.autolowat.api.asm.Encoding.accessSize(code);
    }

    private static String signed(int v) {
        return v < 0 ? Integer.toString(v) : "+" + v;
    }

    private static String hex(int code) {
        return String.format("%02x", code);
    }

    private static String unknown(int code) {
        return "(" + hex(code) + ") unknown opcode";
    }
}
