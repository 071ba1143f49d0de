package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.ProgramType;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates a loaded program to JVM bytecode: one hidden class per program, whose
 * {@link TranslatedProgram#run} is the program as straight-line JVM code.
 *
 * <p>What changes against the interpreter is how instructions are dispatched and which checks are
 * made, never what a check decides or says:
 * <ul>
 *   <li>r0–r10 and their kinds (scalar, uninitialized, region number; see {@link Vm#kinds}) are JVM
 *       locals; every eBPF instruction becomes its own piece of code, and jumps become JVM jumps to
 *       labels, so there is no decode, no switch and no program counter at run time.</li>
 *   <li>Scalar ALU operations and conditional jumps run inline after the interpreter's operand
 *       checks (non-scalar operand: {@link JitRuntime#jitAlu}, the interpreter's pointer path;
 *       uninitialized operand: {@link Vm#uninit}). {@link RegisterFacts} leaves out the checks that
 *       cannot fire (registers initialized, or scalar, on every path).</li>
 *   <li>Loads and stores through r10 have their bounds and alignment checked here (r10 never
 *       changes) and the spilled-pointer rules at run time; plain memory (map and storage values)
 *       is bounds-checked in line; context fields through the unmodified context pointer have their
 *       layout member resolved here. What the stores through r10 can dirty is marked once per
 *       method, and slots that {@link StackAccesses} proves never hold a spilled pointer are
 *       accessed without their marks (D26).</li>
 *   <li>Kernel-object loads through a register {@link PointerGuess} guesses points to the start of
 *       a view, and the common case of {@code bpf_skc_to_tcp_sock}, {@code bpf_sk_storage_get},
 *       {@code bpf_skb_load_bytes} and K1, run in line behind a run-time check (kind and value of
 *       the register) under which the interpreter's check passes; a failed check takes the
 *       interpreter's path ({@link #guardedViewLoad}, {@link #guardedCall}; docs/decisions.md D25).</li>
 *   <li>Everything else — kernel-object views, pointer arithmetic, helpers and kfuncs
 *       ({@link Vm#call}), exit, the instructions without a translation of their own (DIV, MOD,
 *       NEG, byte swaps, sign-extending moves, atomics) and every path that faults — calls the
 *       interpreter's own methods on the same {@link Vm} (directly, or through the program's
 *       {@link JitRuntime}, the entry points that hand registers over), with the registers they read
 *       stored into {@link Vm#regs}/{@link Vm#kinds} first and the registers they write read back
 *       after: bounds, region and layout checks, helper semantics and fault messages are the
 *       interpreter's. {@link Vm} does not know the translator: {@link VmProgram} translates after
 *       making the VM, and the {@link JitRuntime} it installs runs the invocations.</li>
 *   <li>The instruction budget is counted per basic block on entry and checked at loop headers
 *       (see {@link #enterBlock}): when it could run out before the next loop header, the code hands
 *       its registers to {@link Vm#interpret}, which finishes the invocation instruction by
 *       instruction, so the abort names the same pc and count.</li>
 *   <li>A {@link Fault} is caught by a handler per instruction that can fault (exception-table
 *       ranges cost nothing until something is thrown), which names the pc, corrects the count for
 *       the rest of the block, and makes the interpreter's {@link BpfVmException}.</li>
 *   <li>The code is shaped for HotSpot's limits on large methods: see {@link #plainMemory},
 *       {@link Vm#call}, {@link #emitConstants} and {@link #cold} (out-of-line code kept small: the
 *       whole method counts against C2's inlining budget).</li>
 * </ul>
 *
 * <p>bpf-to-bpf calls: one JVM method per subprogram ({@code run} for the entry, {@code sub<pc>}
 * for the others), called with the instruction count and the frame number; r0-r5 travel through
 * {@link Vm#regs}, r6-r9 stay in the caller's locals (the callee's are its own), the callee's
 * stack is the frame's {@link StackRegion}, and the caller keeps the interpreter's frame
 * bookkeeping ({@link JitRuntime#jitSaveFrame}) so that a budget hand-over inside a callee goes on in
 * {@link Vm#interpret} and returns through the frames. Subprogram entries and the instructions
 * after calls are budget checks too, so no path between two checks leaves its method.
 *
 * <p>Large programs: HotSpot never compiles a method above {@link #HUGE_METHOD_LIMIT} bytes of JVM
 * code ({@code -XX:+DontCompileHugeMethods}), so interpreted JVM code would be slower than the VM's
 * interpreter. The size of each method is measured by a first emission without stack map frames
 * (a large program costs no frame computation, whose work limits ASM enforces with
 * {@code LimitExceededException}); a subprogram too large is cut into chunks of consecutive
 * instructions, one method each ({@code chunk<pc>}), called by a small dispatcher in the
 * subprogram's method ({@link #emitDispatcher}): registers, count and the slot to go on from pass
 * through the VM at each crossing, and a cut starts a new basic block. Not translated (interpreted,
 * with {@link VmProgram#fallbackReason()} saying why): programs beyond the translator's packing
 * (65535 slots) or beyond ASM's limits, and those whose chunks would still be too large; nothing is
 * thrown out of the loader either way.
 */
final class JitCompiler {
    /** HotSpot's {@code HugeMethodLimit}: longer methods are not JIT-compiled by default. */
    static final int HUGE_METHOD_LIMIT = 8000;

    private static final String VM = Type.getInternalName(Vm.class);
    private static final String RUNTIME = Type.getInternalName(JitRuntime.class);
    private static final String FAULT = Type.getInternalName(Fault.class);
    private static final String SUPER = Type.getInternalName(TranslatedProgram.class);
    private static final String NAME = "dev/autolowat/sim/vm/TranslatedProgram$Code";
    private static final String RUN_DESC = "(L" + VM + ";)J";

    // ---- local variable slots of run(Vm) ----
    private static final int THIS = 0;
    private static final int VM_SLOT = 1;
    private static final int REGS_ARRAY = 2;
    private static final int KINDS_ARRAY = 3;
    /** Instructions executed so far, counted per block on entry. */
    private static final int COUNT = 4;
    private static final int TMP = 5;
    /** r0..r10 as longs: slot {@code FIRST_REG + 2 * i}. */
    private static final int FIRST_REG = 6;
    /** The kinds of r0..r10 as ints: slot {@code FIRST_KIND + i}. */
    private static final int FIRST_KIND = FIRST_REG + 22;
    /** Frame 0's {@link StackRegion}, its bytes and its spilled-pointer slots (what r10 points into). */
    private static final int STACK = FIRST_KIND + 11;
    private static final int STACK_DATA = STACK + 1;
    private static final int STACK_SPILLED = STACK + 2;
    /** Scratch for a plain-memory access: its region, and the offset in it (a long, two slots). */
    private static final int TMP_REGION = STACK + 3;
    private static final int TMP_OFFSET = STACK + 4;
    /** r0..r10: the plain-memory region the register points into, or null ({@link #storeKind}). */
    private static final int FIRST_MEMORY = TMP_OFFSET + 2;

    private static final String MEM_REGION = Type.getInternalName(MemRegion.class);
    private static final String STACK_REGION = Type.getInternalName(StackRegion.class);
    private static final String REGION = Type.getInternalName(Region.class);
    /** {@code MethodHandles.classDataAt}: the bootstrap of the constants in the class data. */
    private static final Handle CLASS_DATA_AT = new Handle(Opcodes.H_INVOKESTATIC, "java/lang/invoke/MethodHandles",
            "classDataAt", "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;I)"
            + "Ljava/lang/Object;", false);

    /** Descriptor of a subprogram's method: (vm, instructions executed so far, frame number). */
    private static final String SUB_DESC = "(L" + VM + ";II)J";
    /** The frame number (0 in {@code run}, the call depth in a subprogram's method). */
    private static final int FRAME = FIRST_MEMORY + 11;

    /**
     * The outcome of a translation: the code, or null and why the program is interpreted instead
     * (see {@link VmProgram#fallbackReason()}).
     */
    record Result(JitRuntime code, String fallbackReason) {
        static Result fallback(String reason) {
            return new Result(null, reason);
        }
    }

    /** What the whole program's analysis gives every method's translation. */
    private record Analysis(int[] starts, int[] ends, boolean[] leader, boolean[] budgetCheck, int[] length,
                            int[] after, int instructions, RegisterFacts facts, PointerGuess guesses,
                            int[][] chunks, boolean stackPointerEscapes) {
        /** The same analysis with subprograms cut into chunks (see {@link #translate}). */
        Analysis withChunks(boolean[] newLeader, int[] newLength, int[] newAfter, int[][] newChunks) {
            return new Analysis(starts, ends, newLeader, budgetCheck, newLength, newAfter, instructions, facts,
                    guesses, newChunks, stackPointerEscapes);
        }
    }

    /** A chunk method's descriptor: as a subprogram's; where it starts is {@code JitRuntime.jitPc}. */
    private static final String CHUNK_DESC = SUB_DESC;
    /** A method's code is cut into chunks of about this many bytes of inline code when it is too large. */
    private static final int[] CHUNK_TARGETS = {3000, 1500, 700};

    private final VmProgram p;
    private final Vm vm;
    /** What the code calls besides the interpreter: a constant of the generated class. */
    private final JitRuntime runtime;
    private final MethodVisitor mv;
    /** The first slot of the subprogram this method translates, and the slot after its last. */
    private final int start;
    private final int end;
    /** Whether this method belongs to the program's entry (frame 0), not to a subprogram. */
    private final boolean entry;
    /**
     * Whether this method is a chunk of a subprogram cut into several methods: it starts from the
     * registers in {@link Vm#regs}/{@link Vm#kinds} at {@code JitRuntime.jitPc}, and hands them back there
     * when control leaves it (see {@link #emitDispatcher}).
     */
    private final boolean chunk;
    /** The chunks of this method's subprogram (their first slots), or null when it is one method. */
    private final int[] chunkStarts;
    /** The subprogram's slots. */
    private final int subStart;
    private final int subEnd;
    /** Per slot: the offset of its inline code in its method (measurements, see {@link #cut}). */
    private final int[] pcOffset;
    /** Chunks: the code that leaves for a slot of another chunk, per slot. */
    private final java.util.Map<Integer, Label> leave = new java.util.HashMap<>();
    /** Per slot: the label of its code, for the slots that start a basic block. */
    private final Label[] blockLabel;
    /** Per slot that starts a block: how many instructions the block has. */
    private final int[] blockLength;
    /** Per slot: how many instructions of its block come after it. */
    private final int[] after;
    /**
     * Per slot: whether the budget is checked when its block is entered: the targets of backward
     * jumps, subprogram entries and the returns from bpf-to-bpf calls (see {@link #enterBlock}).
     */
    private final boolean[] loopHeader;
    /** Instructions in the program: no path between two budget checks runs more. */
    private final int instructions;
    /** What is known of the registers at each slot. */
    private final RegisterFacts facts;
    /** The kernel object each register most likely points to (checked at run time before it is relied on). */
    private final PointerGuess guesses;
    /** Per slot: the handler that turns a {@link Fault} of this instruction into the interpreter's exception. */
    private final Label[] faultHandler;
    /**
     * Whether the code of the instruction being translated calls anything that may throw a
     * {@link Fault}: only those instructions get a handler (most ALU operations and jumps cannot fault).
     */
    private boolean faultable;
    /**
     * Set while the out-of-line code (slow paths, fault handlers) is emitted: code that rarely runs,
     * kept small, since every byte of the method counts against C2's inlining budget for the whole
     * method ({@code DesiredMethodLimit}), the hot code's calls included.
     */
    private boolean cold;
    /** Code placed after the main body: slow paths, budget hand-overs, fault handlers. */
    private final List<Runnable> outOfLine = new ArrayList<>();
    /** Objects the code loads as constants: the class data of the hidden class ({@link #constant}), shared by its methods. */
    private final List<Object> constants;
    /** Their types, for the static fields that hold them. */
    private final List<Class<?>> constantTypes;
    private final Label faultCommon = new Label();
    private final Label budgetCommon = new Label();
    /** Returns r0 as it is: a callee handed the invocation to the interpreter, which finished it. */
    private final Label handedOver = new Label();
    private boolean handedOverUsed;
    /**
     * The 8-byte slots of this subprogram's frame that never hold a spilled pointer
     * ({@link StackAccesses#pointerFreeSlots}): loads and stores there through r10 skip the spilled
     * marks (their kind is scalar).
     */
    private final long pointerFreeSlots;
    /**
     * This method belongs to the entry subprogram, and every byte of frame 0 that it reads through
     * r10 it wrote earlier in the same invocation ({@link StackAccesses#frameZeroWrittenBeforeRead},
     * D27): what the frame held on entry is never observed, so its stores need not be marked for
     * {@link StackRegion#reset}.
     */
    private final boolean frameZeroUnobserved;

    private JitCompiler(VmProgram p, JitRuntime runtime, Vm vm, MethodVisitor mv, int subprogram, Analysis a,
                        Label[] blockLabel, List<Object> constants, List<Class<?>> constantTypes, int chunk,
                        int[] pcOffset) {
        this.p = p;
        this.runtime = runtime;
        this.vm = vm;
        this.mv = mv;
        this.chunk = chunk >= 0;
        this.chunkStarts = a.chunks[subprogram];
        this.start = chunk >= 0 ? chunkStarts[chunk] : a.starts[subprogram];
        this.end = chunk >= 0 && chunk + 1 < chunkStarts.length ? chunkStarts[chunk + 1] : a.ends[subprogram];
        this.subStart = a.starts[subprogram];
        this.subEnd = a.ends[subprogram];
        this.pcOffset = pcOffset;
        this.entry = subprogram == 0;
        this.blockLabel = blockLabel;
        this.blockLength = a.length;
        this.after = a.after;
        this.loopHeader = a.budgetCheck;
        this.instructions = a.instructions;
        this.facts = a.facts;
        this.guesses = a.guesses;
        this.faultHandler = new Label[p.slots];
        this.constants = constants;
        this.constantTypes = constantTypes;
        this.pointerFreeSlots = StackAccesses.pointerFreeSlots(p, a.facts, a.stackPointerEscapes, subStart, subEnd);
        this.frameZeroUnobserved = subprogram == 0 && runtime.frameZeroUnobserved;
    }

    /**
     * The program as a {@link TranslatedProgram} installed on {@code vm} through its
     * {@link JitRuntime} (from now on {@code vm} runs invocations as translated code), or why it is
     * not translated (see the class comment; {@code vm} then interprets). Never throws for a program
     * the loader accepted: whatever limit the translation meets, the program is interpreted instead.
     */
    static Result translate(VmProgram p, Vm vm) {
        JitRuntime runtime = new JitRuntime(vm);
        int n = p.slots;
        if (n > 0xffff) {
            // the fault handlers pack pc and position in 32 bits
            return Result.fallback("the program has " + n + " slots, more than the translator's 65535");
        }
        java.util.TreeSet<Integer> subprograms = new java.util.TreeSet<>();
        subprograms.add(0);
        boolean[] leader = new boolean[n + 1];
        leader[0] = true;
        boolean[] budgetCheck = new boolean[n + 1];
        int instructions = 0;
        for (int pc = 0; pc < n; pc = next(p, pc)) {
            instructions++;
            int c = p.code[pc];
            int cls = c & 7;
            if (cls == Opcode.JMP || cls == Opcode.JMP32) {
                int op = c & 0xf0;
                if (op == Opcode.CALL) {
                    if (p.src[pc] == Opcode.PSEUDO_CALL) {
                        // a bpf-to-bpf call ends its block; the callee's entry and the return are budget checks
                        int target = pc + 1 + (int) p.imm[pc];
                        subprograms.add(target);
                        leader[target] = true;
                        budgetCheck[target] = true;
                        leader[pc + 1] = true;
                        budgetCheck[pc + 1] = true;
                    }
                    continue;
                }
                leader[pc + 1] = true;
                if (op != Opcode.EXIT) {
                    int target = jumpTarget(p, pc);
                    leader[target] = true;
                    budgetCheck[target] |= target <= pc;
                }
            } else if (cls == Opcode.LD && c != Opcode.LD_IMM64) {
                return Result.fallback("legacy packet loads are not translated");
            }
        }
        if (instructions > Vm.INSTRUCTION_BUDGET) {
            // the budget checks rely on this (BpfBytecode.MAX_INSNS makes it so)
            return Result.fallback("the program has more instructions than the budget of one invocation");
        }
        int[] starts = subprograms.stream().mapToInt(Integer::intValue).toArray();
        int[] ends = new int[starts.length];
        for (int s = 0; s < starts.length; s++) {
            ends[s] = s + 1 < starts.length ? starts[s + 1] : n;
            leader[starts[s]] = true;
        }
        int[] length = new int[n];
        int[] after = new int[n];
        if (!blocks(p, leader, length, after)) {
            return Result.fallback("a basic block of more than 32767 instructions"); // the fault handlers' packing
        }
        Analysis a = new Analysis(starts, ends, leader, budgetCheck, length, after, instructions,
                RegisterFacts.of(p, starts), PointerGuess.of(p, vm, starts), new int[starts.length][],
                StackAccesses.stackPointerEscapes(p));
        runtime.frameZeroUnobserved = StackAccesses.frameZeroWrittenBeforeRead(p, a.stackPointerEscapes, ends[0]);

        // First pass without stack map frames: only the size of each method. HotSpot does not compile
        // a method above HugeMethodLimit, and ASM's frame computation has work limits of its own
        // (LimitExceededException) that a large method can reach: a program too large is interpreted
        // before that work is spent.
        Emitted measured;
        try {
            measured = emitClass(p, runtime, vm, a, 0);
        } catch (org.objectweb.asm.LimitExceededException | IndexOutOfBoundsException e) {
            return Result.fallback("ASM cannot write its translation: " + e.getMessage());
        }
        if (measured.largest() > HUGE_METHOD_LIMIT) {
            // Cut the subprograms that are too large into chunks of consecutive instructions, one JVM
            // method each, by the inline code size of each instruction, smaller until every method fits.
            Analysis chunked = null;
            String tooLarge = measured.tooLarge(a);
            for (int target : CHUNK_TARGETS) {
                Analysis c = cut(p, a, measured, target);
                if (c == null) {
                    break;
                }
                Emitted m;
                try {
                    m = emitClass(p, runtime, vm, c, 0);
                } catch (org.objectweb.asm.LimitExceededException | IndexOutOfBoundsException e) {
                    return Result.fallback("ASM cannot write its translation: " + e.getMessage());
                }
                if (m.largest() <= HUGE_METHOD_LIMIT) {
                    chunked = c;
                    break;
                }
            }
            if (chunked == null) {
                return Result.fallback("its translation is " + tooLarge + ", more than HotSpot's HugeMethodLimit of "
                        + HUGE_METHOD_LIMIT + " bytes, and cutting it into methods did not bring every method under "
                        + "it: HotSpot would not compile it, and interpreted JVM code is slower than the VM's "
                        + "interpreter");
            }
            a = chunked;
        }
        Emitted emitted;
        try {
            emitted = emitClass(p, runtime, vm, a, ClassWriter.COMPUTE_FRAMES);
        } catch (org.objectweb.asm.LimitExceededException | IndexOutOfBoundsException e) {
            // ASM's limits (frame computation work, method and class size): not a fault of the program
            return Result.fallback("ASM cannot write its translation: " + e.getMessage());
        }
        TranslatedProgram code = define(emitted.bytes, emitted.constants);
        int total = 0;
        for (int size : emitted.sizes) {
            total += size;
        }
        code.codeSize = total;
        runtime.install(code);
        return new Result(runtime, null);
    }

    /**
     * A class written: its bytes (none for a measurement), constants, the code size of each method
     * ({@code run}/{@code sub<pc>} of each subprogram first, in subprogram order, then chunks), and the
     * offset of each instruction's inline code in its method.
     */
    private record Emitted(byte[] bytes, List<Object> constants, int[] sizes, int[] pcOffset) {
        int largest() {
            int max = 0;
            for (int size : sizes) {
                max = Math.max(max, size);
            }
            return max;
        }

        /** What is too large, for the fallback reason: the first subprogram's method above the limit. */
        String tooLarge(Analysis a) {
            for (int s = 0; s < a.starts.length; s++) {
                if (sizes[s] > HUGE_METHOD_LIMIT) {
                    return sizes[s] + " bytes of JVM code (" + (s == 0 ? "the program's entry"
                            : "the subprogram at pc " + a.starts[s]) + ")";
                }
            }
            return largest() + " bytes of JVM code";
        }
    }

    /**
     * Basic blocks: per leader its length, per slot how many instructions of its block follow it.
     * False when a block is too long for the fault handlers' packing.
     */
    private static boolean blocks(VmProgram p, boolean[] leader, int[] length, int[] after) {
        int n = p.slots;
        int blockStart = 0;
        int inBlock = 0;
        List<Integer> members = new ArrayList<>();
        for (int pc = 0; pc <= n; pc = pc < n ? next(p, pc) : n + 1) {
            if (pc == n || (leader[pc] && pc > 0)) {
                length[blockStart] = inBlock;
                for (int i = 0; i < members.size(); i++) {
                    after[members.get(i)] = members.size() - 1 - i;
                }
                if (pc == n) {
                    break;
                }
                members.clear();
                blockStart = pc;
                inBlock = 0;
            }
            members.add(pc);
            inBlock++;
            if (inBlock > 0x7fff) {
                return false;
            }
        }
        return true;
    }

    /**
     * The analysis with every subprogram whose method is too large cut into chunks: a new chunk (and
     * a new basic block) starts where the chunk's inline code would pass {@code target} bytes.
     * Returns null when nothing can be cut.
     */
    private static Analysis cut(VmProgram p, Analysis a, Emitted measured, int target) {
        boolean[] leader = a.leader.clone();
        int[][] chunks = new int[a.starts.length][];
        boolean any = false;
        for (int s = 0; s < a.starts.length; s++) {
            if (measured.sizes[s] <= HUGE_METHOD_LIMIT) {
                continue;
            }
            List<Integer> starts = new ArrayList<>();
            int chunkStart = a.starts[s];
            starts.add(chunkStart);
            for (int pc = a.starts[s]; pc < a.ends[s]; pc = next(p, pc)) {
                if (pc > chunkStart && measured.pcOffset[pc] - measured.pcOffset[chunkStart] > target) {
                    chunkStart = pc;
                    starts.add(pc);
                    leader[pc] = true;
                }
            }
            if (starts.size() > 1) {
                chunks[s] = starts.stream().mapToInt(Integer::intValue).toArray();
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        int[] length = new int[p.slots];
        int[] after = new int[p.slots];
        if (!blocks(p, leader, length, after)) {
            return null;
        }
        return a.withChunks(leader, length, after, chunks);
    }

    /** The hidden class: {@code run} for the entry, {@code sub<pc>} per subprogram, the constants. */
    private static Emitted emitClass(VmProgram p, JitRuntime runtime, Vm vm, Analysis a, int flags) {
        // COMPUTE_FRAMES: Java 17 class files need stack map frames, and computing them here would
        // repeat ASM's analysis. The merges it makes are all of identical types (longs, ints, the
        // same arrays), so the common superclass is never needed: Object keeps ASM from loading
        // classes through its own class loader.
        ClassWriter cw = new ClassWriter(flags) {
            @Override
            protected String getCommonSuperClass(String type1, String type2) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null, SUPER, null);
        MethodVisitor init = cw.visitMethod(0, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, SUPER, "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        Label[] labels = new Label[p.slots];
        for (int pc = 0; pc < p.slots; pc++) {
            if (a.leader[pc]) {
                labels[pc] = new Label();
            }
        }
        List<Object> constants = new ArrayList<>();
        List<Class<?>> constantTypes = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int[] pcOffset = new int[p.slots];
        for (int s = 0; s < a.starts.length; s++) {
            MethodVisitor mv = s == 0 ? cw.visitMethod(0, "run", RUN_DESC, null, null)
                    : cw.visitMethod(Opcodes.ACC_FINAL, subName(a.starts[s]), SUB_DESC, null, null);
            JitCompiler jit = new JitCompiler(p, runtime, vm, mv, s, a, labels, constants, constantTypes, -1, pcOffset);
            sizes.add((a.chunks[s] == null ? jit.emitMethod() : jit.emitDispatcher()).getOffset());
        }
        for (int s = 0; s < a.starts.length; s++) {
            if (a.chunks[s] == null) {
                continue;
            }
            for (int c = 0; c < a.chunks[s].length; c++) {
                MethodVisitor mv = cw.visitMethod(Opcodes.ACC_FINAL, chunkName(a.chunks[s][c]), CHUNK_DESC, null,
                        null);
                JitCompiler jit = new JitCompiler(p, runtime, vm, mv, s, a, labels, constants, constantTypes, c, pcOffset);
                sizes.add(jit.emitMethod().getOffset());
            }
        }
        emitConstants(cw, constants, constantTypes);
        cw.visitEnd();
        return new Emitted(flags == 0 ? null : cw.toByteArray(), constants,
                sizes.stream().mapToInt(Integer::intValue).toArray(), pcOffset);
    }

    private static String subName(int pc) {
        return "sub" + pc;
    }

    private static String chunkName(int pc) {
        return "chunk" + pc;
    }

    private static TranslatedProgram define(byte[] bytes, List<Object> constants) {
        try {
            MethodHandles.Lookup code = MethodHandles.lookup().defineHiddenClassWithClassData(bytes,
                    List.copyOf(constants), true);
            return (TranslatedProgram) code.findConstructor(code.lookupClass(),
                    java.lang.invoke.MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            // a translation the JVM refuses is a bug of this class, not of the program
            throw new IllegalStateException("the translated program does not load: " + e, e);
        }
    }

    private static int next(VmProgram p, int pc) {
        return p.code[pc] == Opcode.LD_IMM64 ? pc + 2 : pc + 1;
    }

    /** Whether control never falls through slot {@code pc}: an exit or an unconditional jump. */
    private static boolean exitOrGoto(VmProgram p, int pc) {
        int c = p.code[pc];
        return c == (Opcode.JMP | Opcode.EXIT) || c == (Opcode.JMP | Opcode.JA) || c == (Opcode.JMP32 | Opcode.JA);
    }

    private static int jumpTarget(VmProgram p, int pc) {
        int c = p.code[pc];
        if ((c & 7) == Opcode.JMP32 && (c & 0xf0) == Opcode.JA) {
            return pc + 1 + (int) p.imm[pc]; // gotol: the offset is in imm
        }
        return pc + 1 + p.off[pc];
    }

    // =====================================================================================
    // The method
    // =====================================================================================

    /** The method of this subprogram; returns the label after its last byte (its offset is the code size). */
    private Label emitMethod() {
        mv.visitCode();
        if (entry && !chunk) {
            push(0);
            mv.visitVarInsn(Opcodes.ISTORE, COUNT);
            push(0);
            mv.visitVarInsn(Opcodes.ISTORE, FRAME);
        } else {
            // the parameters (count, frame) are in slots 2 and 3, which the arrays take next
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitVarInsn(Opcodes.ISTORE, COUNT);
            mv.visitVarInsn(Opcodes.ILOAD, 3);
            mv.visitVarInsn(Opcodes.ISTORE, FRAME);
        }
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "regs", "[J");
        mv.visitVarInsn(Opcodes.ASTORE, REGS_ARRAY);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "kinds", "[I");
        mv.visitVarInsn(Opcodes.ASTORE, KINDS_ARRAY);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        if (entry && !chunk) {
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "frameZeroStack", "()L" + STACK_REGION + ";", false);
        } else {
            mv.visitVarInsn(Opcodes.ILOAD, FRAME);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "stackOf", "(I)L" + STACK_REGION + ";", false);
        }
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ASTORE, STACK);
        mv.visitInsn(Opcodes.DUP);
        mv.visitFieldInsn(Opcodes.GETFIELD, MEM_REGION, "data", "[B");
        mv.visitVarInsn(Opcodes.ASTORE, STACK_DATA);
        mv.visitFieldInsn(Opcodes.GETFIELD, STACK_REGION, "spilled", "[I");
        mv.visitVarInsn(Opcodes.ASTORE, STACK_SPILLED);
        if (chunk) {
            // the registers as the dispatcher or the chunk before left them
            for (int i = 0; i <= 10; i++) {
                fill(i);
            }
        } else if (entry) {
            // the state Vm.resetForInvocation gives the interpreter, as constants of this VM: r1 = context
            // (or the memory buffer of a raw program, r2 its length), r10 = end of frame 0's stack (r10 is
            // never written), every other register uninitialized
            for (int i = 0; i <= 10; i++) {
                pushLong(vm.entryValue(i));
                storeReg(i);
                constantKind(i, vm.entryKind(i));
            }
        } else {
            // a call as the interpreter makes it: a fresh stack, r0-r5 as the caller left them,
            // r6-r9 uninitialized, r10 the end of this frame's stack
            mv.visitVarInsn(Opcodes.ALOAD, STACK);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, STACK_REGION, "reset", "()V", false);
            for (int i = 0; i <= 5; i++) {
                fill(i);
            }
            for (int i = 6; i <= 9; i++) {
                pushLong(0);
                storeReg(i);
                constantKind(i, Vm.UNINIT_KIND);
            }
            mv.visitVarInsn(Opcodes.ALOAD, STACK);
            mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "base", "J");
            pushLong(StackRegion.SIZE);
            mv.visitInsn(Opcodes.LADD);
            storeReg(10);
            mv.visitVarInsn(Opcodes.ALOAD, STACK);
            mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "ownId", "I");
            mv.visitVarInsn(Opcodes.ISTORE, FIRST_KIND + 10);
            mv.visitInsn(Opcodes.ACONST_NULL); // a stack is not plain memory
            mv.visitVarInsn(Opcodes.ASTORE, FIRST_MEMORY + 10);
        }
        markStackStores();
        push(0);
        mv.visitVarInsn(Opcodes.ISTORE, TMP);
        if (chunk) {
            enterChunk();
        }

        int lastPc = start;
        for (int pc = start; pc < end; pc = next(p, pc)) {
            lastPc = pc;
            if (blockLabel[pc] != null) {
                enterBlock(pc);
            }
            Label insnStart = new Label();
            Label insnEnd = new Label();
            Label handler = new Label();
            faultHandler[pc] = handler;
            faultable = false;
            mv.visitLabel(insnStart);
            pcOffset[pc] = insnStart.getOffset();
            translate(pc);
            mv.visitLabel(insnEnd);
            if (!faultable) {
                continue;
            }
            mv.visitTryCatchBlock(insnStart, insnEnd, handler, FAULT);
            int at = pc | after[pc] << 16;
            outOfLine.add(() -> {
                mv.visitLabel(handler);
                push(at);
                mv.visitJumpInsn(Opcodes.GOTO, faultCommon);
            });
        }
        if (chunk && !exitOrGoto(p, lastPc)) {
            mv.visitJumpInsn(Opcodes.GOTO, targetLabel(end)); // falls through into the next chunk
        }
        // out-of-line code: slow paths register their own ranges as they are emitted
        cold = true;
        for (int i = 0; i < outOfLine.size(); i++) {
            outOfLine.get(i).run();
        }
        cold = false;
        if (handedOverUsed) {
            mv.visitLabel(handedOver);
            loadReg(0);
            mv.visitInsn(Opcodes.LRETURN);
        }
        // [Fault, at] -> BpfVmException
        mv.visitLabel(faultCommon);
        mv.visitVarInsn(Opcodes.ILOAD, COUNT);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "translatedFault",
                "(L" + FAULT + ";IIL" + VM + ";)L" + Type.getInternalName(BpfVmException.class) + ";", false);
        mv.visitInsn(Opcodes.ATHROW);
        // [block pc] -> the interpreter finishes the invocation (budget), from this frame on: a
        // caller finds handedOver set and returns the result as it is
        mv.visitLabel(budgetCommon);
        mv.visitVarInsn(Opcodes.ISTORE, TMP);
        for (int i = 0; i <= 10; i++) {
            spill(i);
        }
        if (!entry || chunk) {
            runtime();
            push(1);
            mv.visitFieldInsn(Opcodes.PUTFIELD, RUNTIME, "handedOver", "Z");
        }
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitVarInsn(Opcodes.ILOAD, TMP);
        mv.visitVarInsn(Opcodes.ILOAD, COUNT);
        mv.visitVarInsn(Opcodes.ILOAD, FRAME);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "interpret", "(III)J", false);
        mv.visitInsn(Opcodes.LRETURN);
        return endMethod();
    }

    // =====================================================================================
    // Chunks: a subprogram too large for one method, cut into several
    // =====================================================================================

    /**
     * The dispatcher of a subprogram cut into chunks (its {@code run}/{@code sub<pc>} method): sets
     * up the state its method would (the invocation's or the call's registers and stack), hands the
     * registers over in {@link Vm#regs}/{@link Vm#kinds}, then calls the chunk that holds
     * {@code JitRuntime.jitPc} until one returns with the subprogram's exit ({@code jitPc} negative) or the
     * invocation was handed over to the interpreter. Every chunk leaves its registers, the
     * instruction count ({@code jitCount}) and where to go on ({@code jitPc}) in the VM.
     */
    private Label emitDispatcher() {
        mv.visitCode();
        if (entry) {
            push(0);
            mv.visitVarInsn(Opcodes.ISTORE, COUNT);
            push(0);
            mv.visitVarInsn(Opcodes.ISTORE, FRAME);
        } else {
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitVarInsn(Opcodes.ISTORE, COUNT);
            mv.visitVarInsn(Opcodes.ILOAD, 3);
            mv.visitVarInsn(Opcodes.ISTORE, FRAME);
        }
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "regs", "[J");
        mv.visitVarInsn(Opcodes.ASTORE, REGS_ARRAY);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "kinds", "[I");
        mv.visitVarInsn(Opcodes.ASTORE, KINDS_ARRAY);
        if (entry) {
            for (int i = 0; i <= 10; i++) { // Vm.resetForInvocation's state, as constants
                mv.visitVarInsn(Opcodes.ALOAD, REGS_ARRAY);
                push(i);
                pushLong(vm.entryValue(i));
                mv.visitInsn(Opcodes.LASTORE);
                mv.visitVarInsn(Opcodes.ALOAD, KINDS_ARRAY);
                push(i);
                push(vm.entryKind(i));
                mv.visitInsn(Opcodes.IASTORE);
            }
        } else {
            // a call: a fresh stack, r0-r5 as the caller left them (in the arrays already), r6-r9
            // uninitialized, r10 the end of this frame's stack
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitVarInsn(Opcodes.ILOAD, FRAME);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "stackOf", "(I)L" + STACK_REGION + ";", false);
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ASTORE, STACK);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, STACK_REGION, "reset", "()V", false);
            for (int i = 6; i <= 9; i++) {
                mv.visitVarInsn(Opcodes.ALOAD, KINDS_ARRAY);
                push(i);
                push(Vm.UNINIT_KIND);
                mv.visitInsn(Opcodes.IASTORE);
            }
            mv.visitVarInsn(Opcodes.ALOAD, REGS_ARRAY);
            push(10);
            mv.visitVarInsn(Opcodes.ALOAD, STACK);
            mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "base", "J");
            pushLong(StackRegion.SIZE);
            mv.visitInsn(Opcodes.LADD);
            mv.visitInsn(Opcodes.LASTORE);
            mv.visitVarInsn(Opcodes.ALOAD, KINDS_ARRAY);
            push(10);
            mv.visitVarInsn(Opcodes.ALOAD, STACK);
            mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "ownId", "I");
            mv.visitInsn(Opcodes.IASTORE);
        }
        runtime();
        push(subStart);
        mv.visitFieldInsn(Opcodes.PUTFIELD, RUNTIME, "jitPc", "I");
        // the chunk of each slot of the subprogram, indexed by slot - subStart
        int[] chunkOf = new int[subEnd - subStart];
        for (int c = 0; c < chunkStarts.length; c++) {
            int to = c + 1 < chunkStarts.length ? chunkStarts[c + 1] : subEnd;
            java.util.Arrays.fill(chunkOf, chunkStarts[c] - subStart, to - subStart, c);
        }
        Label loop = new Label();
        Label done = new Label();
        Label ret = new Label();
        Label[] calls = new Label[chunkStarts.length];
        for (int c = 0; c < calls.length; c++) {
            calls[c] = new Label();
        }
        mv.visitLabel(loop);
        constant(chunkOf, int[].class);
        runtime();
        mv.visitFieldInsn(Opcodes.GETFIELD, RUNTIME, "jitPc", "I");
        push(subStart);
        mv.visitInsn(Opcodes.ISUB);
        mv.visitInsn(Opcodes.IALOAD);
        mv.visitTableSwitchInsn(0, calls.length - 1, calls[0], calls);
        for (int c = 0; c < calls.length; c++) {
            mv.visitLabel(calls[c]);
            mv.visitVarInsn(Opcodes.ALOAD, THIS);
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitVarInsn(Opcodes.ILOAD, COUNT);
            mv.visitVarInsn(Opcodes.ILOAD, FRAME);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, NAME, chunkName(chunkStarts[c]), CHUNK_DESC, false);
            mv.visitJumpInsn(Opcodes.GOTO, done);
        }
        mv.visitLabel(done);
        mv.visitVarInsn(Opcodes.LSTORE, TMP_OFFSET);
        runtime();
        mv.visitFieldInsn(Opcodes.GETFIELD, RUNTIME, "handedOver", "Z");
        mv.visitJumpInsn(Opcodes.IFNE, ret);
        runtime();
        mv.visitFieldInsn(Opcodes.GETFIELD, RUNTIME, "jitPc", "I");
        mv.visitJumpInsn(Opcodes.IFLT, ret);
        runtime();
        mv.visitFieldInsn(Opcodes.GETFIELD, RUNTIME, "jitCount", "I");
        mv.visitVarInsn(Opcodes.ISTORE, COUNT);
        mv.visitJumpInsn(Opcodes.GOTO, loop);
        mv.visitLabel(ret);
        mv.visitVarInsn(Opcodes.LLOAD, TMP_OFFSET);
        mv.visitInsn(Opcodes.LRETURN);
        return endMethod();
    }

    /**
     * Marks once, on entry (after a subprogram's frame is reset), the part of the frame that this
     * method's stores through r10 can write ({@link StackAccesses#storeExtent}), instead of a
     * {@link StackRegion#dirty} per store: the offsets are constants, and a dirty range wider than
     * what was written only makes {@link StackRegion#reset} zero bytes that are zero already.
     */
    private void markStackStores() {
        if (frameZeroUnobserved) {
            return; // D27: nothing this method's stores leave in frame 0 is read by a later invocation
        }
        int[] extent = StackAccesses.storeExtent(p, start, end);
        if (extent == null) {
            return;
        }
        mv.visitVarInsn(Opcodes.ALOAD, STACK);
        push(extent[0]);
        push(extent[1] - extent[0]);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, STACK_REGION, "dirty", "(II)V", false);
    }

    /** Ends the method being emitted; returns the label after its last instruction (local variables' scope end). */
    private Label endMethod() {
        Label last = new Label();
        mv.visitLabel(last);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        return last;
    }

    /**
     * A chunk's entry: to the block of {@code JitRuntime.jitPc} (the chunk's first slot, or a jump target
     * from another chunk of the subprogram).
     */
    private void enterChunk() {
        java.util.TreeSet<Integer> entries = new java.util.TreeSet<>();
        entries.add(start);
        for (int pc = subStart; pc < subEnd; pc = next(p, pc)) {
            int c = p.code[pc];
            int cls = c & 7;
            int op = c & 0xf0;
            if ((cls == Opcode.JMP || cls == Opcode.JMP32) && op != Opcode.CALL && op != Opcode.EXIT) {
                int t = jumpTarget(p, pc);
                if (t >= start && t < end && (pc < start || pc >= end)) {
                    entries.add(t);
                }
            }
        }
        int[] keys = entries.stream().mapToInt(Integer::intValue).toArray();
        Label[] targets = new Label[keys.length];
        for (int i = 0; i < keys.length; i++) {
            targets[i] = blockLabel[keys[i]];
        }
        runtime();
        mv.visitFieldInsn(Opcodes.GETFIELD, RUNTIME, "jitPc", "I");
        mv.visitLookupSwitchInsn(blockLabel[start], keys, targets);
    }

    /** The label of slot {@code t}: its block in this method, or the code that leaves this chunk for it. */
    private Label targetLabel(int t) {
        if (t >= start && t < end) {
            return blockLabel[t];
        }
        return leave.computeIfAbsent(t, to -> {
            Label l = new Label();
            outOfLine.add(() -> {
                // the registers, the count and where to go on, for the dispatcher and the next chunk
                mv.visitLabel(l);
                for (int i = 0; i <= 10; i++) {
                    spill(i);
                }
                runtime();
                push(to);
                mv.visitFieldInsn(Opcodes.PUTFIELD, RUNTIME, "jitPc", "I");
                runtime();
                mv.visitVarInsn(Opcodes.ILOAD, COUNT);
                mv.visitFieldInsn(Opcodes.PUTFIELD, RUNTIME, "jitCount", "I");
                pushLong(0);
                mv.visitInsn(Opcodes.LRETURN);
            });
            return l;
        });
    }

    /** A chunk reaches its subprogram's exit: tells the dispatcher ({@code jitPc = -1}). */
    private void endOfSubprogram() {
        runtime();
        push(-1);
        mv.visitFieldInsn(Opcodes.PUTFIELD, RUNTIME, "jitPc", "I");
    }

    /**
     * Counts the block's instructions. At a loop header (the target of a backward jump), hands over
     * to the interpreter when the budget could run out before the next loop header: every path
     * that meets no loop header only jumps forward, so it runs at most {@link #instructions}
     * instructions. The interpreter then counts instruction by instruction, so a budget abort names
     * the same pc and count as in interpreter mode.
     */
    private void enterBlock(int pc) {
        mv.visitLabel(blockLabel[pc]);
        int len = blockLength[pc];
        mv.visitIincInsn(COUNT, len);
        if (loopHeader[pc]) {
            Label handOver = new Label();
            mv.visitVarInsn(Opcodes.ILOAD, COUNT);
            push(Vm.INSTRUCTION_BUDGET - instructions);
            mv.visitJumpInsn(Opcodes.IF_ICMPGT, handOver);
            outOfLine.add(() -> {
                mv.visitLabel(handOver);
                mv.visitIincInsn(COUNT, -len);
                push(pc);
                mv.visitJumpInsn(Opcodes.GOTO, budgetCommon);
            });
        }
    }

    // =====================================================================================
    // Instructions
    // =====================================================================================

    private void translate(int pc) {
        int c = p.code[pc];
        int d = p.dst[pc];
        int s = p.src[pc];
        int off = p.off[pc];
        long imm = p.imm[pc];
        switch (c & 7) {
            case Opcode.ALU64, Opcode.ALU -> alu(pc, c, d, s, off, imm);
            case Opcode.JMP, Opcode.JMP32 -> jump(pc, c, d, s, imm);
            case Opcode.LDX -> load(pc, d, s, off, Opcode.sizeInBytes(c & 0x18), (c & 0xe0) == Opcode.MEMSX);
            case Opcode.ST -> store(pc, d, -1, off, Opcode.sizeInBytes(c & 0x18), imm);
            case Opcode.STX -> {
                if ((c & 0xe0) == Opcode.ATOMIC) {
                    viaInterpreter(pc, d, s);
                    return;
                }
                store(pc, d, s, off, Opcode.sizeInBytes(c & 0x18), 0);
            }
            default -> { // LD_IMM64 (the only LD the loader accepts)
                if (p.ref[pc] instanceof Region) {
                    pushLong(vm.loadedValue(pc));
                    storeReg(d);
                    constantKind(d, vm.loadedRegion(pc));
                } else {
                    pushLong(imm);
                    storeReg(d);
                    constantKind(d, Vm.SCALAR);
                }
            }
        }
    }

    // =====================================================================================
    // Memory: through r10 with the checks done here; through other registers, plain memory inline;
    // everything else (and every fault) through the interpreter's code
    // =====================================================================================

    /**
     * The offset in frame 0's stack of {@code r10 + off}, when an access of {@code size} bytes there
     * passes the stack's bounds and alignment checks; else -1 (the access is then left to the
     * interpreter's code, which faults). r10 is never written, so the check holds on every run.
     */
    static int staticStackOffset(int off, int size) {
        long o = StackRegion.SIZE + (long) off;
        return o >= 0 && o + size <= StackRegion.SIZE && o % size == 0 ? (int) o : -1;
    }

    /**
     * [] -> [frame's bytes, array index of byte {@code at} of the frame], for a load through r10.
     * The index is computed from the region's {@code start} (0 for a stack frame, but a field load
     * to C2) where stores use the constant: C2 then cannot prove that a fill reads the slot a
     * store just wrote, and the fill stays a memory load, as in the kernel's JIT. Folded into the
     * spilled value, a fill inside an unrolled loop lets C2 reassociate the unrolled copies'
     * constants into the loop-carried chain ({@code r0 += r2 + k}), which made the stack loop of
     * {@code KernelJitBenchmark} latency-bound at 1.36x the kernel (docs/performance.md, "The
     * stack loop (issue #13)"; D26).
     */
    private void stackLoadIndex(int at) {
        mv.visitVarInsn(Opcodes.ALOAD, STACK_DATA);
        push(at);
        mv.visitVarInsn(Opcodes.ALOAD, STACK);
        mv.visitFieldInsn(Opcodes.GETFIELD, MEM_REGION, "start", "I");
        mv.visitInsn(Opcodes.IADD);
    }

    private void load(int pc, int d, int s, int off, int size, boolean signExtend) {
        Label slow = new Label();
        Label done = new Label();
        int at = s == 10 ? staticStackOffset(off, size) : -1;
        if (at >= 0 && (pointerFreeSlots & 1L << (at >> 3)) != 0) {
            // StackRegion.loadStack without the bounds and alignment checks, of a slot that never
            // holds a spilled pointer: its mark is 0, so the value is a scalar
            stackLoadIndex(at);
            read(size, signExtend);
            storeReg(d);
            constantKind(d, Vm.SCALAR);
            return;
        }
        if (at >= 0) {
            // StackRegion.loadStack without the bounds and alignment checks
            mv.visitVarInsn(Opcodes.ALOAD, STACK_SPILLED);
            push(at >> 3);
            mv.visitInsn(Opcodes.IALOAD);
            if (size == 8) {
                storeKind(d); // a filled pointer keeps its region
            } else {
                mv.visitJumpInsn(Opcodes.IFNE, slow); // part of a spilled pointer: the interpreter's fault
            }
            stackLoadIndex(at);
            read(size, signExtend);
            storeReg(d);
            if (size != 8) {
                constantKind(d, Vm.SCALAR);
            }
            mv.visitLabel(done);
            outOfLine(pc, () -> {
                mv.visitLabel(slow);
                loadViaVm(pc, d, s, off, size, signExtend);
                mv.visitJumpInsn(Opcodes.GOTO, done);
            });
            return;
        }
        if (s == 10) {
            loadViaVm(pc, d, s, off, size, signExtend); // out of the stack: faults
            return;
        }
        if (facts.context(pc, s) && vm.contextRegion() instanceof ViewRegion) {
            // a field of the context through the unmodified context pointer: the member is known now
            Layout.Member member = contextMember((ViewRegion) vm.contextRegion(), off, size);
            if (member == null) {
                loadViaVm(pc, d, s, off, size, signExtend); // an invalid context access: the interpreter's fault
                return;
            }
            ViewRegion context = (ViewRegion) vm.contextRegion();
            Region target = member.kind == Layout.Kind.POINTER ? context.constantPointer(member) : null;
            if (target != null && target.owner == vm) {
                // a pointer the same on every invocation (ctx->sk): value and region are constants
                pushLong(target.base + context.pointerOffset(member));
                storeReg(d);
                constantKind(d, target.ownId);
                return;
            }
            if (member.kind == Layout.Kind.SCALAR && inputField(context, member, off, size, signExtend)) {
                storeReg(d);
                constantKind(d, Vm.SCALAR);
                return;
            }
            runtime();
            constant(member, Layout.Member.class);
            if (member.kind == Layout.Kind.SCALAR) {
                // a scalar field: the value is all there is, and the kind a constant
                push(off);
                push(size);
                push(signExtend ? 1 : 0);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitContextScalar",
                        "(L" + Type.getInternalName(Layout.Member.class) + ";IIZ)J", false);
                faultable = true;
                storeReg(d);
                constantKind(d, Vm.SCALAR);
                return;
            }
            push(d);
            push(off);
            push(size);
            push(signExtend ? 1 : 0);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitLoadContext",
                    "(L" + Type.getInternalName(Layout.Member.class) + ";IIIZ)J", false);
            faultable = true;
            storeReg(d);
            readKindBack(d);
            return;
        }
        if (guardedViewLoad(pc, d, s, off, size, signExtend)) {
            return; // a field of a kernel object, in line behind a check of the pointer
        }
        // plain memory (map and storage values) inline, as the interpreter's fast path
        plainMemory(s, off, size, false, slow);
        read(size, signExtend);
        storeReg(d);
        constantKind(d, Vm.SCALAR);
        mv.visitLabel(done);
        outOfLine(pc, () -> {
            mv.visitLabel(slow);
            loadViaVm(pc, d, s, off, size, signExtend); // views first there, then the rest and the faults
            mv.visitJumpInsn(Opcodes.GOTO, done);
        });
    }

    /**
     * A whole-field u32 load of a sock_ops context field that is a field of the invocation's input
     * ({@code op}, {@code skb_len}: what {@code Views.SockOpsContext.value} reads): pushes its value
     * as the interpreter's load gives it, read directly from {@code vm.sockOps}, and returns true;
     * else pushes nothing and returns false (the field goes through {@link JitRuntime}).
     */
    private boolean inputField(ViewRegion context, Layout.Member member, int off, int size, boolean signExtend) {
        if (!(context instanceof Views.SockOpsContext) || size != 4 || member.size != 4 || off != member.off
                || signExtend || (off != SockOpsCtx.OP && off != SockOpsCtx.SKB_LEN)) {
            return false;
        }
        String input = Type.getInternalName(SockOpsInput.class);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "sockOps", "L" + input + ";");
        if (off == SockOpsCtx.OP) {
            mv.visitFieldInsn(Opcodes.GETFIELD, input, "op", "I");
        } else { // skb_len: the segment's length, 0 without one (H2)
            Label none = new Label();
            Label done = new Label();
            mv.visitInsn(Opcodes.DUP);
            mv.visitFieldInsn(Opcodes.GETFIELD, input, "segment", "Z");
            mv.visitJumpInsn(Opcodes.IFEQ, none);
            mv.visitFieldInsn(Opcodes.GETFIELD, input, "length", "I");
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(none);
            mv.visitInsn(Opcodes.POP);
            push(0);
            mv.visitLabel(done);
        }
        zeroExtend();
        return true;
    }

    // =====================================================================================
    // Kernel objects and socket helpers in line, behind a run-time check of the pointer (D25)
    // =====================================================================================

    /**
     * A load through register {@code s} that {@link PointerGuess} guesses points to the start of one
     * of this VM's kernel-object views ({@code bpf_sock_ops_kern}, {@code sk_buff}, {@code tcp_sock},
     * {@code bpf_sock}...): when the access is valid for that view's layout (checked now: it is a
     * function of the layout, the offset and the size) and the field has an in-line form
     * ({@link #viewReadInline}), emits
     * <pre>
     * if (kind(s) == view.ownId &amp;&amp; s == view.base) d = the field, read in line
     * else                                        d = JitRuntime.jitLoad(...)  (out of line)
     * </pre>
     * and returns true. Under that check the interpreter's {@code loadView} cannot fault
     * ({@code checkUnmoved(0)} passes, the layout check is the one made here) and gives what the
     * in-line read gives; its member cache has no effect a program sees. Else returns false and
     * emits nothing.
     */
    private boolean guardedViewLoad(int pc, int d, int s, int off, int size, boolean signExtend) {
        Region guess = guesses.region(pc, s);
        if (!(guess instanceof ViewRegion view) || guess == vm.contextRegion() || guess.owner != vm
                || vm.kernel == null) {
            return false;
        }
        Layout.Member m;
        try {
            m = view.layout.check(off, size, false);
        } catch (Fault f) {
            return false; // the interpreter's code faults, at run time
        }
        if (!viewReadInline(view, m, off, size)) {
            return false;
        }
        Label slow = new Label();
        Label done = new Label();
        pointsTo(s, view.ownId, view, slow);
        viewRead(view, m, off, size, signExtend, d);
        mv.visitLabel(done);
        outOfLine(pc, () -> {
            mv.visitLabel(slow);
            loadViaVm(pc, d, s, off, size, signExtend);
            mv.visitJumpInsn(Opcodes.GOTO, done);
        });
        return true;
    }

    /** Jumps to {@code otherwise} unless register r's kind is {@code id} and its value {@code region}'s start. */
    private void pointsTo(int r, int id, Region region, Label otherwise) {
        loadKind(r);
        push(id);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, otherwise);
        loadReg(r);
        pushLong(region.base);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFNE, otherwise);
    }

    /** Whether {@link #viewRead} has an in-line form of a valid load of member {@code m} of {@code view}. */
    private boolean viewReadInline(ViewRegion view, Layout.Member m, int off, int size) {
        return switch (m.kind) {
            case SCALAR -> true;
            case POINTER -> constantTarget(view, m) != null || view == vm.kern;
            case BYTES -> view == vm.skb && size == 4 && (off - m.off == Layouts.CB_SEQ || off - m.off == Layouts.CB_END_SEQ);
        };
    }

    /** {@code view.constantPointer(m)} when this VM owns it, else null. */
    private Region constantTarget(ViewRegion view, Layout.Member m) {
        Region target = view.constantPointer(m);
        return target != null && target.owner == vm ? target : null;
    }

    /**
     * d = what {@code view.loadMember(vm, d, m, off, size, signExtend)} gives, in line (its value
     * and kind): {@link #viewReadInline} said there is a form.
     */
    private void viewRead(ViewRegion view, Layout.Member m, int off, int size, boolean signExtend, int d) {
        String input = Type.getInternalName(SockOpsInput.class);
        switch (m.kind) {
            case POINTER -> {
                Region target = constantTarget(view, m);
                if (target != null) {
                    pushLong(target.base + view.pointerOffset(m));
                    storeReg(d);
                    constantKind(d, target.ownId);
                    return;
                }
                // bpf_sock_ops_kern.skb: the segment's sk_buff with one (H1), NULL without (Views.SockOpsKern.pointer)
                Label none = new Label();
                Label joined = new Label();
                mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
                mv.visitFieldInsn(Opcodes.GETFIELD, VM, "sockOps", "L" + input + ";");
                mv.visitFieldInsn(Opcodes.GETFIELD, input, "segment", "Z");
                mv.visitJumpInsn(Opcodes.IFEQ, none);
                pushLong(vm.skb.base);
                storeReg(d);
                constantKind(d, vm.skb.ownId);
                mv.visitJumpInsn(Opcodes.GOTO, joined);
                mv.visitLabel(none);
                pushLong(0);
                storeReg(d);
                constantKind(d, Vm.SCALAR);
                mv.visitLabel(joined);
            }
            case BYTES -> {
                // sk_buff.cb: tcp_skb_cb's seq and end_seq are the segment's (Views.SkBuff.bytes)
                mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
                mv.visitFieldInsn(Opcodes.GETFIELD, VM, "sockOps", "L" + input + ";");
                mv.visitFieldInsn(Opcodes.GETFIELD, input, off - m.off == Layouts.CB_SEQ ? "seq" : "endSeq", "I");
                mv.visitInsn(Opcodes.I2L);
                extend(4, signExtend);
                storeReg(d);
                constantKind(d, Vm.SCALAR);
            }
            case SCALAR -> {
                String kernelRead = view instanceof Views.TcpSock ? Views.TcpSock.kernelRead(m) : null;
                if (kernelRead != null) {
                    // value(m) is kernel.<kernelRead>(socket): called here instead of through the view
                    String services = Type.getInternalName(KernelServices.class);
                    mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
                    mv.visitFieldInsn(Opcodes.GETFIELD, VM, "kernel", "L" + services + ";");
                    mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
                    mv.visitFieldInsn(Opcodes.GETFIELD, VM, "socket", "Ljava/lang/Object;");
                    mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, services, kernelRead, "(Ljava/lang/Object;)I", true);
                    mv.visitInsn(Opcodes.I2L);
                    if (off != m.off) {
                        push((off - m.off) * 8);
                        mv.visitInsn(Opcodes.LUSHR);
                    }
                    extend(size, signExtend);
                } else {
                    // ViewRegion.scalarMember on the view and the member, constants here
                    constant(view, ViewRegion.class);
                    constant(m, Layout.Member.class);
                    pushLong(off);
                    push(size);
                    push(signExtend ? 1 : 0);
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, Type.getInternalName(ViewRegion.class), "scalarMember",
                            "(L" + Type.getInternalName(Layout.Member.class) + ";JIZ)J", false);
                }
                faultable = true; // the kernel's reads may fault (decorated services): the fault names this pc
                storeReg(d);
                constantKind(d, Vm.SCALAR);
            }
        }
    }

    /**
     * The common case of {@code bpf_sk_storage_get} after its argument checks passed, in line: when
     * flags are 0 or F_CREATE and the map's one-entry cache holds this invocation's socket
     * ({@code SkStorageMap.get} returns its value then), and the value is numbered next in this
     * invocation as in the one before ({@code Vm.idOf}'s second case: its hint is the count of
     * numbered regions and the table holds it there), r0 = the value, its kind that number, and a
     * jump to {@code done}; else falls through to the helper's rest ({@code JitRuntime.jitSkStorageGet}).
     */
    private void storageHit(Region map, Label done) {
        Label miss = new Label();
        String storage = Type.getInternalName(SkStorageMap.class);
        constant(map, SkStorageMap.class);
        mv.visitFieldInsn(Opcodes.GETFIELD, storage, "lastSocket", "Ljava/lang/Object;");
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "socket", "Ljava/lang/Object;");
        mv.visitJumpInsn(Opcodes.IF_ACMPNE, miss);
        loadReg(4);
        pushLong(~(long) dev.autolowat.api.asm.Helper.SK_STORAGE_GET_F_CREATE);
        mv.visitInsn(Opcodes.LAND);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFNE, miss);
        constant(map, SkStorageMap.class);
        mv.visitFieldInsn(Opcodes.GETFIELD, storage, "lastValue", "L" + MEM_REGION + ";");
        mv.visitVarInsn(Opcodes.ASTORE, TMP_REGION);
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "dynId", "I");
        mv.visitVarInsn(Opcodes.ISTORE, TMP);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "regionCount", "I");
        mv.visitVarInsn(Opcodes.ILOAD, TMP);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, miss);
        mv.visitVarInsn(Opcodes.ILOAD, TMP);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "regionTable", "[L" + REGION + ";");
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitJumpInsn(Opcodes.IF_ICMPGE, miss);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "regionTable", "[L" + REGION + ";");
        mv.visitVarInsn(Opcodes.ILOAD, TMP);
        mv.visitInsn(Opcodes.AALOAD);
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitJumpInsn(Opcodes.IF_ACMPNE, miss);
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "owner", "L" + VM + ";");
        mv.visitJumpInsn(Opcodes.IFNONNULL, miss); // a region a VM owns has a fixed number (idOf's first case)
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitVarInsn(Opcodes.ILOAD, TMP);
        push(1);
        mv.visitInsn(Opcodes.IADD);
        mv.visitFieldInsn(Opcodes.PUTFIELD, VM, "regionCount", "I");
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "base", "J");
        storeReg(0);
        mv.visitVarInsn(Opcodes.ILOAD, TMP);
        storeKind(0);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(miss);
    }

    /** long on the stack -> {@link Region#extend}{@code (value, size, signExtend)}. */
    private void extend(int size, boolean signExtend) {
        if (size == 8) {
            return;
        }
        if (signExtend) {
            int shift = 64 - 8 * size;
            push(shift);
            mv.visitInsn(Opcodes.LSHL);
            push(shift);
            mv.visitInsn(Opcodes.LSHR);
        } else {
            pushLong(Region.mask(size));
            mv.visitInsn(Opcodes.LAND);
        }
    }

    /**
     * When register {@code base} points into plain memory ({@link MemRegion}, kind MEM) and
     * {@code size} bytes at {@code base + off} are inside it (and writable, for a store), leaves the
     * region's array and the index of the access on the stack; else jumps to {@code slow} with an
     * empty stack, where the interpreter's code makes the access or its fault. This is
     * {@link MemRegion#check} in line: a method call per access would use up C2's inlining budget
     * ({@code DesiredMethodLimit}) of a large translated method long before its end.
     */
    private void plainMemory(int base, int off, int size, boolean write, Label slow) {
        mv.visitVarInsn(Opcodes.ALOAD, FIRST_MEMORY + base);
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ASTORE, TMP_REGION);
        mv.visitJumpInsn(Opcodes.IFNULL, slow);
        if (write) {
            mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
            mv.visitFieldInsn(Opcodes.GETFIELD, MEM_REGION, "writable", "Z");
            mv.visitJumpInsn(Opcodes.IFEQ, slow);
        }
        // offset = base - region.base + off; inside when 0 <= offset <= length - size
        loadReg(base);
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "base", "J");
        mv.visitInsn(Opcodes.LSUB);
        push(off);
        mv.visitInsn(Opcodes.I2L);
        mv.visitInsn(Opcodes.LADD);
        mv.visitInsn(Opcodes.DUP2);
        mv.visitVarInsn(Opcodes.LSTORE, TMP_OFFSET);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFLT, slow);
        mv.visitVarInsn(Opcodes.LLOAD, TMP_OFFSET);
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitFieldInsn(Opcodes.GETFIELD, MEM_REGION, "length", "I");
        push(size);
        mv.visitInsn(Opcodes.ISUB);
        mv.visitInsn(Opcodes.I2L);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFGT, slow);
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitFieldInsn(Opcodes.GETFIELD, MEM_REGION, "data", "[B");
        mv.visitVarInsn(Opcodes.ALOAD, TMP_REGION);
        mv.visitFieldInsn(Opcodes.GETFIELD, MEM_REGION, "start", "I");
        mv.visitVarInsn(Opcodes.LLOAD, TMP_OFFSET);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.IADD);
    }

    /** [array, index] -> the {@code size}-byte little-endian value there, zero- or sign-extended. */
    private void read(int size, boolean signExtend) {
        if (size == 1) {
            // MemRegion.read1 in line: a call it would be once C2's inlining budget of the large
            // translated method is spent (each VarHandle-based access inlined spends ~200 bytes of it)
            mv.visitInsn(Opcodes.BALOAD);
            mv.visitInsn(Opcodes.I2L);
            if (!signExtend) {
                pushLong(0xff);
                mv.visitInsn(Opcodes.LAND);
            }
            return;
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEM_REGION, "read" + size, "([BI)J", false);
        if (signExtend && size < 8) {
            int shift = 64 - 8 * size;
            push(shift);
            mv.visitInsn(Opcodes.LSHL);
            push(shift);
            mv.visitInsn(Opcodes.LSHR);
        }
    }

    /** [array, index, long value] -> stores its low {@code size} bytes, little-endian. */
    private void write(int size) {
        if (size == 1) {
            mv.visitInsn(Opcodes.L2I); // MemRegion.write1 in line (see read)
            mv.visitInsn(Opcodes.BASTORE);
            return;
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEM_REGION, "write" + size, "([BIJ)V", false);
    }

    /** The context member a load of {@code size} bytes at {@code off} reads, or null when the access faults. */
    private static Layout.Member contextMember(ViewRegion context, int off, int size) {
        try {
            return context.layout.check(off, size, false);
        } catch (Fault f) {
            return null; // left to the interpreter's code, which faults the same way when it runs
        }
    }

    /** Pushes this program's {@link JitRuntime} (a constant of the generated class). */
    private void runtime() {
        constant(runtime, JitRuntime.class);
    }

    /**
     * Pushes {@code value} as a constant: a {@code static final} field of the hidden class, set from
     * its class data when the class is initialized (see {@link #emitConstants}).
     */
    private void constant(Object value, Class<?> type) {
        int index = constants.indexOf(value);
        if (index < 0) {
            index = constants.size();
            constants.add(value);
            constantTypes.add(type);
        }
        mv.visitFieldInsn(Opcodes.GETSTATIC, NAME, "constant" + index, Type.getDescriptor(type));
    }

    /**
     * The fields of {@link #constant} and the class initializer that sets them. Static final fields:
     * C2 treats them as constants (fields of a hidden class, which cannot be changed by reflection).
     * The class data is read once, in {@code <clinit>}, and not by an {@code ldc} of a dynamic constant
     * in {@code run}: C2 refuses to compile a method with a dynamic constant that was not resolved
     * yet, which is the case on paths that did not run before the compilation.
     */
    private static void emitConstants(ClassWriter cw, List<Object> constants, List<Class<?>> constantTypes) {
        if (constants.isEmpty()) {
            return;
        }
        MethodVisitor clinit = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        clinit.visitCode();
        for (int i = 0; i < constants.size(); i++) {
            String desc = Type.getDescriptor(constantTypes.get(i));
            cw.visitField(Opcodes.ACC_STATIC | Opcodes.ACC_FINAL | Opcodes.ACC_PRIVATE, "constant" + i, desc, null,
                    null).visitEnd();
            clinit.visitLdcInsn(new ConstantDynamic("_", desc, CLASS_DATA_AT, i));
            clinit.visitFieldInsn(Opcodes.PUTSTATIC, NAME, "constant" + i, desc);
        }
        clinit.visitInsn(Opcodes.RETURN);
        clinit.visitMaxs(0, 0);
        clinit.visitEnd();
    }

    /** {@code JitRuntime.jitLoad}: stack, views, other regions and the faults. */
    private void loadViaVm(int pc, int d, int s, int off, int size, boolean signExtend) {
        if (cold && p.dst[pc] == d && p.src[pc] == s && p.off[pc] == off) {
            // out of line: the instruction's fields are the program's, read there (fewer bytes here)
            runtime();
            push(pc);
            loadReg(s);
            loadKind(s);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitLoadAt", "(IJI)J", false);
            faultable = true;
            storeReg(d);
            readKindBack(d);
            return;
        }
        runtime();
        push(pc);
        push(d);
        push(s);
        loadReg(s);
        loadKind(s);
        push(off);
        push(size);
        push(signExtend ? 1 : 0);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitLoad", "(IIIJIIIZ)J", false);
        faultable = true;
        storeReg(d);
        readKindBack(d);
    }

    /** ST ({@code s < 0}: the value is {@code imm}) or STX (the value is register s). */
    private void store(int pc, int d, int s, int off, int size, long imm) {
        Label slow = new Label();
        Label done = new Label();
        int at = d == 10 ? staticStackOffset(off, size) : -1;
        if (at >= 0) {
            // StackRegion.storeStack without the bounds and alignment checks
            if (s >= 0) {
                loadKind(s);
                push(Vm.UNINIT_KIND);
                mv.visitJumpInsn(Opcodes.IF_ICMPEQ, slow);
                if (size != 8) {
                    loadKind(s);
                    mv.visitJumpInsn(Opcodes.IFNE, slow); // a pointer spilled with a narrow store: the fault
                }
            }
            if ((pointerFreeSlots & 1L << (at >> 3)) == 0) {
                mv.visitVarInsn(Opcodes.ALOAD, STACK_SPILLED);
                push(at >> 3);
                if (s >= 0) {
                    loadKind(s);
                } else {
                    push(Vm.SCALAR);
                }
                mv.visitInsn(Opcodes.IASTORE);
            } // else the slot never holds a pointer: its mark stays 0 (s is a scalar: an 8-byte store by the
              // facts, a narrower one by the check above)
            // no StackRegion.dirty here: the method marked what its stores through r10 can write on entry
            mv.visitVarInsn(Opcodes.ALOAD, STACK_DATA);
            push(at);
            storedValue(s, imm);
            write(size);
            mv.visitLabel(done);
            if (s >= 0) {
                outOfLine(pc, () -> {
                    mv.visitLabel(slow);
                    storeViaVm(d, s, off, size, imm);
                    mv.visitJumpInsn(Opcodes.GOTO, done);
                });
            }
            return;
        }
        if (d == 10) {
            storeViaVm(d, s, off, size, imm); // out of the stack: faults
            return;
        }
        // a scalar into plain memory inline, as the interpreter's fast path
        if (s >= 0 && !facts.scalar(pc, s)) {
            loadKind(s);
            mv.visitJumpInsn(Opcodes.IFNE, slow); // only the stack holds pointers: the interpreter's fault
        }
        plainMemory(d, off, size, true, slow);
        storedValue(s, imm);
        write(size);
        mv.visitLabel(done);
        outOfLine(pc, () -> {
            mv.visitLabel(slow);
            storeViaVm(d, s, off, size, imm);
            mv.visitJumpInsn(Opcodes.GOTO, done);
        });
    }

    private void storedValue(int s, long imm) {
        if (s >= 0) {
            loadReg(s);
        } else {
            pushLong(imm);
        }
    }

    /** {@code JitRuntime.jitStore} / {@code JitRuntime.jitStoreImm}: the stack through other registers, views, the faults. */
    private void storeViaVm(int d, int s, int off, int size, long imm) {
        runtime();
        push(d);
        if (s < 0) {
            loadReg(d);
            loadKind(d);
            push(off);
            push(size);
            pushLong(imm);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitStoreImm", "(IJIIIJ)V", false);
            faultable = true;
            return;
        }
        push(s);
        loadReg(d);
        loadKind(d);
        loadReg(s);
        loadKind(s);
        push(off);
        push(size);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitStore", "(IIJIJIII)V", false);
        faultable = true;
    }

    private void alu(int pc, int c, int d, int s, int off, long imm) {
        boolean is64 = (c & 7) == Opcode.ALU64;
        boolean x = (c & Opcode.X) != 0;
        int op = c & 0xf0;
        if (op == Opcode.MOV && off == 0) {
            move(pc, is64, x, d, s, imm);
            return;
        }
        if (op == Opcode.NEG || op == Opcode.END || op == Opcode.DIV || op == Opcode.MOD) {
            scalarOnly(pc, c, d, s, off, imm);
            return;
        }
        int scalar64 = scalarOp(op, true);
        if (scalar64 < 0 || off != 0) {
            viaInterpreter(pc, d, s); // sign-extending MOV
            return;
        }
        // fast path: the operands are scalars (the interpreter's test, left out when the facts say
        // so); else the interpreter's pointer path
        Label slow = new Label();
        Label compute = new Label();
        Label done = new Label();
        boolean checked = !facts.scalar(pc, d) || (x && !facts.scalar(pc, s));
        if (checked) {
            loadKind(d);
            if (x) {
                loadKind(s);
                mv.visitInsn(Opcodes.IOR);
            }
            mv.visitJumpInsn(Opcodes.IFNE, slow);
        }
        mv.visitLabel(compute);
        boolean shift = op == Opcode.LSH || op == Opcode.RSH || op == Opcode.ARSH;
        if (is64) {
            loadReg(d);
            if (x) {
                loadReg(s);
                if (shift) {
                    mv.visitInsn(Opcodes.L2I); // the JVM masks a long shift by 63, as the VM does
                }
            } else if (shift) {
                push((int) (imm & 63));
            } else {
                pushLong(imm);
            }
            mv.visitInsn(scalar64);
        } else {
            loadReg(d);
            mv.visitInsn(Opcodes.L2I);
            if (x) {
                loadReg(s);
                mv.visitInsn(Opcodes.L2I);
            } else {
                push((int) imm);
            }
            mv.visitInsn(scalarOp(op, false)); // int shifts are masked by 31
            zeroExtend();
        }
        storeReg(d);
        mv.visitLabel(done);
        if (!checked) {
            return;
        }
        outOfLine(pc, () -> {
            mv.visitLabel(slow);
            if (is64 && (op == Opcode.ADD || op == Opcode.SUB)) {
                movePointer(d, s, x, op, imm, done);
            }
            pointerPath(pc, is64, d, s);
            if (is64) {
                storeReg(d);
                readKindBack(d);
                mv.visitJumpInsn(Opcodes.GOTO, done);
            } else {
                // never returns (32-bit pointer arithmetic faults); the interpreter would go on to compute
                mv.visitInsn(Opcodes.POP2);
                mv.visitJumpInsn(Opcodes.GOTO, compute);
            }
        });
    }

    /**
     * NEG, byte swaps, DIV and MOD: inline on scalars (division and modulo through the interpreter's
     * own {@code Vm.div64} and its siblings, the verifier's rewrites); a pointer or uninitialized
     * operand takes the interpreter's path, which faults. A byte swap reads only its destination
     * (its X bit is the byte order).
     */
    private void scalarOnly(int pc, int c, int d, int s, int off, long imm) {
        boolean is64 = (c & 7) == Opcode.ALU64;
        boolean x = (c & Opcode.X) != 0;
        int op = c & 0xf0;
        boolean readsSource = x && (op == Opcode.DIV || op == Opcode.MOD);
        Label slow = new Label();
        Label done = new Label();
        boolean checked = !facts.scalar(pc, d) || (readsSource && !facts.scalar(pc, s));
        if (checked) {
            loadKind(d);
            if (readsSource) {
                loadKind(s);
                mv.visitInsn(Opcodes.IOR);
            }
            mv.visitJumpInsn(Opcodes.IFNE, slow);
        }
        loadReg(d);
        switch (op) {
            case Opcode.NEG -> {
                if (is64) {
                    mv.visitInsn(Opcodes.LNEG);
                } else {
                    mv.visitInsn(Opcodes.L2I);
                    mv.visitInsn(Opcodes.INEG);
                    zeroExtend();
                }
            }
            case Opcode.END -> {
                int bits = (int) imm;
                if (!is64 && !x) { // to little-endian: x86-64 is little-endian, so a truncation
                    if (bits == 16) {
                        pushLong(0xffffL);
                        mv.visitInsn(Opcodes.LAND);
                    } else if (bits == 32) {
                        zeroExtend64();
                    }
                } else if (bits == 16) {
                    mv.visitInsn(Opcodes.L2I);
                    mv.visitInsn(Opcodes.I2S);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Short", "reverseBytes", "(S)S", false);
                    mv.visitInsn(Opcodes.I2L);
                    pushLong(0xffffL);
                    mv.visitInsn(Opcodes.LAND);
                } else if (bits == 32) {
                    mv.visitInsn(Opcodes.L2I);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
                    zeroExtend();
                } else {
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "reverseBytes", "(J)J", false);
                }
            }
            default -> { // DIV, MOD; off 1 is the signed form
                if (x) {
                    loadReg(s);
                } else {
                    pushLong(imm);
                }
                String name = (off == 1 ? "s" : "") + (op == Opcode.DIV ? "div" : "mod") + (is64 ? "64" : "32");
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, VM, name, is64 ? "(JJ)J" : "(JJ)I", false);
                if (!is64) {
                    zeroExtend();
                }
            }
        }
        storeReg(d);
        mv.visitLabel(done);
        if (checked) {
            outOfLine(pc, () -> {
                mv.visitLabel(slow);
                viaInterpreter(pc, d, s);
                mv.visitJumpInsn(Opcodes.GOTO, done);
            });
        }
    }

    private void move(int pc, boolean is64, boolean x, int d, int s, long imm) {
        if (!x) {
            pushLong(is64 ? imm : imm & 0xffff_ffffL);
            storeReg(d);
            constantKind(d, Vm.SCALAR);
            return;
        }
        Label slow = new Label();
        Label compute = new Label();
        if (is64) {
            checkInitialized(pc, s);
            loadReg(s);
            storeReg(d);
            loadKind(s);
            mv.visitVarInsn(Opcodes.ISTORE, FIRST_KIND + d); // a scalar, or the pointer with its region
            mv.visitVarInsn(Opcodes.ALOAD, FIRST_MEMORY + s);
            mv.visitVarInsn(Opcodes.ASTORE, FIRST_MEMORY + d);
        } else if (facts.scalar(pc, s)) {
            loadReg(s);
            zeroExtend64();
            storeReg(d);
            constantKind(d, Vm.SCALAR);
        } else {
            loadKind(s);
            mv.visitJumpInsn(Opcodes.IFNE, slow);
            mv.visitLabel(compute);
            loadReg(s);
            zeroExtend64();
            storeReg(d);
            constantKind(d, Vm.SCALAR);
            outOfLine(pc, () -> {
                mv.visitLabel(slow);
                pointerPath(pc, false, d, s); // faults: partial copy of a pointer, or uninitialized
                mv.visitInsn(Opcodes.POP2);
                mv.visitJumpInsn(Opcodes.GOTO, compute);
            });
        }
    }

    /**
     * {@code ptr += scalar} / {@code ptr -= scalar} on a pointer into plain memory (a map or storage
     * value) or a stack: the pointer keeps its region and moves, which is what {@code Vm.pointerAlu}
     * does for them (their regions allow arithmetic), without the call; then jumps to {@code done}.
     * Falls through for anything else (the interpreter's pointer path decides).
     */
    private void movePointer(int d, int s, boolean x, int op, long imm, Label done) {
        Label other = new Label();
        Label moves = new Label();
        if (x) {
            loadKind(s);
            mv.visitJumpInsn(Opcodes.IFNE, other); // only a scalar moves a pointer this way
        }
        mv.visitVarInsn(Opcodes.ALOAD, FIRST_MEMORY + d);
        mv.visitJumpInsn(Opcodes.IFNONNULL, moves);
        // the stacks are the first regions of a VM, numbered POINTER .. POINTER + MAX_FRAMES - 1
        int firstStack = vm.stackOf(0).ownId;
        int lastStack = vm.stackOf(Vm.MAX_FRAMES - 1).ownId;
        if (lastStack - firstStack != Vm.MAX_FRAMES - 1) {
            throw new IllegalStateException("the stacks are not numbered contiguously: " + firstStack + ".." + lastStack);
        }
        loadKind(d);
        push(firstStack);
        mv.visitJumpInsn(Opcodes.IF_ICMPLT, other);
        loadKind(d);
        push(lastStack);
        mv.visitJumpInsn(Opcodes.IF_ICMPGT, other);
        mv.visitLabel(moves);
        loadReg(d);
        if (x) {
            loadReg(s);
        } else {
            pushLong(imm);
        }
        mv.visitInsn(op == Opcode.ADD ? Opcodes.LADD : Opcodes.LSUB);
        storeReg(d);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(other);
    }

    /** {@code JitRuntime.jitAlu(pc, is64, d, s, rd, kd, rs, ks)}, leaving the new value of d on the stack. */
    private void pointerPath(int pc, boolean is64, int d, int s) {
        runtime();
        push(pc);
        push(is64 ? 1 : 0);
        push(d);
        push(s);
        loadReg(d);
        loadKind(d);
        loadReg(s);
        loadKind(s);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitAlu", "(IZIIJIJI)J", false);
    }

    /** The JVM opcode of a scalar ALU operation, or -1 when it has no single-opcode translation. */
    private static int scalarOp(int op, boolean is64) {
        return switch (op) {
            case Opcode.ADD -> is64 ? Opcodes.LADD : Opcodes.IADD;
            case Opcode.SUB -> is64 ? Opcodes.LSUB : Opcodes.ISUB;
            case Opcode.MUL -> is64 ? Opcodes.LMUL : Opcodes.IMUL;
            case Opcode.OR -> is64 ? Opcodes.LOR : Opcodes.IOR;
            case Opcode.AND -> is64 ? Opcodes.LAND : Opcodes.IAND;
            case Opcode.XOR -> is64 ? Opcodes.LXOR : Opcodes.IXOR;
            case Opcode.LSH -> is64 ? Opcodes.LSHL : Opcodes.ISHL;
            case Opcode.RSH -> is64 ? Opcodes.LUSHR : Opcodes.IUSHR;
            case Opcode.ARSH -> is64 ? Opcodes.LSHR : Opcodes.ISHR;
            default -> -1;
        };
    }

    private void jump(int pc, int c, int d, int s, long imm) {
        int op = c & 0xf0;
        if (op == Opcode.CALL) {
            call(pc, s, imm);
            return;
        }
        if (op == Opcode.EXIT && chunk) {
            endOfSubprogram(); // the dispatcher returns what this returns
        }
        if (op == Opcode.EXIT && !entry) {
            // the return from a subprogram, as the interpreter makes it: r0 as it is (not checked),
            // its kind and the count handed back through the VM
            runtime();
            mv.visitVarInsn(Opcodes.ILOAD, COUNT);
            mv.visitFieldInsn(Opcodes.PUTFIELD, RUNTIME, "jitCount", "I");
            mv.visitVarInsn(Opcodes.ALOAD, KINDS_ARRAY);
            push(0);
            loadKind(0);
            mv.visitInsn(Opcodes.IASTORE);
            loadReg(0);
            mv.visitInsn(Opcodes.LRETURN);
            return;
        }
        if (op == Opcode.EXIT) {
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitVarInsn(Opcodes.ILOAD, COUNT);
            mv.visitFieldInsn(Opcodes.PUTFIELD, VM, "lastCount", "I");
            // Vm.exit in line when it passes: r0 a scalar (in [0, 1] when the return is checked)
            Label check = new Label();
            loadKind(0);
            mv.visitJumpInsn(Opcodes.IFNE, check);
            if (p.options.checkReturn()) {
                loadReg(0);
                pushLong(~1L);
                mv.visitInsn(Opcodes.LAND);
                mv.visitInsn(Opcodes.LCONST_0);
                mv.visitInsn(Opcodes.LCMP);
                mv.visitJumpInsn(Opcodes.IFNE, check);
            }
            loadReg(0);
            mv.visitInsn(Opcodes.LRETURN);
            mv.visitLabel(check); // the fault, with the interpreter's message
            spill(0);
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "exit", "()J", false);
            faultable = true;
            mv.visitInsn(Opcodes.LRETURN);
            return;
        }
        Label target = targetLabel(jumpTarget(p, pc));
        if (op == Opcode.JA) {
            mv.visitJumpInsn(Opcodes.GOTO, target);
            return;
        }
        boolean x = (c & Opcode.X) != 0;
        boolean is32 = (c & 7) == Opcode.JMP32;
        checkInitialized(pc, d);
        if (x) {
            checkInitialized(pc, s);
        }
        loadReg(d);
        if (is32) {
            mv.visitInsn(Opcodes.L2I);
            if (x) {
                loadReg(s);
                mv.visitInsn(Opcodes.L2I);
            } else {
                push((int) imm);
            }
            switch (op) {
                case Opcode.JEQ -> mv.visitJumpInsn(Opcodes.IF_ICMPEQ, target);
                case Opcode.JNE -> mv.visitJumpInsn(Opcodes.IF_ICMPNE, target);
                case Opcode.JSGT -> mv.visitJumpInsn(Opcodes.IF_ICMPGT, target);
                case Opcode.JSGE -> mv.visitJumpInsn(Opcodes.IF_ICMPGE, target);
                case Opcode.JSLT -> mv.visitJumpInsn(Opcodes.IF_ICMPLT, target);
                case Opcode.JSLE -> mv.visitJumpInsn(Opcodes.IF_ICMPLE, target);
                case Opcode.JSET -> {
                    mv.visitInsn(Opcodes.IAND);
                    mv.visitJumpInsn(Opcodes.IFNE, target);
                }
                default -> {
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "compareUnsigned", "(II)I", false);
                    mv.visitJumpInsn(unsignedBranch(op), target);
                }
            }
        } else {
            if (x) {
                loadReg(s);
            } else {
                pushLong(imm);
            }
            switch (op) {
                case Opcode.JSET -> {
                    mv.visitInsn(Opcodes.LAND);
                    mv.visitInsn(Opcodes.LCONST_0);
                    mv.visitInsn(Opcodes.LCMP);
                    mv.visitJumpInsn(Opcodes.IFNE, target);
                }
                case Opcode.JEQ, Opcode.JNE, Opcode.JSGT, Opcode.JSGE, Opcode.JSLT, Opcode.JSLE -> {
                    mv.visitInsn(Opcodes.LCMP);
                    mv.visitJumpInsn(switch (op) {
                        case Opcode.JEQ -> Opcodes.IFEQ;
                        case Opcode.JNE -> Opcodes.IFNE;
                        case Opcode.JSGT -> Opcodes.IFGT;
                        case Opcode.JSGE -> Opcodes.IFGE;
                        case Opcode.JSLT -> Opcodes.IFLT;
                        default -> Opcodes.IFLE;
                    }, target);
                }
                default -> {
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "compareUnsigned", "(JJ)I", false);
                    mv.visitJumpInsn(unsignedBranch(op), target);
                }
            }
        }
    }

    /** The branch on {@code compareUnsigned(a, b)} for JGT, JGE, JLT, JLE. */
    private static int unsignedBranch(int op) {
        return switch (op) {
            case Opcode.JGT -> Opcodes.IFGT;
            case Opcode.JGE -> Opcodes.IFGE;
            case Opcode.JLT -> Opcodes.IFLT;
            default -> Opcodes.IFLE;
        };
    }

    /** Aborts with the interpreter's "!read_ok" fault when register {@code r} is uninitialized. */
    private void checkInitialized(int pc, int r) {
        if (facts.initialized(pc, r)) {
            return;
        }
        Label slow = new Label();
        loadKind(r);
        push(Vm.UNINIT_KIND);
        mv.visitJumpInsn(Opcodes.IF_ICMPEQ, slow);
        outOfLine(pc, () -> {
            mv.visitLabel(slow);
            throwUninit(r);
        });
    }

    private void throwUninit(int r) {
        push(r);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, VM, "uninit", "(I)L" + FAULT + ";", false);
        mv.visitInsn(Opcodes.ATHROW);
    }

    /**
     * A bpf-to-bpf call: the callee's method, on r0-r5 as they are, at the next frame. The frame
     * bookkeeping of the interpreter ({@link JitRuntime#jitSaveFrame}) is kept, so that a budget hand-over
     * inside the callee can go on in the interpreter and return through this frame.
     */
    private void callLocal(int pc, long imm) {
        runtime();
        mv.visitVarInsn(Opcodes.ILOAD, FRAME);
        push(pc + 1);
        for (int i = 6; i <= 9; i++) {
            loadReg(i);
        }
        for (int i = 6; i <= 9; i++) {
            loadKind(i);
        }
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitSaveFrame", "(IIJJJJIIII)V", false);
        for (int i = 0; i <= 5; i++) {
            spill(i);
        }
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitVarInsn(Opcodes.ILOAD, COUNT);
        mv.visitVarInsn(Opcodes.ILOAD, FRAME);
        push(1);
        mv.visitInsn(Opcodes.IADD);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, NAME, subName(pc + 1 + (int) imm), SUB_DESC, false);
        storeReg(0);
        runtime();
        mv.visitFieldInsn(Opcodes.GETFIELD, RUNTIME, "jitCount", "I");
        mv.visitVarInsn(Opcodes.ISTORE, COUNT);
        readKindBack(0);
        runtime();
        mv.visitFieldInsn(Opcodes.GETFIELD, RUNTIME, "handedOver", "Z");
        mv.visitJumpInsn(Opcodes.IFNE, handedOver);
        handedOverUsed = true;
        for (int i = 1; i <= 5; i++) {
            constantKind(i, Vm.UNINIT_KIND);
        }
    }

    /**
     * A helper or kfunc call: reads r1–r5, writes r0 and leaves r1–r5 uninitialized. Each call site
     * is specialised for its helper: it calls the helper's own method ({@code Vm.helper<Name>},
     * {@code Vm.kfunc<Name>}: no dispatch on the id), hands over only the registers the helper
     * takes, and a helper that returns a scalar leaves r0's kind a constant (no read-back).
     */
    private void call(int pc, int s, long imm) {
        if (s == Opcode.PSEUDO_CALL) {
            callLocal(pc, imm);
            return;
        }
        if (s == Opcode.PSEUDO_KFUNC_CALL && p.ref[pc] == Kfunc.CAST_TO_KERN_CTX && facts.context(pc, 1)) {
            // bpf_cast_to_kern_ctx(ctx) on the unmodified context pointer: its argument check passes
            // on every path and its result is this VM's bpf_sock_ops_kern view, so both are constants
            pushLong(vm.kern.base);
            storeReg(0);
            constantKind(0, vm.kern.ownId);
            for (int i = 1; i <= 5; i++) {
                constantKind(i, Vm.UNINIT_KIND);
            }
            return;
        }
        Direct direct = s == Opcode.PSEUDO_KFUNC_CALL ? Direct.of((Kfunc) p.ref[pc]) : Direct.of((int) imm);
        if (direct == null) {
            callGeneric(pc, s, imm);
            return;
        }
        if (guardedCall(pc, s, imm, direct)) {
            return; // the common case in line behind checks of the arguments
        }
        callDirect(direct);
        for (int i = 1; i <= 5; i++) {
            constantKind(i, Vm.UNINIT_KIND);
        }
    }

    /** The call of {@code direct}'s method with its argument registers, r0 and its kind from it. */
    private void callDirect(Direct direct) {
        for (int i = 1; i <= direct.args; i++) {
            spill(i);
        }
        if (direct.pointer) {
            // the helper sets r0's kind only when it returns a pointer (Vm.ptr)
            mv.visitVarInsn(Opcodes.ALOAD, KINDS_ARRAY);
            push(0);
            push(Vm.SCALAR);
            mv.visitInsn(Opcodes.IASTORE);
        }
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, direct.method, "()J", false);
        faultable = true;
        storeReg(0);
        if (direct.pointer) {
            readKindBack(0);
        } else {
            constantKind(0, Vm.SCALAR);
        }
    }

    /**
     * A helper or kfunc call whose common case is computed in line when run-time checks of its
     * arguments show that the interpreter's argument checks pass (docs/decisions.md D25); the call
     * of the helper's method ({@link #callDirect}) otherwise, out of line, where every fault is
     * found. Returns false, having emitted nothing, for the other calls.
     * <ul>
     *   <li>{@code bpf_skc_to_tcp_sock(sk)}, r1 guessed ({@link PointerGuess}) to be one of the
     *       socket's views: when r1's kind is that view's number and r1 its start, {@code socketArg}
     *       passes and the result is {@code tcp_sock}, or NULL for an MPTCP socket
     *       ({@code Vm.helperSkcToTcpSock}).</li>
     *   <li>{@code bpf_sock_ops_tcp_set_rcvlowat(ctx, val)} (K1) in a sock_ops program, when the
     *       register facts prove r1 the unmodified context pointer ({@code contextArg} passes) and
     *       r2 is initialized at run time ({@code intArg} passes): the kernel's kfunc, called here
     *       ({@code Vm.kfuncSockOpsTcpSetRcvlowat}).</li>
     * </ul>
     */
    private boolean guardedCall(int pc, int s, long imm, Direct direct) {
        if (vm.kernel == null) {
            return false;
        }
        String services = Type.getInternalName(KernelServices.class);
        Label slow = new Label();
        Label done = new Label();
        if (s != Opcode.PSEUDO_KFUNC_CALL && imm == dev.autolowat.api.asm.Helper.SKC_TO_TCP_SOCK.id()) {
            Region sock = guesses.region(pc, 1);
            if (!(sock instanceof Views.SocketView) || sock.owner != vm || vm.tcpSock.owner != vm) {
                return false;
            }
            pointsTo(1, sock.ownId, sock, slow);
            Label mptcp = new Label();
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitFieldInsn(Opcodes.GETFIELD, VM, "kernel", "L" + services + ";");
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitFieldInsn(Opcodes.GETFIELD, VM, "socket", "Ljava/lang/Object;");
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, services, "isMptcp", "(Ljava/lang/Object;)Z", true);
            mv.visitJumpInsn(Opcodes.IFNE, mptcp);
            pushLong(vm.tcpSock.base);
            storeReg(0);
            constantKind(0, vm.tcpSock.ownId);
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(mptcp);
            pushLong(0);
            storeReg(0);
            constantKind(0, Vm.SCALAR);
        } else if (s == Opcode.PSEUDO_KFUNC_CALL && p.ref[pc] == Kfunc.SOCK_OPS_TCP_SET_RCVLOWAT
                && p.type == ProgramType.SOCK_OPS && facts.context(pc, 1) && vm.contextRegion().owner == vm) {
            loadKind(2);
            push(Vm.UNINIT_KIND);
            mv.visitJumpInsn(Opcodes.IF_ICMPEQ, slow);
            String input = Type.getInternalName(SockOpsInput.class);
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitFieldInsn(Opcodes.GETFIELD, VM, "kernel", "L" + services + ";");
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitFieldInsn(Opcodes.GETFIELD, VM, "socket", "Ljava/lang/Object;");
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitFieldInsn(Opcodes.GETFIELD, VM, "sockOps", "L" + input + ";");
            mv.visitFieldInsn(Opcodes.GETFIELD, input, "op", "I");
            loadReg(2);
            mv.visitInsn(Opcodes.L2I);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, services, "sockOpsTcpSetRcvlowat", "(Ljava/lang/Object;II)I",
                    true);
            zeroExtend(); // a C int: the upper half of r0 zero (D9)
            storeReg(0);
            constantKind(0, Vm.SCALAR);
        } else if (s != Opcode.PSEUDO_KFUNC_CALL && imm == dev.autolowat.api.asm.Helper.SK_STORAGE_GET.id()) {
            Region map = guesses.region(pc, 1);
            Region sock = guesses.region(pc, 2);
            if (!(map instanceof SkStorageMap) || !(sock instanceof Views.SocketView) || sock.owner != vm) {
                return false;
            }
            pointsTo(1, guesses.id(pc, 1), map, slow);
            pointsTo(2, sock.ownId, sock, slow);
            loadKind(3); // r3 NULL: no initial value
            mv.visitJumpInsn(Opcodes.IFNE, slow);
            loadReg(3);
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitInsn(Opcodes.LCMP);
            mv.visitJumpInsn(Opcodes.IFNE, slow);
            loadKind(4);
            push(Vm.UNINIT_KIND);
            mv.visitJumpInsn(Opcodes.IF_ICMPEQ, slow);
            storageHit(map, done);
            runtime();
            constant(map, SkStorageMap.class);
            loadReg(4);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitSkStorageGet",
                    "(L" + Type.getInternalName(SkStorageMap.class) + ";J)J", false);
            storeReg(0);
            readKindBack(0);
        } else if (s != Opcode.PSEUDO_KFUNC_CALL && imm == dev.autolowat.api.asm.Helper.SKB_LOAD_BYTES.id()
                && p.type == ProgramType.SOCK_OPS && facts.context(pc, 1) && vm.contextRegion().owner == vm) {
            loadKind(2);
            push(Vm.UNINIT_KIND);
            mv.visitJumpInsn(Opcodes.IF_ICMPEQ, slow);
            loadKind(4);
            push(Vm.UNINIT_KIND);
            mv.visitJumpInsn(Opcodes.IF_ICMPEQ, slow);
            mv.visitVarInsn(Opcodes.ALOAD, FIRST_MEMORY + 3); // r3's plain-memory region, null when none
            mv.visitJumpInsn(Opcodes.IFNULL, slow);
            runtime();
            mv.visitVarInsn(Opcodes.ALOAD, FIRST_MEMORY + 3);
            loadReg(2);
            loadReg(3);
            loadReg(4);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, RUNTIME, "jitSkbLoadBytes",
                    "(L" + MEM_REGION + ";JJJ)J", false);
            mv.visitInsn(Opcodes.DUP2);
            pushLong(JitRuntime.NOT_HANDLED);
            mv.visitInsn(Opcodes.LCMP);
            Label handled = new Label();
            mv.visitJumpInsn(Opcodes.IFNE, handled);
            mv.visitInsn(Opcodes.POP2);
            mv.visitJumpInsn(Opcodes.GOTO, slow);
            mv.visitLabel(handled);
            storeReg(0);
            constantKind(0, Vm.SCALAR);
        } else {
            return false;
        }
        faultable = true; // the kernel's calls may fault (decorated services): the fault names this pc
        mv.visitLabel(done);
        outOfLine(pc, () -> {
            mv.visitLabel(slow);
            callDirect(direct);
            mv.visitJumpInsn(Opcodes.GOTO, done);
        });
        for (int i = 1; i <= 5; i++) {
            constantKind(i, Vm.UNINIT_KIND);
        }
        return true;
    }

    /**
     * The helper or kfunc method a call site calls directly: its name, how many argument registers it
     * reads (r1..r{args}), whether it may return a pointer.
     */
    private record Direct(String method, int args, boolean pointer) {
        static Direct of(Kfunc k) {
            return switch (k) {
                case CAST_TO_KERN_CTX -> new Direct("kfuncCastToKernCtx", 1, true);
                case SOCK_OPS_TCP_SET_RCVLOWAT -> new Direct("kfuncSockOpsTcpSetRcvlowat", 2, false);
                case RDONLY_CAST -> new Direct("kfuncRdonlyCast", 2, true);
            };
        }

        static Direct of(int helperId) {
            dev.autolowat.api.asm.Helper h = dev.autolowat.api.asm.Helper.ofId(helperId);
            if (h == null) {
                return null;
            }
            return switch (h) {
                case MAP_LOOKUP_ELEM -> new Direct("helperMapLookupElem", 2, true);
                case MAP_UPDATE_ELEM -> new Direct("helperMapUpdateElem", 4, false);
                case MAP_DELETE_ELEM -> new Direct("helperMapDeleteElem", 2, false);
                case KTIME_GET_NS -> new Direct("helperKtimeGetNs", 0, false);
                case SKB_LOAD_BYTES -> new Direct("helperSkbLoadBytes", 4, false);
                case SETSOCKOPT -> new Direct("helperSetsockopt", 5, false);
                case GETSOCKOPT -> new Direct("helperGetsockopt", 5, false);
                case SOCK_OPS_CB_FLAGS_SET -> new Direct("helperSockOpsCbFlagsSet", 2, false);
                case TCP_SOCK -> new Direct("helperTcpSock", 1, true);
                case SK_STORAGE_GET -> new Direct("helperSkStorageGet", 4, true);
                case SK_STORAGE_DELETE -> new Direct("helperSkStorageDelete", 2, false);
                case RINGBUF_OUTPUT -> new Direct("helperRingbufOutput", 4, false);
                case SKC_TO_TCP_SOCK -> new Direct("helperSkcToTcpSock", 1, true);
            };
        }
    }

    /** A call of a helper the VM has no method for: {@link Vm#call}, which faults. */
    private void callGeneric(int pc, int s, long imm) {
        for (int i = 1; i <= 5; i++) {
            spill(i);
        }
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        String kfunc = Type.getInternalName(Kfunc.class);
        if (s == Opcode.PSEUDO_KFUNC_CALL) {
            push(0);
            mv.visitFieldInsn(Opcodes.GETSTATIC, kfunc, ((Kfunc) p.ref[pc]).name(), "L" + kfunc + ";");
        } else {
            push((int) imm);
            mv.visitInsn(Opcodes.ACONST_NULL);
        }
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "call", "(IL" + kfunc + ";)J", false);
        faultable = true;
        storeReg(0);
        readKindBack(0);
        for (int i = 1; i <= 5; i++) {
            constantKind(i, Vm.UNINIT_KIND);
        }
    }

    /**
     * An instruction without a translation of its own: {@link Vm#generic} on the arrays. It reads
     * d and s (and r0 for CMPXCHG) and may write d, s (atomic fetch) and r0 (CMPXCHG).
     */
    private void viaInterpreter(int pc, int d, int s) {
        spill(d);
        spill(s);
        spill(0);
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        push(pc);
        push(vm.decoded(pc));
        push(d);
        push(s);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "generic", "(IIII)I", false);
        faultable = true;
        mv.visitInsn(Opcodes.POP);
        fill(d);
        fill(s);
        fill(0);
    }

    /** Adds out-of-line code that belongs to instruction {@code pc} (its faults name that pc). */
    private void outOfLine(int pc, Runnable code) {
        faultable = true;
        outOfLine.add(() -> {
            Label start = new Label();
            Label end = new Label();
            mv.visitTryCatchBlock(start, end, faultHandler[pc], FAULT);
            mv.visitLabel(start);
            code.run();
            mv.visitLabel(end);
        });
    }

    /**
     * What is known of the registers on every path that reaches each slot: a must-analysis (facts
     * are intersected where paths meet), in the spirit of the kernel verifier's register states but
     * only as far as the translated code can use it to leave out checks that could never fire.
     * Per slot, bit r of:
     * <ul>
     *   <li>{@code initialized}: r was written (the verifier's {@code read_ok}). r1 and r10 are on
     *       entry; an instruction that writes a register initializes it, and one that reads a register
     *       is only left normally when the register was initialized (else it faults); a helper or
     *       kfunc call writes r0 and leaves r1–r5 uninitialized.</li>
     *   <li>{@code scalar}: r holds a scalar, not a pointer: a constant, any 32-bit result, a 64-bit
     *       result of scalars, any 64-bit operation other than ADD/SUB (with a pointer operand they
     *       fault), a load of fewer than 8 bytes (a pointer is only ever loaded whole).</li>
     *   <li>{@code context}: r holds the unmodified context pointer: r1 on entry, then copies by
     *       {@code rX = rY}; any other write forgets it (loads from the stack too, conservatively).</li>
     * </ul>
     */
    record RegisterFacts(int[] initialized, int[] scalar, int[] context) {
        private static final int ARGS = 0b111110;

        static RegisterFacts of(VmProgram p, int[] subprograms) {
            int n = p.slots;
            int[] init = new int[n];
            int[] scalar = new int[n];
            int[] ctx = new int[n];
            java.util.Arrays.fill(init, -1); // not reached yet: the neutral element of the intersection
            java.util.Arrays.fill(scalar, -1);
            java.util.Arrays.fill(ctx, -1);
            boolean[] queued = new boolean[n];
            java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
            for (int start : subprograms) {
                // a subprogram's entry: only r10 is certainly written (r0-r5 are what the caller left)
                init[start] = start == 0 ? 1 << 1 | 1 << 10 : 1 << 10;
                scalar[start] = 0;
                ctx[start] = start == 0 ? 1 << 1 : 0;
                work.add(start);
                queued[start] = true;
            }
            while (!work.isEmpty()) {
                int pc = work.poll();
                queued[pc] = false;
                int c = p.code[pc];
                int cls = c & 7;
                int op = c & 0xf0;
                int d = p.dst[pc];
                int s = p.src[pc];
                boolean x = (c & Opcode.X) != 0;
                int in = init[pc];
                int sc = scalar[pc];
                int cx = ctx[pc];
                int fallThrough = next(p, pc);
                int target = -1;
                switch (cls) {
                    case Opcode.ALU, Opcode.ALU64 -> {
                        boolean readsSource = x && op != Opcode.END;
                        in |= 1 << d | (readsSource ? 1 << s : 0);
                        boolean isScalar;
                        if (cls == Opcode.ALU) {
                            isScalar = true; // 32-bit arithmetic on a pointer faults
                        } else if (op == Opcode.MOV) {
                            isScalar = !x || p.off[pc] != 0 || (sc & 1 << s) != 0;
                        } else if (op == Opcode.ADD || op == Opcode.SUB) {
                            isScalar = (sc & 1 << d) != 0 && (!x || (sc & 1 << s) != 0);
                        } else {
                            isScalar = true; // any other operation with a pointer operand faults
                        }
                        sc = isScalar ? sc | 1 << d : sc & ~(1 << d);
                        boolean copiesContext = cls == Opcode.ALU64 && op == Opcode.MOV && x && p.off[pc] == 0
                                && (cx & 1 << s) != 0;
                        cx = copiesContext ? cx | 1 << d : cx & ~(1 << d);
                    }
                    case Opcode.LDX -> {
                        in |= 1 << d | 1 << s;
                        sc = (c & 0x18) != Opcode.DW ? sc | 1 << d : sc & ~(1 << d);
                        cx &= ~(1 << d);
                    }
                    case Opcode.ST -> in |= 1 << d;
                    case Opcode.STX -> {
                        in |= 1 << d | 1 << s;
                        if ((c & 0xe0) == Opcode.ATOMIC) {
                            long atomicOp = p.imm[pc];
                            int written = atomicOp == Opcode.CMPXCHG ? 1 : (atomicOp & Opcode.FETCH) != 0 ? 1 << s : 0;
                            in |= written;
                            sc |= written; // the old value of memory, which holds no pointer
                            cx &= ~written;
                        }
                    }
                    case Opcode.JMP, Opcode.JMP32 -> {
                        if (op == Opcode.EXIT) {
                            fallThrough = -1;
                        } else if (op == Opcode.CALL && s == Opcode.PSEUDO_CALL) {
                            // a bpf-to-bpf call: r6-r9 come back as they were, r0 is whatever the
                            // callee left (even uninitialized), r1-r5 are uninitialized
                            in &= ~(ARGS | 1);
                            sc &= ~(ARGS | 1);
                            cx &= ~(ARGS | 1);
                        } else if (op == Opcode.CALL) {
                            in = (in & ~ARGS) | 1;
                            sc &= ~(ARGS | 1); // helpers may return pointers
                            cx &= ~(ARGS | 1);
                        } else {
                            target = jumpTarget(p, pc);
                            if (op == Opcode.JA) {
                                fallThrough = -1;
                            } else {
                                in |= 1 << d | (x ? 1 << s : 0);
                            }
                        }
                    }
                    default -> { // LD_IMM64
                        in |= 1 << d;
                        sc = p.ref[pc] instanceof Region ? sc & ~(1 << d) : sc | 1 << d;
                        cx &= ~(1 << d);
                    }
                }
                for (int succ : new int[] {fallThrough, target}) {
                    if (succ >= 0 && succ < n) {
                        int mi = init[succ] & in;
                        int ms = scalar[succ] & sc;
                        int mc = ctx[succ] & cx;
                        // first visit: -1 & x == x differs from -1 (x has no bit above r15)
                        if (mi != init[succ] || ms != scalar[succ] || mc != ctx[succ]) {
                            init[succ] = mi;
                            scalar[succ] = ms;
                            ctx[succ] = mc;
                            if (!queued[succ]) {
                                queued[succ] = true;
                                work.add(succ);
                            }
                        }
                    }
                }
            }
            return new RegisterFacts(init, scalar, ctx);
        }

        boolean initialized(int pc, int r) {
            return (initialized[pc] & 1 << r) != 0;
        }

        boolean scalar(int pc, int r) {
            return (scalar[pc] & 1 << r) != 0;
        }

        boolean context(int pc, int r) {
            return (context[pc] & 1 << r) != 0;
        }
    }

    // =====================================================================================
    // Registers
    // =====================================================================================

    private void loadReg(int r) {
        mv.visitVarInsn(Opcodes.LLOAD, FIRST_REG + 2 * r);
    }

    private void storeReg(int r) {
        mv.visitVarInsn(Opcodes.LSTORE, FIRST_REG + 2 * r);
    }

    private void loadKind(int r) {
        mv.visitVarInsn(Opcodes.ILOAD, FIRST_KIND + r);
    }

    /**
     * kind of r = the int on the stack; and the plain-memory region r points into, or null
     * ({@link #plainMemory} reads it instead of looking the kind up at every access: region
     * numbers do not change during an invocation, so it only changes when the kind does).
     *
     * <p>This is {@link Vm#plainMemoryOf} in line: C2 inlines little into a large translated
     * method, so a call here would be a real call, spilling every live register, after every load
     * and helper that gives a register a kind. A scalar or uninitialized kind (the most common) is
     * one compare.
     */
    private void storeKind(int r) {
        if (cold) {
            // out of line: the call, in a quarter of the bytes
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ISTORE, FIRST_KIND + r);
            mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
            mv.visitInsn(Opcodes.SWAP);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, VM, "plainMemoryOf", "(I)L" + MEM_REGION + ";", false);
            mv.visitVarInsn(Opcodes.ASTORE, FIRST_MEMORY + r);
            return;
        }
        Label region = new Label();
        Label done = new Label();
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ISTORE, FIRST_KIND + r);
        mv.visitInsn(Opcodes.DUP);
        push(Vm.POINTER);
        keepIf(Opcodes.IF_ICMPGE, region, done); // a pointer: its region
        // regionTable[kind], when its kind is MEM (a map or storage value, optval), else null
        mv.visitVarInsn(Opcodes.ALOAD, VM_SLOT);
        mv.visitFieldInsn(Opcodes.GETFIELD, VM, "regionTable", "[L" + REGION + ";");
        mv.visitInsn(Opcodes.SWAP);
        mv.visitInsn(Opcodes.AALOAD);
        mv.visitInsn(Opcodes.DUP);
        mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "kind", "I");
        push(Region.MEM);
        keepIf(Opcodes.IF_ICMPEQ, new Label(), done);
        mv.visitTypeInsn(Opcodes.CHECKCAST, MEM_REGION);
        mv.visitLabel(done);
        mv.visitVarInsn(Opcodes.ASTORE, FIRST_MEMORY + r);
    }

    /**
     * [x, a, b] -> compares a with b by {@code cmp}: when it holds, goes on at {@code keep} (placed
     * here) with [x]; else continues at {@code done} with [null].
     */
    private void keepIf(int cmp, Label keep, Label done) {
        mv.visitJumpInsn(cmp, keep);
        mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.ACONST_NULL);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(keep);
    }

    /** {@link #storeKind} of a kind known at translation. */
    private void constantKind(int r, int kind) {
        push(kind);
        if (kind >= Vm.POINTER && vm.plainMemoryOf(kind) != null) {
            storeKind(r); // an LD_IMM64 of a map value
            return;
        }
        mv.visitVarInsn(Opcodes.ISTORE, FIRST_KIND + r);
        mv.visitInsn(Opcodes.ACONST_NULL);
        mv.visitVarInsn(Opcodes.ASTORE, FIRST_MEMORY + r);
    }

    /** kind of r = vm.kinds[r], after a call that wrote the register. */
    private void readKindBack(int r) {
        mv.visitVarInsn(Opcodes.ALOAD, KINDS_ARRAY);
        push(r);
        mv.visitInsn(Opcodes.IALOAD);
        storeKind(r);
    }

    /** Register r (value and kind) into the VM's arrays, where the interpreter's code reads it. */
    private void spill(int r) {
        mv.visitVarInsn(Opcodes.ALOAD, REGS_ARRAY);
        push(r);
        loadReg(r);
        mv.visitInsn(Opcodes.LASTORE);
        mv.visitVarInsn(Opcodes.ALOAD, KINDS_ARRAY);
        push(r);
        loadKind(r);
        mv.visitInsn(Opcodes.IASTORE);
    }

    /** Register r (value and kind) from the VM's arrays. */
    private void fill(int r) {
        mv.visitVarInsn(Opcodes.ALOAD, REGS_ARRAY);
        push(r);
        mv.visitInsn(Opcodes.LALOAD);
        storeReg(r);
        readKindBack(r);
    }

    /** int on the stack -> its 32 bits as an unsigned long. */
    private void zeroExtend() {
        mv.visitInsn(Opcodes.I2L);
        zeroExtend64();
    }

    private void zeroExtend64() {
        pushLong(0xffff_ffffL);
        mv.visitInsn(Opcodes.LAND);
    }

    private void push(int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(Opcodes.ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    private void pushLong(long v) {
        if (v == 0 || v == 1) {
            mv.visitInsn(Opcodes.LCONST_0 + (int) v);
        } else {
            mv.visitLdcInsn(v);
        }
    }
}
