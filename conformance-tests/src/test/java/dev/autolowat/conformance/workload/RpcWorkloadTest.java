package dev.autolowat.conformance.workload;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The series' promise on the simulator: one wakeup and one recv per frame with the policy. */
class RpcWorkloadTest {

    private static WorkloadResult run(int frames, int size, int segments, ReaderMode mode, ConnectOptions family) {
        return new RpcWorkload(frames, size, segments, mode, family).run(new SimBackend(), ReferenceAutoLowat.policy());
    }

    @Test
    @DisplayName("A3/A4/H3: 10,000 frames of 258 bytes in 3 segments: 1 wakeup and 1 recv per frame with the policy")
    void policyGivesOneWakeupPerFrame() {
        WorkloadResult r = run(10_000, 258, 3, ReaderMode.BPF_AUTOLOWAT, ConnectOptions.IPV4);
        assertEquals(10_000, r.wakeups());
        assertEquals(10_000, r.recvCalls());
        assertEquals(258.0, r.bytesPerRecv());
    }

    @Test
    @DisplayName("H3: 10,000 frames of 258 bytes in 3 segments: 3 wakeups and 3 recvs per frame at lowat 1")
    void lowatOneGivesOneWakeupPerSegment() {
        WorkloadResult r = run(10_000, 258, 3, ReaderMode.LOWAT_1, ConnectOptions.IPV4);
        assertEquals(30_000, r.wakeups());
        assertEquals(30_000, r.recvCalls());
        assertEquals(3.0, r.wakeupsPerFrame());
    }

    @ParameterizedTest(name = "{0} bytes in {1} segments over {2}")
    @CsvSource({"258, 1, INET", "258, 8, INET6", "4096, 5, INET", "4096, 8, INET6", "32768, 8, INET"})
    @DisplayName("A3/A4: the policy wakes once per frame for frames well inside the receive window")
    void oneWakeupPerFrameAcrossSizes(int size, int segments, String family) {
        ConnectOptions options = ConnectOptions.of(dev.autolowat.api.spi.Family.valueOf(family));
        WorkloadResult r = run(200, size, segments, ReaderMode.BPF_AUTOLOWAT, options);
        assertEquals(200, r.wakeups(), "wakeups");
        assertEquals(200, r.recvCalls(), "recv calls");
        assertEquals((long) 200 * size, r.bytesRead());
    }

    @ParameterizedTest(name = "{0} bytes in {1} segments")
    @CsvSource({"65536, 2", "65536, 8", "262144, 4"})
    @DisplayName("H3/A4: frames as large as the window: one wakeup per frame once the window has opened, no data left behind")
    void largeFramesWakeOncePerFrameAfterTheFirst(int size, int segments) {
        WorkloadResult r = run(100, size, segments, ReaderMode.BPF_AUTOLOWAT, ConnectOptions.IPV4);
        // The handshake's window is one MSS (65483 bytes on loopback), less than a frame. The peer cuts
        // its segments to half the largest advertised window (tcp_bound_to_half_wnd), so the remaining
        // window stays above the receiver's MSS estimate and H3's "window down to one MSS" condition does
        // not wake the reader before a frame completes (docs/simulator.md).
        assertEquals(100, r.wakeups(), "wakeups " + r.wakeups());
        assertEquals((long) 100 * size, r.bytesRead());
        WorkloadResult lowat1 = run(100, size, segments, ReaderMode.LOWAT_1, ConnectOptions.IPV4);
        assertTrue(lowat1.wakeups() > r.wakeups(), "lowat 1 wakes more: " + lowat1.wakeups());
    }

    @Test
    @DisplayName("H3/K1: a 1 MiB frame in 16 segments outgrows 7/8 of the rcvbuf K1 gave it: memory pressure wakes the reader early, nothing is lost")
    void memoryPressureWakesEarlyForHugeFrames() {
        WorkloadResult r = run(50, 1 << 20, 16, ReaderMode.BPF_AUTOLOWAT, ConnectOptions.IPV4);
        // K1 grows sk_rcvbuf only to tcp_space_from_win(lowat), about the frame itself; the queued
        // truesize passes rcvbuf - rcvbuf/8 (tcp_rmem_pressure) with the 15th of 16 segments, before
        // the frame completes: a second wakeup per frame.
        assertEquals(100, r.wakeups(), "wakeups " + r.wakeups());
        assertEquals(50L << 20, r.bytesRead());
    }

    @Test
    @DisplayName("A2: a backend whose kernel lacks the series cannot run BPF AutoLOWAT: a clear error, not wrong numbers")
    void stockKernelRefusesPolicy() {
        RpcWorkload w = new RpcWorkload(10, 258, 3, ReaderMode.BPF_AUTOLOWAT, ConnectOptions.IPV4);
        ModeNotSupportedException e = assertThrows(ModeNotSupportedException.class,
                () -> w.run(new SimBackend(SimConfig.DEFAULT.withSeries(false)), ReferenceAutoLowat.policy()));
        assertTrue(e.getMessage().contains("not supported by this kernel"), e.getMessage());
        assertEquals(ReaderMode.BPF_AUTOLOWAT, e.mode());
    }

    @Test
    @DisplayName("bad workload parameters are refused with a message")
    void badParameters() {
        assertThrows(IllegalArgumentException.class, () -> new RpcWorkload(-1, 258, 3, ReaderMode.LOWAT_1, ConnectOptions.IPV4));
        assertThrows(IllegalArgumentException.class, () -> new RpcWorkload(1, 4, 1, ReaderMode.LOWAT_1, ConnectOptions.IPV4));
        assertThrows(IllegalArgumentException.class, () -> new RpcWorkload(1, 258, 0, ReaderMode.LOWAT_1, ConnectOptions.IPV4));
        assertThrows(NullPointerException.class, () -> new RpcWorkload(1, 258, 3, null, ConnectOptions.IPV4));
    }
}
