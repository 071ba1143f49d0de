package dev.autolowat.jmh;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Smoke test of {@link SimulatorThroughputBenchmark} without the JMH runner: the state is made
 * directly, set up, and the benchmark method called in a plain loop. It checks what the benchmark
 * claims to measure (wakeups and recv calls per frame, H3) and that its operation allocates nothing.
 * No benchmark is run here.
 */
class SimulatorThroughputBenchmarkTest {
    private static final int FRAMES = 1_000;
    private static final int ALLOCATION_WARMUP_CALLS = 10_000;
    private static final int ALLOCATION_MEASURED_CALLS = 10_000;
    private static final long ALLOCATION_LIMIT_BYTES = 64 * 1024;

    private SimulatorThroughputBenchmark benchmark;

    private SimulatorThroughputBenchmark setUp(String mode) {
        benchmark = new SimulatorThroughputBenchmark();
        benchmark.mode = mode;
        benchmark.setup();
        return benchmark;
    }

    @AfterEach
    void tearDown() {
        if (benchmark != null) {
            benchmark.tearDown();
            benchmark = null;
        }
    }

    @Test
    @DisplayName("the frame is 258 bytes, A1 descriptor {100, 150} little-endian, then zero bytes")
    void frameLayout() {
        byte[] frame = SimulatorThroughputBenchmark.frame(100, 150);
        assertEquals(258, frame.length);
        assertEquals(SimulatorThroughputBenchmark.FRAME_SIZE, frame.length);
        byte[] descriptor = {100, 0, 0, 0, (byte) 150, 0, 0, 0};
        for (int i = 0; i < descriptor.length; i++) {
            assertEquals(descriptor[i], frame[i], "descriptor byte " + i);
        }
        for (int i = descriptor.length; i < frame.length; i++) {
            assertEquals(0, frame[i], "byte " + i + " of header/payload");
        }
    }

    @Test
    @DisplayName("LOWAT_1: exactly 3 wakeups and 3 recv calls per frame (H3: every segment wakes the reader)")
    void lowat1CountsThreePerFrame() {
        assertCounts(SimulatorThroughputBenchmark.LOWAT_1, 3, 3);
    }

    @Test
    @DisplayName("AUTOLOWAT: exactly 1 wakeup and 1 recv call per frame (reference policy, A2-A4)")
    void autoLowatCountsOnePerFrame() {
        assertCounts(SimulatorThroughputBenchmark.AUTOLOWAT, 1, 1);
        assertEquals(8, benchmark.connection().rcvLowat(),
                "between frames the policy waits for the next 8-byte descriptor (A4)");
    }

    private void assertCounts(String mode, long wakeupsPerFrame, long recvCallsPerFrame) {
        SimulatorThroughputBenchmark b = setUp(mode);
        SimulatorThroughputBenchmark.Counters counters = new SimulatorThroughputBenchmark.Counters();
        for (int f = 0; f < FRAMES; f++) {
            long wakeupsBefore = counters.wakeups;
            long recvBefore = counters.recvCalls;
            int read = b.rpcFrame(counters);
            assertEquals(wakeupsPerFrame, counters.wakeups - wakeupsBefore, mode + ": wakeups of frame " + f);
            assertEquals(recvCallsPerFrame, counters.recvCalls - recvBefore, mode + ": recv calls of frame " + f);
            assertEquals(SimulatorThroughputBenchmark.FRAME_SIZE, read,
                    mode + ": bytes read during frame " + f + " (the whole frame, nothing left queued)");
        }
        assertEquals(FRAMES, counters.frames, mode + ": frames");
        assertEquals(wakeupsPerFrame * FRAMES, counters.wakeups, mode + ": wakeups");
        assertEquals(recvCallsPerFrame * FRAMES, counters.recvCalls, mode + ": recv calls");
        assertEquals(b.bytesSent(), b.bytesRead(), mode + ": bytes read vs sent");
        assertEquals((long) FRAMES * SimulatorThroughputBenchmark.FRAME_SIZE, b.bytesRead(), mode + ": bytes read");
        assertEquals(0, b.connection().socket().inq(), mode + ": nothing left queued");
    }

    @Test
    @DisplayName("counters reset at each iteration (JMH @Setup(Level.Iteration))")
    void countersReset() {
        SimulatorThroughputBenchmark b = setUp(SimulatorThroughputBenchmark.LOWAT_1);
        SimulatorThroughputBenchmark.Counters counters = new SimulatorThroughputBenchmark.Counters();
        b.rpcFrame(counters);
        counters.reset();
        assertEquals(0, counters.wakeups + counters.recvCalls + counters.frames);
    }

    @Test
    @DisplayName("an unknown mode is refused at setup with the valid values")
    void unknownModeIsRefused() {
        SimulatorThroughputBenchmark b = new SimulatorThroughputBenchmark();
        b.mode = "LOWAT_2";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::setup);
        assertTrue(e.getMessage().contains("LOWAT_1") && e.getMessage().contains("AUTOLOWAT"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}: < 64 KiB allocated over 10,000 frames after 10,000 warm-up frames")
    @ValueSource(strings = {SimulatorThroughputBenchmark.LOWAT_1, SimulatorThroughputBenchmark.AUTOLOWAT})
    @DisplayName("the benchmark operation allocates nothing per call after warm-up")
    void operationDoesNotAllocate(String mode) {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean,
                "allocation measurement not supported by this JVM: its ThreadMXBean is not a "
                        + "com.sun.management.ThreadMXBean (" + plain.getClass().getName() + ")");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(threads.isThreadAllocatedMemorySupported(),
                "allocation measurement not supported by this JVM: isThreadAllocatedMemorySupported() is false");
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        long threadId = Thread.currentThread().getId();

        SimulatorThroughputBenchmark b = setUp(mode);
        SimulatorThroughputBenchmark.Counters counters = new SimulatorThroughputBenchmark.Counters();
        long sink = 0;
        for (int i = 0; i < ALLOCATION_WARMUP_CALLS; i++) {
            sink += b.rpcFrame(counters);
        }
        long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < ALLOCATION_MEASURED_CALLS; i++) {
            sink += b.rpcFrame(counters);
        }
        long after = threads.getThreadAllocatedBytes(threadId);
        assumeTrue(before >= 0 && after >= 0,
                "allocation measurement not supported by this JVM: getThreadAllocatedBytes returned -1");

        long allocated = after - before;
        assertEquals((long) (ALLOCATION_WARMUP_CALLS + ALLOCATION_MEASURED_CALLS) * SimulatorThroughputBenchmark.FRAME_SIZE,
                sink, mode + ": every frame read whole");
        assertTrue(allocated < ALLOCATION_LIMIT_BYTES, mode + ": " + allocated + " bytes allocated over "
                + ALLOCATION_MEASURED_CALLS + " benchmark calls after " + ALLOCATION_WARMUP_CALLS
                + " warm-up calls (limit " + ALLOCATION_LIMIT_BYTES + "): the operation allocates per call, about "
                + allocated / ALLOCATION_MEASURED_CALLS + " bytes each");
    }
}
