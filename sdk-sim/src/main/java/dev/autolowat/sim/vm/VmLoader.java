package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Encoding;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.object.CoreRelocator;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.asm.Relocations;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.ProgramType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The VM's load-time checks: the part of the kernel verifier that does not need abstract
 * interpretation, plus a small data-flow pass that finds context accesses through registers that
 * certainly hold the context. What is checked here is refused with a
 * {@link ProgramRejectedException} naming the program counter, the instruction and the reason, in
 * the kernel verifier's words where it has some:
 *
 * <ul>
 *   <li>every opcode is one the instruction set defines, reserved fields are zero, registers are
 *       r0–r10, r10 is never written, {@code LD_IMM64} has a well-formed second slot, shift
 *       immediates are below the width, no division by an immediate 0;</li>
 *   <li>jump targets are inside the program, inside the same subprogram, never into the second
 *       slot of an {@code LD_IMM64}; every subprogram ends with {@code exit} or {@code goto} (no
 *       falling off the end); every instruction is reachable; no recursion; at most eight frames
 *       ({@code MAX_CALL_FRAMES});</li>
 *   <li>only the helpers and kfuncs this program type may call (and that exist on the simulated
 *       kernel); kfuncs only from GPL-compatible programs; legacy packet loads refused;</li>
 *   <li>relocations: every map reference names a declared map (maps resolved by name, see
 *       {@link VmMaps}), every field reference a field of the simulator's layout, every kfunc a
 *       function the VM implements;</li>
 *   <li>context loads and stores through a register that holds the unmodified context pointer on
 *       every path are checked against {@code struct bpf_sock_ops}/{@code bpf_sockopt}: valid
 *       offset and size, stores only to writable fields.</li>
 * </ul>
 *
 * Everything else the kernel verifier proves (pointer types, bounds, initialized registers,
 * termination) the VM checks when the instruction runs.
 */
public final class VmLoader {
    /** {@code MAX_CALL_FRAMES}. */
    static final int MAX_CALL_FRAMES = 8;

    private static final Set<Helper> SOCK_OPS_HELPERS = EnumSet.of(Helper.MAP_LOOKUP_ELEM, Helper.MAP_UPDATE_ELEM,
            Helper.MAP_DELETE_ELEM, Helper.KTIME_GET_NS, Helper.SKB_LOAD_BYTES, Helper.SETSOCKOPT, Helper.GETSOCKOPT,
            Helper.SOCK_OPS_CB_FLAGS_SET, Helper.TCP_SOCK, Helper.SK_STORAGE_GET, Helper.SK_STORAGE_DELETE,
            Helper.RINGBUF_OUTPUT, Helper.SKC_TO_TCP_SOCK);
    private static final Set<Helper> SOCKOPT_HELPERS = EnumSet.of(Helper.MAP_LOOKUP_ELEM, Helper.MAP_UPDATE_ELEM,
            Helper.MAP_DELETE_ELEM, Helper.KTIME_GET_NS, Helper.SETSOCKOPT, Helper.GETSOCKOPT, Helper.TCP_SOCK,
            Helper.SK_STORAGE_GET, Helper.SK_STORAGE_DELETE, Helper.RINGBUF_OUTPUT);
    private static final Set<String> GPL_COMPATIBLE = Set.of("GPL", "GPL v2", "GPL and additional rights",
            "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL");

    private final String name;
    private final ProgramType type;
    private final String license;
    private final VmOptions options;
    private final int n;
    private final int[] code;
    private final int[] dst;
    private final int[] src;
    private final int[] off;
    private final long[] imm;
    private final boolean[] second;
    private final Object[] ref;
    private final Relocation[] reloc;
    /** The program as given: relocations are checked on it by the SDK's one rule ({@link Encoding#misplaced}). */
    private final byte[] bytes;

    private VmLoader(String name, ProgramType type, String license, VmOptions options, byte[] bytes) {
        this.name = name;
        this.type = type;
        this.license = license;
        this.options = options;
        this.n = bytes.length / 8;
        this.code = new int[n];
        this.dst = new int[n];
        this.src = new int[n];
        this.off = new int[n];
        this.imm = new long[n];
        this.second = new boolean[n];
        this.ref = new Object[n];
        this.reloc = new Relocation[n];
        this.bytes = bytes;
        for (int i = 0; i < n; i++) {
            code[i] = Encoding.opcode(bytes, i);
            dst[i] = Encoding.dst(bytes, i);
            src[i] = Encoding.src(bytes, i);
            off[i] = Encoding.offset(bytes, i);
            imm[i] = Encoding.imm(bytes, i);
        }
    }

    /**
     * Checks and links a program: decodes it, checks it, resolves its relocations, creates or shares
     * its maps in {@code maps} (only when every check passed: a rejected program changes nothing).
     *
     * @throws ProgramRejectedException with the program counter, the instruction and the reason
     */
    public static VmProgram load(String name, ProgramType type, String license, BpfBytecode bytecode,
                                 List<MapSpec> mapSpecs, VmMaps maps, VmOptions options) {
        VmLoader l = new VmLoader(name, type, license, options, bytecode.toByteArray());
        maps.check(name, mapSpecs);
        l.decodeWide();
        l.placeRelocations(bytecode.relocations(), mapSpecs);
        for (int pc = 0; pc < l.n; pc++) {
            if (!l.second[pc]) {
                l.checkInsn(pc);
            }
        }
        l.checkControlFlow();
        new CtxAccessCheck(l).run();
        // Only now does anything change outside the loader.
        List<BpfMap> linked = maps.resolve(mapSpecs);
        l.link(linked, mapSpecs);
        return new VmProgram(name, type, l.code, l.dst, l.src, l.off, l.imm, l.ref, linked, options, maps.addresses());
    }

    /** Helpers a raw program may call: those of every program type that need no socket. */
    private static final Set<Helper> RAW_HELPERS = EnumSet.of(Helper.MAP_LOOKUP_ELEM, Helper.MAP_UPDATE_ELEM,
            Helper.MAP_DELETE_ELEM, Helper.KTIME_GET_NS, Helper.RINGBUF_OUTPUT);

    /**
     * Checks and links a raw program: no context, r1 points to a writable memory buffer of
     * {@code memorySize} bytes and r2 holds that length (as an ISA test harness such as
     * bpf_conformance's plugins gives them); r0 is returned as it is (no return range). The
     * checks are those of {@link #load} but the context's: helpers that need no socket, no kfuncs.
     *
     * @throws ProgramRejectedException with the program counter, the instruction and the reason
     */
    public static VmProgram loadRaw(String name, BpfBytecode bytecode, int memorySize, VmOptions options) {
        if (memorySize < 0) {
            throw new IllegalArgumentException("memory size " + memorySize + " < 0");
        }
        VmLoader l = new VmLoader(name, null, "GPL", options, bytecode.toByteArray());
        VmMaps maps = new VmMaps();
        l.decodeWide();
        l.placeRelocations(bytecode.relocations(), List.of());
        for (int pc = 0; pc < l.n; pc++) {
            if (!l.second[pc]) {
                l.checkInsn(pc);
            }
        }
        l.checkControlFlow();
        return new VmProgram(name, null, memorySize, l.code, l.dst, l.src, l.off, l.imm, l.ref, List.of(), options,
                maps.addresses());
    }

    // ------------------------------------------------------------------------------------------

    ProgramRejectedException reject(int pc, String reason) {
        String text = pc >= 0 && pc < n ? InsnText.format(code[pc], dst[pc], src[pc], off[pc], imm[pc]) : "-";
        return new ProgramRejectedException("program '" + name + "' rejected by the simulator's eBPF VM at pc " + pc
                + " (" + text + "): " + reason);
    }

    private void decodeWide() {
        for (int pc = 0; pc < n; pc++) {
            if (second[pc] || code[pc] != Opcode.LD_IMM64) {
                continue;
            }
            if (pc == n - 1) {
                throw reject(pc, "invalid bpf_ld_imm64 insn: it is the last slot, its second slot is missing");
            }
            int s = pc + 1;
            if (code[s] != 0 || dst[s] != 0 || src[s] != 0 || off[s] != 0) {
                throw reject(pc, "invalid bpf_ld_imm64 insn: the second slot must be zero but for its imm");
            }
            imm[pc] = (imm[pc] & 0xffff_ffffL) | (imm[s] << 32);
            second[s] = true;
        }
    }

    private void placeRelocations(List<Relocation> relocations, List<MapSpec> mapSpecs) {
        for (Relocation r : relocations) {
            int pc = r.slot();
            // where a relocation may sit: the same rule as the native loader's
            java.util.Optional<String> misplaced = Encoding.misplaced(r, bytes, second, mapSpecs.size());
            if (misplaced.isPresent()) {
                throw reject(Math.min(pc, n - 1), misplaced.get());
            }
            if (r instanceof Relocation.MapRef m) {
                if (src[pc] == Opcode.PSEUDO_MAP_VALUE) {
                    MapSpec spec = mapSpecs.get(m.mapIndex());
                    long at = imm[pc] >>> 32;
                    if (spec.type() != dev.autolowat.api.program.MapType.ARRAY || spec.maxEntries() != 1) {
                        throw reject(pc, "direct value access needs an ARRAY map with one entry; map '" + spec.name()
                                + "' is " + spec.type() + " with " + spec.maxEntries() + " entries");
                    }
                    if (at >= spec.valueSize()) {
                        throw reject(pc, "direct value offset " + at + " is outside the " + spec.valueSize()
                                + "-byte value of map '" + spec.name() + "'");
                    }
                }
            } else if (r instanceof Relocation.FieldRef f) {
                Integer fieldOff = Layouts.fieldOffset(f.struct(), f.field());
                if (fieldOff == null) {
                    throw reject(pc, "unknown field " + f.struct() + "." + f.field() + ": "
                            + Layouts.knownFields(f.struct()));
                }
                // the SDK's one patch step, then the VM's decoded copy of the slot follows it
                java.util.Optional<String> problem = Relocations.patch(bytes, r, fieldOff);
                if (problem.isPresent()) {
                    throw reject(pc, problem.get());
                }
                off[pc] = Encoding.offset(bytes, pc);
            } else if (r instanceof Relocation.KfuncRef k) {
                Kfunc kf = Kfunc.ofName(k.name());
                if (kf == null || (kf.needsSeries() && !options.kernelHasSeries())) {
                    throw reject(pc, "calling kernel function " + k.name() + " is not allowed: the simulated kernel "
                            + (kf == null ? "has no such kfunc (the VM implements " + kfuncNames() + ")"
                            : "has no AutoLOWAT series (SimConfig.kernelHasSeries is false)"));
                }
                if (!kf.allowedFor(type)) {
                    throw reject(pc, "calling kernel function " + k.name() + " is not allowed for program type "
                            + type + " (it is a sock_ops kfunc)");
                }
                if (!GPL_COMPATIBLE.contains(license)) {
                    throw reject(pc, "cannot call kernel function " + k.name() + " from non-GPL compatible program"
                            + " (license '" + license + "')");
                }
                Relocations.patch(bytes, r, kf.id());
                imm[pc] = Encoding.imm(bytes, pc);
                ref[pc] = kf;
            }
            reloc[pc] = r;
        }
    }

    private static String kfuncNames() {
        List<String> names = new ArrayList<>();
        for (Kfunc k : Kfunc.values()) {
            names.add(k.kernelName());
        }
        return String.join(", ", names);
    }

    private void link(List<BpfMap> linked, List<MapSpec> mapSpecs) {
        for (int pc = 0; pc < n; pc++) {
            if (reloc[pc] instanceof Relocation.MapRef m) {
                BpfMap map = linked.get(m.mapIndex());
                if (src[pc] == Opcode.PSEUDO_MAP_VALUE) {
                    ref[pc] = ((ArrayMap) map).element(0);
                } else {
                    src[pc] = Opcode.PSEUDO_MAP_FD;
                    ref[pc] = map;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Per-instruction checks
    // ------------------------------------------------------------------------------------------

    private void reg(int pc, int r) {
        if (r > 10) {
            throw reject(pc, "R" + r + " is invalid: eBPF has r0..r10");
        }
    }

    private void writes(int pc, int r) {
        reg(pc, r);
        if (r == 10) {
            throw reject(pc, "frame pointer is read only: r10 cannot be written");
        }
    }

    private void checkInsn(int pc) {
        int c = code[pc];
        int cls = c & 7;
        int i = (int) imm[pc];
        switch (cls) {
            case Opcode.ALU, Opcode.ALU64 -> checkAlu(pc, c, cls == Opcode.ALU64, i);
            case Opcode.LDX -> {
                int mode = c & 0xe0;
                if ((mode != Opcode.MEM && mode != Opcode.MEMSX) || i != 0) {
                    throw reject(pc, "BPF_LDX uses reserved fields");
                }
                if (mode == Opcode.MEMSX && (c & 0x18) == Opcode.DW) {
                    throw reject(pc, "unknown opcode " + hex(c) + " (there is no sign-extending 8-byte load)");
                }
                reg(pc, src[pc]);
                writes(pc, dst[pc]);
            }
            case Opcode.ST -> {
                if ((c & 0xe0) != Opcode.MEM || src[pc] != 0) {
                    throw reject(pc, "BPF_ST uses reserved fields");
                }
                reg(pc, dst[pc]);
            }
            case Opcode.STX -> {
                int mode = c & 0xe0;
                if (mode == Opcode.ATOMIC) {
                    int size = c & 0x18;
                    if (size != Opcode.W && size != Opcode.DW) {
                        throw reject(pc, "invalid atomic operand size (only 4 and 8 bytes)");
                    }
                    int op = i & ~Opcode.FETCH;
                    boolean valid = i == Opcode.XCHG || i == Opcode.CMPXCHG
                            || op == Opcode.ADD || op == Opcode.AND || op == Opcode.OR || op == Opcode.XOR;
                    if (!valid || (i & ~0xff) != 0) {
                        throw reject(pc, "BPF_ATOMIC uses invalid atomic opcode " + hex(i));
                    }
                    reg(pc, dst[pc]);
                    if ((i & Opcode.FETCH) != 0 && i != Opcode.CMPXCHG) {
                        writes(pc, src[pc]);
                    } else {
                        reg(pc, src[pc]);
                    }
                    return;
                }
                if (mode != Opcode.MEM || i != 0) {
                    throw reject(pc, "BPF_STX uses reserved fields");
                }
                reg(pc, dst[pc]);
                reg(pc, src[pc]);
            }
            case Opcode.LD -> {
                int mode = c & 0xe0;
                if (mode == Opcode.ABS || mode == Opcode.IND) {
                    throw reject(pc, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
                }
                if (c != Opcode.LD_IMM64) {
                    throw reject(pc, "unknown opcode " + hex(c) + " (invalid BPF_LD mode)");
                }
                if (off[pc] != 0) {
                    throw reject(pc, "BPF_LD_IMM64 uses reserved fields");
                }
                writes(pc, dst[pc]);
                int s = src[pc];
                if (s == Opcode.PSEUDO_MAP_FD || s == Opcode.PSEUDO_MAP_VALUE) {
                    if (!(reloc[pc] instanceof Relocation.MapRef)) {
                        throw reject(pc, "LD_IMM64 of a map fd without a MapRef relocation: the simulator has no fds; "
                                + "name the map through the program's map list");
                    }
                } else if (s != 0) {
                    throw reject(pc, "LD_IMM64 with pseudo source " + s + " is not supported by the simulator's VM "
                            + "(only constants and maps through MapRef relocations)");
                }
            }
            default -> checkJump(pc, c, cls == Opcode.JMP32, i);
        }
    }

    private void checkAlu(int pc, int c, boolean is64, int i) {
        int op = c & 0xf0;
        boolean x = (c & Opcode.X) != 0;
        int o = off[pc];
        if (op > Opcode.END) {
            throw reject(pc, "invalid BPF_ALU opcode " + hex(op) + " (unknown opcode " + hex(c) + ")");
        }
        if (op == Opcode.NEG) {
            if (x || src[pc] != 0 || o != 0 || i != 0) {
                throw reject(pc, "BPF_NEG uses reserved fields");
            }
        } else if (op == Opcode.END) {
            if (src[pc] != 0 || o != 0 || (i != 16 && i != 32 && i != 64) || (is64 && x)) {
                throw reject(pc, "BPF_END uses reserved fields");
            }
        } else if (op == Opcode.MOV) {
            if (x) {
                boolean okOff = o == 0 || o == 8 || o == 16 || (is64 && o == 32);
                if (!okOff || i != 0) {
                    throw reject(pc, "BPF_MOV uses reserved fields");
                }
                reg(pc, src[pc]);
            } else if (src[pc] != 0 || o != 0) {
                throw reject(pc, "BPF_MOV uses reserved fields");
            }
        } else {
            boolean okOff = o == 0 || (o == 1 && (op == Opcode.DIV || op == Opcode.MOD));
            if (x) {
                if (i != 0 || !okOff) {
                    throw reject(pc, "BPF_ALU uses reserved fields");
                }
                reg(pc, src[pc]);
            } else {
                if (src[pc] != 0 || !okOff) {
                    throw reject(pc, "BPF_ALU uses reserved fields");
                }
                if ((op == Opcode.DIV || op == Opcode.MOD) && i == 0) {
                    throw reject(pc, "div by zero");
                }
                if (op == Opcode.LSH || op == Opcode.RSH || op == Opcode.ARSH) {
                    int width = is64 ? 64 : 32;
                    if (i < 0 || i >= width) {
                        throw reject(pc, "invalid shift " + i);
                    }
                }
            }
        }
        writes(pc, dst[pc]);
    }

    private void checkJump(int pc, int c, boolean is32, int i) {
        int op = c & 0xf0;
        boolean x = (c & Opcode.X) != 0;
        switch (op) {
            case Opcode.JA -> {
                if (x || src[pc] != 0 || dst[pc] != 0 || (!is32 && i != 0) || (is32 && off[pc] != 0)) {
                    throw reject(pc, "BPF_JA uses reserved fields");
                }
            }
            case Opcode.CALL -> {
                int s = src[pc];
                if (is32 || x || dst[pc] != 0 || off[pc] != 0
                        || (s != 0 && s != Opcode.PSEUDO_CALL && s != Opcode.PSEUDO_KFUNC_CALL)) {
                    throw reject(pc, "BPF_CALL uses reserved fields");
                }
                if (s == 0) {
                    checkHelper(pc, i);
                } else if (s == Opcode.PSEUDO_KFUNC_CALL && !(reloc[pc] instanceof Relocation.KfuncRef)) {
                    throw reject(pc, "kfunc call without a KfuncRef relocation: its imm is a BTF id only a kernel can "
                            + "resolve; name the function with Relocation.KfuncRef");
                }
            }
            case Opcode.EXIT -> {
                if (is32 || x || i != 0 || src[pc] != 0 || dst[pc] != 0) {
                    throw reject(pc, "BPF_EXIT uses reserved fields");
                }
            }
            default -> {
                if (op == 0xe0 || op == 0xf0) {
                    throw reject(pc, "unknown opcode " + hex(c));
                }
                reg(pc, dst[pc]);
                if (x) {
                    if (i != 0) {
                        throw reject(pc, "BPF_JMP/JMP32 uses reserved fields");
                    }
                    reg(pc, src[pc]);
                } else if (src[pc] != 0) {
                    throw reject(pc, "BPF_JMP/JMP32 uses reserved fields");
                }
            }
        }
    }

    private void checkHelper(int pc, int id) {
        if (id == CoreRelocator.POISON_IMM) {
            // a CO-RE site no type of the target satisfied: as in the kernel, it loads and faults
            // only when reached (the kernel's verifier rejects it only on a reachable path)
            return;
        }
        Helper h = Helper.ofId(id);
        if (h == null) {
            throw reject(pc, "invalid func unknown#" + id + ": the simulator's VM implements helpers "
                    + Arrays.toString(Helper.values()));
        }
        Set<Helper> allowed = type == null ? RAW_HELPERS : type == ProgramType.SOCK_OPS ? SOCK_OPS_HELPERS
                : SOCKOPT_HELPERS;
        if (!allowed.contains(h)) {
            throw reject(pc, "program of this type " + (type == null ? "raw" : type) + " cannot call helper "
                    + h.kernelName() + "#" + id);
        }
        if (h == Helper.SKB_LOAD_BYTES && !options.kernelHasSeries()) {
            throw reject(pc, "unknown func " + h.kernelName() + "#" + id + ": sock_ops programs get "
                    + "bpf_skb_load_bytes from the AutoLOWAT series, which the simulated kernel does not have");
        }
    }

    static String hex(int v) {
        return String.format("0x%02x", v);
    }

    // ------------------------------------------------------------------------------------------
    // Control flow
    // ------------------------------------------------------------------------------------------

    /** Whether {@code pc} is an instruction that transfers control (conditional or not). */
    boolean isJump(int pc) {
        int cls = code[pc] & 7;
        if (cls != Opcode.JMP && cls != Opcode.JMP32) {
            return false;
        }
        int op = code[pc] & 0xf0;
        return op != Opcode.CALL && op != Opcode.EXIT;
    }

    int jumpTarget(int pc) {
        boolean ja32 = (code[pc] & 7) == Opcode.JMP32 && (code[pc] & 0xf0) == Opcode.JA;
        return pc + 1 + (ja32 ? (int) imm[pc] : off[pc]);
    }

    boolean isPseudoCall(int pc) {
        return code[pc] == (Opcode.JMP | Opcode.CALL) && src[pc] == Opcode.PSEUDO_CALL;
    }

    boolean isExit(int pc) {
        return code[pc] == (Opcode.JMP | Opcode.EXIT);
    }

    boolean isUnconditional(int pc) {
        return isJump(pc) && (code[pc] & 0xf0) == Opcode.JA;
    }

    int next(int pc) {
        return pc + (code[pc] == Opcode.LD_IMM64 ? 2 : 1);
    }

    int[] subprogOf;
    int[] subprogStarts;

    private void checkControlFlow() {
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int pc = 0; pc < n; pc++) {
            if (!second[pc] && isPseudoCall(pc)) {
                int t = pc + 1 + (int) imm[pc];
                if (t < 0 || t >= n) {
                    throw reject(pc, "call to pc " + t + " is outside the " + n + "-slot program");
                }
                if (second[t]) {
                    throw reject(pc, "call into the middle of ldimm64 insn at pc " + (t - 1));
                }
                starts.add(t);
            }
        }
        subprogStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        subprogOf = new int[n];
        for (int s = 0; s < subprogStarts.length; s++) {
            int end = s + 1 < subprogStarts.length ? subprogStarts[s + 1] : n;
            Arrays.fill(subprogOf, subprogStarts[s], end, s);
            int last = end - 1;
            if (second[last]) {
                last--;
            }
            if (!isExit(last) && !isUnconditional(last)) {
                throw reject(last, "last insn is not an exit or jmp: the " + (s == 0 ? "program" : "subprogram at pc "
                        + subprogStarts[s]) + " would fall off its end");
            }
        }
        for (int pc = 0; pc < n; pc++) {
            if (second[pc] || !isJump(pc)) {
                continue;
            }
            int t = jumpTarget(pc);
            if (t < 0 || t >= n) {
                throw reject(pc, "jump out of range from insn " + pc + " to " + t);
            }
            if (subprogOf[t] != subprogOf[pc]) {
                throw reject(pc, "jump out of range from insn " + pc + " to " + t + ": it leaves its subprogram");
            }
            if (second[t]) {
                throw reject(pc, "jump into the middle of ldimm64 insn " + (t - 1));
            }
        }
        // reachability from the entry, following calls
        boolean[] seen = new boolean[n];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.push(0);
        seen[0] = true;
        while (!work.isEmpty()) {
            int pc = work.pop();
            for (int s : successors(pc, true)) {
                if (s >= 0 && s < n && !seen[s]) {
                    seen[s] = true;
                    work.push(s);
                }
            }
        }
        for (int pc = 0; pc < n; pc++) {
            if (!second[pc] && !seen[pc]) {
                throw reject(pc, "unreachable insn " + pc);
            }
        }
        // the call graph: no recursion, at most MAX_CALL_FRAMES frames
        int subs = subprogStarts.length;
        List<List<Integer>> calls = new ArrayList<>();
        for (int s = 0; s < subs; s++) {
            calls.add(new ArrayList<>());
        }
        int[] callSite = new int[subs];
        for (int pc = 0; pc < n; pc++) {
            if (!second[pc] && isPseudoCall(pc)) {
                int callee = subprogOf[pc + 1 + (int) imm[pc]];
                calls.get(subprogOf[pc]).add(callee);
                callSite[callee] = pc;
            }
        }
        int[] depth = new int[subs];
        int[] state = new int[subs];
        frames(0, calls, depth, state, callSite);
        if (depth[0] > MAX_CALL_FRAMES) {
            throw reject(deepestCall(calls, depth), "the call stack of " + depth[0] + " frames is too deep (at most "
                    + MAX_CALL_FRAMES + ", MAX_CALL_FRAMES)");
        }
    }

    private int deepestCall(List<List<Integer>> calls, int[] depth) {
        int s = 0;
        while (!calls.get(s).isEmpty()) {
            int best = -1;
            for (int c : calls.get(s)) {
                if (best < 0 || depth[c] > depth[best]) {
                    best = c;
                }
            }
            if (depth[best] + 1 != depth[s]) {
                break;
            }
            s = best;
        }
        return subprogStarts[s];
    }

    /** Longest chain of frames starting at subprogram {@code s}; rejects recursion. */
    private int frames(int s, List<List<Integer>> calls, int[] depth, int[] state, int[] callSite) {
        if (state[s] == 2) {
            return depth[s];
        }
        if (state[s] == 1) {
            throw reject(callSite[s], "recursive call: subprogram at pc " + subprogStarts[s] + " calls itself");
        }
        state[s] = 1;
        int deepest = 0;
        for (int c : calls.get(s)) {
            deepest = Math.max(deepest, frames(c, calls, depth, state, callSite));
        }
        state[s] = 2;
        depth[s] = deepest + 1;
        return depth[s];
    }

    /** Control-flow successors; {@code intoCalls}: a bpf-to-bpf call also leads to its callee. */
    int[] successors(int pc, boolean intoCalls) {
        if (isExit(pc)) {
            return new int[0];
        }
        if (isJump(pc)) {
            int t = jumpTarget(pc);
            return isUnconditional(pc) ? new int[] {t} : new int[] {pc + 1, t};
        }
        if (isPseudoCall(pc) && intoCalls) {
            return new int[] {pc + 1, pc + 1 + (int) imm[pc]};
        }
        return new int[] {next(pc)};
    }

    // accessors for CtxAccessCheck
    int n() {
        return n;
    }

    int code(int pc) {
        return code[pc];
    }

    int dst(int pc) {
        return dst[pc];
    }

    int src(int pc) {
        return src[pc];
    }

    int off(int pc) {
        return off[pc];
    }

    long imm(int pc) {
        return imm[pc];
    }

    ProgramType type() {
        return type;
    }
}
