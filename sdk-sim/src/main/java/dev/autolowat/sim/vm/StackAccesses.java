package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Opcode;

/**
 * What the translator knows at translation time of a program's accesses to its stack frames
 * ({@link JitCompiler}, decision D26): where its stores through r10 can write, and which 8-byte
 * slots can never hold a spilled pointer. Both only let translated code leave out bookkeeping whose
 * result is known; the checks and faults stay the interpreter's.
 *
 * <p>r10 is never written, so {@code r10 + off} with the instruction's constant {@code off} is a
 * known offset in the frame. A stack pointer exists in any other place (another register, memory,
 * a helper's argument) only when an instruction reads r10 as a value: an ALU operation or a jump
 * with r10 as an operand, or a store of r10. When no instruction does ({@link #stackPointerEscapes}
 * is false), every access to a frame's stack is a load, store or atomic through r10 at a constant
 * offset of the frame's own subprogram, and nothing else (no helper, no other frame, no other
 * register) writes there.
 */
final class StackAccesses {
    private StackAccesses() {
    }

    /**
     * Whether some instruction reads r10 as a value rather than as the base of a load, store or
     * atomic: then a pointer into a stack frame may be copied anywhere, and any store or helper may
     * write any part of any frame. Conservative: r10 in any operand position that is not such a
     * base counts, whether or not the instruction would be accepted or fault.
     */
    static boolean stackPointerEscapes(VmProgram p) {
        for (int pc = 0; pc < p.slots; pc = next(p, pc)) {
            int c = p.code[pc];
            int cls = c & 7;
            int op = c & 0xf0;
            int d = p.dst[pc];
            int s = p.src[pc];
            boolean escapes = switch (cls) {
                case Opcode.ALU, Opcode.ALU64 -> d == 10 || ((c & Opcode.X) != 0 && s == 10);
                case Opcode.JMP, Opcode.JMP32 -> op != Opcode.CALL && op != Opcode.EXIT && op != Opcode.JA
                        && (d == 10 || ((c & Opcode.X) != 0 && s == 10));
                case Opcode.LDX -> d == 10; // r10 as the base is the frame at a constant offset
                case Opcode.ST -> false; // r10 as the base; the value is the immediate
                case Opcode.STX -> s == 10; // r10 stored (spilled) is a copy of the frame pointer
                default -> d == 10; // LD_IMM64 writing r10 (the loader refuses it)
            };
            if (escapes) {
                return true;
            }
        }
        return false;
    }

    /**
     * The 8-byte slots of the frame of the subprogram {@code [from, to)} that never hold a spilled
     * pointer, as a bit per slot (bit {@code i}: bytes {@code [8i, 8i+8)} of the frame); 0 when
     * {@code escapes} (nothing is known). A slot holds a pointer only after an aligned 8-byte
     * {@code STX} of a register that is not a scalar; with no escaping stack pointer the only such
     * stores into this frame are the subprogram's own {@code STX} through r10, so a slot none of
     * whose 8-byte stores can store a non-scalar (by the register facts) stays as the frame's
     * entry leaves it: no pointer. Atomics never spill pointers (they take scalars).
     */
    static long pointerFreeSlots(VmProgram p, JitCompiler.RegisterFacts facts, boolean escapes, int from, int to) {
        if (escapes) {
            return 0;
        }
        long free = -1L;
        for (int pc = from; pc < to; pc = next(p, pc)) {
            int c = p.code[pc];
            if ((c & 7) != Opcode.STX || (c & 0xe0) == Opcode.ATOMIC || (c & 0x18) != Opcode.DW
                    || p.dst[pc] != 10 || facts.scalar(pc, p.src[pc])) {
                continue;
            }
            int at = JitCompiler.staticStackOffset(p.off[pc], 8);
            if (at >= 0) { // out of the frame or misaligned, the store faults and spills nothing
                free &= ~(1L << (at >> 3));
            }
        }
        return free;
    }

    /**
     * The byte range {@code {lo, hi}} of the frame that the non-atomic stores through r10 in slots
     * {@code [from, to)} can write (those whose constant offset is inside the frame and aligned:
     * the others fault), or null when there are none.
     */
    static int[] storeExtent(VmProgram p, int from, int to) {
        int lo = StackRegion.SIZE;
        int hi = 0;
        for (int pc = from; pc < to; pc = next(p, pc)) {
            int c = p.code[pc];
            int cls = c & 7;
            if ((cls != Opcode.ST && cls != Opcode.STX) || (c & 0xe0) == Opcode.ATOMIC || p.dst[pc] != 10) {
                continue;
            }
            int size = Opcode.sizeInBytes(c & 0x18);
            int at = JitCompiler.staticStackOffset(p.off[pc], size);
            if (at >= 0) {
                lo = Math.min(lo, at);
                hi = Math.max(hi, at + size);
            }
        }
        return lo < hi ? new int[] {lo, hi} : null;
    }

    /**
     * Whether frame 0 needs no zero-filling when an invocation starts (decision D27): with no
     * escaping stack pointer, every byte that a load or an atomic through r10 in the entry
     * subprogram {@code [0, to)} reads was written by a store through r10 earlier on every path from
     * the entry, so the bytes and spilled-pointer marks a previous invocation left are never
     * observed (a store writes its slot's mark too, or the slot is pointer-free and its mark always
     * 0). A forward "written on every path" analysis over the subprogram's control flow, one bit per
     * byte of the frame; an access whose constant offset is out of the frame or misaligned faults
     * before it reads and requires nothing. Only frame 0 qualifies: a callee's frame is shared by
     * whatever subprogram is called at its depth, and frame 0 only ever holds the entry subprogram.
     */
    static boolean frameZeroWrittenBeforeRead(VmProgram p, boolean escapes, int to) {
        if (escapes) {
            return false;
        }
        final int words = StackRegion.SIZE / 64;
        long[][] in = new long[to][];
        in[0] = new long[words]; // nothing written on entry
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
        work.add(0);
        long[] out = new long[words];
        while (!work.isEmpty()) {
            int pc = work.poll();
            System.arraycopy(in[pc], 0, out, 0, words);
            int c = p.code[pc];
            int cls = c & 7;
            int size = cls == Opcode.LDX || cls == Opcode.ST || cls == Opcode.STX ? Opcode.sizeInBytes(c & 0x18) : 0;
            int at = size == 0 ? -1 : JitCompiler.staticStackOffset(p.off[pc], size);
            if (at >= 0) {
                boolean reads = (cls == Opcode.LDX && p.src[pc] == 10)
                        || (cls == Opcode.STX && (c & 0xe0) == Opcode.ATOMIC && p.dst[pc] == 10);
                boolean writes = (cls == Opcode.ST || cls == Opcode.STX) && p.dst[pc] == 10;
                if (reads && !allSet(out, at, size)) {
                    return false;
                }
                if (writes) {
                    setRange(out, at, size);
                }
            }
            int[] successors = successors(p, pc);
            if (successors == null) {
                return false; // control leaves the subprogram other than by exit: not analysed
            }
            for (int next : successors) {
                if (next < 0 || next >= to) {
                    return false;
                }
                if (in[next] == null) {
                    in[next] = out.clone();
                    work.add(next);
                } else if (meet(in[next], out)) {
                    work.add(next);
                }
            }
        }
        return true;
    }

    /** The slots control can go to after slot {@code pc}: none after an exit; null for what is not a jump inside the program. */
    private static int[] successors(VmProgram p, int pc) {
        int c = p.code[pc];
        int cls = c & 7;
        if (cls != Opcode.JMP && cls != Opcode.JMP32) {
            return new int[] {next(p, pc)};
        }
        int op = c & 0xf0;
        if (op == Opcode.EXIT) {
            return cls == Opcode.JMP ? new int[0] : null;
        }
        if (op == Opcode.CALL) {
            return new int[] {pc + 1}; // a callee runs in its own frame: without an escaping r10 it cannot reach this one
        }
        if (op == Opcode.JA) {
            return new int[] {cls == Opcode.JMP32 ? pc + 1 + (int) p.imm[pc] : pc + 1 + p.off[pc]};
        }
        return new int[] {pc + 1, pc + 1 + p.off[pc]};
    }

    /** {@code into &= from}; whether {@code into} changed. */
    private static boolean meet(long[] into, long[] from) {
        boolean changed = false;
        for (int i = 0; i < into.length; i++) {
            long m = into[i] & from[i];
            changed |= m != into[i];
            into[i] = m;
        }
        return changed;
    }

    private static boolean allSet(long[] bits, int at, int len) {
        for (int b = at; b < at + len; b++) {
            if ((bits[b >> 6] & 1L << b) == 0) {
                return false;
            }
        }
        return true;
    }

    private static void setRange(long[] bits, int at, int len) {
        for (int b = at; b < at + len; b++) {
            bits[b >> 6] |= 1L << b;
        }
    }

    private static int next(VmProgram p, int pc) {
        return p.code[pc] == Opcode.LD_IMM64 ? pc + 2 : pc + 1;
    }
}
