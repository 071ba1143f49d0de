package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Helper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.autolowat.api.asm.Opcode.JEQ;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CtxAccessCheck}: which context accesses the loader checks at load time (as the kernel
 * verifier does) and which are left to run time. The analysis follows the context pointer through
 * register copies and 8-byte spills to the stack; everything it cannot pin down on every path is
 * checked when it runs, with the same reason. An invalid access is an 8-byte load of
 * {@code bpf_sock_ops.op} (a 4-byte field).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class CtxAccessCheckTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    private static final String INVALID = "invalid bpf_context access bpf_sock_ops.op";

    private void rejectedAtLoad(Asm asm) {
        VmHarness h = VmHarness.raw(mode);
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> h.load(asm));
        assertTrue(e.getMessage().contains(INVALID), e.getMessage());
    }

    private void abortsAtRunTime(Asm asm) {
        VmHarness h = VmHarness.raw(mode);
        h.load(asm); // loads: the analysis could not pin the register down
        h.assertAbortReason(asm, INVALID);
    }

    /** Op 4 (the harness's) takes the stack path and reads 5; op 5 the context path, which faults when it runs. */
    private void stackPathRunsContextPathFaults(Asm asm) {
        assertEquals(5, VmHarness.raw(mode).run(asm), "op 4: the stack path");
        VmHarness other = VmHarness.raw(mode);
        other.input.set(other.socket, other.info, 5);
        BpfVmException e = assertThrows(BpfVmException.class, () -> other.run(asm), "op 5: the context path");
        assertTrue(e.reason().contains(INVALID), e.getMessage());
    }

    @Test
    @DisplayName("a spilled and filled context is still the context: checked at load, at -8 and at the stack's last slot -512")
    void spillAndFill() {
        for (int off : new int[] {-8, -16, -512}) {
            rejectedAtLoad(new Asm().stx(DW, 10, 1, off).ldx(DW, 2, 10, off).ldx(DW, 0, 2, 0).exit());
        }
    }

    @Test
    @DisplayName("each 8-byte slot is its own: a fill of the slot next to the spilled context is not the context")
    void slotsApart() {
        // a stack pointer spilled at -8, then the ctx at -16 (so the ctx's spill is the last word on the slots):
        // the fill of -8 is the stack pointer
        Asm asm = new Asm().st(DW, 10, -32, 7).mov64x(3, 10).add64(3, -32).stx(DW, 10, 3, -8).stx(DW, 10, 1, -16)
                .ldx(DW, 2, 10, -8).ldx(DW, 0, 2, 0).exit();
        assertEquals(7, VmHarness.raw(mode).run(asm));
        Asm other = new Asm().st(DW, 10, -32, 7).mov64x(3, 10).add64(3, -32).stx(DW, 10, 3, -16).stx(DW, 10, 1, -8)
                .ldx(DW, 2, 10, -16).ldx(DW, 0, 2, 0).exit();
        assertEquals(7, VmHarness.raw(mode).run(other));
    }

    @Test
    @DisplayName("a slot that holds the context on only one path into a join: its fill is checked at run time")
    void joinOfTwoSpills() {
        // slot -16 holds a stack pointer on the jump's path (explored first), the context on the fall-through path
        Asm asm = new Asm().ldx(W, 3, 1, 0).st(DW, 10, -8, 5).mov64x(2, 10).add64(2, -8).stx(DW, 10, 2, -16)
                .jmp(JEQ, 3, 4, "join").stx(DW, 10, 1, -16).label("join").ldx(DW, 4, 10, -16).ldx(DW, 0, 4, 0).exit();
        stackPathRunsContextPathFaults(asm);
    }

    @Test
    @DisplayName("overwriting the spilled slot forgets the context: the fill is the new value")
    void overwrittenSlot() {
        Asm asm = new Asm().st(DW, 10, -32, 9).stx(DW, 10, 1, -16).mov64x(3, 10).add64(3, -32).stx(DW, 10, 3, -16)
                .ldx(DW, 2, 10, -16).ldx(DW, 0, 2, 0).exit();
        assertEquals(9, VmHarness.raw(mode).run(asm));
    }

    @Test
    @DisplayName("a helper call forgets spilled context slots (it may write the stack): the access is checked at run time")
    void callForgetsSlots() {
        abortsAtRunTime(new Asm().stx(DW, 10, 1, -16).call(Helper.KTIME_GET_NS.id()).ldx(DW, 2, 10, -16)
                .ldx(DW, 0, 2, 0).exit());
        // without the call it is checked at load
        rejectedAtLoad(new Asm().stx(DW, 10, 1, -16).ldx(DW, 2, 10, -16).ldx(DW, 0, 2, 0).exit());
    }

    @Test
    @DisplayName("a register that holds the context on only one path into a join is checked at run time, on the path taken")
    void joinOfTwoPaths() {
        // r2 = a stack pointer on the jump's path (explored first), the context on the fall-through path
        Asm asm = new Asm().ldx(W, 3, 1, 0).st(DW, 10, -8, 5).mov64x(2, 10).add64(2, -8)
                .jmp(JEQ, 3, 4, "join").mov64x(2, 1).label("join").ldx(DW, 0, 2, 0).exit();
        stackPathRunsContextPathFaults(asm);
    }

    @Test
    @DisplayName("r10+0 is outside the frame: a spill or fill there is no context slot (it faults when it runs)")
    void frameEnd() {
        // fill from r10+0 while the ctx is spilled at r10-512 (the slot a wrapped index would name)
        Asm fill = new Asm().stx(DW, 10, 1, -512).ldx(DW, 2, 10, 0).ldx(DW, 0, 2, 0).exit();
        VmHarness h = VmHarness.raw(mode);
        h.load(fill);
        BpfVmException e = assertThrows(BpfVmException.class, () -> h.run(fill));
        assertEquals(1, e.pc(), e.getMessage());
        // spill the ctx at r10+0, fill r10-512
        Asm spill = new Asm().stx(DW, 10, 1, 0).ldx(DW, 2, 10, -512).ldx(DW, 0, 2, 0).exit();
        VmHarness h2 = VmHarness.raw(mode);
        h2.load(spill);
        BpfVmException e2 = assertThrows(BpfVmException.class, () -> h2.run(spill));
        assertEquals(0, e2.pc(), e2.getMessage());
    }
}
