package dev.autolowat.sim;

import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.ExecutionMode;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.SessionOption;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Probe;
import dev.autolowat.sim.vm.VmOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's side of the SPI options and observations that only it can show (issue #14):
 * {@link SessionOption#FIXED_ISN} (the H1 segment's {@code seq}), {@link SessionOption#EXECUTION_MODE}
 * (how attached bytecode runs), and {@link Observation#droppedInvocations()} once the invocation log
 * overflows. The backend-neutral parts run on both backends in conformance-tests' SpiContractTest.
 */
class SimSpiTest {

    /** The op-21 segments of 3 one-byte segments on a fresh connection of {@code session} (RCVQ set at op 5). */
    private static List<Invocation> segments(BackendSession session) {
        session.attach(dev.autolowat.api.program.SockOpsProgram.of("probe", Probe.rcvq()));
        Connection c = session.connect(ConnectOptions.IPV4);
        c.observe();
        c.send(new byte[3], 1, 1, 1);
        return c.observe().invocations();
    }

    @Test
    @DisplayName("targetBtf: the simulator (with faults too) answers with its own kernel's types, which CO-RE relocations resolve against")
    void targetBtfIsTheSimulatedKernel() {
        assertTrue(new SimBackend().targetBtf() == dev.autolowat.sim.vm.SimKernelBtf.btf());
        assertTrue(new SimBackend(SimConfig.DEFAULT.withFaults(SimFault.LOWAT_NOT_CAPPED)).targetBtf()
                == dev.autolowat.sim.vm.SimKernelBtf.btf());
        assertTrue(new SimBackend().targetBtf().structSize("tcp_sock").isPresent(), "the model's tcp_sock is described");
    }

    @Test
    @DisplayName("targetBtf: a backend that runs no objects keeps the SPI's default, an AutoLowatException naming it")
    void targetBtfDefaultIsATypedError() {
        dev.autolowat.api.spi.Backend bare = new dev.autolowat.api.spi.Backend() {
            public String name() {
                return "bare";
            }

            public dev.autolowat.api.spi.Capabilities capabilities() {
                return new SimBackend().capabilities();
            }

            public BackendSession openSession() {
                throw new UnsupportedOperationException();
            }
        };
        dev.autolowat.api.AutoLowatException e = assertThrows(dev.autolowat.api.AutoLowatException.class, bare::targetBtf);
        assertTrue(e.getMessage().contains("'bare'") && e.getMessage().contains("no target BTF"), e.getMessage());
    }

    @Test
    @DisplayName("FIXED_ISN (H1): the segments' seq start at ISN + 1, as with SimConfig.withFixedIsn; null draws from the seed again")
    void fixedIsn() {
        SimBackend sim = new SimBackend();
        try (BackendSession s = sim.openSession(); BackendSession configured =
                new SimBackend(SimConfig.DEFAULT.withFixedIsn(1000)).openSession()) {
            assertNull(s.getOption(SessionOption.FIXED_ISN), "drawn from the seed by default");
            assertEquals(1000, configured.getOption(SessionOption.FIXED_ISN), "the configuration's ISN is the option's value");
            s.setOption(SessionOption.FIXED_ISN, 1000);
            assertEquals(1000, s.getOption(SessionOption.FIXED_ISN));
            List<Invocation> viaOption = segments(s);
            assertEquals(List.of(new Invocation(SockOpsOp.RCVQ_CB.value(), 1001, 1002, 1),
                    new Invocation(SockOpsOp.RCVQ_CB.value(), 1002, 1003, 1),
                    new Invocation(SockOpsOp.RCVQ_CB.value(), 1003, 1004, 1)), viaOption);
            assertEquals(viaOption, segments(configured));
            s.setOption(SessionOption.FIXED_ISN, null);
            assertNull(s.getOption(SessionOption.FIXED_ISN));
        }
    }

    @Test
    @DisplayName("EXECUTION_MODE: programs attached after it run in that mode (ProgramExecution); a null or mistyped value is refused")
    void executionMode() {
        try (SimSession s = new SimBackend().openSession()) {
            s.setOption(SessionOption.EXECUTION_MODE, ExecutionMode.INTERPRETER);
            assertEquals(ExecutionMode.INTERPRETER, s.getOption(SessionOption.EXECUTION_MODE));
            s.attach(FramingPolicy.REFERENCE_RPC.compile());
            for (ProgramExecution e : s.programExecutions()) {
                assertEquals(VmOptions.ExecutionMode.INTERPRETER, e.actual(), e.toString());
            }
            s.setOption(SessionOption.EXECUTION_MODE, ExecutionMode.JIT);
            assertEquals(VmOptions.ExecutionMode.JIT, s.vmMode());
            assertThrows(NullPointerException.class, () -> s.setOption(SessionOption.EXECUTION_MODE, null));
            @SuppressWarnings({"unchecked", "rawtypes"})
            SessionOption<Object> raw = (SessionOption) SessionOption.EXECUTION_MODE;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.setOption(raw, "fast"));
            assertTrue(e.getMessage().contains("EXECUTION_MODE") && e.getMessage().contains("ExecutionMode"), e.getMessage());
        }
    }

    @Test
    @DisplayName("Observation.droppedInvocations: more than the log holds between two observations drops the oldest and counts them, cumulatively")
    void droppedInvocations() {
        try (Pair p = SimFixtures.open(Probe.rcvq())) {
            SimConnection c = p.conn();
            Observation first = c.observe();
            assertEquals(0, first.droppedInvocations());
            int segments = InvocationLog.CAPACITY + 10;
            int[] cuts = new int[segments];
            java.util.Arrays.fill(cuts, 1);
            assertEquals(segments, c.send(new byte[segments], cuts));
            Observation o = c.observe();
            assertEquals(InvocationLog.CAPACITY, o.invocations().size());
            assertEquals(10, o.droppedInvocations(), "one op-21 entry per segment; the 10 oldest went");
            assertEquals(10, c.droppedInvocations(), "the connection's count is the observation's");
            c.send(new byte[1], 1);
            Observation next = c.observe();
            assertEquals(1, next.invocations().size());
            assertEquals(10, next.droppedInvocations(), "cumulative since the connection was made");
            assertNotEquals(o, next);
        }
    }
}
