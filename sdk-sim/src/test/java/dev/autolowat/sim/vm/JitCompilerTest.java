package dev.autolowat.sim.vm;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.sim.kernel.SimKernel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    /**
     * A subprogram too large for one method, called twice: r1 is its argument; it reads its stack
     * before writing it (a fresh frame: 0), writes it, computes, and returns. The caller keeps 7 in
     * r6 and 1000 in its own stack across the calls. With {@code readFirst} 6 or 9, the subprogram first
     * reads that register, which a call leaves uninitialized (a fault).
     */
    private static Asm hugeSubprogram(int readFirst) {
        Asm a = new Asm().mov64(6, 7).st(Asm.DW, 10, -8, 1000).mov64(9, 9)
                .mov64(1, 5).callLocal("f").mov64x(7, 0)
                .mov64(1, 6).callLocal("f").alu64x(ADD, 0, 7).alu64x(ADD, 0, 6)
                .ldx(Asm.DW, 2, 10, -8).alu64x(ADD, 0, 2).exit()
                .label("f");
        if (readFirst >= 0) {
            a.mov64x(3, readFirst);
        }
        // r10 - 16 written through a copy of r10, read back through r10: r4 = r1
        a.ldx(Asm.DW, 2, 10, -8).stx(Asm.DW, 10, 1, -8).mov64x(3, 10).add64(3, -16).stx(Asm.DW, 3, 1, 0)
                .ldx(Asm.DW, 4, 10, -16).mov64x(0, 1).alu64x(ADD, 0, 2).alu64x(ADD, 0, 4);
        for (int i = 0; i < 3000; i++) {
            a.add64(0, i).alu64(XOR, 0, 0x55);
        }
        return a.alu64(AND, 0, 0xffff).exit();
    }

    private static long hugeSubprogramResult(long r1) {
        long r0 = r1;
        for (int i = 0; i < 3000; i++) {
            r0 = (r0 + i) ^ 0x55;
        }
        return r0 & 0xffff;
    }

    @Test
    @DisplayName("D20: a subprogram too large for one method is cut into chunks behind a dispatcher that sets up the "
            + "call's state (its own fresh stack frame and r10, r1-r5 from the caller, r6-r9 uninitialized): the "
            + "interpreter's result, instruction count and faults")
    void hugeSubprogramsAreCutIntoChunks() {
        long expected = hugeSubprogramResult(10) + hugeSubprogramResult(12) + 7 + 1000;
        for (VmOptions.ExecutionMode mode : VmOptions.ExecutionMode.values()) {
            VmHarness h = VmHarness.raw(mode);
            VmProgram p = h.load(hugeSubprogram(-1));
            if (mode == VmOptions.ExecutionMode.JIT) {
                assertTrue(p.translatedCodeSize() > JitCompiler.HUGE_METHOD_LIMIT, "several methods: "
                        + p.translatedCodeSize());
            }
            assertEquals(expected, p.runSockOps(h.input), mode.toString());
            assertEquals(expected, p.runSockOps(h.input), mode + ", second invocation");
            assertEquals(13 + 2 * (9 + 6000 + 2), p.lastInstructionCount(), mode.toString());

            for (int r : new int[] {6, 9}) {
                VmProgram faulty = h.load(hugeSubprogram(r));
                BpfVmException e = assertThrows(BpfVmException.class, () -> faulty.runSockOps(h.input));
                assertEquals(13, e.pc(), mode + ": " + e.getMessage());
                assertTrue(e.reason().contains("R" + r + " !read_ok"), e.getMessage());
                assertEquals(6, faulty.lastInstructionCount(), mode.toString());
            }
        }
    }

    @Test
    @DisplayName("D20: the dispatcher of an entry cut into chunks starts every invocation from the entry state (r1 "
            + "the context, r0 uninitialized: R0 !read_ok on the path that reads it), not from what the last "
            + "invocation left")
    void chunkedEntryStartsFromTheEntryState() {
        Asm a = new Asm().ldx(Asm.W, 2, 1, 0).jmp(JEQ, 2, 21, "read").mov64(0, 0).label("read").add64(0, 1);
        for (int i = 0; i < 3000; i++) {
            a.add64(0, i).alu64(XOR, 0, 0x55);
        }
        a.alu64(AND, 0, 0xffff).exit();
        long expected = 1;
        for (int i = 0; i < 3000; i++) {
            expected = (expected + i) ^ 0x55;
        }
        for (VmOptions.ExecutionMode mode : VmOptions.ExecutionMode.values()) {
            VmHarness h = VmHarness.raw(mode);
            VmProgram p = h.load(a);
            if (mode == VmOptions.ExecutionMode.JIT) {
                assertTrue(p.translatedCodeSize() > JitCompiler.HUGE_METHOD_LIMIT, "chunked: " + p.translatedCodeSize());
            }
            h.input.set(h.socket, h.info, 4);
            assertEquals(expected & 0xffff, p.runSockOps(h.input), mode.toString());
            h.input.set(h.socket, h.info, 21);
            BpfVmException e = assertThrows(BpfVmException.class, () -> p.runSockOps(h.input), mode.toString());
            assertEquals(3, e.pc(), mode + ": " + e.getMessage());
            assertTrue(e.reason().contains("R0 !read_ok"), e.getMessage());
            assertEquals(3, p.lastInstructionCount(), mode.toString());
        }
    }

    @Test
    @Timeout(30)
    @DisplayName("D20: an entry cut into chunks whose loop nearly exhausts the budget finishes in the interpreter, and "
            + "the dispatcher returns its result (no chunk runs again): the same r0 and count in both modes")
    void chunkedEntryHandedOverForTheBudget() {
        Asm a = new Asm().mov64(0, 0);
        for (int i = 0; i < 3000; i++) {
            a.add64(0, i).alu64(XOR, 0, 0x55);
        }
        int fixed = 1 + 6000 + 3;
        int n = (Vm.INSTRUCTION_BUDGET - 20 - fixed) / 3;
        a.alu64(AND, 0, 0xffff).mov64(2, n).label("top").add64(0, 1).alu64(SUB, 2, 1).jmp(JNE, 2, 0, "top").exit();
        long expected = 0;
        for (int i = 0; i < 3000; i++) {
            expected = (expected + i) ^ 0x55;
        }
        expected = (expected & 0xffff) + n;
        for (VmOptions.ExecutionMode mode : VmOptions.ExecutionMode.values()) {
            VmHarness h = VmHarness.raw(mode);
            VmProgram p = h.load(a);
            assertEquals(expected, p.runSockOps(h.input), mode.toString());
            assertEquals(fixed + 3L * n, p.lastInstructionCount(), mode.toString());
        }
    }

    @Test
    @DisplayName("D20: bpf_cast_to_kern_ctx is a constant only on the unmodified context; on a scalar or a moved "
            + "context it faults as in the interpreter")
    void castToKernCtxOnlyOnTheContext() {
        String scalar = sameInBothModes(new Asm().mov64(1, 0).callKfunc("bpf_cast_to_kern_ctx").mov64(0, 0).exit());
        assertTrue(scalar.startsWith("aborted at pc 1: "), scalar);
        String moved = sameInBothModes(new Asm().add64(1, 8).callKfunc("bpf_cast_to_kern_ctx").mov64(0, 0).exit());
        assertTrue(moved.startsWith("aborted at pc 1: "), moved);
    }

    @Test
    @Timeout(60)
    @DisplayName("a program of exactly 65535 slots is within the translator's slot limit: not refused for its slots "
            + "(its class is too large for ASM: interpreted with that reason), the interpreter's result and count")
    void sixtyFiveThousandSlots() {
        Asm a = new Asm();
        for (int i = 0; a.slot() < 0xffff - 1; i++) {
            if (i % 16_000 == 15_999) {
                a.ja("b" + i).label("b" + i); // ends the block: no block above 32767 instructions
            } else {
                a.mov64(0, i & 0xff);
            }
        }
        a.exit();
        assertEquals(0xffff, a.slot());
        VmProgram p = VmLoader.load("slots", ProgramType.SOCK_OPS, "GPL", a.build(), java.util.List.of(), new VmMaps(),
                new VmOptions(true, () -> 0, false, VmOptions.ExecutionMode.JIT).withKernel(SimKernel.INSTANCE));
        String reason = p.fallbackReason().orElse("");
        assertTrue(!reason.contains("slots"), reason);
        assertEquals(reason.isEmpty(), p.executionMode() == VmOptions.ExecutionMode.JIT, reason);
        assertEquals((0xffff - 2) & 0xff, p.runSockOps(VmHarness.raw().input));
        assertEquals(0xffff, p.lastInstructionCount());
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
    @DisplayName("a basic block of 32767 instructions is not refused for its length (its translation is too large a "
            + "class for ASM: interpreted with that reason); one of 32768, beyond the fault handlers' packing, is "
            + "interpreted in JIT mode with the block's reason; both give the interpreter's result and count")
    void longestBasicBlock() {
        for (int length : new int[] {0x7fff, 0x8000}) {
            Asm a = new Asm();
            for (int i = 0; i < length - 1; i++) {
                a.mov64(0, i);
            }
            a.exit();
            VmProgram p = VmLoader.load("long_block", ProgramType.SOCK_OPS, "GPL", a.build(), java.util.List.of(),
                    new VmMaps(), new VmOptions(true, () -> 0, false, VmOptions.ExecutionMode.JIT)
                            .withKernel(SimKernel.INSTANCE));
            if (length == 0x7fff) {
                // not refused for its block; its class is too large for ASM: interpreted with that reason
                String reason = p.fallbackReason().orElse("");
                assertTrue(!reason.contains("basic block"), reason);
                assertEquals(reason.isEmpty(), p.executionMode() == VmOptions.ExecutionMode.JIT, reason);
            } else {
                assertEquals(VmOptions.ExecutionMode.INTERPRETER, p.executionMode());
                String reason = p.fallbackReason().orElseThrow();
                assertTrue(reason.contains("a basic block of more than 32767 instructions"), reason);
            }
            assertEquals(length - 2, p.runSockOps(VmHarness.raw().input));
            assertEquals(length, p.lastInstructionCount());
        }
    }

    @Test
    @DisplayName("D20, D26: loads through r10 the translator cannot prove valid (out of or misaligned in the stack "
            + "frame) fault as in the interpreter, same pc, reason and count")
    void invalidLoadsFaultAsTheInterpreter() {
        Asm[] programs = {
            new Asm().ldx(Asm.DW, 0, 10, 0).exit(),
            new Asm().ldx(Asm.DW, 0, 10, -520).exit(),
            new Asm().st(Asm.DW, 10, -8, 1).ldx(Asm.DW, 0, 10, -3).exit(),
        };
        for (Asm a : programs) {
            String expected = null;
            for (VmOptions.ExecutionMode mode : new VmOptions.ExecutionMode[] {VmOptions.ExecutionMode.INTERPRETER,
                VmOptions.ExecutionMode.JIT}) {
                VmHarness h = VmHarness.raw(mode);
                VmProgram p = h.load(a);
                BpfVmException e = assertThrows(BpfVmException.class, () -> p.runSockOps(h.input), a::toString);
                String outcome = "pc " + e.pc() + ": " + e.reason() + ", " + p.lastInstructionCount() + " instructions";
                if (expected == null) {
                    expected = outcome;
                    assertTrue(outcome.startsWith("pc " + (a.slot() - 2) + ": "), outcome);
                } else {
                    assertEquals(expected, outcome, a.toString());
                }
            }
        }
    }

    /** r0 or the abort (pc, reason) and the instruction count of {@code a} in both modes: equal; returns it. */
    private static String sameInBothModes(Asm a, dev.autolowat.api.program.MapSpec... maps) {
        String expected = null;
        for (VmOptions.ExecutionMode mode : new VmOptions.ExecutionMode[] {VmOptions.ExecutionMode.INTERPRETER,
            VmOptions.ExecutionMode.JIT}) {
            String outcome = VmHarness.outcome(a, mode, maps);
            if (expected == null) {
                expected = outcome;
            } else {
                assertEquals(expected, outcome, a.toString());
            }
        }
        return expected;
    }

    @Test
    @DisplayName("D20: a 32-bit move of a scalar over a pointer register makes it a scalar (its kind too), and a "
            + "pointer in r0 stored into a map value faults (only the stack holds pointers)")
    void kindsAfterMovesAndStores() {
        assertEquals("returned 0, 6 instructions", sameInBothModes(new Asm().mov64x(6, 1).mov64(2, 5).alu32x(MOV, 6, 2)
                .alu64(AND, 6, 0).mov64x(0, 6).exit()));
        assertEquals("returned 0, 6 instructions", sameInBothModes(new Asm().mov64x(6, 1).call(
                dev.autolowat.api.asm.Helper.KTIME_GET_NS.id()).alu32x(MOV, 6, 0).alu64(AND, 6, 0).mov64x(0, 6).exit()));
        String stored = sameInBothModes(new Asm().mov64x(0, 1).ldMapValue(2, 0, 0).stx(Asm.DW, 2, 0, 0).mov64(0, 1)
                .exit(), new dev.autolowat.api.program.MapSpec("a", dev.autolowat.api.program.MapType.ARRAY, 4, 8, 1));
        assertTrue(stored.startsWith("aborted at pc 3: "), stored);
    }

    @Test
    @DisplayName("gotol (JMP32 JA, the offset in imm) forward and backward: the target the interpreter jumps to, in "
            + "translated code")
    void gotolTargets() {
        assertEquals("returned 1, 4 instructions", sameInBothModes(new Asm().mov64(0, 1).jmp(JEQ, 0, 5, "skip")
                .ja32("end").label("skip").mov64(0, 2).label("end").exit()));
        // a loop closed by a backward gotol: 3 iterations
        assertEquals("returned 3, 11 instructions", sameInBothModes(new Asm().mov64(0, 0).label("top").add64(0, 1)
                .jmp(JGE, 0, 3, "out").ja32("top").label("out").mov64(2, 0).exit()));
    }

    @Test
    @DisplayName("a 64-bit move from an uninitialized register faults there (R5 !read_ok), also when out-of-line code "
            + "of a later instruction follows its fault path in the method")
    void uninitializedMoveSourceFaults() {
        String out = sameInBothModes(new Asm().mov64x(2, 5).mov64x(6, 1).add64(6, 8).mov64(0, 0).exit());
        assertTrue(out.startsWith("aborted at pc 0: R5 !read_ok"), out);
        assertTrue(out.endsWith(", 1 instructions"), out);
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
