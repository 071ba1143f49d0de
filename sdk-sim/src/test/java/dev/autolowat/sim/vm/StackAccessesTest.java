package dev.autolowat.sim.vm;

import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.H;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The translator's stack fast paths (D26): stores through r10 marked dirty once per method,
 * 8-byte slots that never hold a spilled pointer accessed without their marks, and fills that stay
 * memory loads. Every case runs in both execution modes, two invocations each, and the outcomes
 * (r0 or the fault's pc and reason, and the instruction count) must be the interpreter's; the
 * cases name what they expect too, so that both modes being wrong the same way would show.
 */
class StackAccessesTest {

    /** r0 or the fault, and the instruction count, of two invocations of {@code asm} in {@code mode}. */
    private static String outcome(Asm asm, VmOptions.ExecutionMode mode) {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(asm);
        StringBuilder out = new StringBuilder();
        for (int run = 0; run < 2; run++) {
            try {
                long r0 = p.runSockOps(h.input);
                out.append("returned ").append(r0);
            } catch (BpfVmException e) {
                out.append("aborted at pc ").append(e.pc()).append(": ").append(e.reason());
            }
            out.append(", ").append(p.lastInstructionCount()).append(" instructions; ");
        }
        return out.toString();
    }

    /** Both modes give the same outcome, which contains {@code expected}; returns it. */
    private static String sameInBothModes(Asm asm, String expected) {
        String interpreted = outcome(asm, VmOptions.ExecutionMode.INTERPRETER);
        String translated = outcome(asm, VmOptions.ExecutionMode.JIT);
        assertEquals(interpreted, translated, "translated code and interpreter differ");
        assertTrue(interpreted.contains(expected), interpreted + " should contain " + expected);
        return interpreted;
    }

    private static VmProgram loaded(Asm asm) {
        return VmHarness.raw(VmOptions.ExecutionMode.INTERPRETER).load(asm);
    }

    private static long pointerFree(Asm asm) {
        VmProgram p = loaded(asm);
        JitCompiler.RegisterFacts facts = JitCompiler.RegisterFacts.of(p, new int[] {0});
        return StackAccesses.pointerFreeSlots(p, facts, StackAccesses.stackPointerEscapes(p), 0, p.slots);
    }

    /** Bit of the 8-byte slot at {@code r10 + off}. */
    private static long slot(int off) {
        return 1L << ((512 + off) >> 3);
    }

    @Test
    @DisplayName("analysis: r10 read as a value (copied, in arithmetic, compared, stored) lets a stack pointer escape; "
            + "r10 as the base of loads, stores and atomics does not")
    void escapes() {
        assertFalse(StackAccesses.stackPointerEscapes(loaded(new Asm().st(DW, 10, -8, 1).ldx(DW, 0, 10, -8)
                .mov64(1, 1).atomic(DW, 10, 1, -8, ADD).exit())));
        assertTrue(StackAccesses.stackPointerEscapes(loaded(new Asm().mov64x(2, 10).ret(0))));
        assertTrue(StackAccesses.stackPointerEscapes(loaded(new Asm().mov64(2, 0).alu64x(ADD, 2, 10).ret(0))));
        assertTrue(StackAccesses.stackPointerEscapes(loaded(new Asm().mov64(0, 0).jmpx(JEQ, 0, 10, "x")
                .label("x").exit())));
        assertTrue(StackAccesses.stackPointerEscapes(loaded(new Asm().stx(DW, 10, 10, -8).ret(0))));
    }

    @Test
    @DisplayName("analysis: a slot is pointer-free unless an aligned 8-byte store through r10 may store a "
            + "non-scalar there; nothing is pointer-free once a stack pointer escapes")
    void pointerFreeSlots() {
        long free = pointerFree(new Asm().st(DW, 10, -8, 1).mov64(2, 3).stx(DW, 10, 2, -16)
                .stx(DW, 10, 1, -24).ldx(DW, 3, 10, -32).stx(DW, 10, 3, -40).ret(0));
        assertTrue((free & slot(-8)) != 0 && (free & slot(-16)) != 0, "scalar stores: " + Long.toHexString(free));
        assertEquals(0, free & slot(-24), "the context pointer spilled");
        assertEquals(0, free & slot(-40), "a value filled from the stack may be a pointer");
        assertTrue((free & slot(-32)) != 0, "only read");
        assertEquals(0, pointerFree(new Asm().mov64x(2, 10).st(DW, 10, -8, 1).ret(0)), "escaped");
        assertNull(StackAccesses.storeExtent(loaded(new Asm().ldx(DW, 0, 10, -8).exit()), 0, 2));
        assertEquals("[480, 508]", java.util.Arrays.toString(StackAccesses.storeExtent(
                loaded(new Asm().st(W, 10, -8, 1).st(DW, 10, -32, 1).atomic(DW, 10, 1, -48, ADD).ret(0)), 0, 5)));
    }

    private static boolean frameZeroUnobserved(Asm asm) {
        VmProgram p = loaded(asm);
        return StackAccesses.frameZeroWrittenBeforeRead(p, StackAccesses.stackPointerEscapes(p), p.slots);
    }

    @Test
    @DisplayName("analysis (D27): frame 0 needs no zero-filling only when every byte a load or atomic through r10 "
            + "reads was written on every path before it; the reference policy qualifies")
    void frameZeroWrittenBeforeRead() {
        assertTrue(frameZeroUnobserved(new Asm().st(DW, 10, -8, 1).ldx(DW, 0, 10, -8).exit()), "store, then load");
        assertTrue(frameZeroUnobserved(new Asm().st(W, 10, -8, 1).st(W, 10, -4, 2).ldx(DW, 0, 10, -8).exit()),
                "two halves");
        assertTrue(frameZeroUnobserved(new Asm().mov64(0, 0).ldx(DW, 0, 10, -7).exit()),
                "a misaligned load faults before it reads");
        assertTrue(frameZeroUnobserved(new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "a").st(DW, 10, -8, 1).ja("b")
                .label("a").st(W, 10, -8, 2).st(W, 10, -4, 3).label("b").ldx(DW, 0, 10, -8).exit()),
                "written on both branches");
        assertFalse(frameZeroUnobserved(new Asm().ldx(DW, 0, 10, -8).st(DW, 10, -8, 1).exit()), "load first");
        assertFalse(frameZeroUnobserved(new Asm().st(W, 10, -8, 1).ldx(DW, 0, 10, -8).exit()), "half written");
        assertFalse(frameZeroUnobserved(new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "a").st(DW, 10, -8, 1).label("a")
                .ldx(DW, 0, 10, -8).exit()), "written on one branch only");
        assertFalse(frameZeroUnobserved(new Asm().mov64(0, 0).mov64(9, 0).label("loop").ldx(DW, 1, 10, -8)
                .st(DW, 10, -8, 1).add64(9, 1).jmp(JLT, 9, 3, "loop").exit()), "written later in a loop");
        assertFalse(frameZeroUnobserved(new Asm().mov64(1, 1).atomic(DW, 10, 1, -8, ADD).ret(0)),
                "an atomic reads first");
        assertFalse(frameZeroUnobserved(new Asm().mov64x(2, 10).st(DW, 10, -8, 1).ldx(DW, 0, 10, -8).exit()),
                "escaping stack pointer");
        SockOpsProgram.Bytecode policy = FramingPolicy.REFERENCE_RPC.sockOpsProgram();
        VmProgram reference = VmLoader.load(policy.name(), ProgramType.SOCK_OPS, policy.license(), policy.code(),
                policy.maps(), new VmMaps(), new VmOptions(true, () -> 0, true, VmOptions.ExecutionMode.INTERPRETER)
                        .withKernel(SimKernel.INSTANCE));
        assertTrue(StackAccesses.frameZeroWrittenBeforeRead(reference, false, reference.slots),
                "the reference policy spills before it fills");
        assertFalse(StackAccesses.stackPointerEscapes(reference));
    }

    @Test
    @DisplayName("D27: a program that writes frame 0 before reading it, run again, reads what this invocation "
            + "wrote; one that may read first still reads 0 in every invocation (both modes)")
    void frameZeroNotZeroFilledWhenUnobserved() {
        Asm unobserved = new Asm().st(DW, 10, -8, 41).ldx(DW, 0, 10, -8).add64(0, 1).st(DW, 10, -16, 99).exit();
        assertTrue(frameZeroUnobserved(unobserved));
        assertTrue(sameInBothModes(unobserved, "returned 42, 5 instructions; ").endsWith("returned 42, 5 instructions; "));
        Asm observed = new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "a").st(DW, 10, -8, 1).label("a").ldx(DW, 0, 10, -8)
                .st(DW, 10, -8, 7).exit();
        assertFalse(frameZeroUnobserved(observed));
        assertTrue(sameInBothModes(observed, "returned 0, 5 instructions; ").endsWith("returned 0, 5 instructions; "));
    }

    @Test
    @DisplayName("the stack loop of KernelJitBenchmark: the same r0 and 6,004 instructions in both modes")
    void stackLoop() {
        Asm a = new Asm().mov64(0, 0).mov64(2, 0).label("loop").stx(DW, 10, 2, -8).ldx(DW, 3, 10, -8)
                .alu64x(ADD, 0, 3).alu64(XOR, 0, 0x5a).add64(2, 1).jmp(JLT, 2, 1000, "loop")
                .alu64(AND, 0, 1).exit();
        sameInBothModes(a, ", 6004 instructions; ");
    }

    @Test
    @DisplayName("a slot read before it is written gives 0 in every invocation and every call: the frame is "
            + "zero-filled, and what the last invocation or call wrote is cleared (dirty range marked on entry)")
    void uninitializedSlotsReadZero() {
        // reads, then writes the same slots with non-zero values: the second invocation reads 0 again
        Asm a = new Asm().ldx(DW, 6, 10, -16).ldx(W, 7, 10, -24).ldx(DW, 8, 10, -512)
                .st(DW, 10, -16, 77).st(W, 10, -24, 5).st(DW, 10, -512, 9)
                .mov64x(0, 6).alu64x(ADD, 0, 7).alu64x(ADD, 0, 8).exit();
        assertTrue(sameInBothModes(a, "returned 0, 10 instructions; ").endsWith("returned 0, 10 instructions; "));
        // a subprogram called twice: its frame is reset per call
        Asm calls = new Asm().callLocal("f").mov64x(6, 0).callLocal("f").alu64x(ADD, 0, 6).exit()
                .label("f").ldx(DW, 0, 10, -8).st(DW, 10, -8, 3).exit();
        assertTrue(sameInBothModes(calls, "returned 0, ").endsWith("returned 0, 11 instructions; "));
    }

    @Test
    @DisplayName("a pointer spilled and filled back with 8-byte accesses is the pointer; a narrow fill of it aborts "
            + "with the interpreter's message")
    void spillAndFill() {
        sameInBothModes(new Asm().stx(DW, 10, 1, -16).mov64(1, 0).ldx(DW, 6, 10, -16)
                .ldx(W, 0, 6, SockOpsCtx.OP).exit(), "returned 4, 5 instructions");
        sameInBothModes(new Asm().st(DW, 10, -16, 0).stx(DW, 10, 1, -16).ldx(W, 0, 10, -12).exit(),
                "aborted at pc 2: invalid size of register fill: 4 bytes of a spilled pointer");
    }

    @Test
    @DisplayName("a narrow store over a spilled pointer makes the slot a scalar (a fill gives the bytes, no fault); "
            + "a narrow store of a pointer, even into a slot that otherwise holds scalars, aborts")
    void narrowStores() {
        sameInBothModes(new Asm().stx(DW, 10, 1, -8).st(W, 10, -8, 5).ldx(W, 0, 10, -8).exit(),
                "returned 5, 4 instructions");
        sameInBothModes(new Asm().stx(DW, 10, 1, -8).st(W, 10, -8, 5).ldx(DW, 6, 10, -8)
                .ldx(W, 0, 6, 0).exit(), "aborted at pc 3: ");
        sameInBothModes(new Asm().st(DW, 10, -8, 1).stx(W, 10, 1, -8).ret(0),
                "aborted at pc 1: invalid size of register spill");
    }

    @Test
    @DisplayName("a stack pointer copied into another register can spill a pointer anywhere in the frame: the slot "
            + "is not taken as pointer-free, and its narrow fill aborts in both modes")
    void escapeThroughAnotherRegister() {
        Asm a = new Asm().st(DW, 10, -8, 0).mov64x(2, 10).stx(DW, 2, 1, -8).ldx(W, 0, 10, -8).exit();
        sameInBothModes(a, "aborted at pc 3: invalid size of register fill");
        assertEquals(0, pointerFree(a));
        // r10 itself spilled and filled back: the filled copy writes the pointer
        Asm spilledFp = new Asm().stx(DW, 10, 10, -8).ldx(DW, 3, 10, -8).stx(DW, 3, 1, -16)
                .ldx(W, 0, 10, -16).exit();
        sameInBothModes(spilledFp, "aborted at pc 3: invalid size of register fill");
    }

    @Test
    @DisplayName("a stack pointer passed to a subprogram: the callee spills a pointer into the caller's frame, "
            + "whose narrow fill aborts in both modes")
    void escapeToSubprogram() {
        Asm a = new Asm().st(DW, 10, -8, 0).mov64x(2, 1).mov64x(1, 10).add64(1, -8).callLocal("f")
                .ldx(W, 0, 10, -8).exit()
                .label("f").stx(DW, 1, 2, 0).ret(0);
        sameInBothModes(a, "aborted at pc 5: invalid size of register fill");
        assertEquals(0, pointerFree(a));
    }

    @Test
    @DisplayName("a stack pointer passed to a helper (bpf_getsockopt, K4): the helper's bytes are read back, next to "
            + "a spilled pointer, and the next invocation starts from a zero frame")
    void escapeToHelper() {
        Asm a = new Asm().ldx(W, 7, 10, -8) // 0 in every invocation
                .stx(DW, 10, 1, -16).mov64x(6, 1)
                .mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT).mov64x(4, 10).add64(4, -8).mov64(5, 4)
                .call(Helper.GETSOCKOPT.id())
                .ldx(W, 0, 10, -8).alu64x(ADD, 0, 7)
                .ldx(DW, 1, 10, -16).ldx(W, 1, 1, SockOpsCtx.OP).alu64x(ADD, 0, 1).exit();
        // r0 = 1 (SO_RCVLOWAT) + 0 (the slot read before the helper wrote it) + 4 (op) in both invocations: the
        // helper's bytes are marked dirty, so the second invocation's frame is zero again
        sameInBothModes(a, "returned 5, 15 instructions; returned 5, 15 instructions; ");
        // the helper writes [r10-12, r10-8): the pointer spilled in the next slot, r10-8, stays a pointer
        Asm nextSlot = new Asm().stx(DW, 10, 1, -8)
                .mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT).mov64x(4, 10).add64(4, -12).mov64(5, 4)
                .call(Helper.GETSOCKOPT.id())
                .ldx(DW, 6, 10, -8).ldx(W, 0, 6, SockOpsCtx.OP).exit();
        sameInBothModes(nextSlot, "returned 4, 10 instructions; returned 4, 10 instructions; ");
    }

    @Test
    @DisplayName("analysis and runs: the frame's first byte (r10-512) counts like any other, for frame 0's "
            + "zero-filling (D27) and for pointer-free slots (D26)")
    void frameStart() {
        // read before written at r10-512: not zero-filled would let the second invocation read the 7
        Asm readFirst = new Asm().ldx(DW, 0, 10, -512).st(DW, 10, -512, 7).exit();
        assertFalse(frameZeroUnobserved(readFirst));
        sameInBothModes(readFirst, "returned 0, 3 instructions; returned 0, 3 instructions; ");
        assertTrue(frameZeroUnobserved(new Asm().st(DW, 10, -512, 7).ldx(DW, 0, 10, -512).exit()));
        Asm spillAtStart = new Asm().stx(DW, 10, 1, -512).ldx(DW, 6, 10, -512).ldx(W, 0, 6, SockOpsCtx.OP).exit();
        assertEquals(0, pointerFree(spillAtStart) & slot(-512), "the context pointer spilled at r10-512");
        sameInBothModes(spillAtStart, "returned 4, 4 instructions; ");
        // an atomic never spills a pointer (it takes scalars; with r1 the context it faults)
        assertTrue((pointerFree(new Asm().atomic(DW, 10, 1, -8, ADD).ret(0)) & slot(-8)) != 0);
    }

    @Test
    @DisplayName("analysis (D27): control flow — a write reaching a meeting point first on one path does not hide "
            + "the path without it; jumps (ja, gotol) skip stores; a call goes on at the next slot; a back jump to "
            + "the entry")
    void frameZeroControlFlow() {
        // path A (fall through) writes r10-8 and reaches "m" first; path B, taken, is longer and writes nothing
        Asm meet = new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "b").st(DW, 10, -8, 1).ja("m")
                .label("b").mov64(3, 0).mov64(3, 0).mov64(3, 0).mov64(3, 0)
                .label("m").ldx(DW, 0, 10, -8).st(DW, 10, -8, 7).exit();
        assertFalse(frameZeroUnobserved(meet), "written on one path only");
        sameInBothModes(meet, "returned 0, 9 instructions; returned 0, 9 instructions; ");
        // a ja (and a gotol) over the only store on that path
        assertFalse(frameZeroUnobserved(new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "s").ja("r")
                .label("s").st(DW, 10, -8, 1).label("r").ldx(DW, 0, 10, -8).exit()), "ja over the store");
        assertFalse(frameZeroUnobserved(new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "s").ja32("r")
                .label("s").st(DW, 10, -8, 1).label("r").ldx(DW, 0, 10, -8).exit()), "gotol over the store");
        assertTrue(frameZeroUnobserved(new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "s").st(DW, 10, -8, 2).ja32("r")
                .label("s").st(DW, 10, -8, 1).label("r").ldx(DW, 0, 10, -8).exit()), "gotol, written on both paths");
        // after a call, the read at the next slot is checked (the callee runs in its own frame)
        Asm afterCall = new Asm().mov64(0, 0).callLocal("f").ldx(DW, 0, 10, -8).st(DW, 10, -8, 7).exit()
                .label("f").ret(0);
        assertFalse(frameZeroUnobserved(afterCall), "read after a call");
        sameInBothModes(afterCall, "returned 0, 7 instructions; returned 0, 7 instructions; ");
        // a loop back to the entry whose every read follows a write
        assertTrue(frameZeroUnobserved(new Asm().label("top").st(DW, 10, -8, 1).ldx(DW, 0, 10, -8).mov64(0, 0)
                .jmp(JNE, 0, 0, "top").exit()), "back jump to pc 0");
    }

    @Test
    @DisplayName("stack faults in both modes: a misaligned store and load name the offset from r10; an atomic on "
            + "a slot holding a spilled pointer aborts, next to it it does not")
    void stackFaultMessages() {
        sameInBothModes(new Asm().mov64(2, 1).stx(W, 10, 2, -6).ret(0),
                "aborted at pc 1: misaligned stack access off -6 (from r10) size 4");
        sameInBothModes(new Asm().st(DW, 10, -16, 1).mov64x(2, 10).ldx(DW, 0, 2, -12).exit(),
                "aborted at pc 2: misaligned stack access off -12 (from r10) size 8");
        sameInBothModes(new Asm().stx(DW, 10, 1, -8).mov64(2, 1).atomic(DW, 10, 2, -8, ADD).ret(0),
                "aborted at pc 2: BPF_ATOMIC on a stack slot that holds a spilled pointer is not allowed");
        sameInBothModes(new Asm().stx(DW, 10, 1, -8).mov64(2, 1).atomic(W, 10, 2, -4, ADD).ret(0),
                "aborted at pc 2: BPF_ATOMIC on a stack slot that holds a spilled pointer is not allowed");
        sameInBothModes(new Asm().stx(DW, 10, 1, -8).mov64(2, 5).atomic(DW, 10, 2, -16, ADD)
                .atomic(W, 10, 2, -12, ADD).ldx(DW, 0, 10, -16).exit(), "returned 21474836485, 6 instructions; "
                + "returned 21474836485, 6 instructions; ");
    }

    @Test
    @DisplayName("a sign-extending load through a copy of r10 (the translator's out-of-line load) sign-extends")
    void signExtendingLoadThroughACopy() {
        sameInBothModes(new Asm().st(W, 10, -8, -2).mov64x(2, 10).ldxsx(W, 0, 2, -8).exit(),
                "returned -2, 4 instructions; ");
    }

    /** One generated instruction (or a pair, for an escape); {@code kind} picks which. */
    record Op(String kind, int size, int reg, int off, long imm) {
        @Override
        public String toString() {
            return kind + "(" + size + ", r" + reg + ", " + off + ", " + imm + ")";
        }
    }

    /** A generated program: a loop of {@code iterations} over {@code body} (r9 counts), then exit. */
    record StackProg(List<Op> body, int iterations) {
        Asm asm() {
            Asm a = new Asm();
            for (int r : new int[] {0, 2, 3, 4, 5, 6, 7, 8}) {
                a.mov64(r, r);
            }
            a.mov64(9, 0).label("loop");
            for (Op op : body) {
                switch (op.kind) {
                    case "st" -> a.st(op.size, 10, op.off, op.imm);
                    case "stx" -> a.stx(op.size, 10, op.reg, op.off);
                    case "ldx" -> a.ldx(op.size, op.reg, 10, op.off);
                    case "alu" -> a.alu64(XOR, op.reg, op.imm);
                    // a stack pointer in another register, stored through (the analysis must give up)
                    default -> a.mov64x(op.reg, 10).add64(op.reg, op.off).stx(op.size, op.reg, (int) op.imm, 0);
                }
            }
            return a.add64(9, 1).jmp(JLT, 9, iterations, "loop").exit();
        }

        @Override
        public String toString() {
            return iterations + " x " + body;
        }
    }

    private static int sizeBits(int bytes) {
        return switch (bytes) {
            case 1 -> B;
            case 2 -> H;
            case 4 -> W;
            default -> DW;
        };
    }

    /** Stack-heavy programs: stores, spills (often of the context pointer in r1) and fills of four slots. */
    static Gen<StackProg> stackPrograms() {
        return c -> {
            List<Op> body = new ArrayList<>();
            int n = c.intBetween(1, 12);
            boolean escape = c.chance(4);
            for (int i = 0; i < n; i++) {
                int bytes = 1 << c.intBetween(0, 3);
                int off = -8 * c.intBetween(1, 4) + bytes * c.intBetween(0, 8 / bytes - 1);
                int reg = c.chance(3) ? 1 : new int[] {0, 2, 3, 4, 5, 6, 7, 8}[c.intBetween(0, 7)];
                switch (c.intBetween(0, 3)) {
                    case 0 -> body.add(new Op("st", sizeBits(bytes), 0, off, c.intBetween(-3, 300)));
                    case 1 -> body.add(new Op("stx", sizeBits(bytes), reg, off, 0));
                    case 2 -> body.add(new Op("ldx", sizeBits(bytes), reg == 1 ? 0 : reg, off, 0));
                    default -> body.add(new Op("alu", 0, reg == 1 ? 0 : reg, 0, c.intBetween(0, 255)));
                }
                if (escape && c.chance(n)) {
                    body.add(new Op("escape", sizeBits(bytes), 8, -8 * c.intBetween(1, 4), c.chance(2) ? 1 : 0));
                }
            }
            return new StackProg(body, c.intBetween(1, 3));
        };
    }

    /**
     * Straight-line stack programs with forward jumps over some of their stores: the jumps are taken
     * or not by constants the analysis does not track, so a store the analysis counts on may be
     * skipped, and every program ends by storing over what it read (a second invocation that is not
     * zero-filled when it should be reads those bytes).
     */
    static Gen<Asm> branchyStackPrograms() {
        return c -> {
            Asm a = new Asm();
            for (int r = 0; r <= 9; r++) {
                a.mov64(r, r);
            }
            int n = c.intBetween(1, 10);
            ArrayDeque<int[]> pending = new java.util.ArrayDeque<>(); // {label, ops left before it}
            int labels = 0;
            for (int i = 0; i < n; i++) {
                int bytes = 1 << c.intBetween(0, 3);
                int off = -8 * c.intBetween(1, 3) + bytes * c.intBetween(0, 8 / bytes - 1);
                switch (c.intBetween(0, 3)) {
                    case 0, 1 -> a.st(sizeBits(bytes), 10, off, c.intBetween(1, 300));
                    case 2 -> a.ldx(sizeBits(bytes), c.intBetween(1, 5), 10, off).alu64x(ADD, 0, c.intBetween(1, 5));
                    default -> {
                        int label = labels++;
                        a.jmp(JEQ, c.intBetween(1, 5), c.intBetween(1, 5), "l" + label);
                        pending.add(new int[] {label, c.intBetween(1, 3)});
                    }
                }
                for (Iterator<int[]> it = pending.iterator(); it.hasNext(); ) {
                    int[] l = it.next();
                    if (--l[1] == 0) {
                        a.label("l" + l[0]);
                        it.remove();
                    }
                }
            }
            for (int[] l : pending) {
                a.label("l" + l[0]);
            }
            return a.st(DW, 10, -8, 0x1111).st(DW, 10, -16, 0x2222).st(DW, 10, -24, 0x3333).exit();
        };
    }

    @Test
    @DisplayName("D27: random branchy stack programs, frame 0 zero-filled or not by the analysis, give the "
            + "interpreter's r0 or fault and count in two invocations in a row")
    void randomBranchyStackPrograms() {
        int[] unobserved = new int[2]; // no, yes
        Property.forAll("frame 0 left as the last invocation wrote it only when unobserved",
                branchyStackPrograms()).tries(1500).check(a -> {
            String interpreted = outcome(a, VmOptions.ExecutionMode.INTERPRETER);
            assertEquals(interpreted, outcome(a, VmOptions.ExecutionMode.JIT), "translated code and interpreter differ");
            unobserved[frameZeroUnobserved(a) ? 1 : 0]++;
        });
        assertTrue(unobserved[0] > 100 && unobserved[1] > 100, "both analysis outcomes occur: zero-filled "
                + unobserved[0] + ", not " + unobserved[1]);
    }

    @Test
    @DisplayName("random stack programs (spills, fills, narrow stores over pointers, escaping stack pointers, in a "
            + "loop): translated code and interpreter give the same r0 or fault and count, invocation after invocation")
    void randomStackPrograms() {
        int[] outcomes = new int[2]; // returned, aborted
        Property.forAll("stack fast paths agree with the interpreter", stackPrograms()).tries(1500).check(p -> {
            String interpreted = outcome(p.asm(), VmOptions.ExecutionMode.INTERPRETER);
            assertEquals(interpreted, outcome(p.asm(), VmOptions.ExecutionMode.JIT),
                    "translated code and interpreter differ");
            outcomes[interpreted.startsWith("returned") ? 0 : 1]++;
        });
        assertTrue(outcomes[0] > 100 && outcomes[1] > 100, "both outcomes occur: returned " + outcomes[0]
                + ", aborted " + outcomes[1]);
    }
}
