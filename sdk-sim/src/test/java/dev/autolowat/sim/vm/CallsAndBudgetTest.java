package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.SockOpsCtx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bpf-to-bpf calls (a 512-byte stack per frame, eight frames) and the instruction budget. */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class CallsAndBudgetTest {
    /** Every test of this class runs once per execution mode (interpreter and translated code). */
    @Parameter
    VmOptions.ExecutionMode mode;


    @Test
    @Timeout(10)
    @DisplayName("an infinite loop ends at the budget of 1,000,000 instructions with a BpfVmException")
    void budget() {
        VmHarness h = VmHarness.raw(mode);
        VmProgram loop = h.load(new Asm().mov64(0, 0).label("top").add64(0, 1).jmp(JGE, 0, 0, "top").exit());
        BpfVmException e = assertThrows(BpfVmException.class, () -> loop.runSockOps(h.input));
        assertTrue(e.reason().contains("instruction budget exhausted"), e.getMessage());
        assertEquals(Vm.INSTRUCTION_BUDGET, loop.lastInstructionCount());
        assertTrue(e.pc() == 1 || e.pc() == 2, "aborted inside the loop: " + e.getMessage());
        // a bounded loop of 300,000 instructions runs to completion
        VmProgram bounded = h.load(new Asm().mov64(0, 0).label("top").add64(0, 1).jmp(JLT, 0, 100_000, "top").exit());
        assertEquals(100_000, bounded.runSockOps(h.input));
        assertEquals(1 + 2 * 100_000 + 1, bounded.lastInstructionCount());
    }

    @Test
    @DisplayName("each frame has its own 512-byte stack; r6-r9 survive a call, r1-r5 do not")
    void frames() {
        Asm a = new Asm()
                .st(DW, 10, -8, 1)          // main's slot
                .mov64(6, 60)
                .callLocal("f")
                .ldx(DW, 2, 10, -8)          // still 1
                .alu64(MUL, 2, 1000)
                .alu64x(ADD, 0, 2)
                .alu64x(ADD, 0, 6)           // r6 preserved
                .exit()
                .label("f")
                .ldx(DW, 3, 10, -8)          // the callee's fresh frame reads 0
                .st(DW, 10, -8, 2)
                .mov64x(0, 3)
                .add64(0, 5)
                .mov64(6, 99)
                .ldx(DW, 4, 10, -512)        // the whole frame is addressable
                .exit();
        assertEquals(1000 + 5 + 60, VmHarness.raw(mode).run(a));
        // a pointer to the caller's frame may be passed down and used
        Asm pass = new Asm().st(DW, 10, -8, 7).mov64x(1, 10).add64(1, -8).callLocal("f").exit()
                .label("f").ldx(DW, 0, 1, 0).exit();
        assertEquals(7, VmHarness.raw(mode).run(pass));
        BpfVmException e = assertThrows(BpfVmException.class, () -> VmHarness.raw(mode).run(new Asm()
                .mov64(1, 1).callLocal("f").mov64x(0, 1).exit().label("f").ret(0)));
        assertTrue(e.reason().contains("R1 !read_ok"), e.getMessage());
        e = assertThrows(BpfVmException.class, () -> VmHarness.raw(mode).run(new Asm()
                .mov64(6, 1).callLocal("f").exit().label("f").mov64x(0, 6).exit()));
        assertTrue(e.reason().contains("R6 !read_ok"), "the callee's r6 is its own: " + e.getMessage());
        // the callee's stack is bounded too
        e = assertThrows(BpfVmException.class, () -> VmHarness.raw(mode).run(new Asm()
                .callLocal("f").exit().label("f").ldx(W, 0, 10, -516).exit()));
        assertTrue(e.reason().contains("stack of frame 1"), e.getMessage());
    }

    @Test
    @DisplayName("eight frames (main + seven nested calls) run; arguments travel in r1-r5")
    void eightFrames() {
        Asm a = new Asm().mov64(1, 0);
        for (int i = 1; i < 8; i++) {
            a.add64(1, 1).callLocal("f" + i).exit().label("f" + i);
        }
        a.mov64x(0, 1).exit();
        assertEquals(7, VmHarness.raw(mode).run(a));
    }

    @Test
    @Timeout(20)
    @DisplayName("the budget runs out inside a subprogram's loop: the same pc and count in both modes")
    void budgetInsideASubprogram() {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(new Asm().mov64(6, 1).callLocal("f").exit()
                .label("f").mov64(0, 0).label("top").add64(0, 1).jmp(JGE, 0, 0, "top").exit());
        BpfVmException e = assertThrows(BpfVmException.class, () -> p.runSockOps(h.input));
        assertTrue(e.reason().contains("instruction budget exhausted"), e.getMessage());
        assertEquals(Vm.INSTRUCTION_BUDGET, p.lastInstructionCount());
        // 3 (main's two, f's mov) then add/jge pairs: the 1,000,001st instruction, aborted, is a jge
        assertEquals(5, e.pc(), e.getMessage());
    }

    /** Straight-line instructions of the "pad" subprogram (one translated method long enough to be worth it). */
    private static final int PAD = 600;
    /** Instructions of "pad" (with its exit) and of "f" outside its loop (2 + exit). */
    private static final int PAD_AND_LOOP_FIXED = PAD + 1 + 3;

    /**
     * Appends subprogram "pad" ({@link #PAD} moves) and subprogram "f", a counted loop of 3 instructions
     * per iteration returning its count in r0, with as many iterations as leave 50 instructions of the
     * budget after {@code fixed} (every instruction outside f's loop); returns that count.
     */
    private static int appendPadAndLoop(Asm a, int fixed) {
        a.label("pad");
        for (int i = 0; i < PAD; i++) {
            a.mov64(5, i);
        }
        a.exit();
        int n = (Vm.INSTRUCTION_BUDGET - 50 - fixed) / 3;
        a.label("f").mov64(0, 0).mov64(2, n).label("top").add64(0, 1).alu64(SUB, 2, 1).jmp(JNE, 2, 0, "top").exit();
        return n;
    }

    @Test
    @Timeout(20)
    @DisplayName("a subprogram two calls deep that nearly exhausts the budget finishes in the interpreter and returns "
            + "through both frames (r6 of each frame restored): the same r0 and count in both modes")
    void nearlyExhaustedBudgetReturnsThroughTheFrames() {
        Asm a = new Asm().mov64(6, 77).callLocal("pad").callLocal("g").alu64x(ADD, 0, 6).exit();
        a.label("g").mov64(6, 5).callLocal("f").alu64x(ADD, 0, 6).exit();
        int fixed = 5 + 4 + PAD_AND_LOOP_FIXED; // main 5, g 4
        int n = appendPadAndLoop(a, fixed);
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(a);
        assertEquals(n + 5 + 77, p.runSockOps(h.input));
        assertEquals(fixed + 3L * n, p.lastInstructionCount());
        // and again: the next invocation starts afresh in translated code
        assertEquals(n + 5 + 77, p.runSockOps(h.input));
        assertEquals(fixed + 3L * n, p.lastInstructionCount());
    }

    @Test
    @Timeout(20)
    @DisplayName("a subprogram two calls deep that nearly exhausts the budget finishes in the interpreter: each "
            + "caller's r10 is restored with its frame, whose slot it reads after the call (both modes)")
    void nearlyExhaustedBudgetRestoresEachFramePointer() {
        Asm a = new Asm().st(DW, 10, -8, 11).callLocal("pad").callLocal("g").ldx(DW, 1, 10, -8).alu64x(ADD, 0, 1).exit();
        a.label("g").st(DW, 10, -8, 22).callLocal("f").ldx(DW, 1, 10, -8).alu64x(ADD, 0, 1).exit();
        int fixed = 6 + 5 + PAD_AND_LOOP_FIXED; // main 6, g 5
        int n = appendPadAndLoop(a, fixed);
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(a);
        for (int run = 0; run < 2; run++) {
            assertEquals(n + 22 + 11, p.runSockOps(h.input));
            assertEquals(fixed + 3L * n, p.lastInstructionCount());
        }
    }

    @Test
    @DisplayName("a fault inside a subprogram names its pc and counts the instructions up to it in both modes")
    void faultInsideASubprogram() {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(new Asm().mov64(0, 0).callLocal("f").exit()
                .label("f").mov64(2, 1).ldx(DW, 3, 2, 0).mov64(0, 1).exit());
        BpfVmException e = assertThrows(BpfVmException.class, () -> p.runSockOps(h.input));
        assertEquals(4, e.pc(), e.getMessage());
        assertTrue(e.reason().contains("R2 invalid mem access 'scalar'"), e.getMessage());
        assertEquals(4, p.lastInstructionCount());
    }

    @Test
    @DisplayName("a subprogram called from a loop and from another subprogram: each call gets a fresh stack, r0-r5 "
            + "arrive as the caller left them, the callee's r0 comes back even when it is a pointer")
    void callsFromLoopsAndSubprograms() {
        Asm a = new Asm().mov64(7, 0).mov64(8, 10)
                .label("top").mov64x(1, 8).callLocal("sq").alu64x(ADD, 7, 0).alu64(SUB, 8, 1).jmp(JNE, 8, 0, "top")
                .mov64(1, 3).callLocal("twice").alu64x(ADD, 7, 0)
                .callLocal("fp").ldx(DW, 0, 0, -8).alu64x(ADD, 0, 7).exit()
                .label("sq").ldx(DW, 2, 10, -8).jmp(JNE, 2, 0, "bad").stx(DW, 10, 1, -8).mov64x(0, 1)
                .alu64x(MUL, 0, 1).exit()
                .label("bad").mov64(0, 1000000).exit()
                .label("twice").callLocal("sq").mov64x(1, 0).callLocal("sq").exit()
                .label("fp").st(DW, 10, -8, 0).mov64x(0, 10).exit(); // a pointer to the caller's... own frame
        // sum of squares 1..10 = 385, (3^2)^2 = 81; fp's frame is frame 1, read back after the return (0)
        assertEquals(385 + 81, VmHarness.raw(mode).run(a));
    }

    @Test
    @DisplayName("a context pointer passed to a subprogram is checked when used")
    void contextInSubprogram() {
        Asm a = new Asm().callLocal("f").exit().label("f").ldx(W, 0, 1, SockOpsCtx.OP).exit();
        assertEquals(4, VmHarness.raw(mode).run(a));
    }
}
