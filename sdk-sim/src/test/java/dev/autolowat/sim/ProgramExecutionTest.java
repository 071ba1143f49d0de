package dev.autolowat.sim;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Reg;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.sim.vm.VmOptions.ExecutionMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SimSession#programExecutions()}: the mode each bytecode program actually runs in, and why. */
class ProgramExecutionTest {

    @Test
    @DisplayName("A2-A5 as bytecode: both programs of the compiled reference policy are translated in JIT mode")
    void translated() {
        try (SimSession s = new SimBackend().openSession().setVmMode(ExecutionMode.JIT)) {
            s.attach(FramingPolicy.REFERENCE_RPC.compile());
            s.attach(ReferenceAutoLowat.sockOpsProgram());         // a Java handler: not listed
            List<ProgramExecution> e = s.programExecutions();
            assertEquals(2, e.size(), e.toString());
            assertEquals(List.of(ProgramType.SOCK_OPS, ProgramType.CGROUP_SETSOCKOPT),
                    e.stream().map(ProgramExecution::type).toList());
            for (ProgramExecution p : e) {
                assertEquals(ExecutionMode.JIT, p.actual(), p.toString());
                assertTrue(p.reason().isEmpty() && !p.fellBack(), p.toString());
            }
        }
    }

    @Test
    @DisplayName("interpreter mode requested: every program is interpreted, and says so")
    void interpreterRequested() {
        try (SimSession s = new SimBackend().openSession().setVmMode(ExecutionMode.INTERPRETER)) {
            s.attach(FramingPolicy.REFERENCE_RPC.compile());
            for (ProgramExecution p : s.programExecutions()) {
                assertEquals(ExecutionMode.INTERPRETER, p.actual());
                assertEquals("interpreter mode requested", p.reason().orElseThrow());
                assertFalse(p.fellBack());
            }
        }
    }

    @Test
    @DisplayName("a program too large for the JVM to compile falls back to the interpreter with the VM's reason")
    void fallBack() {
        // beyond the translator's 65,535 slots (smaller programs are cut into chunk methods, D16)
        Assembler a = new Assembler().mov64(Reg.R0, 1);
        for (int i = 0; i < 35_000; i++) {
            a.add64(Reg.R0, i).xor64(Reg.R0, 3);
        }
        SockOpsProgram.Bytecode big = a.mov64(Reg.R0, 1).exit().program("big", "GPL", List.of());
        try (SimSession s = new SimBackend().openSession().setVmMode(ExecutionMode.JIT)) {
            s.attach(big);
            ProgramExecution p = s.programExecutions().get(0);
            assertEquals("big", p.program());
            assertEquals(ExecutionMode.JIT, p.requested());
            assertEquals(ExecutionMode.INTERPRETER, p.actual(), p.toString());
            assertTrue(p.fellBack());
            assertTrue(p.reason().orElseThrow().contains("more than the translator's 65535"), p.toString());
        }
    }
}
