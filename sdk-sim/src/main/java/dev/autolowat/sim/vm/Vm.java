package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;

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
 *
 * <p>Implementation: the program is pre-decoded once into one {@code int} per slot (a dense
 * operation number that already distinguishes class, operation, immediate/register source and
 * access size, plus dst, src and the 16-bit offset) and dispatched with one dense switch. What a
 * register holds is one {@code int} per register: {@link #SCALAR}, {@link #UNINIT_KIND}, or the
 * number of its region in this VM's region table (see {@link #idOf}), so the hot path writes no
 * object references. Every access is still checked exactly as before.
 */
final class Vm {
    /** Instructions one invocation may execute before it is aborted. */
    static final int INSTRUCTION_BUDGET = 1_000_000;
    static final int MAX_FRAMES = VmLoader.MAX_CALL_FRAMES;

    /** The tag of a register that was never written (or clobbered by a call). */
    static final Region UNINIT = new Region(0) {
        @Override
        String describe() {
            return "uninitialized register";
        }
    };

    // ---- register kinds ----
    /** The register holds a scalar. */
    static final int SCALAR = 0;
    /** The register was never written (or was clobbered by a call). */
    static final int UNINIT_KIND = 1;
    /** The first region number: a kind at least this is a pointer into {@code regionTable[kind]}. */
    static final int POINTER = 2;

    /** Helpers by id ({@link Helper#ofId} allocates: it walks {@code values()}). */
    private static final Helper[] HELPERS = new Helper[256];

    static {
        for (Helper h : Helper.values()) {
            HELPERS[h.id()] = h;
        }
    }

    // ---- pre-decoded operations (see decode) ----
    /** Not specialised: decoded from the raw instruction by {@link #generic}. */
    private static final int GENERIC = 0;
    /** ALU64 with an immediate: {@code A64K + (op >> 4)}; likewise A64X, A32K, A32X. */
    private static final int A64K = 16;
    private static final int A64X = 32;
    private static final int A32K = 48;
    private static final int A32X = 64;
    /** Jumps: {@code J64K + (op >> 4)}; likewise J64X, J32K, J32X. */
    private static final int J64K = 80;
    private static final int J64X = 96;
    private static final int J32K = 112;
    private static final int J32X = 128;
    private static final int CALL_HELPER = 144;
    private static final int CALL_KFUNC = 145;
    private static final int CALL_PSEUDO = 146;
    private static final int EXIT = 147;
    /** Loads: {@code LDX_B, LDX_H, LDX_W, LDX_DW}, then the sign-extending ones. */
    private static final int LDX_B = 150;
    private static final int LDX_H = 151;
    private static final int LDX_W = 152;
    private static final int LDX_DW = 153;
    private static final int LDSX_B = 154;
    private static final int LDSX_H = 155;
    private static final int LDSX_W = 156;
    private static final int ST_B = 160;
    private static final int ST_H = 161;
    private static final int ST_W = 162;
    private static final int ST_DW = 163;
    private static final int STX_B = 164;
    private static final int STX_H = 165;
    private static final int STX_W = 166;
    private static final int STX_DW = 167;
    private static final int LD_CONST = 170;
    private static final int LD_REGION = 171;

    private static final int ADD = Opcode.ADD >> 4;
    private static final int SUB = Opcode.SUB >> 4;
    private static final int MUL = Opcode.MUL >> 4;
    private static final int OR = Opcode.OR >> 4;
    private static final int AND = Opcode.AND >> 4;
    private static final int LSH = Opcode.LSH >> 4;
    private static final int RSH = Opcode.RSH >> 4;
    private static final int XOR = Opcode.XOR >> 4;
    private static final int MOV = Opcode.MOV >> 4;
    private static final int ARSH = Opcode.ARSH >> 4;
    private static final int JA = Opcode.JA >> 4;
    private static final int JEQ = Opcode.JEQ >> 4;
    private static final int JGT = Opcode.JGT >> 4;
    private static final int JGE = Opcode.JGE >> 4;
    private static final int JSET = Opcode.JSET >> 4;
    private static final int JNE = Opcode.JNE >> 4;
    private static final int JSGT = Opcode.JSGT >> 4;
    private static final int JSGE = Opcode.JSGE >> 4;
    private static final int JLT = Opcode.JLT >> 4;
    private static final int JLE = Opcode.JLE >> 4;
    private static final int JSLT = Opcode.JSLT >> 4;
    private static final int JSLE = Opcode.JSLE >> 4;

    final VmProgram p;
    /** Registers; 16 entries so that a 4-bit register index needs no bounds check (r11–r15 never pass the loader). */
    final long[] regs = new long[16];
    /** What each register holds: {@link #SCALAR}, {@link #UNINIT_KIND} or a region number (at least {@link #POINTER}). */
    final int[] kinds = new int[16];
    /**
     * Region numbers: 0 null (scalar), 1 {@link #UNINIT}, then the regions this VM owns and the
     * regions its LD_IMM64s load (fixed at construction), then the other regions that entered a
     * register during the current invocation (map values returned by helpers), numbered afresh
     * at every invocation.
     */
    Region[] regionTable = new Region[32];
    private int fixedRegions;
    /** Region numbers in use in this invocation; translated code numbers a storage value in line as {@link #idOf} does. */
    int regionCount;
    private final StackRegion[] stacks = new StackRegion[MAX_FRAMES];
    final int[] returnPc = new int[MAX_FRAMES];
    final long[] savedRegs = new long[MAX_FRAMES * 5];
    final int[] savedKinds = new int[MAX_FRAMES * 5];
    private boolean running;
    int lastCount;
    /**
     * The invocation as translated JVM code ({@link JitRuntime}, installed by {@link VmProgram} after
     * {@code JitCompiler} translated the program), or null: interpreted. The VM itself knows nothing
     * of translation: it only hands an invocation whose input is set to this engine.
     */
    private Engine translated;

    /** Runs one invocation whose input is set, in place of the interpreter (translated code). */
    interface Engine {
        long invoke();
    }

    /** Per slot: {@code op | dst << 8 | src << 12 | off << 16} (see {@link #decode}). */
    private final int[] insn;
    /** Per slot: the immediate; for an LD_IMM64 of a region, the address it loads. */
    private final long[] imms;
    /** Per slot: the program's resolved reference (the kfunc a kfunc call calls). LD_IMM64 of a region keeps its region number in {@link #insn}. */
    private final Object[] refs;
    /** Per slot of a load from a view: the access last checked there, and its member. */
    private final Layout[] viewLayout;
    private final long[] viewOff;
    private final Layout.Member[] viewMember;

    // ---- the invocation's input ----
    SockOpsInput sockOps;
    SockoptInput sockopt;
    /** The socket handle of the input, which only {@link #kernel} interprets. */
    Object socket;
    SocketInfo info;
    /** The kernel this VM runs in ({@link VmOptions#kernel()}): all it knows of sockets; null for raw programs only. */
    final KernelServices kernel;

    // ---- views, allocated once ----
    /** What r1 points to on entry: the context view, or the memory buffer of a raw program. */
    final Region context;
    /** The memory buffer of a raw program (what r1 points to, r2 its length), else null. */
    final MemRegion rawMemory;
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
        this.kernel = p.options.kernel();
        for (int i = 0; i < MAX_FRAMES; i++) {
            stacks[i] = new StackRegion(addresses.allocate(), i);
        }
        if (p.type == null) {
            rawMemory = new MemRegion(addresses.allocate(), "the memory buffer (r1, its length in r2)",
                    new byte[p.rawMemorySize], 0, p.rawMemorySize, true);
            context = rawMemory;
        } else {
            rawMemory = null;
            context = p.type == ProgramType.SOCK_OPS ? new Views.SockOpsContext(addresses.allocate(), this)
                    : new Views.SockoptContext(addresses.allocate(), this);
        }
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
        regionTable[0] = null;
        regionTable[1] = UNINIT;
        fixedRegions = 2;
        for (StackRegion st : stacks) {
            addFixed(st);
        }
        for (Region r : new Region[] {context, bpfSock, bpfTcpSock, tcpSock, kern, skb, packet, optval}) {
            addFixed(r);
        }
        int n = p.slots;
        insn = new int[n];
        imms = new long[n];
        refs = new Object[n];
        viewLayout = new Layout[n];
        viewOff = new long[n];
        viewMember = new Layout.Member[n];
        for (int pc = 0; pc < n; pc++) {
            int op = decode(p.code[pc], p.src[pc], p.off[pc], p.ref[pc]);
            insn[pc] = op | p.dst[pc] << 8 | p.src[pc] << 12 | p.off[pc] << 16;
            imms[pc] = p.imm[pc];
            refs[pc] = p.ref[pc];
            if (op == LD_REGION) {
                Region region = (Region) p.ref[pc];
                imms[pc] = region.base + (region instanceof MemRegion ? p.imm[pc] >>> 32 : 0);
                int id = -1;
                for (int i = POINTER; i < fixedRegions; i++) {
                    if (regionTable[i] == region) {
                        id = i;
                    }
                }
                insn[pc] = (insn[pc] & 0xffff) | (id < 0 ? addFixed(region) : id) << 16; // LD_IMM64 has off 0
            }
        }
        regionCount = fixedRegions;
    }

    /** Runs invocations through {@code engine} from now on (see {@link #translated}). */
    void install(Engine engine) {
        this.translated = engine;
    }

    /** The value of register {@code r} when an invocation starts (see {@link #resetForInvocation}). */
    long entryValue(int r) {
        return switch (r) {
            case 1 -> context.base;
            case 2 -> rawMemory != null ? rawMemory.length : 0;
            case 10 -> stacks[0].base + StackRegion.SIZE;
            default -> 0;
        };
    }

    /** The kind of register {@code r} when an invocation starts. */
    int entryKind(int r) {
        return switch (r) {
            case 1 -> context.ownId;
            case 2 -> rawMemory != null ? SCALAR : UNINIT_KIND;
            case 10 -> stacks[0].ownId;
            default -> UNINIT_KIND;
        };
    }

    /** The stack of frame {@code frame} (translated subprograms: what their r10 points to the end of). */
    StackRegion stackOf(int frame) {
        return stacks[frame];
    }

    /** The region of kind {@code k} when it is plain memory (kind MEM: map and storage values, optval), else null. */
    MemRegion plainMemoryOf(int k) {
        if (k >= POINTER) {
            Region r = regionTable[k];
            if (r.kind == Region.MEM) {
                return (MemRegion) r;
            }
        }
        return null;
    }

    /** Frame 0's stack, which r10 points to the end of during a whole invocation without bpf-to-bpf calls. */
    StackRegion frameZeroStack() {
        return stacks[0];
    }

    /** The context region (what r1 points to on entry). */
    Region contextRegion() {
        return context;
    }

    /** The pre-decoded form of slot {@code pc} (what {@link #generic} takes as {@code w}). */
    int decoded(int pc) {
        return insn[pc];
    }

    /** The value slot {@code pc} loads when it is an LD_IMM64 (for a region: its address). */
    long loadedValue(int pc) {
        return imms[pc];
    }

    /** The region number an LD_IMM64 of a region gives its register. */
    int loadedRegion(int pc) {
        return insn[pc] >>> 16;
    }

    /** Numbers a region for the whole life of this VM. */
    private int addFixed(Region r) {
        if (fixedRegions == regionTable.length) {
            regionTable = Arrays.copyOf(regionTable, regionTable.length * 2);
        }
        regionTable[fixedRegions] = r;
        if (r.owner == null) {
            r.owner = this;
            r.ownId = fixedRegions;
        }
        return fixedRegions++;
    }

    /**
     * The number of a region in this VM: fixed for the regions it owns, else found or added among
     * the regions numbered during this invocation (helpers return few; the table only grows when
     * an invocation uses more than any before it).
     */
    int idOf(Region r) {
        if (r == null) {
            return SCALAR;
        }
        if (r.owner == this) {
            return r.ownId;
        }
        if (r == UNINIT) {
            return UNINIT_KIND;
        }
        Region[] table = regionTable;
        int n = regionCount;
        int hint = r.dynId; // where this region was last numbered (in this VM or another): valid if it is still there
        if (hint >= POINTER && hint < n && table[hint] == r) {
            return hint;
        }
        if (hint == n && n < table.length && table[n] == r) {
            // numbered at this same place in an earlier invocation (a map value a helper returns
            // every time, in the same order): it was appended, so it is none of the fixed regions
            regionCount = n + 1;
            return n;
        }
        for (int i = POINTER; i < fixedRegions; i++) { // fixed regions another VM owns (shared maps)
            if (table[i] == r) {
                r.dynId = i;
                return i;
            }
        }
        if (n == table.length) {
            table = Arrays.copyOf(table, n * 2);
            regionTable = table;
        }
        if (table[n] != r) {
            table[n] = r;
        }
        regionCount = n + 1;
        r.dynId = n;
        return n;
    }

    /** The region of a region number (null for 0, {@link #UNINIT} for 1). */
    Region region(int id) {
        return regionTable[id];
    }

    /** The dense operation of one (loader-checked) instruction. */
    private static int decode(int c, int src, int off, Object ref) {
        int cls = c & 7;
        int op = (c & 0xf0) >> 4;
        boolean x = (c & Opcode.X) != 0;
        switch (cls) {
            case Opcode.ALU64, Opcode.ALU -> {
                boolean plain = op == ADD || op == SUB || op == MUL || op == OR || op == AND || op == LSH
                        || op == RSH || op == XOR || op == ARSH || (op == MOV && off == 0);
                if (!plain || (op != MOV && off != 0)) {
                    return GENERIC;
                }
                return (cls == Opcode.ALU64 ? (x ? A64X : A64K) : (x ? A32X : A32K)) + op;
            }
            case Opcode.JMP, Opcode.JMP32 -> {
                boolean is32 = cls == Opcode.JMP32;
                if ((c & 0xf0) == Opcode.CALL) {
                    return src == Opcode.PSEUDO_CALL ? CALL_PSEUDO : src == Opcode.PSEUDO_KFUNC_CALL ? CALL_KFUNC
                            : CALL_HELPER;
                }
                if ((c & 0xf0) == Opcode.EXIT) {
                    return EXIT;
                }
                if (op == JA) {
                    return is32 ? J32K + JA : J64K + JA;
                }
                return (is32 ? (x ? J32X : J32K) : (x ? J64X : J64K)) + op;
            }
            case Opcode.LDX -> {
                int size = (c & 0x18) >> 3; // W 0, H 1, B 2, DW 3
                int idx = size == 2 ? 0 : size == 1 ? 1 : size == 0 ? 2 : 3;
                return ((c & 0xe0) == Opcode.MEMSX ? LDSX_B : LDX_B) + idx;
            }
            case Opcode.ST -> {
                int size = (c & 0x18) >> 3;
                return ST_B + (size == 2 ? 0 : size == 1 ? 1 : size == 0 ? 2 : 3);
            }
            case Opcode.STX -> {
                if ((c & 0xe0) == Opcode.ATOMIC) {
                    return GENERIC;
                }
                int size = (c & 0x18) >> 3;
                return STX_B + (size == 2 ? 0 : size == 1 ? 1 : size == 0 ? 2 : 3);
            }
            default -> {
                return ref instanceof Region ? LD_REGION : LD_CONST;
            }
        }
    }

    // =====================================================================================
    // Register tags
    // =====================================================================================

    /** The tag of a register as the checks see it: null for a scalar, {@link #UNINIT}, or the region. */
    Region tag(int reg) {
        return regionTable[kinds[reg]];
    }

    /** Sets a register's tag: null for a scalar, {@link #UNINIT}, or a region. */
    void setTag(int reg, Region t) {
        kinds[reg] = idOf(t);
    }

    // =====================================================================================
    // Entry points
    // =====================================================================================

    /**
     * Runs a raw program on {@code memory} (as long as the buffer given at load): r1 points to a
     * copy of it, r2 is its length; the program's writes are copied back.
     */
    long runRaw(byte[] memory) {
        if (running) {
            throw new IllegalStateException("program '" + p.name + "' is already running: the VM is not re-entrant");
        }
        System.arraycopy(memory, 0, rawMemory.data, 0, rawMemory.length);
        running = true;
        try {
            return execute();
        } finally {
            running = false;
            System.arraycopy(rawMemory.data, 0, memory, 0, rawMemory.length);
        }
    }

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
        if (kernel == null) {
            throw new IllegalStateException("program '" + p.name + "' was loaded without kernel services "
                    + "(VmOptions.withKernel): it cannot run on a socket");
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
        Engine engine = translated;
        if (engine != null) {
            return engine.invoke();
        }
        resetForInvocation();
        return interpret(0, 0, 0);
    }

    /**
     * What translated code needs reset before an invocation: it starts from constants (r1 =
     * context, r10 = frame pointer) and keeps registers in JVM locals, so only the per-invocation
     * region numbers and the stack.
     */
    void resetForTranslated() {
        resetRegionNumbers();
        stacks[0].reset();
    }

    /** {@link #resetForTranslated} without zero-filling frame 0 (D27: the program never reads what it held). */
    void resetRegionNumbers() {
        regionCount = fixedRegions;
    }

    /**
     * The state every invocation starts from, in both execution modes: r1 = context, r10 = frame
     * pointer, every other register uninitialized, frame 0's stack all zero, no region numbered
     * for this invocation yet.
     */
    void resetForInvocation() {
        final long[] r = regs;
        final int[] k = kinds;
        for (int i = 0; i < 11; i++) {
            k[i] = UNINIT_KIND;
            r[i] = 0;
        }
        regionCount = fixedRegions;
        stacks[0].reset();
        r[1] = context.base;
        k[1] = context.ownId;
        if (rawMemory != null) {
            r[2] = rawMemory.length;
            k[2] = SCALAR;
        }
        r[10] = stacks[0].base + StackRegion.SIZE;
        k[10] = stacks[0].ownId;
    }

    /**
     * Interprets from {@code pc} in frame {@code startFrame} with {@code count} instructions already
     * executed, on the registers in {@link #regs}/{@link #kinds}: from 0 for an interpreted
     * invocation; from a block start when translated code hands over because the budget could run
     * out inside the block (so the abort names the same pc and count as a fully interpreted run),
     * in a subprogram's frame with the callers' frames kept by {@link #jitSaveFrame}.
     */
    long interpret(int startPc, int startCount, int startFrame) {
        final int[] ins = insn;
        final long[] im = imms;
        final long[] r = regs;
        final int[] k = kinds;
        int frame = startFrame;
        int pc = startPc;
        int count = startCount;
        try {
            while (true) {
                if (++count > INSTRUCTION_BUDGET) {
                    count--;
                    throw new Fault("instruction budget exhausted: " + INSTRUCTION_BUDGET + " instructions ran in this "
                            + "invocation (the kernel verifier would have to prove this loop bounded)");
                }
                int w = ins[pc];
                int d = (w >>> 8) & 0xf;
                int s = (w >>> 12) & 0xf;
                switch (w & 0xff) {
                    // ---- ALU64, immediate ----
                    case A64K + ADD -> {
                        if (k[d] == SCALAR || (k[d] >= POINTER && plainMemory(regionTable[k[d]]))) {
                            r[d] += im[pc]; // a scalar, or a pointer into memory moving (the pointer stays)
                        } else {
                            aluSlow(pc, true);
                        }
                        pc++;
                    }
                    case A64K + SUB -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] -= im[pc];
                        }
                        pc++;
                    }
                    case A64K + MUL -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] *= im[pc];
                        }
                        pc++;
                    }
                    case A64K + OR -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] |= im[pc];
                        }
                        pc++;
                    }
                    case A64K + AND -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] &= im[pc];
                        }
                        pc++;
                    }
                    case A64K + XOR -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] ^= im[pc];
                        }
                        pc++;
                    }
                    case A64K + LSH -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] <<= (im[pc] & 63);
                        }
                        pc++;
                    }
                    case A64K + RSH -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] >>>= (im[pc] & 63);
                        }
                        pc++;
                    }
                    case A64K + ARSH -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] >>= (im[pc] & 63);
                        }
                        pc++;
                    }
                    case A64K + MOV -> {
                        r[d] = im[pc];
                        k[d] = SCALAR;
                        pc++;
                    }
                    // ---- ALU64, register ----
                    case A64X + ADD -> {
                        if ((k[d] | k[s]) == SCALAR || (k[s] == SCALAR && k[d] >= POINTER && plainMemory(regionTable[k[d]]))) {
                            r[d] += r[s];
                        } else {
                            aluSlow(pc, true);
                        }
                        pc++;
                    }
                    case A64X + SUB -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] -= r[s];
                        }
                        pc++;
                    }
                    case A64X + MUL -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] *= r[s];
                        }
                        pc++;
                    }
                    case A64X + OR -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] |= r[s];
                        }
                        pc++;
                    }
                    case A64X + AND -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] &= r[s];
                        }
                        pc++;
                    }
                    case A64X + XOR -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] ^= r[s];
                        }
                        pc++;
                    }
                    case A64X + LSH -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] <<= (r[s] & 63);
                        }
                        pc++;
                    }
                    case A64X + RSH -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, true);
                        } else {
                            r[d] >>>= (r[s] & 63);
                        }
                        pc++;
                    }
                    case A64X + MOV -> {
                        int ks = k[s];
                        if (ks == UNINIT_KIND) {
                            throw uninit(s);
                        }
                        r[d] = r[s]; // a scalar, or the pointer with its region
                        k[d] = ks;
                        pc++;
                    }
                    // ---- ALU32, immediate: a pointer or uninitialized operand always faults in aluSlow ----
                    case A32K + ADD -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] + (int) im[pc]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32K + SUB -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] - (int) im[pc]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32K + OR -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] | (int) im[pc]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32K + AND -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] & (int) im[pc]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32K + XOR -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] ^ (int) im[pc]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32K + LSH -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] << ((int) im[pc] & 31)) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32K + RSH -> {
                        if (k[d] != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] >>> ((int) im[pc] & 31)) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32K + MOV -> {
                        r[d] = im[pc] & 0xffff_ffffL;
                        k[d] = SCALAR;
                        pc++;
                    }
                    // ---- ALU32, register ----
                    case A32X + ADD -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] + (int) r[s]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32X + SUB -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] - (int) r[s]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32X + OR -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] | (int) r[s]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32X + AND -> {
                        if ((k[d] | k[s]) != SCALAR) {
                            aluSlow(pc, false);
                        }
                        r[d] = ((int) r[d] & (int) r[s]) & 0xffff_ffffL;
                        pc++;
                    }
                    case A32X + MOV -> {
                        if (k[s] != SCALAR) {
                            aluSlow(pc, false); // faults: partial copy of a pointer, or uninitialized source
                        }
                        r[d] = r[s] & 0xffff_ffffL;
                        k[d] = SCALAR;
                        pc++;
                    }
                    // ---- jumps ----
                    case J64K + JA -> pc += 1 + (w >> 16);
                    case J32K + JA -> pc += 1 + (int) im[pc];
                    case J64K + JEQ -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += r[d] == im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JNE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += r[d] != im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JGT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Long.compareUnsigned(r[d], im[pc]) > 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JGE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Long.compareUnsigned(r[d], im[pc]) >= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JLT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Long.compareUnsigned(r[d], im[pc]) < 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JLE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Long.compareUnsigned(r[d], im[pc]) <= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JSET -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += (r[d] & im[pc]) != 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JSGT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += r[d] > im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JSGE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += r[d] >= im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JSLT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += r[d] < im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J64K + JSLE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += r[d] <= im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J64X + JEQ -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += r[d] == r[s] ? 1 + (w >> 16) : 1;
                    }
                    case J64X + JNE -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += r[d] != r[s] ? 1 + (w >> 16) : 1;
                    }
                    case J64X + JGT -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Long.compareUnsigned(r[d], r[s]) > 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64X + JGE -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Long.compareUnsigned(r[d], r[s]) >= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64X + JLT -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Long.compareUnsigned(r[d], r[s]) < 0 ? 1 + (w >> 16) : 1;
                    }
                    case J64X + JLE -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Long.compareUnsigned(r[d], r[s]) <= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JEQ -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += (int) r[d] == (int) im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JNE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += (int) r[d] != (int) im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JGT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) im[pc]) > 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JGE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) im[pc]) >= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JLT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) im[pc]) < 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JLE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) im[pc]) <= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JSGT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += (int) r[d] > (int) im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JSGE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += (int) r[d] >= (int) im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JSLT -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += (int) r[d] < (int) im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J32K + JSLE -> {
                        if (k[d] == UNINIT_KIND) {
                            throw uninit(d);
                        }
                        pc += (int) r[d] <= (int) im[pc] ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JEQ -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += (int) r[d] == (int) r[s] ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JNE -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += (int) r[d] != (int) r[s] ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JGT -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) r[s]) > 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JGE -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) r[s]) >= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JLT -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) r[s]) < 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JLE -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += Integer.compareUnsigned((int) r[d], (int) r[s]) <= 0 ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JSGT -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += (int) r[d] > (int) r[s] ? 1 + (w >> 16) : 1;
                    }
                    case J32X + JSLT -> {
                        if (k[d] == UNINIT_KIND || k[s] == UNINIT_KIND) {
                            throw uninit(k[d] == UNINIT_KIND ? d : s);
                        }
                        pc += (int) r[d] < (int) r[s] ? 1 + (w >> 16) : 1;
                    }
                    // ---- calls and exit ----
                    case CALL_HELPER -> {
                        r[0] = call((int) im[pc], null);
                        clobberArgs();
                        pc++;
                    }
                    case CALL_KFUNC -> {
                        r[0] = call(0, (Kfunc) refs[pc]);
                        clobberArgs();
                        pc++;
                    }
                    case CALL_PSEUDO -> {
                        if (frame + 1 >= MAX_FRAMES) {
                            throw new Fault("the call stack of " + (frame + 2) + " frames is too deep (at most "
                                    + MAX_FRAMES + ")");
                        }
                        int base = frame * 5;
                        for (int i = 0; i < 5; i++) {
                            savedRegs[base + i] = r[6 + i];
                            savedKinds[base + i] = k[6 + i];
                        }
                        returnPc[frame] = pc + 1;
                        frame++;
                        StackRegion st = stacks[frame];
                        st.reset();
                        for (int i = 6; i <= 9; i++) {
                            k[i] = UNINIT_KIND;
                        }
                        r[10] = st.base + StackRegion.SIZE;
                        k[10] = st.ownId;
                        pc += 1 + (int) im[pc];
                    }
                    case EXIT -> {
                        if (frame > 0) {
                            frame--;
                            int base = frame * 5;
                            for (int i = 0; i < 5; i++) {
                                r[6 + i] = savedRegs[base + i];
                                k[6 + i] = savedKinds[base + i];
                            }
                            for (int i = 1; i <= 5; i++) {
                                k[i] = UNINIT_KIND;
                            }
                            pc = returnPc[frame];
                        } else {
                            return exit();
                        }
                    }
                    // ---- memory ----
                    case LDX_B -> {
                        Region b = regionTable[k[s]];
                        if (k[s] >= POINTER && b.kind == Region.MEM) { // plain memory and stack inline, the rest in load
                            ((MemRegion) b).loadMem(this, d, r[s] - b.base, w >> 16, 1, false);
                        } else if (k[s] >= POINTER && b.kind == Region.STACK) {
                            ((StackRegion) b).loadStack(this, d, r[s] - b.base, w >> 16, 1, false);
                        } else {
                            load(pc, d, s, w >> 16, 1, false);
                        }
                        pc++;
                    }
                    case LDX_H -> {
                        Region b = regionTable[k[s]];
                        if (k[s] >= POINTER && b.kind == Region.MEM) { // plain memory and stack inline, the rest in load
                            ((MemRegion) b).loadMem(this, d, r[s] - b.base, w >> 16, 2, false);
                        } else if (k[s] >= POINTER && b.kind == Region.STACK) {
                            ((StackRegion) b).loadStack(this, d, r[s] - b.base, w >> 16, 2, false);
                        } else {
                            load(pc, d, s, w >> 16, 2, false);
                        }
                        pc++;
                    }
                    case LDX_W -> {
                        Region b = regionTable[k[s]];
                        if (k[s] >= POINTER && b.kind == Region.MEM) { // plain memory and stack inline, the rest in load
                            ((MemRegion) b).loadMem(this, d, r[s] - b.base, w >> 16, 4, false);
                        } else if (k[s] >= POINTER && b.kind == Region.STACK) {
                            ((StackRegion) b).loadStack(this, d, r[s] - b.base, w >> 16, 4, false);
                        } else {
                            load(pc, d, s, w >> 16, 4, false);
                        }
                        pc++;
                    }
                    case LDX_DW -> {
                        Region b = regionTable[k[s]];
                        if (k[s] >= POINTER && b.kind == Region.MEM) { // plain memory and stack inline, the rest in load
                            ((MemRegion) b).loadMem(this, d, r[s] - b.base, w >> 16, 8, false);
                        } else if (k[s] >= POINTER && b.kind == Region.STACK) {
                            ((StackRegion) b).loadStack(this, d, r[s] - b.base, w >> 16, 8, false);
                        } else {
                            load(pc, d, s, w >> 16, 8, false);
                        }
                        pc++;
                    }
                    case ST_W -> {
                        store(d, w >> 16, 4, im[pc], SCALAR);
                        pc++;
                    }
                    case ST_DW -> {
                        store(d, w >> 16, 8, im[pc], SCALAR);
                        pc++;
                    }
                    case STX_W -> {
                        int kd = k[d];
                        int ks = k[s];
                        Region b = regionTable[kd];
                        if (kd >= POINTER && ks != UNINIT_KIND && b.kind == Region.STACK) { // stack and plain memory inline
                            ((StackRegion) b).storeStack(this, r[d] - b.base, w >> 16, 4, r[s], ks);
                        } else if (kd >= POINTER && ks == SCALAR && b.kind == Region.MEM) {
                            ((MemRegion) b).storeMem(r[d] - b.base, w >> 16, 4, r[s], null);
                        } else {
                            storeReg(d, s, w >> 16, 4);
                        }
                        pc++;
                    }
                    case STX_DW -> {
                        int kd = k[d];
                        int ks = k[s];
                        Region b = regionTable[kd];
                        if (kd >= POINTER && ks != UNINIT_KIND && b.kind == Region.STACK) { // stack and plain memory inline
                            ((StackRegion) b).storeStack(this, r[d] - b.base, w >> 16, 8, r[s], ks);
                        } else if (kd >= POINTER && ks == SCALAR && b.kind == Region.MEM) {
                            ((MemRegion) b).storeMem(r[d] - b.base, w >> 16, 8, r[s], null);
                        } else {
                            storeReg(d, s, w >> 16, 8);
                        }
                        pc++;
                    }
                    case LD_CONST -> {
                        r[d] = im[pc];
                        k[d] = SCALAR;
                        pc += 2;
                    }
                    case LD_REGION -> {
                        r[d] = im[pc];
                        k[d] = w >>> 16; // the region number (see the constructor)
                        pc += 2;
                    }
                    default -> pc = generic(pc, w, d, s);
                }
            }
        } catch (Fault f) {
            lastCount = count;
            throw new BpfVmException(p.name, pc, p.text(pc), f.getMessage());
        } finally {
            lastCount = count;
        }
    }

    /** A helper or kfunc call leaves r1–r5 uninitialized. */
    private void clobberArgs() {
        int[] k = kinds;
        k[1] = UNINIT_KIND;
        k[2] = UNINIT_KIND;
        k[3] = UNINIT_KIND;
        k[4] = UNINIT_KIND;
        k[5] = UNINIT_KIND;
    }

    /** Whether {@code ptr += scalar} on a pointer into {@code t} keeps the pointer: plain memory and stacks always do. */
    private static boolean plainMemory(Region t) {
        int rk = t.kind;
        return rk == Region.MEM || rk == Region.STACK;
    }

    /** The pointer path of a specialised ALU instruction (a pointer or uninitialized operand). */
    void aluSlow(int pc, boolean is64) {
        int c = p.code[pc];
        pointerAlu(c, c & 0xf0, (c & Opcode.X) != 0, p.dst[pc], p.src[pc], p.off[pc], p.imm[pc], is64);
    }

    /** {@code LDX}: checks the base register and dispatches on its region's kind. */
    void load(int pc, int d, int s, int off, int size, boolean signExtend) {
        int ks = kinds[s];
        if (ks < POINTER) {
            throw notPointer(s, "read");
        }
        Region base = regionTable[ks];
        long ptrOff = regs[s] - base.base;
        if (base.kind == Region.MEM) {
            ((MemRegion) base).loadMem(this, d, ptrOff, off, size, signExtend);
        } else {
            loadOther(base, pc, d, ptrOff, off, size, signExtend);
        }
    }

    private void loadOther(Region base, int pc, int d, long ptrOff, int off, int size, boolean signExtend) {
        switch (base.kind) {
            case Region.STACK -> ((StackRegion) base).loadStack(this, d, ptrOff, off, size, signExtend);
            case Region.VIEW -> loadView((ViewRegion) base, pc, d, ptrOff, off, size, signExtend);
            default -> base.load(this, d, ptrOff, off, size, signExtend);
        }
    }

    /**
     * A load from a context or kernel object. The member an access touches is a function of the
     * layout, the offset and the size (fixed per slot), so the last checked access of each slot is
     * remembered: a repeated access skips the layout walk, a different one is checked again.
     */
    void loadView(ViewRegion v, int pc, int d, long ptrOff, int insnOff, int size, boolean signExtend) {
        v.checkUnmoved(ptrOff);
        long off = ptrOff + insnOff;
        Layout layout = v.layout;
        Layout.Member m;
        if (viewLayout[pc] == layout && viewOff[pc] == off) {
            m = viewMember[pc];
        } else {
            m = layout.check(off, size, false);
            viewLayout[pc] = layout;
            viewOff[pc] = off;
            viewMember[pc] = m;
        }
        v.loadMember(this, d, m, off, size, signExtend);
    }

    /** {@code ST} and {@code STX}: checks the base register and dispatches on its region's kind. */
    /** {@code valueKind}: {@link #SCALAR}, or the region number of the stored pointer. */
    void store(int d, int off, int size, long value, int valueKind) {
        int kd = kinds[d];
        if (kd < POINTER) {
            throw notPointer(d, "write");
        }
        Region base = regionTable[kd];
        long ptrOff = regs[d] - base.base;
        if (base.kind == Region.MEM && valueKind == SCALAR) {
            ((MemRegion) base).storeMem(ptrOff, off, size, value, null);
        } else {
            storeOther(base, ptrOff, off, size, value, valueKind);
        }
    }

    private void storeOther(Region base, long ptrOff, int off, int size, long value, int valueKind) {
        switch (base.kind) {
            case Region.STACK -> ((StackRegion) base).storeStack(this, ptrOff, off, size, value, valueKind);
            case Region.MEM -> ((MemRegion) base).storeMem(ptrOff, off, size, value, regionTable[valueKind]);
            default -> base.store(this, ptrOff, off, size, value, regionTable[valueKind]);
        }
    }

    void storeReg(int d, int s, int off, int size) {
        if (kinds[d] < POINTER) {
            throw notPointer(d, "write");
        }
        int ks = kinds[s];
        if (ks == UNINIT_KIND) {
            throw uninit(s);
        }
        store(d, off, size, regs[s], ks);
    }

    /**
     * The instructions without a case of their own in {@link #execute} (DIV, MOD, NEG, END,
     * sign-extending MOV, atomics, and the rarer forms of the others), decoded from the raw
     * instruction. Returns the next pc.
     */
    int generic(int pc, int w, int d, int s) {
        int c = p.code[pc];
        int off = p.off[pc];
        long imm = p.imm[pc];
        final long[] r = regs;
        final int[] k = kinds;
        switch (w & 0xff) {
            case LDSX_B -> load(pc, d, s, off, 1, true);
            case LDSX_H -> load(pc, d, s, off, 2, true);
            case LDSX_W -> load(pc, d, s, off, 4, true);
            case ST_B -> store(d, off, 1, imm, SCALAR);
            case ST_H -> store(d, off, 2, imm, SCALAR);
            case STX_B -> storeReg(d, s, off, 1);
            case STX_H -> storeReg(d, s, off, 2);
            default -> {
                int cls = c & 7;
                if (cls == Opcode.JMP || cls == Opcode.JMP32) {
                    return jump(pc, c, d, s, off, imm);
                }
                alu(c, d, s, off, imm);
            }
        }
        return pc + 1;
    }

    /** A conditional jump without a case of its own in {@link #execute}. */
    private int jump(int pc, int c, int d, int s, int off, long imm) {
        boolean x = (c & Opcode.X) != 0;
        boolean is32 = (c & 7) == Opcode.JMP32;
        if (kinds[d] == UNINIT_KIND) {
            throw uninit(d);
        }
        if (x && kinds[s] == UNINIT_KIND) {
            throw uninit(s);
        }
        long a = regs[d];
        long b = x ? regs[s] : imm;
        if (is32) {
            a = (int) a;
            b = (int) b;
        }
        boolean taken = switch (c & 0xf0) {
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
        return pc + (taken ? 1 + off : 1);
    }

    /** ALU and atomic instructions, decoded from the raw instruction. */
    private void alu(int c, int d, int s, int off, long imm) {
        final long[] r = regs;
        final int[] k = kinds;
        switch (c & 7) {
            case Opcode.ALU64 -> {
                int op = c & 0xf0;
                boolean x = (c & Opcode.X) != 0;
                // (the loader refuses ALU64 | END | X, and NEG | X: only a register operand sets X here)
                if (k[d] != SCALAR || (x && k[s] != SCALAR)) {
                    if (pointerAlu(c, op, x, d, s, off, imm, true)) {
                        return;
                    }
                }
                long sv = x ? r[s] : imm;
                long dv = r[d];
                long res;
                switch (op) {
                    case Opcode.ADD -> res = dv + sv;
                    case Opcode.SUB -> res = dv - sv;
                    case Opcode.MUL -> res = dv * sv;
                    case Opcode.DIV -> res = off == 0 ? div64(dv, sv) : sdiv64(dv, sv);
                    case Opcode.MOD -> res = off == 0 ? mod64(dv, sv) : smod64(dv, sv);
                    case Opcode.OR -> res = dv | sv;
                    case Opcode.AND -> res = dv & sv;
                    case Opcode.XOR -> res = dv ^ sv;
                    case Opcode.LSH -> res = dv << (sv & 63);
                    case Opcode.RSH -> res = dv >>> (sv & 63);
                    case Opcode.ARSH -> res = dv >> (sv & 63);
                    case Opcode.NEG -> res = -dv;
                    case Opcode.MOV -> res = !x ? sv : switch (off) {
                        case 8 -> (byte) sv;
                        case 16 -> (short) sv;
                        case 32 -> (int) sv;
                        default -> sv;
                    };
                    default -> res = switch ((int) imm) { // END: BPF_ALU64 | BPF_END = bswap
                        case 16 -> Short.reverseBytes((short) dv) & 0xffffL;
                        case 32 -> Integer.reverseBytes((int) dv) & 0xffff_ffffL;
                        default -> Long.reverseBytes(dv);
                    };
                }
                r[d] = res;
                k[d] = SCALAR;
            }
            case Opcode.ALU -> {
                int op = c & 0xf0;
                boolean x = (c & Opcode.X) != 0;
                // END's source bit is the byte order (TO_BE), not a register source: its src field is
                // 0 and it reads only the destination, as the kernel's check_alu_op checks it
                boolean readsSrc = x && op != Opcode.END;
                if (k[d] != SCALAR || (readsSrc && k[s] != SCALAR)) {
                    pointerAlu(c, op, readsSrc, d, s, off, imm, false);
                }
                int sv = x ? (int) r[s] : (int) imm;
                int dv = (int) r[d];
                long res;
                switch (op) {
                    case Opcode.ADD -> res = dv + sv;
                    case Opcode.SUB -> res = dv - sv;
                    case Opcode.MUL -> res = dv * sv;
                    case Opcode.DIV -> res = off == 0 ? div32(dv, sv) : sdiv32(dv, sv);
                    case Opcode.MOD -> res = off == 0 ? mod32(dv, sv) : smod32(dv, sv);
                    case Opcode.OR -> res = dv | sv;
                    case Opcode.AND -> res = dv & sv;
                    case Opcode.XOR -> res = dv ^ sv;
                    case Opcode.LSH -> res = dv << (sv & 31);
                    case Opcode.RSH -> res = dv >>> (sv & 31);
                    case Opcode.ARSH -> res = dv >> (sv & 31);
                    case Opcode.NEG -> res = -dv;
                    case Opcode.MOV -> res = !x ? sv : switch (off) {
                        case 8 -> (byte) sv;
                        case 16 -> (short) sv;
                        default -> sv;
                    };
                    default -> {
                        // END on the 64-bit register: TO_LE truncates, TO_BE swaps (x86-64 is little-endian)
                        long v = r[d];
                        int bits = (int) imm;
                        if (x) {
                            res = bits == 16 ? Short.reverseBytes((short) v) & 0xffffL
                                    : bits == 32 ? Integer.reverseBytes((int) v) & 0xffff_ffffL : Long.reverseBytes(v);
                        } else {
                            res = bits == 16 ? v & 0xffffL : bits == 32 ? v & 0xffff_ffffL : v;
                        }
                        r[d] = res;
                        k[d] = SCALAR;
                        return;
                    }
                }
                r[d] = res & 0xffff_ffffL;
                k[d] = SCALAR;
            }
            default -> { // STX | ATOMIC
                if (k[d] < POINTER) {
                    throw notPointer(d, "write");
                }
                Region base = regionTable[k[d]];
                if (k[s] == UNINIT_KIND) {
                    throw uninit(s);
                }
                atomic(base, d, s, off, Opcode.sizeInBytes(c & 0x18), (int) imm);
            }
        }
    }

    // ---- division and modulo as the verifier's rewrites make them (shared with translated code) ----

    static long div64(long d, long s) {
        return s == 0 ? 0 : Long.divideUnsigned(d, s);
    }

    static long sdiv64(long d, long s) {
        return s == 0 ? 0 : s == -1 ? -d : d / s;
    }

    static long mod64(long d, long s) {
        return s == 0 ? d : Long.remainderUnsigned(d, s);
    }

    static long smod64(long d, long s) {
        return s == 0 ? d : s == -1 ? 0 : d % s;
    }

    /** The 32-bit forms take the low halves and give the result as an int (the caller zero-extends). */
    static int div32(long d, long s) {
        int dv = (int) d;
        int sv = (int) s;
        return sv == 0 ? 0 : Integer.divideUnsigned(dv, sv);
    }

    static int sdiv32(long d, long s) {
        int dv = (int) d;
        int sv = (int) s;
        return sv == 0 ? 0 : sv == -1 ? -dv : dv / sv;
    }

    static int mod32(long d, long s) {
        int dv = (int) d;
        int sv = (int) s;
        return sv == 0 ? dv : Integer.remainderUnsigned(dv, sv);
    }

    static int smod32(long d, long s) {
        int dv = (int) d;
        int sv = (int) s;
        return sv == 0 ? dv : sv == -1 ? 0 : dv % sv;
    }

    long exit() {
        int k0 = kinds[0];
        if (k0 == UNINIT_KIND) {
            throw new Fault("R0 !read_ok: the program exits without setting r0");
        }
        if (k0 != SCALAR) {
            throw new Fault("R0 leaks addr as return value: r0 points into " + regionTable[k0].describe());
        }
        long v = regs[0];
        if (p.options.checkReturn() && (v < 0 || v > 1)) {
            throw new Fault("at program exit the register R0 has value " + v + " but " + p.type
                    + " programs must return 0 or 1");
        }
        return v;
    }

    static Fault uninit(int reg) {
        return new Fault("R" + reg + " !read_ok: the register was not written (registers start uninitialized; "
                + "a call leaves r1-r5 uninitialized)");
    }

    /** Why register {@code reg}, which does not hold a pointer, cannot be used to access memory. */
    private Fault notPointer(int reg, String access) {
        if (kinds[reg] == SCALAR) {
            return new Fault("R" + reg + " invalid mem access 'scalar': r" + reg + " = 0x" + Long.toHexString(regs[reg])
                    + " is a scalar, not a pointer, and cannot be used to " + access + " memory");
        }
        return uninit(reg);
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
        Region dt = tag(d);
        Region st = x ? tag(s) : null;
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
            setTag(d, st);
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
            setTag(d, st);
            return true;
        }
        if (op == Opcode.SUB && dt == st) {
            regs[d] -= regs[s];
            setTag(d, null);
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
        if (tag(s) != null) {
            throw new Fault("R" + s + " leaks addr into mem: atomics take scalars");
        }
        if (op == Opcode.CMPXCHG) {
            if (tag(0) == UNINIT) {
                throw uninit(0);
            }
            if (tag(0) != null) {
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
            stack.dirty(at, size);
        }
        long mask = Region.mask(size);
        long old = MemRegion.read(m.data, at, size);
        long sv = regs[s] & mask;
        if (op == Opcode.CMPXCHG) {
            if (old == (regs[0] & mask)) {
                MemRegion.write(m.data, at, size, sv);
            }
            regs[0] = old;
            setTag(0, null);
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
            setTag(s, null);
        }
    }

    // =====================================================================================
    // Helpers and kfuncs
    // =====================================================================================

    /** Offset into the region returned by the last {@link #mem} call. */
    private int memAt;

    private long arg(int reg) {
        if (tag(reg) == UNINIT) {
            throw uninit(reg);
        }
        return regs[reg];
    }

    private int intArg(int reg) {
        return (int) arg(reg);
    }

    /** A memory argument of {@code len} bytes; sets {@link #memAt}. */
    private MemRegion mem(int reg, long len, boolean write, String what) {
        Region t = tag(reg);
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
        Region t = tag(reg);
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
        Region t = tag(reg);
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
        Region t = tag(reg);
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

    long ptr(Region r) {
        if (r == null) {
            return 0;
        }
        setTag(0, r);
        return r.base;
    }

    /**
     * A helper call ({@code kfunc == null}: helper {@code id}) or a kfunc call. One method for both,
     * and a large one: translated code calls it out of line, so C2 does not spend the inlining
     * budget of the translated method on the argument checks of helpers and kfuncs (which are
     * called a few times per invocation) rather than on its loads and stores.
     */
    long call(int id, Kfunc kfunc) {
        if (kfunc != null) {
            return kfunc(kfunc);
        }
        setTag(0, null);
        Helper h = id >= 0 && id < HELPERS.length ? HELPERS[id] : null;
        if (h == null) {
            if (id == dev.autolowat.api.object.CoreRelocator.POISON_IMM) {
                throw new Fault("invalid CO-RE relocation: the program reached an instruction poisoned at load (call "
                        + "0xbad2310), a read of a kernel field or type the simulated kernel does not have "
                        + "(the object loader's CoreRelocator report names it; docs/objects.md lists what is served)");
            }
            throw new Fault("helper " + id + " is not implemented");
        }
        switch (h) {
            case MAP_LOOKUP_ELEM -> {
                return helperMapLookupElem();
            }
            case MAP_UPDATE_ELEM -> {
                return helperMapUpdateElem();
            }
            case MAP_DELETE_ELEM -> {
                return helperMapDeleteElem();
            }
            case KTIME_GET_NS -> {
                return helperKtimeGetNs();
            }
            case SKB_LOAD_BYTES -> {
                return helperSkbLoadBytes();
            }
            case SETSOCKOPT -> {
                return helperSetsockopt();
            }
            case GETSOCKOPT -> {
                return helperGetsockopt();
            }
            case SOCK_OPS_CB_FLAGS_SET -> {
                return helperSockOpsCbFlagsSet();
            }
            case TCP_SOCK -> {
                return helperTcpSock();
            }
            case SK_STORAGE_GET -> {
                return helperSkStorageGet();
            }
            case SK_STORAGE_DELETE -> {
                return helperSkStorageDelete();
            }
            case RINGBUF_OUTPUT -> {
                return helperRingbufOutput();
            }
            case SKC_TO_TCP_SOCK -> {
                return helperSkcToTcpSock();
            }
            default -> throw new Fault("helper " + id + " is not implemented");
        }
    }

    /** {@code MAP_LOOKUP_ELEM} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperMapLookupElem() {
        BpfMap map = mapArg(1, "bpf_map_lookup_elem");
        mapKind(map, "bpf_map_lookup_elem");
        MemRegion k = mem(2, map.spec.keySize(), false, "the key of bpf_map_lookup_elem");
        return ptr(map.lookupElem(k.data, memAt));
    }

    /** {@code MAP_UPDATE_ELEM} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperMapUpdateElem() {
        BpfMap map = mapArg(1, "bpf_map_update_elem");
        mapKind(map, "bpf_map_update_elem");
        MemRegion k = mem(2, map.spec.keySize(), false, "the key of bpf_map_update_elem");
        int ko = memAt;
        MemRegion v = mem(3, map.spec.valueSize(), false, "the value of bpf_map_update_elem");
        writableByPrograms(map);
        return map.updateElem(k.data, ko, v.data, memAt, arg(4));
    }

    /** {@code MAP_DELETE_ELEM} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperMapDeleteElem() {
        BpfMap map = mapArg(1, "bpf_map_delete_elem");
        mapKind(map, "bpf_map_delete_elem");
        MemRegion k = mem(2, map.spec.keySize(), false, "the key of bpf_map_delete_elem");
        writableByPrograms(map);
        return map.deleteElem(k.data, memAt);
    }

    /**
     * The verifier's {@code record_func_map}: a {@code BPF_F_RDONLY_PROG} map (a frozen global-data map,
     * {@code .rodata}) refuses a program's update or delete — the kernel rejects the program at load,
     * after the argument checks, with {@code -EACCES} "write into map forbidden"; the VM faults on the
     * path that makes the call, with the same message (docs/decisions.md D22).
     */
    private void writableByPrograms(BpfMap map) {
        if (map.spec.frozen()) {
            throw new Fault("write into map forbidden (" + map.spec.name() + " is read-only for programs: frozen)");
        }
    }

    /** {@code KTIME_GET_NS} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperKtimeGetNs() {
        return p.options.clock().getAsLong();
    }

    /** {@code SKB_LOAD_BYTES} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperSkbLoadBytes() {
        return skbLoadBytes();
    }

    /** {@code SETSOCKOPT} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperSetsockopt() {
        return sockopt(true);
    }

    /** {@code GETSOCKOPT} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperGetsockopt() {
        return sockopt(false);
    }

    /** {@code SOCK_OPS_CB_FLAGS_SET} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperSockOpsCbFlagsSet() {
        contextArg(1, "bpf_sock_ops_cb_flags_set", false);
        return kernel.cbFlagsSet(socket, intArg(2)); // F1, F3
    }

    /** {@code TCP_SOCK} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperTcpSock() {
        socketArg(1, "bpf_tcp_sock", true);
        return ptr(kernel.isMptcp(socket) ? null : bpfTcpSock);
    }

    /** {@code SK_STORAGE_GET} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperSkStorageGet() {
        BpfMap map = mapArg(1, "bpf_sk_storage_get");
        if (!(map instanceof SkStorageMap storage)) {
            throw new Fault("cannot pass map_type " + map.spec.type().value() + " (" + map.spec.type()
                    + ") into func bpf_sk_storage_get");
        }
        socketArg(2, "bpf_sk_storage_get", false);
        byte[] init = null;
        int initAt = 0;
        if (tag(3) == null && regs[3] == 0) {
            init = null;
        } else {
            MemRegion v = mem(3, map.spec.valueSize(), false, "the initial value of bpf_sk_storage_get");
            init = v.data;
            initAt = memAt;
        }
        return skStorageGetChecked(storage, init, initAt, arg(4));
    }

    /**
     * The rest of {@code bpf_sk_storage_get} once its argument checks passed (here, or in translated
     * code: {@link JitRuntime#jitSkStorageGet}): unknown flags give NULL, else the socket's value,
     * created with {@code BPF_SK_STORAGE_GET_F_CREATE}.
     */
    long skStorageGetChecked(SkStorageMap storage, byte[] init, int initAt, long flags) {
        if ((flags & ~(long) Helper.SK_STORAGE_GET_F_CREATE) != 0) {
            return 0;
        }
        return ptr(storage.get(socket, flags == Helper.SK_STORAGE_GET_F_CREATE, init, initAt));
    }

    /** {@code SK_STORAGE_DELETE} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperSkStorageDelete() {
        BpfMap map = mapArg(1, "bpf_sk_storage_delete");
        if (!(map instanceof SkStorageMap storage)) {
            throw new Fault("cannot pass map_type " + map.spec.type().value() + " (" + map.spec.type()
                    + ") into func bpf_sk_storage_delete");
        }
        socketArg(2, "bpf_sk_storage_delete", false);
        return storage.delete(socket);
    }

    /** {@code RINGBUF_OUTPUT} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperRingbufOutput() {
        BpfMap map = mapArg(1, "bpf_ringbuf_output");
        if (!(map instanceof RingBufMap ring)) {
            throw new Fault("cannot pass map_type " + map.spec.type().value() + " (" + map.spec.type()
                    + ") into func bpf_ringbuf_output");
        }
        long size = arg(3);
        MemRegion data = mem(2, size, false, "the data of bpf_ringbuf_output");
        return ring.output(data.data, memAt, (int) size, arg(4));
    }

    /** {@code SKC_TO_TCP_SOCK} with r0 already a scalar (see {@link #call}); translated code calls it directly. */
    long helperSkcToTcpSock() {
        socketArg(1, "bpf_skc_to_tcp_sock", false);
        return ptr(kernel.isMptcp(socket) ? null : tcpSock);
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
        return skbLoadBytesChecked(offset, to, at, len);
    }

    /**
     * The rest of {@code bpf_skb_load_bytes} once its arguments were checked: {@code len} bytes
     * (1 and more, inside {@code to}) at {@code at} of {@code to}'s data. Translated code calls it
     * directly when it checked the arguments itself ({@code JitRuntime.jitSkbLoadBytes}).
     */
    long skbLoadBytesChecked(long offset, MemRegion to, int at, long len) {
        SockOpsInput in = sockOps;
        if (!in.segment || offset > Integer.MAX_VALUE || offset + len > in.length) {
            Arrays.fill(to.data, at, at + (int) len, (byte) 0);
            return Errno.EFAULT.negative();
        }
        kernel.loadSegmentBytes(socket, in.length, (int) offset, to.data, at, (int) len); // H1
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
        // K3, K4, F2: what the option does is the kernel's
        return kernel.sockopt(socket, set, p.type == ProgramType.SOCK_OPS ? sockOps.op : -1, level, optname, buf.data,
                at, len);
    }

    private long kfunc(Kfunc k) {
        setTag(0, null);
        return switch (k) {
            case CAST_TO_KERN_CTX -> kfuncCastToKernCtx();
            case SOCK_OPS_TCP_SET_RCVLOWAT -> kfuncSockOpsTcpSetRcvlowat();
            case RDONLY_CAST -> kfuncRdonlyCast();
        };
    }

    /**
     * {@code bpf_rdonly_cast(obj, btf_id)} with r0 already a scalar; translated code calls it directly.
     * As in the kernel, the socket's views ({@code bpf_sock}, {@code bpf_tcp_sock}, {@code tcp_sock})
     * name one object, so a cast between them is the same object seen as the other type.
     */
    long kfuncRdonlyCast() {
        Region t = tag(1);
        if (t == UNINIT) {
            throw uninit(1);
        }
        if (tag(2) != null) {
            throw new Fault("R2 type=" + tag(2).describe() + " expected=scalar (a BTF type id) for bpf_rdonly_cast");
        }
        long id = regs[2] & 0xffff_ffffL;
        dev.autolowat.api.btf.Btf btf = SimKernelBtf.btf();
        String type = id >= 1 && id <= btf.typeCount() ? btf.name((int) id) : null;
        if (t == null && regs[1] == 0) {
            return 0; // NULL stays NULL
        }
        if (type != null && t != null && regs[1] == t.base) {
            if (t instanceof Views.SocketView && java.util.Set.of("tcp_sock", "inet_connection_sock", "inet_sock", "sock",
                    "sock_common").contains(type)) {
                return ptr(kernel.isMptcp(socket) && type.equals("tcp_sock") ? null : tcpSock);
            }
            if ((t == context || t == kern) && type.equals("bpf_sock_ops_kern")) {
                return ptr(kern);
            }
            if (t == skb && type.equals("sk_buff")) {
                return ptr(skb);
            }
        }
        throw new Fault("bpf_rdonly_cast of " + (t == null ? "a scalar" : t.describe()) + " to "
                + (type == null ? "BTF id " + id + ", which the simulated kernel's BTF does not have"
                : "struct " + type) + ": the simulator casts only between views of one kernel object "
                + "(the socket, the sock_ops context, the segment), at their start");
    }

    /** {@code bpf_cast_to_kern_ctx} with r0 already a scalar; translated code calls it directly. */
    long kfuncCastToKernCtx() {
        contextArg(1, Kfunc.CAST_TO_KERN_CTX.kernelName(), false);
        return ptr(kern);
    }

    /** {@code bpf_sock_ops_tcp_set_rcvlowat} with r0 already a scalar; translated code calls it directly. */
    long kfuncSockOpsTcpSetRcvlowat() {
        contextArg(1, Kfunc.SOCK_OPS_TCP_SET_RCVLOWAT.kernelName(), true);
        int val = intArg(2);
        // The kfunc returns a C int. Only r0's lower half is defined; a kernel (x86-64 JIT,
        // measured on the patched 6.12) leaves the upper half zero: -EOPNOTSUPP reads back
        // as 0xffffffa1 from a 64-bit register. Unlike helpers (BPF_CALL_x), nothing
        // sign-extends it, so neither does the VM: programs compare 32-bit or use movsx.
        return Integer.toUnsignedLong(kernel.sockOpsTcpSetRcvlowat(socket, sockOps.op, val)); // K1
    }

    // =====================================================================================
    // Values the views share
    // =====================================================================================

    int tcpState() {
        if (p.type == ProgramType.SOCK_OPS && sockOps.op == SockOpsOp.TCP_CONNECT_CB.value()) {
            return Views.TCP_SYN_SENT;
        }
        return kernel.tcpState(socket);
    }

    long bytesReceived() {
        return kernel.bytesReceived(socket, info);
    }

    int txhash() {
        return kernel.txhash(socket);
    }

    void setTxhash(int value) {
        kernel.setTxhash(socket, value);
    }
}
