package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.object.CoreRelocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CO-RE site no type of the target satisfied becomes libbpf's poison, {@code call 0xbad2310}
 * (docs/objects.md): as in the kernel, a program carrying one loads, runs while it does not reach
 * it, and faults — saying what it is — when it does.
 */
class PoisonedCoreSiteTest {
    /** r0 = 1; if (ctx->op == op) call 0xbad2310; return r0. */
    private static Asm guarded(int op) {
        return new Asm().mov64(0, 1)
                .ldx(Opcode.W, 2, 1, 0)
                .jmp32(Opcode.JNE, 2, op, "out")
                .call(CoreRelocator.POISON_IMM)
                .label("out")
                .exit();
    }

    @ParameterizedTest(name = "{0}: a poisoned site loads and is harmless while unreached")
    @EnumSource(VmOptions.ExecutionMode.class)
    void loadsAndRunsWhileUnreached(VmOptions.ExecutionMode mode) {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(guarded(0xffff));
        assertEquals(1, p.runSockOps(h.input));
    }

    @ParameterizedTest(name = "{0}: reaching a poisoned site faults with an explanation")
    @EnumSource(VmOptions.ExecutionMode.class)
    void faultsWhenReached(VmOptions.ExecutionMode mode) {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(guarded(4)); // the harness's op
        BpfVmException e = assertThrows(BpfVmException.class, () -> p.runSockOps(h.input));
        assertTrue(e.getMessage().contains("invalid CO-RE relocation"), e.getMessage());
    }
}
