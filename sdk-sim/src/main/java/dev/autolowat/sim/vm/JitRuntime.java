package dev.autolowat.sim.vm;

/**
 * What translated code calls besides the interpreter's own checks: the entry points of
 * {@link JitCompiler}'s output (loads, stores and pointer ALU operations handed to the interpreter's
 * code with the registers they read, the frame bookkeeping of bpf-to-bpf calls, the fault of a
 * translated instruction) and the state that crosses method boundaries of a program cut into
 * chunks. One instance per translated program, bound to its {@link Vm}; the generated class holds
 * it as a constant. It is also the {@link Vm.Engine} that runs an invocation: the VM does not know
 * it is translated, and nothing in {@link Vm} refers to the translator.
 *
 * <p>Translated code keeps registers in JVM locals and passes the ones an instruction reads as
 * arguments; the entry points put them where the interpreter's checks (and their fault messages)
 * read them, then run exactly the interpreter's code for the instruction. A value written to a
 * register is returned; its kind is left in {@code kinds[d]} for the caller to read back.
 */
final class JitRuntime implements Vm.Engine {
    private final Vm vm;
    private final long[] regs;
    private final int[] kinds;
    /** The translated program; set once, by {@link #install}. */
    private TranslatedProgram code;
    /** Translated code: the instruction count a subprogram's method (or a chunk) hands back to its caller. */
    int jitCount;
    /**
     * Translated code cut into chunks: the slot the next chunk goes on from, -1 when the
     * subprogram exited (see {@code JitCompiler.emitDispatcher}).
     */
    int jitPc;
    /**
     * Translated code: set when a subprogram's method handed the invocation to the interpreter
     * (budget), which finished it; its callers then return the result as it is.
     */
    boolean handedOver;
    /**
     * Frame 0 need not be zero-filled for an invocation: the program writes every byte of it before
     * reading it ({@link StackAccesses#frameZeroWrittenBeforeRead}, D27). Set by the translator.
     */
    boolean frameZeroUnobserved;

    JitRuntime(Vm vm) {
        this.vm = vm;
        this.regs = vm.regs;
        this.kinds = vm.kinds;
    }

    /** Binds {@code translated} to this runtime and makes the VM run its invocations through it. */
    void install(TranslatedProgram translated) {
        this.code = translated;
        vm.install(this);
    }

    int codeSize() {
        return code.codeSize;
    }

    @Override
    public long invoke() {
        if (frameZeroUnobserved) {
            vm.resetRegionNumbers(); // D27: what the last invocation left in frame 0 is never read
        } else {
            vm.resetForTranslated();
        }
        handedOver = false;
        return code.run(vm);
    }

    /**
     * Translated code, at a bpf-to-bpf call in frame {@code frame}: what the interpreter keeps for
     * the return (the caller's r6-r10, the return pc), so that a budget hand-over inside the callee
     * can go on in {@link Vm#interpret} and return through this frame.
     */
    void jitSaveFrame(int frame, int retPc, long r6, long r7, long r8, long r9, int k6, int k7, int k8, int k9) {
        int base = frame * 5;
        long[] sr = vm.savedRegs;
        int[] sk = vm.savedKinds;
        StackRegion stack = vm.stackOf(frame);
        sr[base] = r6;
        sr[base + 1] = r7;
        sr[base + 2] = r8;
        sr[base + 3] = r9;
        sr[base + 4] = stack.base + StackRegion.SIZE;
        sk[base] = k6;
        sk[base + 1] = k7;
        sk[base + 2] = k8;
        sk[base + 3] = k9;
        sk[base + 4] = stack.ownId;
        vm.returnPc[frame] = retPc;
    }

    /** {@code LDX}/{@code LDSX} at {@code pc}: {@code d = *(size *)(s + off)}; s is (rs, ks). */
    long jitLoad(int pc, int d, int s, long rs, int ks, int off, int size, boolean signExtend) {
        Vm vm = this.vm;
        if (ks >= Vm.POINTER) {
            Region v = vm.region(ks);
            if (v.kind == Region.VIEW) { // kernel objects, and the context when the access was not resolved at translation
                vm.loadView((ViewRegion) v, pc, d, rs - v.base, off, size, signExtend);
                return regs[d];
            }
        }
        regs[s] = rs;
        kinds[s] = ks;
        Region b = vm.region(ks);
        if (ks >= Vm.POINTER && b.kind == Region.STACK) {
            ((StackRegion) b).loadStack(vm, d, rs - b.base, off, size, signExtend);
        } else {
            vm.load(pc, d, s, off, size, signExtend); // plain memory inline there, views with the per-slot layout check
        }
        return regs[d];
    }

    /** {@link #jitLoad} of the load instruction at {@code pc}, its fields read from the program (out-of-line code). */
    long jitLoadAt(int pc, long rs, int ks) {
        VmProgram p = vm.p;
        int c = p.code[pc];
        return jitLoad(pc, p.dst[pc], p.src[pc], rs, ks, p.off[pc], dev.autolowat.api.asm.Opcode.sizeInBytes(c & 0x18),
                (c & 0xe0) == dev.autolowat.api.asm.Opcode.MEMSX);
    }

    /**
     * {@code LDX}/{@code LDSX} of the context member {@code m} through the unmodified context
     * pointer: the member was found at translation time ({@code m} is what the layout check of the
     * access gives; it depends only on the layout, the offset and the size). {@code jitContextScalar}:
     * a scalar member, whose value is all the load gives (no register arrays touched).
     */
    long jitContextScalar(Layout.Member m, int off, int size, boolean signExtend) {
        return ((ViewRegion) vm.context).scalarMember(m, off, size, signExtend);
    }

    long jitLoadContext(Layout.Member m, int d, int off, int size, boolean signExtend) {
        ((ViewRegion) vm.context).loadMember(vm, d, m, off, size, signExtend);
        return regs[d];
    }

    /** What {@link #jitSkbLoadBytes} returns when its fast checks fail: no helper result is this. */
    static final long NOT_HANDLED = Long.MIN_VALUE;

    /**
     * {@code bpf_sk_storage_get(map, sk, NULL, flags)} after translated code checked that r1 is
     * {@code storage}'s map pointer, r2 the start of one of the socket's views, r3 the scalar 0 and r4
     * initialized: every argument check of {@link Vm#helperSkStorageGet} passes, so this is its
     * rest. Sets r0's kind in {@code kinds[0]}.
     */
    long jitSkStorageGet(SkStorageMap storage, long flags) {
        kinds[0] = Vm.SCALAR;
        return vm.skStorageGetChecked(storage, null, 0, flags);
    }

    /**
     * {@code bpf_skb_load_bytes(ctx, offset, to, len)} after translated code checked that r1 is the
     * unmodified context pointer, r2 and r4 are initialized and r3 points into plain memory
     * ({@code to}, kind MEM): when the destination is writable and holds {@code len} (more than 0)
     * bytes at r3, every argument check of {@link Vm#helperSkbLoadBytes} passes and this is its rest
     * ({@link Vm#skbLoadBytesChecked}; plain memory needs no clobber marks); else nothing is done
     * and {@link #NOT_HANDLED} returned, for the interpreter's code to fault.
     */
    long jitSkbLoadBytes(MemRegion to, long r2, long r3, long r4) {
        long len = r4 & 0xffff_ffffL;
        long off = r3 - to.base;
        if (len == 0 || !to.writable || off < 0 || off + len > to.length) {
            return NOT_HANDLED;
        }
        return vm.skbLoadBytesChecked(r2 & 0xffff_ffffL, to, to.start + (int) off, len);
    }

    /** {@code STX} (not atomic): {@code *(size *)(d + off) = s}. */
    void jitStore(int d, int s, long rd, int kd, long rs, int ks, int off, int size) {
        regs[s] = rs;
        kinds[s] = ks;
        regs[d] = rd;
        kinds[d] = kd;
        Region b = vm.region(kd);
        if (kd >= Vm.POINTER && ks != Vm.UNINIT_KIND && b.kind == Region.STACK) {
            ((StackRegion) b).storeStack(vm, rd - b.base, off, size, rs, ks);
        } else if (kd >= Vm.POINTER && ks == Vm.SCALAR && b.kind == Region.MEM) {
            ((MemRegion) b).storeMem(rd - b.base, off, size, rs, null);
        } else {
            vm.storeReg(d, s, off, size); // views, other regions and the faults
        }
    }

    /** {@code ST}: {@code *(size *)(d + off) = value}. */
    void jitStoreImm(int d, long rd, int kd, int off, int size, long value) {
        regs[d] = rd;
        kinds[d] = kd;
        vm.store(d, off, size, value, Vm.SCALAR);
    }

    /**
     * The pointer path of a specialised ALU instruction ({@link Vm#aluSlow}): an operand that is not
     * a scalar. Returns the new value of d (its kind in kinds[d]); a 32-bit one always faults.
     */
    long jitAlu(int pc, boolean is64, int d, int s, long rd, int kd, long rs, int ks) {
        regs[s] = rs;
        kinds[s] = ks;
        regs[d] = rd;
        kinds[d] = kd;
        vm.aluSlow(pc, is64);
        return regs[d];
    }

    /**
     * The exception a fault at {@code pc} aborts the invocation with, as {@link Vm#interpret} makes
     * it; {@code count} is the number of instructions executed including the faulting one.
     *
     * @param at {@code pc | instructionsAfterInBlock << 16}: translated code counts a whole block
     *           on entry, so the instructions of the block after the faulting one are taken off
     */
    static BpfVmException translatedFault(Fault f, int at, int blockCount, Vm vm) {
        int pc = at & 0xffff;
        vm.lastCount = blockCount - (at >>> 16);
        return new BpfVmException(vm.p.name, pc, vm.p.text(pc), f.getMessage());
    }
}
