package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.program.ProgramType;

import java.util.ArrayDeque;

/**
 * A must-analysis over each subprogram: which registers (and which 8-byte stack slots, through
 * spills) hold the unmodified context pointer on every path. Loads and stores through such a
 * register are checked against the context's {@link Layout} at load time, as the kernel verifier
 * checks them; accesses through registers the analysis cannot pin down are checked when they run.
 *
 * <p>The analysis is conservative: any other write to a register forgets it; a store through a
 * register other than r10, a helper call or a bpf-to-bpf call forgets every stack slot (they may
 * write the stack through a pointer).
 */
final class CtxAccessCheck {
    private final VmLoader l;
    private final Layout ctx;
    private final int n;
    /** Per instruction: bit r = register r holds the ctx; -1 never reached yet. */
    private final int[] regIn;
    /** Per instruction: bit k = stack slot k (r10 - 512 + 8k) holds a spilled ctx pointer. */
    private final long[] slotIn;
    private final boolean[] visited;

    CtxAccessCheck(VmLoader l) {
        this.l = l;
        this.ctx = l.type() == ProgramType.SOCK_OPS ? Layouts.SOCK_OPS : Layouts.SOCKOPT;
        this.n = l.n();
        this.regIn = new int[n];
        this.slotIn = new long[n];
        this.visited = new boolean[n];
    }

    void run() {
        for (int s : l.subprogStarts) {
            analyse(s, s == 0 ? 1 << 1 : 0);
        }
    }

    private void analyse(int start, int entryRegs) {
        ArrayDeque<Integer> work = new ArrayDeque<>();
        merge(start, entryRegs, 0L, work);
        while (!work.isEmpty()) {
            int pc = work.pop();
            int regs = regIn[pc];
            long slots = slotIn[pc];
            int c = l.code(pc);
            int cls = c & 7;
            int d = l.dst(pc);
            int s = l.src(pc);
            int o = l.off(pc);
            switch (cls) {
                case Opcode.ALU, Opcode.ALU64 -> {
                    boolean copy = cls == Opcode.ALU64 && c == (Opcode.ALU64 | Opcode.MOV | Opcode.X) && o == 0;
                    regs = copy && (regs & (1 << s)) != 0 ? regs | (1 << d) : regs & ~(1 << d);
                }
                case Opcode.LD -> regs &= ~(1 << d);
                case Opcode.LDX -> {
                    int size = Opcode.sizeInBytes(c & 0x18);
                    if ((regs & (1 << s)) != 0) {
                        String why = ctx.reason(o, size, false);
                        if (why != null) {
                            throw l.reject(pc, why);
                        }
                    }
                    boolean fill = s == 10 && size == 8 && (c & 0xe0) == Opcode.MEM && o < 0 && o >= -512 && o % 8 == 0
                            && (slots & (1L << slot(o))) != 0;
                    regs = fill ? regs | (1 << d) : regs & ~(1 << d);
                }
                case Opcode.ST, Opcode.STX -> {
                    int size = Opcode.sizeInBytes(c & 0x18);
                    boolean atomic = (c & 0xe0) == Opcode.ATOMIC;
                    if ((regs & (1 << d)) != 0) {
                        if (atomic) {
                            throw l.reject(pc, "BPF_ATOMIC stores into R" + d + " ctx is not allowed");
                        }
                        String why = ctx.reason(o, size, true);
                        if (why != null) {
                            throw l.reject(pc, why);
                        }
                    }
                    if (d == 10) {
                        if (o < 0 && o >= -512) {
                            long bit = 1L << slot(o & ~7);
                            boolean spill = cls == Opcode.STX && !atomic && size == 8 && o % 8 == 0
                                    && (regs & (1 << s)) != 0;
                            slots = spill ? slots | bit : slots & ~bit;
                        }
                    } else {
                        slots = 0;
                    }
                    if (atomic) {
                        int imm = (int) l.imm(pc);
                        if (imm == Opcode.CMPXCHG) {
                            regs &= ~1;
                        } else if ((imm & Opcode.FETCH) != 0) {
                            regs &= ~(1 << s);
                        }
                    }
                }
                default -> {
                    int op = c & 0xf0;
                    if (op == Opcode.CALL) {
                        regs &= ~0x3f;
                        slots = 0;
                    }
                }
            }
            for (int next : l.successors(pc, false)) {
                if (next >= 0 && next < n) {
                    merge(next, regs, slots, work);
                }
            }
        }
    }

    private static int slot(int off) {
        return (512 + off) >> 3;
    }

    private void merge(int pc, int regs, long slots, ArrayDeque<Integer> work) {
        if (!visited[pc]) {
            visited[pc] = true;
            regIn[pc] = regs;
            slotIn[pc] = slots;
            work.push(pc);
            return;
        }
        int r = regIn[pc] & regs;
        long sl = slotIn[pc] & slots;
        if (r != regIn[pc] || sl != slotIn[pc]) {
            regIn[pc] = r;
            slotIn[pc] = sl;
            work.push(pc);
        }
    }
}
