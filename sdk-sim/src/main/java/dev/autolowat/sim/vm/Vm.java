package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.StorageKey;
import dev.autolowat.sim.tcp.TcpSocketModel;

import java.util.Arrays;

/**
 * The interpreter of one {@link VmProgram}: the semantics of {@code ___bpf_prog_run()} in
 * {@code kernel/bpf/core.c} with the verifier's rewrites (division by zero gives 0, modulo by zero
 * leaves the dividend, {@code INT_MIN / -1} is {@code INT_MIN}), registers that carry their region
 * (a pointer keeps its region through arithmetic, helpers returning NULL give the scalar 0), and
 * the helpers and kfuncs of the two program types.
 *
 * <p>Every register starts uninitialized (reading one aborts, the kernel's {@code !read_ok}),
 * except r1 = context and r10 = frame pointer; a call leaves r1–r5 uninitialized again.
 */
final class Vm {
    /** Instructions one invocation may execute before it is aborted. */
    static final int INSTRUCTION_BUDGET = 1_000_000;
    static final int MAX_FRAMES = VmLoader.MAX_CALL_FRAMES;
    private static final int SOL_SOCKET = SockOpt.SOL_SOCKET;
    private static final int SOL_TCP = SockOpt.SOL_TCP;
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    /** SOL_SOCKET options the kernel's bpf_{get,set}sockopt accept (sol_socket_sockopt); only two are modelled. */
    private static final int[] KERNEL_SOL_SOCKET = {2, 7, 8, 9, 12, 15, 18, 36, 47, 62, 25, 74};

    /** The tag of a register that was never written (or clobbered by a call). */
    static final Region UNINIT = new Region(0) {
        @Override
        String describe() {
            return "uninitialized register";
        }
    };

    /** Helpers by id ({@link Helper#ofId} allocates: it walks {@code values()}). */
    private static final Helper[] HELPERS = new Helper[256];

    static {
        for (Helper h : Helper.values()) {
            HELPERS[h.id()] = h;
        }
    }

    /** {@code sk->sk_txhash}, which a sock_ops program may write: kept per socket. */
    private static final StorageKey<int[]> TXHASH = StorageKey.create("vm.sk_txhash", () -> new int[1]);

    private final VmProgram p;
    final long[] regs = new long[11];
    final Region[] tags = new Region[11];
    private final StackRegion[] stacks = new StackRegion[MAX_FRAMES];
    private final int[] returnPc = new int[MAX_FRAMES];
    private final long[] savedRegs = new long[MAX_FRAMES * 5];
    private final Region[] savedTags = new Region[MAX_FRAMES * 5];
    private boolean running;
    int lastCount;

    // ---- the invocation's input ----
    SockOpsInput sockOps;
    SockoptInput sockopt;
    TcpSocketModel socket;
    SocketInfo info;

    // ---- views, allocated once ----
    private final ViewRegion context;
    final Views.BpfSock bpfSock;
    final Views.BpfTcpSock bpfTcpSock;
    final Views.TcpSock tcpSock;
    final Views.SockOpsKern kern;
    final Views.SkBuff skb;
    /** {@code [skb_data, skb_data_end)}: the model has no headers, so an empty range. */
    final MemRegion packet;
    /** The setsockopt program's optval buffer ({@code [optval, optval_end)}). */
    final MemRegion optval;

    Vm(VmProgram p, AddressSpace addresses) {
        this.p = p;
        for (int i = 0; i < MAX_FRAMES; i++) {
            stacks[i] = new StackRegion(addresses.allocate(), i);
        }
        context = p.type == ProgramType.SOCK_OPS ? new Views.SockOpsContext(addresses.allocate(), this)
                : new Views.SockoptContext(addresses.allocate(), this);
        long socketAddress = addresses.allocate();
        bpfSock = new Views.BpfSock(socketAddress, this);
        bpfTcpSock = new Views.BpfTcpSock(socketAddress, this);
        tcpSock = new Views.TcpSock(socketAddress, this);
        kern = new Views.SockOpsKern(addresses.allocate(), this);
        skb = new Views.SkBuff(addresses.allocate(), this);
        packet = new MemRegion(addresses.allocate(), "packet data (the model has no headers: skb_data == skb_data_end)",
                new byte[0], 0, 0, false);
        optval = new MemRegion(addresses.allocate(), "optval buffer", new byte[SockoptInput.BUFFER_SIZE], 0,
                SockoptInput.BUFFER_SIZE, true);
    }

    // =====================================================================================
    // Entry points
    // =====================================================================================

    long runSockOps(SockOpsInput in) {
        sockOps = in;
        socket = in.socket;
        info = in.info;
        return enter();
    }

    long runSockopt(SockoptInput in) {
        sockopt = in;
        socket = in.socket;
        info = in.info;
        System.arraycopy(in.optval, 0, optval.data, 0, SockoptInput.BUFFER_SIZE);
        try {
            return enter();
        } finally {
            System.arraycopy(optval.data, 0, in.optval, 0, SockoptInput.BUFFER_SIZE);
        }
    }

    private long enter() {
        if (socket == null || info == null) {
            throw new IllegalStateException("program '" + p.name + "': the input has no socket; call set(...) first");
        }
        if (running) {
            throw new IllegalStateException("program '" + p.name + "' is already running: the VM is not re-entrant");
        }
        running = true;
        try {
            return execute();
        } finally {
            running = false;
        }
    }

    // =====================================================================================
    // The interpreter
    // =====================================================================================

    private long execute() {
        final int[] code = p.code;
        final int[] dsts = p.dst;
        final int[] srcs = p.src;
        final int[] offs = p.off;
        final long[] imms = p.imm;
        final long[] r = regs;
        final Region[] t = tags;
        Arrays.fill(t, UNINIT);
        Arrays.fill(r, 0);
        int frame = 0;
        stacks[0].reset();
        r[1] = context.base;
        t[1] = context;
        r[10] = stacks[0].base + StackRegion.SIZE;
        t[10] = stacks[0];
        int pc = 0;
        int count = 0;
        try {
            while (true) {
                if (++count > INSTRUCTION_BUDGET) {
                    count--;
                    throw new Fault("instruction budget exhausted: " + INSTRUCTION_BUDGET + " instructions ran in this "
                            + "invocation (the kernel verifier would have to prove this loop bounded)");
                }
                int c = code[pc];
                int d = dsts[pc];
                int s = srcs[pc];
                switch (c & 7) {
                    case Opcode.ALU64 -> {
                        int op = c & 0xf0;
                        boolean x = (c & Opcode.X) != 0;
                        if (t[d] != null || (x && t[s] != null)) {
                            if (pointerAlu(c, op, x, d, s, offs[pc], imms[pc], true)) {
                                pc++;
                                continue;
                            }
                        }
                        long sv = x ? r[s] : imms[pc];
                        long dv = r[d];
                        long res;
                        switch (op) {
                            case Opcode.ADD -> res = dv + sv;
                            case Opcode.SUB -> res = dv - sv;
                            case Opcode.MUL -> res = dv * sv;
                            case Opcode.DIV -> res = offs[pc] == 0 ? (sv == 0 ? 0 : Long.divideUnsigned(dv, sv))
                                    : (sv == 0 ? 0 : sv == -1 ? -dv : dv / sv);
                            case Opcode.MOD -> res = offs[pc] == 0 ? (sv == 0 ? dv : Long.remainderUnsigned(dv, sv))
                                    : (sv == 0 ? dv : sv == -1 ? 0 : dv % sv);
                            case Opcode.OR -> res = dv | sv;
                            case Opcode.AND -> res = dv & sv;
                            case Opcode.XOR -> res = dv ^ sv;
                            case Opcode.LSH -> res = dv << (sv & 63);
                            case Opcode.RSH -> res = dv >>> (sv & 63);
                            case Opcode.ARSH -> res = dv >> (sv & 63);
                            case Opcode.NEG -> res = -dv;
                            case Opcode.MOV -> res = !x ? sv : switch (offs[pc]) {
                                case 8 -> (byte) sv;
                                case 16 -> (short) sv;
                                case 32 -> (int) sv;
                                default -> sv;
                            };
                            default -> res = switch ((int) imms[pc]) { // END: BPF_ALU64 | BPF_END = bswap
                                case 16 -> Short.reverseBytes((short) dv) & 0xffffL;
                                case 32 -> Integer.reverseBytes((int) dv) & 0xffff_ffffL;
                                default -> Long.reverseBytes(dv);
                            };
                        }
                        r[d] = res;
                        t[d] = null;
                        pc++;
                    }
                    case Opcode.ALU -> {
                        int op = c & 0xf0;
                        boolean x = (c & Opcode.X) != 0;
                        if (t[d] != null || (x && t[s] != null)) {
                            pointerAlu(c, op, x, d, s, offs[pc], imms[pc], false);
                        }
                        int sv = x ? (int) r[s] : (int) imms[pc];
                        int dv = (int) r[d];
                        long res;
                        switch (op) {
                            case Opcode.ADD -> res = dv + sv;
                            case Opcode.SUB -> res = dv - sv;
                            case Opcode.MUL -> res = dv * sv;
                            case Opcode.DIV -> res = offs[pc] == 0 ? (sv == 0 ? 0 : Integer.divideUnsigned(dv, sv))
                                    : (sv == 0 ? 0 : sv == -1 ? -dv : dv / sv);
                            case Opcode.MOD -> res = offs[pc] == 0 ? (sv == 0 ? dv : Integer.remainderUnsigned(dv, sv))
                                    : (sv == 0 ? dv : sv == -1 ? 0 : dv % sv);
                            case Opcode.OR -> res = dv | sv;
                            case Opcode.AND -> res = dv & sv;
                            case Opcode.XOR -> res = dv ^ sv;
                            case Opcode.LSH -> res = dv << (sv & 31);
                            case Opcode.RSH -> res = dv >>> (sv & 31);
                            case Opcode.ARSH -> res = dv >> (sv & 31);
                            case Opcode.NEG -> res = -dv;
                            case Opcode.MOV -> res = !x ? sv : switch (offs[pc]) {
                                case 8 -> (byte) sv;
                                case 16 -> (short) sv;
                                default -> sv;
                            };
                            default -> {
                                // END on the 64-bit register: TO_LE truncates, TO_BE swaps (x86-64 is little-endian)
                                long v = r[d];
                                int bits = (int) imms[pc];
                                if (x) {
                                    res = bits == 16 ? Short.reverseBytes((short) v) & 0xffffL
                                            : bits == 32 ? Integer.reverseBytes((int) v) & 0xffff_ffffL : Long.reverseBytes(v);
                                } else {
                                    res = bits == 16 ? v & 0xffffL : bits == 32 ? v & 0xffff_ffffL : v;
                                }
                                r[d] = res;
                                t[d] = null;
                                pc++;
                                continue;
                            }
                        }
                        r[d] = res & 0xffff_ffffL;
                        t[d] = null;
                        pc++;
                    }
                    case Opcode.JMP, Opcode.JMP32 -> {
                        int op = c & 0xf0;
                        boolean is32 = (c & 7) == Opcode.JMP32;
                        if (op == Opcode.JA) {
                            pc += 1 + (is32 ? (int) imms[pc] : offs[pc]);
                            continue;
                        }
                        if (op == Opcode.CALL) {
                            if (s == Opcode.PSEUDO_CALL) {
                                if (frame + 1 >= MAX_FRAMES) {
                                    throw new Fault("the call stack of " + (frame + 2) + " frames is too deep (at most "
                                            + MAX_FRAMES + ")");
                                }
                                int base = frame * 5;
                                for (int i = 0; i < 5; i++) {
                                    savedRegs[base + i] = r[6 + i];
                                    savedTags[base + i] = t[6 + i];
                                }
                                returnPc[frame] = pc + 1;
                                frame++;
                                StackRegion st = stacks[frame];
                                st.reset();
                                for (int i = 6; i <= 9; i++) {
                                    t[i] = UNINIT;
                                }
                                r[10] = st.base + StackRegion.SIZE;
                                t[10] = st;
                                pc += 1 + (int) imms[pc];
                                continue;
                            }
                            long ret = s == Opcode.PSEUDO_KFUNC_CALL ? kfunc((Kfunc) p.ref[pc]) : helper((int) imms[pc]);
                            r[0] = ret;
                            if (t[0] == UNINIT) {
                                t[0] = null;
                            }
                            for (int i = 1; i <= 5; i++) {
                                t[i] = UNINIT;
                            }
                            pc++;
                            continue;
                        }
                        if (op == Opcode.EXIT) {
                            if (frame > 0) {
                                frame--;
                                int base = frame * 5;
                                for (int i = 0; i < 5; i++) {
                                    r[6 + i] = savedRegs[base + i];
                                    t[6 + i] = savedTags[base + i];
                                }
                                for (int i = 1; i <= 5; i++) {
                                    t[i] = UNINIT;
                                }
                                pc = returnPc[frame];
                                continue;
                            }
                            return exit();
                        }
                        Region dt = t[d];
                        boolean x = (c & Opcode.X) != 0;
                        if (dt == UNINIT) {
                            throw uninit(d);
                        }
                        if (x && t[s] == UNINIT) {
                            throw uninit(s);
                        }
                        long a = r[d];
                        long b = x ? r[s] : imms[pc];
                        if (is32) {
                            a = (int) a;
                            b = (int) b;
                        }
                        boolean taken = switch (op) {
                            case Opcode.JEQ -> is32 ? (int) a == (int) b : a == b;
                            case Opcode.JNE -> is32 ? (int) a != (int) b : a != b;
                            case Opcode.JGT -> is32 ? Integer.compareUnsigned((int) a, (int) b) > 0 : Long.compareUnsigned(a, b) > 0;
                            case Opcode.JGE -> is32 ? Integer.compareUnsigned((int) a, (int) b) >= 0 : Long.compareUnsigned(a, b) >= 0;
                            case Opcode.JLT -> is32 ? Integer.compareUnsigned((int) a, (int) b) < 0 : Long.compareUnsigned(a, b) < 0;
                            case Opcode.JLE -> is32 ? Integer.compareUnsigned((int) a, (int) b) <= 0 : Long.compareUnsigned(a, b) <= 0;
                            case Opcode.JSET -> (a & b) != 0;
                            case Opcode.JSGT -> a > b;
                            case Opcode.JSGE -> a >= b;
                            case Opcode.JSLT -> a < b;
                            default -> a <= b; // JSLE
                        };
                        pc += taken ? 1 + offs[pc] : 1;
                    }
                    case Opcode.LDX -> {
                        Region base = pointer(s, "read");
                        int size = Opcode.sizeInBytes(c & 0x18);
                        base.load(this, d, r[s] - base.base, offs[pc], size, (c & 0xe0) == Opcode.MEMSX);
                        pc++;
                    }
                    case Opcode.ST -> {
                        Region base = pointer(d, "write");
                        base.store(this, r[d] - base.base, offs[pc], Opcode.sizeInBytes(c & 0x18), imms[pc], null);
                        pc++;
                    }
                    case Opcode.STX -> {
                        Region base = pointer(d, "write");
                        Region vt = t[s];
                        if (vt == UNINIT) {
                            throw uninit(s);
                        }
                        int size = Opcode.sizeInBytes(c & 0x18);
                        if ((c & 0xe0) == Opcode.ATOMIC) {
                            atomic(base, d, s, offs[pc], size, (int) imms[pc]);
                        } else {
                            base.store(this, r[d] - base.base, offs[pc], size, r[s], vt);
                        }
                        pc++;
                    }
                    default -> { // LD: only LD_IMM64 passes the loader
                        Object ref = p.ref[pc];
                        if (ref instanceof Region region) {
                            r[d] = region.base + (ref instanceof MemRegion ? imms[pc] >>> 32 : 0);
                            t[d] = region;
                        } else {
                            r[d] = imms[pc];
                            t[d] = null;
                        }
                        pc += 2;
                    }
                }
            }
        } catch (Fault f) {
            lastCount = count;
            throw new BpfVmException(p.name, pc, p.text(pc), f.getMessage());
        } finally {
            lastCount = count;
        }
    }

    private long exit() {
        Region t0 = tags[0];
        if (t0 == UNINIT) {
            throw new Fault("R0 !read_ok: the program exits without setting r0");
        }
        if (t0 != null) {
            throw new Fault("R0 leaks addr as return value: r0 points into " + t0.describe());
        }
        long v = regs[0];
        if (p.options.checkReturn() && (v < 0 || v > 1)) {
            throw new Fault("at program exit the register R0 has value " + v + " but " + p.type
                    + " programs must return 0 or 1");
        }
        return v;
    }

    private static Fault uninit(int reg) {
        return new Fault("R" + reg + " !read_ok: the register was not written (registers start uninitialized; "
                + "a call leaves r1-r5 uninitialized)");
    }

    private Region pointer(int reg, String access) {
        Region base = tags[reg];
        if (base == null) {
            throw new Fault("R" + reg + " invalid mem access 'scalar': r" + reg + " = 0x" + Long.toHexString(regs[reg])
                    + " is a scalar, not a pointer, and cannot be used to " + access + " memory");
        }
        if (base == UNINIT) {
            throw uninit(reg);
        }
        return base;
    }

    private static String opName(int op) {
        return switch (op) {
            case Opcode.ADD -> "+=";
            case Opcode.SUB -> "-=";
            case Opcode.MUL -> "*=";
            case Opcode.DIV -> "/=";
            case Opcode.OR -> "|=";
            case Opcode.AND -> "&=";
            case Opcode.LSH -> "<<=";
            case Opcode.RSH -> ">>=";
            case Opcode.NEG -> "neg";
            case Opcode.MOD -> "%=";
            case Opcode.XOR -> "^=";
            case Opcode.MOV -> "=";
            case Opcode.ARSH -> "s>>=";
            default -> "byte swap";
        };
    }

    /**
     * ALU with a pointer or uninitialized operand. Returns true when it did the whole operation
     * (pointer kept or combined), false when the plain scalar path should run (a MOV that
     * overwrites whatever the destination held).
     */
    private boolean pointerAlu(int c, int op, boolean x, int d, int s, int off, long imm, boolean is64) {
        Region dt = tags[d];
        Region st = x ? tags[s] : null;
        if (op == Opcode.MOV) {
            if (!x || st == null) {
                return false;
            }
            if (st == UNINIT) {
                throw uninit(s);
            }
            if (!is64) {
                throw new Fault("R" + s + " partial copy of pointer: a 32-bit move of a pointer (" + st.describe() + ")");
            }
            if (off != 0) {
                throw new Fault("sign-extending move of a pointer (" + st.describe() + ") prohibited");
            }
            regs[d] = regs[s];
            tags[d] = st;
            return true;
        }
        if (dt == UNINIT) {
            throw uninit(d);
        }
        if (st == UNINIT) {
            throw uninit(s);
        }
        if (!is64) {
            throw new Fault("R" + d + " 32-bit pointer arithmetic prohibited");
        }
        if (dt != null && st == null) {
            if (op != Opcode.ADD && op != Opcode.SUB) {
                throw new Fault("R" + d + " pointer arithmetic with " + opName(op) + " operator prohibited ("
                        + dt.describe() + ")");
            }
            if (!dt.arithmeticAllowed()) {
                throw new Fault("R" + d + " pointer arithmetic on " + dt.describe() + " prohibited");
            }
            long sv = x ? regs[s] : imm;
            regs[d] = op == Opcode.ADD ? regs[d] + sv : regs[d] - sv;
            return true;
        }
        if (dt == null) {
            if (op != Opcode.ADD) {
                throw new Fault("R" + d + " scalar " + opName(op) + " pointer prohibited (r" + s + " points into "
                        + st.describe() + ")");
            }
            if (!st.arithmeticAllowed()) {
                throw new Fault("R" + s + " pointer arithmetic on " + st.describe() + " prohibited");
            }
            regs[d] += regs[s];
            tags[d] = st;
            return true;
        }
        if (op == Opcode.SUB && dt == st) {
            regs[d] -= regs[s];
            tags[d] = null;
            return true;
        }
        throw new Fault("R" + d + " pointer " + opName(op) + " pointer prohibited (" + dt.describe() + ", "
                + st.describe() + ")");
    }

    private void atomic(Region base, int d, int s, int insnOff, int size, int op) {
        MemRegion m = base.asMemory();
        if (m == null) {
            throw new Fault("BPF_ATOMIC stores into R" + d + " " + base.describe() + " is not allowed");
        }
        if (tags[s] != null) {
            throw new Fault("R" + s + " leaks addr into mem: atomics take scalars");
        }
        if (op == Opcode.CMPXCHG) {
            if (tags[0] == UNINIT) {
                throw uninit(0);
            }
            if (tags[0] != null) {
                throw new Fault("R0 leaks addr into mem: cmpxchg compares with a scalar");
            }
        }
        long off = regs[d] - m.base + insnOff;
        int at = m.check(off, size, "atomic access");
        m.checkAtomic(off, size);
        if (m instanceof StackRegion stack) {
            if (stack.holdsPointer(at, size)) {
                throw new Fault("BPF_ATOMIC on a stack slot that holds a spilled pointer is not allowed");
            }
        }
        long mask = Region.mask(size);
        long old = MemRegion.read(m.data, at, size);
        long sv = regs[s] & mask;
        if (op == Opcode.CMPXCHG) {
            if (old == (regs[0] & mask)) {
                MemRegion.write(m.data, at, size, sv);
            }
            regs[0] = old;
            tags[0] = null;
            return;
        }
        long res = switch (op & ~Opcode.FETCH) {
            case Opcode.ADD -> old + sv;
            case Opcode.AND -> old & sv;
            case Opcode.OR -> old | sv;
            case Opcode.XOR -> old ^ sv;
            default -> sv; // XCHG
        };
        MemRegion.write(m.data, at, size, res);
        if ((op & Opcode.FETCH) != 0) {
            regs[s] = old;
            tags[s] = null;
        }
    }

    // =====================================================================================
    // Helpers and kfuncs
    // =====================================================================================

    /** Offset into the region returned by the last {@link #mem} call. */
    private int memAt;

    private long arg(int reg) {
        if (tags[reg] == UNINIT) {
            throw uninit(reg);
        }
        return regs[reg];
    }

    private int intArg(int reg) {
        return (int) arg(reg);
    }

    /** A memory argument of {@code len} bytes; sets {@link #memAt}. */
    private MemRegion mem(int reg, long len, boolean write, String what) {
        Region t = tags[reg];
        if (t == UNINIT) {
            throw uninit(reg);
        }
        MemRegion m = t == null ? null : t.asMemory();
        if (m == null) {
            throw new Fault("R" + reg + " type=" + (t == null ? "scalar" : t.describe()) + " expected=memory for "
                    + what);
        }
        if (write && !m.writable) {
            throw new Fault("R" + reg + " points into " + m.describe() + ", which " + what + " cannot write");
        }
        long off = regs[reg] - m.base;
        if (off < 0 || len < 0 || off + len > m.length) {
            m.check(off, len, "access to " + what); // throws the Fault with the message
        }
        memAt = m.start + (int) off;
        return m;
    }

    private void clobbered(MemRegion m, int at, int len) {
        if (m instanceof StackRegion stack && len > 0) {
            stack.clobber(at, len);
        }
    }

    private BpfMap mapArg(int reg, String helper) {
        Region t = tags[reg];
        if (t == UNINIT) {
            throw uninit(reg);
        }
        if (!(t instanceof BpfMap m) || regs[reg] != m.base) {
            throw new Fault("R" + reg + " type=" + (t == null ? "scalar" : t.describe()) + " expected=map_ptr for "
                    + helper);
        }
        return m;
    }

    private void contextArg(int reg, String fn, boolean alsoKern) {
        Region t = tags[reg];
        if (t == UNINIT) {
            throw uninit(reg);
        }
        boolean ok = (t == context && regs[reg] == context.base) || (alsoKern && t == kern && regs[reg] == kern.base);
        if (!ok) {
            throw new Fault("R" + reg + " type=" + (t == null ? "scalar" : t.describe()) + " expected=ctx for " + fn
                    + " (pass the unmodified context pointer)");
        }
    }

    /** A socket argument; {@code uapiOnly}: bpf_tcp_sock takes PTR_TO_SOCK_COMMON, not BTF pointers. */
    private void socketArg(int reg, String fn, boolean uapiOnly) {
        Region t = tags[reg];
        if (t == UNINIT) {
            throw uninit(reg);
        }
        boolean ok = t instanceof Views.SocketView && regs[reg] == t.base && !(uapiOnly && t == tcpSock);
        if (!ok) {
            throw new Fault("R" + reg + " type=" + (t == null ? (regs[reg] == 0 ? "NULL" : "scalar") : t.describe())
                    + " expected=" + (uapiOnly ? "sock_common" : "btf_id sock_common") + " for " + fn
                    + (t == null && regs[reg] == 0 ? " (check the pointer against NULL first)" : ""));
        }
    }

    private long ptr(Region r) {
        if (r == null) {
            return 0;
        }
        tags[0] = r;
        return r.base;
    }

    private long helper(int id) {
        tags[0] = null;
        Helper h = id >= 0 && id < HELPERS.length ? HELPERS[id] : null;
        if (h == null) {
            throw new Fault("helper " + id + " is not implemented");
        }
        switch (h) {
            case MAP_LOOKUP_ELEM -> {
                BpfMap map = mapArg(1, "bpf_map_lookup_elem");
                mapKind(map, "bpf_map_lookup_elem");
                MemRegion k = mem(2, map.spec.keySize(), false, "the key of bpf_map_lookup_elem");
                return ptr(map.lookupElem(k.data, memAt));
            }
            case MAP_UPDATE_ELEM -> {
                BpfMap map = mapArg(1, "bpf_map_update_elem");
                mapKind(map, "bpf_map_update_elem");
                MemRegion k = mem(2, map.spec.keySize(), false, "the key of bpf_map_update_elem");
                int ko = memAt;
                MemRegion v = mem(3, map.spec.valueSize(), false, "the value of bpf_map_update_elem");
                return map.updateElem(k.data, ko, v.data, memAt, arg(4));
            }
            case MAP_DELETE_ELEM -> {
                BpfMap map = mapArg(1, "bpf_map_delete_elem");
                mapKind(map, "bpf_map_delete_elem");
                MemRegion k = mem(2, map.spec.keySize(), false, "the key of bpf_map_delete_elem");
                return map.deleteElem(k.data, memAt);
            }
            case KTIME_GET_NS -> {
                return p.options.clock().getAsLong();
            }
            case SKB_LOAD_BYTES -> {
                return skbLoadBytes();
            }
            case SETSOCKOPT -> {
                return sockopt(true);
            }
            case GETSOCKOPT -> {
                return sockopt(false);
            }
            case SOCK_OPS_CB_FLAGS_SET -> {
                contextArg(1, "bpf_sock_ops_cb_flags_set", false);
                return socket.cbFlagsSet(intArg(2)); // F1, F3
            }
            case TCP_SOCK -> {
                socketArg(1, "bpf_tcp_sock", true);
                return ptr(socket.isMptcp() ? null : bpfTcpSock);
            }
            case SK_STORAGE_GET -> {
                BpfMap map = mapArg(1, "bpf_sk_storage_get");
                if (!(map instanceof SkStorageMap storage)) {
                    throw new Fault("cannot pass map_type " + map.spec.type().value() + " (" + map.spec.type()
                            + ") into func bpf_sk_storage_get");
                }
                socketArg(2, "bpf_sk_storage_get", false);
                byte[] init = null;
                int initAt = 0;
                if (tags[3] == null && regs[3] == 0) {
                    init = null;
                } else {
                    MemRegion v = mem(3, map.spec.valueSize(), false, "the initial value of bpf_sk_storage_get");
                    init = v.data;
                    initAt = memAt;
                }
                long flags = arg(4);
                if ((flags & ~(long) Helper.SK_STORAGE_GET_F_CREATE) != 0) {
                    return 0;
                }
                return ptr(storage.get(socket, flags == Helper.SK_STORAGE_GET_F_CREATE, init, initAt));
            }
            case SK_STORAGE_DELETE -> {
                BpfMap map = mapArg(1, "bpf_sk_storage_delete");
                if (!(map instanceof SkStorageMap storage)) {
                    throw new Fault("cannot pass map_type " + map.spec.type().value() + " (" + map.spec.type()
                            + ") into func bpf_sk_storage_delete");
                }
                socketArg(2, "bpf_sk_storage_delete", false);
                return storage.delete(socket);
            }
            case RINGBUF_OUTPUT -> {
                BpfMap map = mapArg(1, "bpf_ringbuf_output");
                if (!(map instanceof RingBufMap ring)) {
                    throw new Fault("cannot pass map_type " + map.spec.type().value() + " (" + map.spec.type()
                            + ") into func bpf_ringbuf_output");
                }
                long size = arg(3);
                MemRegion data = mem(2, size, false, "the data of bpf_ringbuf_output");
                return ring.output(data.data, memAt, (int) size, arg(4));
            }
            case SKC_TO_TCP_SOCK -> {
                socketArg(1, "bpf_skc_to_tcp_sock", false);
                return ptr(socket.isMptcp() ? null : tcpSock);
            }
            default -> throw new Fault("helper " + id + " is not implemented");
        }
    }

    private static void mapKind(BpfMap map, String fn) {
        MapType type = map.spec.type();
        if (type != MapType.ARRAY && type != MapType.HASH) {
            throw new Fault("cannot pass map_type " + type.value() + " (" + type + ") into func " + fn);
        }
    }

    /** {@code bpf_skb_load_bytes(ctx, offset, to, len)} of the series: H1 only. */
    private long skbLoadBytes() {
        contextArg(1, "bpf_skb_load_bytes", false);
        long offset = arg(2) & 0xffff_ffffL;
        long len = arg(4) & 0xffff_ffffL;
        if (len == 0) {
            throw new Fault("R4 invalid zero-sized read: bpf_skb_load_bytes needs a length > 0");
        }
        MemRegion to = mem(3, len, true, "the destination of bpf_skb_load_bytes");
        int at = memAt;
        clobbered(to, at, (int) len);
        SockOpsInput in = sockOps;
        if (!in.segment || offset > Integer.MAX_VALUE || offset + len > in.length) {
            Arrays.fill(to.data, at, at + (int) len, (byte) 0);
            return Errno.EFAULT.negative();
        }
        socket.loadQueuedBytes(in.queueIndex + (int) offset, to.data, at, (int) len);
        return 0;
    }

    /** bpf_setsockopt / bpf_getsockopt of both program types. */
    private long sockopt(boolean set) {
        String fn = set ? "bpf_setsockopt" : "bpf_getsockopt";
        if (p.type == ProgramType.SOCK_OPS) {
            contextArg(1, fn, false);
        } else {
            socketArg(1, fn, false);
        }
        int level = intArg(2);
        int optname = intArg(3);
        long optlen = arg(5);
        if (optlen <= 0) {
            throw new Fault("R5 invalid " + (optlen == 0 ? "zero-sized" : "negative") + " optlen " + optlen + " for " + fn);
        }
        MemRegion buf = mem(4, optlen, !set, "the optval of " + fn);
        int at = memAt;
        int len = (int) optlen;
        if (!set) {
            clobbered(buf, at, len);
        }
        int result;
        int value = 0;
        if (level == SOL_SOCKET && (optname == SockOpt.SO_RCVLOWAT || optname == SockOpt.SO_RCVBUF)) {
            if (len != 4) {
                result = Errno.EINVAL.negative();
            } else if (set) {
                int v = (int) MemRegion.read(buf.data, at, 4);
                if (optname == SockOpt.SO_RCVBUF) {
                    result = socket.setRcvBuf(v); // K4
                } else if (p.type == ProgramType.SOCK_OPS && sockOps.op == SockOpsOp.RCVQ_CB.value()) {
                    result = Errno.EOPNOTSUPP.negative(); // K3 [SDK decision]: the kfunc is the setter in op 21
                } else {
                    result = socket.bpfSetsockoptRcvlowat(v); // K3 (K2 once the socket is accepted)
                }
            } else {
                value = optname == SockOpt.SO_RCVLOWAT ? socket.rcvLowat() : socket.rcvBuf(); // K4
                result = 0;
            }
        } else if (level == SOL_TCP && optname == SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS) {
            if (len != 4) {
                result = Errno.EINVAL.negative();
            } else if (set) {
                result = socket.setCbFlagsSockopt((int) MemRegion.read(buf.data, at, 4)); // F2, F3
            } else {
                value = socket.cbFlags(); // F2
                result = 0;
            }
        } else if ((level == SOL_SOCKET && contains(KERNEL_SOL_SOCKET, optname))
                || level == SOL_TCP || level == SOL_IP || level == SOL_IPV6) {
            result = Errno.EOPNOTSUPP.negative(); // a real option the model has no state for
        } else {
            result = Errno.EINVAL.negative();
        }
        if (!set) {
            Arrays.fill(buf.data, at, at + len, (byte) 0);
            if (result == 0) {
                MemRegion.write(buf.data, at, 4, value);
            }
        }
        return result;
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private long kfunc(Kfunc k) {
        tags[0] = null;
        switch (k) {
            case CAST_TO_KERN_CTX -> {
                contextArg(1, k.kernelName(), false);
                return ptr(kern);
            }
            case SOCK_OPS_TCP_SET_RCVLOWAT -> {
                contextArg(1, k.kernelName(), true);
                int val = intArg(2);
                if (sockOps.op != SockOpsOp.RCVQ_CB.value()) {
                    return Errno.EOPNOTSUPP.negative(); // K1 [SDK decision]: op 21 only
                }
                return socket.kfuncSetRcvlowat(val); // K1
            }
            default -> throw new Fault("kfunc " + k + " is not implemented");
        }
    }

    // =====================================================================================
    // Values the views share
    // =====================================================================================

    int tcpState() {
        if (p.type == ProgramType.SOCK_OPS && sockOps.op == SockOpsOp.TCP_CONNECT_CB.value()) {
            return Views.TCP_SYN_SENT;
        }
        return socket.finReceived() ? Views.TCP_CLOSE_WAIT : Views.TCP_ESTABLISHED;
    }

    long bytesReceived() {
        long seqSpace = (socket.rcvNxt() - (info.irs() + 1)) & 0xffff_ffffL;
        return socket.finReceived() ? seqSpace - 1 : seqSpace;
    }

    int txhash() {
        int[] h = socket.storage(TXHASH, false);
        return h == null ? 0 : h[0];
    }

    void setTxhash(int value) {
        socket.storage(TXHASH, true)[0] = value;
    }
}
