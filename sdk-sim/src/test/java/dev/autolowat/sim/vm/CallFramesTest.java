package dev.autolowat.sim.vm;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Registers across bpf-to-bpf calls (Documentation/bpf/standardization/abi.rst; the verifier's
 * check_func_call / prepare_func_exit): the callee gets r1-r5 as arguments and r6-r9 uninitialized;
 * after the return, r0 is the result, r1-r5 are uninitialized and r6-r9 are the caller's again.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class CallFramesTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    private void assertAbort(Asm asm, String reason) {
        VmHarness.raw(mode).assertAbortReason(asm, reason);
    }

    @Test
    @DisplayName("in the callee, each of r6-r9 is uninitialized even when the caller set it")
    void calleeSavedRegistersStartUninitialized() {
        for (int r = 6; r <= 9; r++) {
            assertAbort(new Asm().mov64(6, 1).mov64(7, 1).mov64(8, 1).mov64(9, 1).callLocal("f").exit()
                    .label("f").mov64x(0, r).exit(), "R" + r + " !read_ok");
        }
    }

    @Test
    @DisplayName("after the return, each of r1-r5 is uninitialized, r6-r9 are the caller's values, r0 the callee's")
    void registersAfterReturn() {
        for (int r = 1; r <= 5; r++) {
            assertAbort(new Asm().mov64(2, 1).mov64(3, 1).mov64(4, 1).mov64(5, 1).callLocal("f").mov64x(0, r).exit()
                    .label("f").ret(0), "R" + r + " !read_ok");
        }
        assertEquals(6789 + 5, VmHarness.raw(mode).run(new Asm().mov64(6, 6000).mov64(7, 700).mov64(8, 80).mov64(9, 9)
                .callLocal("f").alu64x(dev.autolowat.api.asm.Opcode.ADD, 0, 6).alu64x(dev.autolowat.api.asm.Opcode.ADD, 0, 7)
                .alu64x(dev.autolowat.api.asm.Opcode.ADD, 0, 8).alu64x(dev.autolowat.api.asm.Opcode.ADD, 0, 9).exit()
                .label("f").mov64(6, 1).mov64(7, 1).mov64(8, 1).mov64(9, 1).ret(5)));
    }
}
