package dev.autolowat.sim.vm;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VM allocates nothing per invocation once warm, in either execution mode: registers, stacks and
 * views are per program, translated code keeps registers in JVM locals.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class AllocationTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    private static long allocated() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
            return sun.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }

    @Test
    @DisplayName("running the logger program (maps, helpers, kfuncs, payload loads) on every segment allocates nothing once warm")
    void noAllocationPerInvocation() {
        Assumptions.assumeTrue(allocated() >= 0, "not supported by this JVM: per-thread allocation counters");
        try (SimSession s = new SimBackend().openSession()) {
            s.setVmMode(mode);
            s.attach(SessionIntegrationTest.logger());
            SimConnection c = s.connect(ConnectOptions.IPV4);
            byte[] data = new byte[100];
            byte[] buf = new byte[4096];
            for (int i = 0; i < 20_000; i++) {
                c.sendSegments(data, 0, data.length);
                c.recvDiscard(buf, buf.length);
            }
            c.observe();
            long before = allocated();
            int rounds = 20_000;
            for (int i = 0; i < rounds; i++) {
                c.sendSegments(data, 0, data.length);
                c.recvDiscard(buf, buf.length);
            }
            long bytes = allocated() - before;
            // 40,000 invocations (H1 + H2 per round); allow a little JIT/runtime noise, not bytes per invocation
            assertTrue(bytes < 64 * 1024, "allocated " + bytes + " bytes for " + (2 * rounds) + " invocations");
            assertTrue(s.vmFaultCount() == 0);
            c.observe();
        }
    }
}
