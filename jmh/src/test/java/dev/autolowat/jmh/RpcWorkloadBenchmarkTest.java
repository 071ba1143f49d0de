package dev.autolowat.jmh;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of {@link RpcWorkloadBenchmark} without the JMH runner: the state is made directly, set
 * up, and the benchmark method called a few times per backend. The counts (wakeups, recv calls,
 * setsockopt calls, frames) must be equal between the simulator and the native backend; the native
 * backend runs as root only ("requires root" skip otherwise). No benchmark is timed here.
 */
class RpcWorkloadBenchmarkTest {
    private static final int OPERATIONS = 3;

    private static RpcWorkloadBenchmark.Counters run(String backend, String mode) {
        RpcWorkloadBenchmark b = new RpcWorkloadBenchmark();
        b.backend = backend;
        b.mode = mode;
        b.frames = 20;
        b.frameSize = 4096;
        b.segments = 3;
        b.setup();
        RpcWorkloadBenchmark.Counters counters = new RpcWorkloadBenchmark.Counters();
        for (int i = 0; i < OPERATIONS; i++) {
            assertEquals(20L * 4096, b.run(counters), backend + " " + mode + ": bytes of operation " + i);
        }
        return counters;
    }

    @Test
    @DisplayName("sim, userspace AutoLOWAT, 20 × 4 KiB in 3 segments: 2 wakeups, 2 recv, 2 setsockopt per frame (+1 setsockopt per run)")
    void simCounts() {
        RpcWorkloadBenchmark.Counters c = run(RpcWorkloadBenchmark.SIM, "USERSPACE_AUTOLOWAT");
        assertEquals(OPERATIONS * 20L, c.frames);
        assertEquals(OPERATIONS * 40L, c.wakeups);
        assertEquals(OPERATIONS * 40L, c.recvCalls);
        assertEquals(OPERATIONS * 41L, c.setsockoptCalls);
    }

    @Test
    @DisplayName("sim and native agree exactly on the counts (userspace AutoLOWAT and lowat 1; root only)")
    void simAndNativeAgree() {
        String why = RpcWorkloadBenchmark.rootMissing();
        Assumptions.assumeTrue(why == null, why);
        for (String mode : new String[] {"USERSPACE_AUTOLOWAT", "LOWAT_1"}) {
            RpcWorkloadBenchmark.Counters sim = run(RpcWorkloadBenchmark.SIM, mode);
            RpcWorkloadBenchmark.Counters nat = run(RpcWorkloadBenchmark.NATIVE, mode);
            assertEquals(sim.frames, nat.frames, mode + ": frames");
            assertEquals(sim.wakeups, nat.wakeups, mode + ": wakeups");
            assertEquals(sim.recvCalls, nat.recvCalls, mode + ": recv calls");
            assertEquals(sim.setsockoptCalls, nat.setsockoptCalls, mode + ": setsockopt calls");
        }
    }

    @Test
    @DisplayName("counters reset at each iteration")
    void countersReset() {
        RpcWorkloadBenchmark.Counters c = run(RpcWorkloadBenchmark.SIM, "LOWAT_1");
        assertTrue(c.wakeups > 0);
        c.reset();
        assertEquals(0, c.wakeups + c.recvCalls + c.setsockoptCalls + c.frames);
    }

    @Test
    @DisplayName("an unknown backend or mode is refused at setup with the valid values")
    void unknownParamsAreRefused() {
        RpcWorkloadBenchmark b = new RpcWorkloadBenchmark();
        b.backend = "kvm";
        b.mode = "LOWAT_1";
        b.frames = 1;
        b.frameSize = 258;
        b.segments = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::setup);
        assertTrue(e.getMessage().contains("sim") && e.getMessage().contains("native"), e.getMessage());
        b.backend = "sim";
        b.mode = "LOWAT_2";
        e = assertThrows(IllegalArgumentException.class, b::setup);
        assertTrue(e.getMessage().contains("USERSPACE_AUTOLOWAT"), e.getMessage());
    }
}
