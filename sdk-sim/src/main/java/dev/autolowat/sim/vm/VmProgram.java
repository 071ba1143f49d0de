package dev.autolowat.sim.vm;

import dev.autolowat.api.program.ProgramType;

import java.util.ArrayList;
import java.util.List;

/**
 * A program that passed the VM's load-time checks, with its relocations resolved and its maps
 * linked, ready to run. Made by {@link VmLoader}. Each instance owns its interpreter state
 * (registers, eight 512-byte stack frames, the context and kernel-object views), allocated once:
 * running allocates nothing. Not thread-safe and not re-entrant (the simulator is single-threaded
 * and no helper runs a program).
 */
public final class VmProgram {
    final String name;
    /** The program type; null for a raw program ({@link VmLoader#loadRaw}). */
    final ProgramType type;
    /** A raw program's memory buffer size (r2 on entry); 0 for the other program types. */
    final int rawMemorySize;
    final int slots;
    final int[] code;
    final int[] dst;
    final int[] src;
    final int[] off;
    final long[] imm;
    /** Per slot: the resolved map (BpfMap), map value (MemRegion) or kfunc (Kfunc). */
    final Object[] ref;
    final List<BpfMap> maps;
    final VmOptions options;
    private final Vm vm;
    /** The program's translation, or null when it is interpreted. */
    private final JitRuntime translated;
    /** Why the program is interpreted although translation was asked for; null when it is not. */
    private final String fallbackReason;

    VmProgram(String name, ProgramType type, int[] code, int[] dst, int[] src, int[] off, long[] imm, Object[] ref,
              List<BpfMap> maps, VmOptions options, AddressSpace addresses) {
        this(name, type, 0, code, dst, src, off, imm, ref, maps, options, addresses);
    }

    VmProgram(String name, ProgramType type, int rawMemorySize, int[] code, int[] dst, int[] src, int[] off,
              long[] imm, Object[] ref, List<BpfMap> maps, VmOptions options, AddressSpace addresses) {
        this.name = name;
        this.type = type;
        this.rawMemorySize = rawMemorySize;
        this.slots = code.length;
        this.code = code;
        this.dst = dst;
        this.src = src;
        this.off = off;
        this.imm = imm;
        this.ref = ref;
        this.maps = maps;
        this.options = options;
        this.vm = new Vm(this, addresses);
        // translated last: the translation reads the decoded program (region numbers of LD_IMM64s)
        JitCompiler.Result translation = options.mode() == VmOptions.ExecutionMode.JIT
                ? JitCompiler.translate(this, vm) : null;
        this.translated = translation == null ? null : translation.code();
        this.fallbackReason = translation == null ? null : translation.fallbackReason();
    }

    public String name() {
        return name;
    }

    /** The program type; null for a raw program ({@link #isRaw()}). */
    public ProgramType type() {
        return type;
    }

    /** Whether this is a raw program ({@link VmLoader#loadRaw}): r1 a memory buffer, r2 its length. */
    public boolean isRaw() {
        return type == null;
    }

    /** The size of a raw program's memory buffer (0 for the other program types). */
    public int rawMemorySize() {
        return rawMemorySize;
    }

    /**
     * Runs a raw program: r1 points to a copy of {@code memory}, r2 is its length, every other
     * register but r10 starts uninitialized; the program's writes to the buffer are copied back
     * into {@code memory}, also when the invocation is aborted.
     *
     * @return the program's r0
     * @throws BpfVmException when the invocation was aborted
     * @throws IllegalStateException when this is not a raw program
     * @throws IllegalArgumentException when {@code memory} is not as long as the buffer given at load
     */
    public long runRaw(byte[] memory) {
        if (type != null) {
            throw new IllegalStateException("program '" + name + "' is " + type + ", not a raw program");
        }
        if (memory.length != rawMemorySize) {
            throw new IllegalArgumentException("program '" + name + "' was loaded for " + rawMemorySize
                    + " bytes of memory, not " + memory.length);
        }
        return vm.runRaw(memory);
    }

    /** Number of 8-byte instruction slots. */
    public int slots() {
        return slots;
    }

    /** The names of the maps the program uses, in map-index order. */
    public List<String> mapNames() {
        List<String> out = new ArrayList<>();
        for (BpfMap m : maps) {
            out.add(m.name());
        }
        return out;
    }

    /**
     * Runs a sock_ops invocation.
     *
     * @return the program's r0
     * @throws BpfVmException when the invocation was aborted
     * @throws IllegalStateException when this program is not a sock_ops program
     */
    public long runSockOps(SockOpsInput input) {
        if (type != ProgramType.SOCK_OPS) {
            throw new IllegalStateException("program '" + name + "' is " + type + ", not SOCK_OPS");
        }
        return vm.runSockOps(input);
    }

    /**
     * Runs a cgroup setsockopt invocation; the program's writes to {@code level}, {@code optname},
     * {@code optlen} and the optval bytes land in {@code input}.
     *
     * @return the program's r0 (1 = proceed, 0 = EPERM)
     * @throws BpfVmException when the invocation was aborted (the input is then as the program left it)
     */
    public long runSockopt(SockoptInput input) {
        if (type != ProgramType.CGROUP_SETSOCKOPT) {
            throw new IllegalStateException("program '" + name + "' is " + type + ", not CGROUP_SETSOCKOPT");
        }
        return vm.runSockopt(input);
    }

    /**
     * How this program runs: {@link VmOptions.ExecutionMode#JIT} when it was translated to JVM
     * bytecode, {@link VmOptions.ExecutionMode#INTERPRETER} when interpreter mode was chosen or the
     * translation was too large for the JVM (see {@link #fallbackReason()}). Results are the same
     * either way.
     */
    public VmOptions.ExecutionMode executionMode() {
        return translated != null ? VmOptions.ExecutionMode.JIT : VmOptions.ExecutionMode.INTERPRETER;
    }

    /**
     * Why this program is interpreted although {@link VmOptions.ExecutionMode#JIT} was asked for
     * (its translation would be too large for HotSpot to compile, or beyond ASM's limits), or empty:
     * translated, or interpreter mode chosen.
     */
    public java.util.Optional<String> fallbackReason() {
        return java.util.Optional.ofNullable(fallbackReason);
    }

    /** Bytes of JVM code of the translated program, 0 when it is interpreted (for tests and tools). */
    int translatedCodeSize() {
        return translated == null ? 0 : translated.codeSize();
    }

    /** Instructions executed by the last invocation (for tests and tools). */
    public int lastInstructionCount() {
        return vm.lastCount;
    }

    /** The text of the instruction at {@code pc}. */
    public String text(int pc) {
        if (pc < 0 || pc >= slots) {
            return "(pc outside the program)";
        }
        if (ref[pc] instanceof BpfMap m) {
            return "r" + dst[pc] + " = map[" + m.name() + "]";
        }
        if (ref[pc] instanceof MemRegion v) {
            return "r" + dst[pc] + " = &" + v.describe() + " +" + (int) (imm[pc] >>> 32);
        }
        return InsnText.format(code[pc], dst[pc], src[pc], off[pc], imm[pc]);
    }

    @Override
    public String toString() {
        return "VmProgram[" + name + ", " + (type == null ? "raw" : type) + ", " + slots + " slots]";
    }
}
