package dev.autolowat.sim.vm;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.sim.kernel.SimKernel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.autolowat.api.asm.Opcode.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the translator takes on, what it leaves to the interpreter, and how the mode is chosen. */
class JitCompilerTest {

    @Test
    @DisplayName("the reference policy (H1, H2, K1, A2) is translated, small enough for HotSpot to compile it")
    void referencePolicyIsTranslated() {
        VmMaps maps = new VmMaps();
        VmOptions options = new VmOptions(true, () -> 0, true, VmOptions.ExecutionMode.JIT).withKernel(SimKernel.INSTANCE);
        SockOpsProgram.Bytecode so = FramingPolicy.REFERENCE_RPC.sockOpsProgram();
        SockoptProgram.Bytecode en = FramingPolicy.REFERENCE_RPC.enableProgram();
        VmProgram sockOps = VmLoader.load(so.name(), ProgramType.SOCK_OPS, so.license(), so.code(), so.maps(), maps,
                options);
        VmProgram enable = VmLoader.load(en.name(), ProgramType.CGROUP_SETSOCKOPT, en.license(), en.code(),
                en.maps(), maps, options);
        for (VmProgram p : new VmProgram[] {sockOps, enable}) {
            assertEquals(VmOptions.ExecutionMode.JIT, p.executionMode(), p.name());
            assertTrue(p.translatedCodeSize() > 0 && p.translatedCodeSize() <= JitCompiler.HUGE_METHOD_LIMIT,
                    p.name() + ": " + p.translatedCodeSize() + " bytes of JVM code");
        }
        System.out.println("reference policy: sock_ops " + sockOps.slots() + " slots -> "
                + sockOps.translatedCodeSize() + " bytes of JVM code; enable " + enable.slots() + " slots -> "
                + enable.translatedCodeSize() + " bytes");
    }

    @Test
    @DisplayName("a program with bpf-to-bpf calls is translated, one JVM method per subprogram, with the same results")
    void localCallsAreTranslated() {
        Asm a = new Asm().mov64(1, 20).callLocal("f").add64(0, 1).exit().label("f").mov64x(0, 1).exit();
        VmProgram p = VmHarness.raw(VmOptions.ExecutionMode.JIT).load(a);
        assertEquals(VmOptions.ExecutionMode.JIT, p.executionMode());
        assertEquals(java.util.Optional.empty(), p.fallbackReason());
        assertEquals(21, p.runSockOps(VmHarness.raw().input));
        assertTrue(p.translatedCodeSize() > 0);
    }

    @Test
    @DisplayName("a program whose translation would exceed HotSpot's HugeMethodLimit in one method is cut into "
            + "chunk methods, each under the limit: translated, with the same result and instruction count")
    void hugeProgramsAreCutIntoChunks() {
        Asm a = new Asm().mov64(0, 0);
        for (int i = 0; i < 3000; i++) {
            a.add64(0, i).alu64(XOR, 0, 0x55);
        }
        a.alu64(AND, 0, 1).exit();
        VmHarness jit = VmHarness.raw(VmOptions.ExecutionMode.JIT);
        VmProgram big = VmLoader.load("big", ProgramType.SOCK_OPS, "GPL", a.build(), java.util.List.of(), jit.maps,
                new VmOptions(true, () -> 0, false, VmOptions.ExecutionMode.JIT).withKernel(SimKernel.INSTANCE));
        assertEquals(VmOptions.ExecutionMode.JIT, big.executionMode(), () -> big.fallbackReason().orElse(""));
        assertTrue(big.translatedCodeSize() > JitCompiler.HUGE_METHOD_LIMIT, "several methods: "
                + big.translatedCodeSize());
        VmProgram interpreted = VmHarness.raw(VmOptions.ExecutionMode.INTERPRETER).load(a);
        assertEquals(java.util.Optional.empty(), interpreted.fallbackReason(), "interpreter mode is no fallback");
        assertEquals(interpreted.runSockOps(jit.input), big.runSockOps(jit.input));
        assertEquals(2 + 6000 + 1, big.lastInstructionCount());
    }

    @Test
    @DisplayName("a program beyond the translator's limits (more than 65535 slots) is interpreted in JIT mode, "
            + "and fallbackReason says why")
    void fallbackIsReported() {
        Asm a = new Asm().mov64(0, 0);
        for (int i = 0; i < 70_000; i++) {
            a.mov64(2, i);
        }
        a.exit();
        VmProgram p = VmLoader.load("too_many", ProgramType.SOCK_OPS, "GPL", a.build(), java.util.List.of(),
                new VmMaps(), new VmOptions(true, () -> 0, false, VmOptions.ExecutionMode.JIT).withKernel(SimKernel.INSTANCE));
        assertEquals(VmOptions.ExecutionMode.INTERPRETER, p.executionMode());
        String reason = p.fallbackReason().orElseThrow();
        assertTrue(reason.contains("65535"), reason);
        assertEquals(0, p.runSockOps(VmHarness.raw().input));
        assertEquals(70_002, p.lastInstructionCount());
    }

    @Test
    @DisplayName("a fault in translated code names the pc and counts the instructions up to it, as the interpreter")
    void faultCountsAsTheInterpreter() {
        // three instructions in one block, the second faults (read of an uninitialized register)
        Asm a = new Asm().mov64(0, 1).alu64x(ADD, 0, 5).mov64(2, 3).exit();
        for (VmOptions.ExecutionMode mode : VmOptions.ExecutionMode.values()) {
            VmHarness h = VmHarness.raw(mode);
            VmProgram p = h.load(a);
            BpfVmException e = assertThrows(BpfVmException.class, () -> p.runSockOps(h.input));
            assertEquals(1, e.pc(), mode + ": " + e.getMessage());
            assertTrue(e.reason().contains("R5 !read_ok"), e.getMessage());
            assertEquals(2, p.lastInstructionCount(), mode.toString());
        }
    }

    @Test
    @DisplayName("the default mode is JIT; -Dautolowat.vm.mode picks the interpreter; anything else is refused")
    void modeFromSystemProperty() {
        String saved = System.getProperty(VmOptions.MODE_PROPERTY);
        try {
            System.clearProperty(VmOptions.MODE_PROPERTY);
            assertEquals(VmOptions.ExecutionMode.JIT, VmOptions.ExecutionMode.fromSystemProperty());
            System.setProperty(VmOptions.MODE_PROPERTY, " Interpreter ");
            assertEquals(VmOptions.ExecutionMode.INTERPRETER, VmOptions.ExecutionMode.fromSystemProperty());
            assertEquals(VmOptions.ExecutionMode.INTERPRETER, VmOptions.of(true, () -> 0).mode());
            System.setProperty(VmOptions.MODE_PROPERTY, "aot");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    VmOptions.ExecutionMode::fromSystemProperty);
            assertTrue(e.getMessage().contains("expected jit or interpreter"), e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(VmOptions.MODE_PROPERTY);
            } else {
                System.setProperty(VmOptions.MODE_PROPERTY, saved);
            }
        }
    }
}
