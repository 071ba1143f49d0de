package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Which of the VM's own regions (the context, the kernel-object views, a map) each register r0–r9
 * and each 8-byte slot of the stack most likely points to <em>the start of</em>, per slot: a
 * forward analysis in the spirit of the kernel verifier's pointer types (registers and stack
 * slots, since programs keep pointers on the stack across helper calls, as the reference policy
 * does with its {@code tcp_sock}).
 *
 * <p>It is a <b>guess</b>, not a proof, and needs not be sound: translated code checks it at run
 * time (the register's kind is the region's number and its value the region's start, two compares
 * of JVM locals) before it reads a field or runs a helper's common case in line, and takes the
 * general path — the interpreter's code, its checks and its faults — when the check fails
 * (docs/decisions.md D25). A wrong guess costs speed, never a result. What the guess follows:
 * the context pointer from entry and copies; {@code ctx->sk} and the other pointer members of a
 * guessed view ({@link ViewRegion#pointerGuess}); the socket views {@code bpf_skc_to_tcp_sock} and
 * {@code bpf_tcp_sock} return; {@code bpf_cast_to_kern_ctx}; a map's LD_IMM64; 8-byte spills and
 * fills through r10. Anything else written makes the register or slot unknown; where paths meet,
 * a register keeps its guess only when every path agrees.
 */
final class PointerGuess {
    private static final int REGS = 10;
    private static final int SLOTS = StackRegion.SIZE / 8;
    private static final int WIDTH = REGS + SLOTS;

    private final Vm vm;
    /** Per slot: region numbers of r0–r9 then of the stack slots, 0 when unknown; null where unreached. */
    private final int[][] state;

    private PointerGuess(Vm vm, int[][] state) {
        this.vm = vm;
        this.state = state;
    }

    /**
     * The region register {@code r} most likely points to the start of at slot {@code pc}, or null
     * when there is no guess (r10 has none: the stack is handled by the translator itself).
     */
    Region region(int pc, int r) {
        if (r >= REGS || state[pc] == null || state[pc][r] == 0) {
            return null;
        }
        return vm.region(state[pc][r]);
    }

    /** The number of {@link #region} in this VM (what the register's kind is when the guess holds), or 0. */
    int id(int pc, int r) {
        return r >= REGS || state[pc] == null ? 0 : state[pc][r];
    }

    /**
     * Programs beyond this many slots get no guesses (every access takes the general path): the
     * analysis keeps 74 numbers per slot, and the fast paths are for policies, which are small.
     */
    static final int MAX_SLOTS = 8192;

    static PointerGuess of(VmProgram p, Vm vm, int[] subprograms) {
        int n = p.slots;
        int[][] state = new int[n][];
        if (n > MAX_SLOTS) {
            return new PointerGuess(vm, state);
        }
        boolean[] queued = new boolean[n];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int start : subprograms) {
            int[] entry = new int[WIDTH];
            Region context = vm.contextRegion();
            if (start == 0 && context.owner == vm) {
                entry[1] = context.ownId;
            }
            state[start] = entry;
            work.add(start);
            queued[start] = true;
        }
        while (!work.isEmpty()) {
            int pc = work.poll();
            queued[pc] = false;
            int[] t = state[pc].clone();
            int c = p.code[pc];
            int cls = c & 7;
            int op = c & 0xf0;
            int d = p.dst[pc];
            int s = p.src[pc];
            int size = Opcode.sizeInBytes(c & 0x18);
            int fallThrough = pc + (c == Opcode.LD_IMM64 ? 2 : 1);
            int target = -1;
            switch (cls) {
                case Opcode.ALU, Opcode.ALU64 -> {
                    boolean copy = cls == Opcode.ALU64 && op == Opcode.MOV && (c & Opcode.X) != 0 && p.off[pc] == 0
                            && s < REGS;
                    set(t, d, copy ? t[s] : 0);
                }
                case Opcode.LDX -> set(t, d, loaded(vm, t, s, p.off[pc], size));
                case Opcode.ST -> stackWrite(t, d, p.off[pc], size, 0);
                case Opcode.STX -> {
                    if ((c & 0xe0) == Opcode.ATOMIC) {
                        long atomicOp = p.imm[pc];
                        if (atomicOp == Opcode.CMPXCHG) {
                            set(t, 0, 0);
                        } else if ((atomicOp & Opcode.FETCH) != 0) {
                            set(t, s, 0);
                        }
                        stackWrite(t, d, p.off[pc], size, 0);
                    } else {
                        stackWrite(t, d, p.off[pc], size, size == 8 && s < REGS ? t[s] : 0);
                    }
                }
                case Opcode.JMP, Opcode.JMP32 -> {
                    if (op == Opcode.EXIT) {
                        fallThrough = -1;
                    } else if (op == Opcode.CALL) {
                        int result = s == Opcode.PSEUDO_CALL ? 0 : callResult(vm, p, pc);
                        for (int r = 1; r <= 5; r++) {
                            t[r] = 0;
                        }
                        t[0] = result;
                    } else {
                        target = cls == Opcode.JMP32 && op == Opcode.JA ? pc + 1 + (int) p.imm[pc] : pc + 1 + p.off[pc];
                        if (op == Opcode.JA) {
                            fallThrough = -1;
                        }
                    }
                }
                default -> set(t, d, p.ref[pc] instanceof Region ? vm.loadedRegion(pc) : 0); // LD_IMM64
            }
            for (int succ : new int[] {fallThrough, target}) {
                if (succ < 0 || succ >= n) {
                    continue;
                }
                boolean changed;
                if (state[succ] == null) {
                    state[succ] = t.clone();
                    changed = true;
                } else {
                    changed = false;
                    int[] old = state[succ];
                    for (int i = 0; i < WIDTH; i++) {
                        if (old[i] != t[i] && old[i] != 0) {
                            old[i] = 0; // paths disagree: no guess
                            changed = true;
                        }
                    }
                }
                if (changed && !queued[succ]) {
                    queued[succ] = true;
                    work.add(succ);
                }
            }
        }
        return new PointerGuess(vm, state);
    }

    private static void set(int[] t, int r, int value) {
        if (r < REGS) {
            t[r] = value;
        }
    }

    /** The guess a load of {@code size} bytes at {@code s + off} gives its destination. */
    private static int loaded(Vm vm, int[] t, int s, int off, int size) {
        if (s == 10) {
            int at = stackOffset(off, size);
            return size == 8 && at >= 0 ? t[REGS + at / 8] : 0; // a fill of an 8-byte slot
        }
        int base = t[s];
        if (base == 0 || !(vm.region(base) instanceof ViewRegion view)) {
            return 0;
        }
        Layout.Member m;
        try {
            m = view.layout.check(off, size, false);
        } catch (Fault f) {
            return 0; // the load faults
        }
        if (m.kind != Layout.Kind.POINTER) {
            return 0;
        }
        Region target = view.pointerGuess(m);
        return target != null && target.owner == vm ? target.ownId : 0;
    }

    /** A write of {@code size} bytes at {@code d + off}: through r10, the slots it touches take {@code value}. */
    private static void stackWrite(int[] t, int d, int off, int size, int value) {
        if (d != 10) {
            return; // through another register: not followed (a guess, checked at run time)
        }
        int at = stackOffset(off, size);
        if (at < 0) {
            return; // faults
        }
        for (int slot = at / 8; slot <= (at + size - 1) / 8; slot++) {
            t[REGS + slot] = size == 8 ? value : 0;
        }
    }

    /** The offset in the stack of {@code r10 + off} when the access is inside it and aligned, else -1. */
    private static int stackOffset(int off, int size) {
        long o = StackRegion.SIZE + (long) off;
        return o >= 0 && o + size <= StackRegion.SIZE && o % size == 0 ? (int) o : -1;
    }

    /** What a helper or kfunc call most likely leaves in r0. */
    private static int callResult(Vm vm, VmProgram p, int pc) {
        Region r = null;
        if (p.src[pc] == Opcode.PSEUDO_KFUNC_CALL) {
            if (p.ref[pc] == Kfunc.CAST_TO_KERN_CTX) {
                r = vm.kern;
            }
        } else {
            Helper h = Helper.ofId((int) p.imm[pc]);
            if (h == Helper.SKC_TO_TCP_SOCK) {
                r = vm.tcpSock;
            } else if (h == Helper.TCP_SOCK) {
                r = vm.bpfTcpSock;
            }
        }
        return r != null && r.owner == vm ? r.ownId : 0;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int pc = 0; pc < state.length; pc++) {
            if (state[pc] != null) {
                b.append(pc).append(": ").append(Arrays.toString(Arrays.copyOf(state[pc], REGS))).append('\n');
            }
        }
        return b.toString();
    }
}
