package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The translator's register facts ({@code JitCompiler.RegisterFacts}, D20) may only be less precise
 * than the truth, never more: each program here makes a register look scalar, initialized or the
 * context pointer to a wrong analysis (the survivors of PIT's run {@code vm-jit}) while it is not,
 * and then uses it where the translated code would leave out the interpreter's check. Each runs in
 * both execution modes and must give the interpreter's outcome, which is asserted explicitly (so
 * both modes wrong the same way fails too).
 */
class RegisterFactsSoundnessTest {

    /** Both modes give the same outcome, which starts with {@code expected}; returns it. */
    private static String expect(Asm asm, String expected, MapSpec... maps) {
        String interpreted = VmHarness.outcome(asm, VmOptions.ExecutionMode.INTERPRETER, maps);
        String jit = VmHarness.outcome(asm, VmOptions.ExecutionMode.JIT, maps);
        assertEquals(interpreted, jit, "translated and interpreted differ for\n" + asm);
        assertTrue(interpreted.startsWith(expected), "expected '" + expected + "...', got: " + interpreted);
        return interpreted;
    }

    @Test
    @DisplayName("D20: a pointer plus or minus a constant is not a scalar: a later MUL of it faults in both modes")
    void pointerArithmeticStaysPointer() {
        expect(new Asm().mov64x(2, 1).add64(2, 8).alu64(MUL, 2, 2).mov64x(0, 2).exit(),
                "aborted at pc 2: R2 pointer arithmetic");
        expect(new Asm().mov64x(2, 1).alu64(SUB, 2, 8).alu64(MUL, 2, 2).mov64x(0, 2).exit(),
                "aborted at pc 2: R2 pointer arithmetic");
        // a scalar plus a pointer register is a pointer
        expect(new Asm().mov64(2, 1).alu64x(ADD, 2, 1).alu64(MUL, 2, 2).mov64x(0, 2).exit(),
                "aborted at pc 2: R2 pointer arithmetic");
    }

    @Test
    @DisplayName("D20: a register that was a scalar and is overwritten by a pointer (MOV, 8-byte fill, map LD_IMM64) "
            + "is no scalar any more")
    void overwrittenScalarIsNoScalar() {
        expect(new Asm().mov64(2, 0).mov64x(2, 1).alu64(MUL, 2, 2).mov64x(0, 2).exit(),
                "aborted at pc 2: R2 pointer arithmetic");
        expect(new Asm().mov64(2, 0).stx(DW, 10, 1, -8).ldx(DW, 2, 10, -8).alu64(MUL, 2, 2).mov64x(0, 2).exit(),
                "aborted at pc 3: R2 pointer arithmetic");
        expect(new Asm().mov64(2, 0).ldMap(2, 0).alu64(MUL, 2, 2).mov64x(0, 2).exit(),
                "aborted at pc 3: R2 pointer arithmetic", new MapSpec("a", MapType.ARRAY, 4, 8, 1));
    }

    @Test
    @DisplayName("D20: only what an instruction reads or writes becomes initialized: r0 never written faults at "
            + "a read of it (R0 !read_ok) after ALU, byte swap, jump, atomic and bpf-to-bpf call")
    void uninitializedR0StaysUninitialized() {
        // r2 = r0 reads r0 (the exit checks r0's kind at run time anyway)
        expect(new Asm().mov64(2, 1).add64(2, 1).mov64x(2, 0).mov64(0, 0).exit(), "aborted at pc 2: R0 !read_ok");
        expect(new Asm().mov64(2, 1).raw(ALU | END | X, 2, 0, 0, 16).mov64x(2, 0).mov64(0, 0).exit(),
                "aborted at pc 2: R0 !read_ok");
        expect(new Asm().mov64(2, 1).jmp(JEQ, 2, 1, "l").label("l").mov64x(2, 0).mov64(0, 0).exit(),
                "aborted at pc 2: R0 !read_ok");
        expect(new Asm().mov64(2, 1).st(DW, 10, -8, 0).atomic(DW, 10, 2, -8, ADD).mov64x(2, 0).mov64(0, 0).exit(),
                "aborted at pc 3: R0 !read_ok");
        // the callee leaves r0 as it found it: uninitialized
        expect(new Asm().callLocal("f").mov64x(2, 0).mov64(0, 0).exit().label("f").mov64(2, 1).exit(),
                "aborted at pc 1: R0 !read_ok");
    }

    @Test
    @DisplayName("D20: a subprogram's r1 is neither initialized nor the context on entry (only the entry's is)")
    void subprogramR1IsNotTheContext() {
        // r1 uninitialized at the call (a helper call leaves r1-r5 so)
        expect(new Asm().call(Helper.KTIME_GET_NS.id()).callLocal("f").exit().label("f").mov64x(0, 1).exit(),
                "aborted at pc 3: R1 !read_ok");
        // r1 a scalar at the call: a load through it faults
        expect(new Asm().mov64(1, 0).callLocal("f").exit().label("f").ldx(W, 0, 1, 0).exit(),
                "aborted at pc 3: R1 invalid mem access 'scalar'");
    }

    @Test
    @DisplayName("D20: only rX = rY of the unmodified context is the context: a load at offset 0 through anything "
            + "else reads what the interpreter reads, or faults")
    void onlyCopiesAreTheContext() {
        expect(new Asm().mov64x(0, 1).mov64(2, 0).ldx(W, 0, 2, 0).exit(),
                "aborted at pc 2: R2 invalid mem access 'scalar'");
        expect(new Asm().mov64(3, 0).mov64x(2, 3).ldx(W, 0, 2, 0).exit(),
                "aborted at pc 2: R2 invalid mem access 'scalar'");
        expect(new Asm().mov64(1, 5).ldx(W, 0, 1, 0).exit(), "aborted at pc 1: R1 invalid mem access 'scalar'");
        // ctx + 8 is a moved context pointer, not the context: its load faults (it does not read op)
        expect(new Asm().mov64(2, 8).alu64x(ADD, 2, 1).ldx(W, 0, 2, 0).exit(),
                "aborted at pc 2: dereference of modified ctx ptr");
        // an atomic writes no context into the other registers
        expect(new Asm().mov64(3, 0).mov64(2, 1).st(DW, 10, -8, 0).atomic(DW, 10, 2, -8, ADD).ldx(W, 0, 3, 0).exit(),
                "aborted at pc 4: R3 invalid mem access 'scalar'");
    }

    @Test
    @DisplayName("D20: across a bpf-to-bpf call r6-r9 keep their facts and no more: a pointer stays a pointer, a "
            + "scalar is not the context")
    void calleeSavedRegistersAcrossCalls() {
        expect(new Asm().mov64x(6, 1).callLocal("f").alu64(MUL, 6, 2).mov64x(0, 6).exit()
                .label("f").mov64(0, 0).exit(), "aborted at pc 2: R6 pointer arithmetic");
        expect(new Asm().mov64(6, 0).callLocal("f").ldx(W, 0, 6, 0).exit()
                .label("f").mov64(0, 0).exit(), "aborted at pc 2: R6 invalid mem access 'scalar'");
    }

    @Test
    @DisplayName("D20: the facts at a jump target (and at pc 0, reached again by a back jump) are those of every path "
            + "into it")
    void jumpTargetsMeetEveryPath() {
        expect(new Asm().mov64x(2, 1).mov64(3, 1).jmp(JEQ, 3, 1, "l").mov64(0, 0).exit()
                .label("l").alu64(MUL, 2, 2).mov64x(0, 2).exit(), "aborted at pc 5: R2 pointer arithmetic");
        // a register-compare jump whose source is r1 (src field 1, as a bpf-to-bpf call's) is a jump
        expect(new Asm().mov64x(2, 1).jmpx(JEQ, 2, 1, "l").mov64(0, 0).exit()
                .label("l").alu64(MUL, 2, 2).mov64x(0, 2).exit(), "aborted at pc 4: R2 pointer arithmetic");
        // pc 0 loads through r1 (the context on entry); the back jump arrives with r1 a scalar
        expect(new Asm().label("top").ldx(W, 0, 1, 0).mov64(1, 0).ja("top"),
                "aborted at pc 0: R1 invalid mem access 'scalar'");
    }
}
