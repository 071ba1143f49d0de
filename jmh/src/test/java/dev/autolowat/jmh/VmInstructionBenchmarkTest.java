package dev.autolowat.jmh;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.sim.vm.BpfMapView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of {@link VmInstructionBenchmark} without the JMH runner: exact instruction counts per
 * invocation, the program really computing what it says, repeatability of the policy's segment
 * event, and no allocation per operation.
 */
class VmInstructionBenchmarkTest {
    private static final int CALLS = 3_000;
    /**
     * Instructions of the reference policy's H1 on the middle segment of a frame, read off its
     * disassembly ({@code FramingPolicy.REFERENCE_RPC.disassembly()}): pc 0-21 (op, socket, tcp_sock,
     * storage, kern ctx, skb: 21 instructions, the LD_IMM64 at 10 is one), 22-30 (segment bounds,
     * buf_len == 8: descriptor complete, 9), 86-92 (one pass of the walk: counter checked and
     * incremented, frame end after the segment, 7), 97-105 and 111-114 (A4: copied_seq == desc_seq,
     * descriptor complete, target = end_seq - copied_seq == sk_rcvlowat: no kfunc, 13), 118-119
     * (return 1, 2) = 52.
     */
    private static final int MIDDLE_SEGMENT_INSTRUCTIONS = 52;

    private VmInstructionBenchmark b;

    @BeforeEach
    void setUp() {
        b = new VmInstructionBenchmark();
        b.setup();
    }

    /** The loop of {@link VmInstructionBenchmark#loopProgram()} in Java: what r0 must be. */
    private static long expectedLoopResult() {
        long r0 = 0;
        for (long r2 = 0; r2 < VmInstructionBenchmark.LOOP_ITERATIONS; r2++) {
            r0 += r2;
            r0 ^= 0x5a5a5a5a;
            r0 *= 3;
            r0 >>>= 1;
        }
        return r0 & 1;
    }

    @Test
    @DisplayName("emptyProgram: exactly 2 instructions per invocation, returns 1")
    void emptyProgramIsExact() {
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        for (int i = 0; i < CALLS; i++) {
            assertEquals(1, b.emptyProgram(counters), "r0 of invocation " + i);
            assertEquals(VmInstructionBenchmark.EMPTY_INSTRUCTIONS, b.empty().lastInstructionCount(), "invocation " + i);
        }
        assertEquals(CALLS, counters.invocations);
        assertEquals((long) CALLS * VmInstructionBenchmark.EMPTY_INSTRUCTIONS, counters.instructions);
    }

    @Test
    @DisplayName("countedLoop: exactly 6004 instructions per invocation, and the loop computes what it says")
    void countedLoopIsExact() {
        assertEquals(6004, VmInstructionBenchmark.LOOP_INSTRUCTIONS);
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        long expected = expectedLoopResult();
        for (int i = 0; i < CALLS; i++) {
            assertEquals(expected, b.countedLoop(counters), "r0 of invocation " + i);
            assertEquals(VmInstructionBenchmark.LOOP_INSTRUCTIONS, b.loop().lastInstructionCount(), "invocation " + i);
        }
        assertEquals(CALLS, counters.invocations);
        assertEquals((long) CALLS * VmInstructionBenchmark.LOOP_INSTRUCTIONS, counters.instructions);
    }

    @Test
    @DisplayName("policySegment: 52 instructions per invocation, returns 1, leaves the state and sk_rcvlowat unchanged")
    void policySegmentIsRepeatable() {
        BpfMapView state = b.maps().view(FramingPolicy.REFERENCE_RPC.stateMap().name());
        TcpSocketModel socket = b.segmentSocket();
        byte[] stateBefore = state.storageOf(socket);
        assertEquals(PolicyInvocationBenchmark.FRAME_SIZE, socket.rcvLowat());
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        for (int i = 0; i < CALLS; i++) {
            assertEquals(1, b.policySegment(counters), "r0 of invocation " + i);
            assertEquals(MIDDLE_SEGMENT_INSTRUCTIONS, b.policySockOps().lastInstructionCount(), "invocation " + i);
        }
        assertEquals(CALLS, counters.invocations);
        assertEquals((long) CALLS * MIDDLE_SEGMENT_INSTRUCTIONS, counters.instructions);
        assertArrayEquals(stateBefore, state.storageOf(socket), "the policy state after " + CALLS + " repeats");
        assertEquals(PolicyInvocationBenchmark.FRAME_SIZE, socket.rcvLowat(), "sk_rcvlowat after the repeats");
    }

    @Test
    @DisplayName("policyFrame: 4 invocations per frame, the same instruction count every frame, frame read whole, lowat 8 between frames")
    void policyFrameIsExact() {
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        TcpSocketModel socket = b.frameSocket();
        long perFrame = -1;
        for (int f = 0; f < CALLS; f++) {
            long instructionsBefore = counters.instructions;
            long invocationsBefore = counters.invocations;
            long wakeupsBefore = socket.edgeWakeups();
            assertEquals(PolicyInvocationBenchmark.FRAME_SIZE, b.policyFrame(counters), "bytes read, frame " + f);
            assertEquals(4, counters.invocations - invocationsBefore, "invocations of frame " + f);
            long instructions = counters.instructions - instructionsBefore;
            if (perFrame < 0) {
                perFrame = instructions;
                System.out.println("[vm instructions] per frame " + perFrame);
            }
            assertEquals(perFrame, instructions, "instructions of frame " + f + " (the first frame took " + perFrame + ")");
            assertEquals(1, socket.edgeWakeups() - wakeupsBefore, "wakeups of frame " + f);
            assertEquals(8, socket.rcvLowat(), "sk_rcvlowat between frames (A4: the next descriptor)");
            assertEquals(0, socket.inq(), "nothing left queued after frame " + f);
        }
        assertTrue(perFrame > 4 * MIDDLE_SEGMENT_INSTRUCTIONS / 2, "instructions per frame: " + perFrame);
        assertEquals(4L * CALLS, counters.invocations);
        assertEquals(perFrame * CALLS, counters.instructions);
    }

    @Test
    @DisplayName("counters reset at each iteration (JMH @Setup(Level.Iteration))")
    void countersReset() {
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        b.countedLoop(counters);
        counters.reset();
        assertEquals(0, counters.instructions + counters.invocations);
    }

    @Test
    @DisplayName("emptyProgram allocates nothing per call after warm-up")
    void emptyProgramDoesNotAllocate() {
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        AllocationProbe.assertNoAllocation("emptyProgram", () -> b.emptyProgram(counters));
    }

    @Test
    @DisplayName("countedLoop allocates nothing per call after warm-up")
    void countedLoopDoesNotAllocate() {
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        AllocationProbe.assertNoAllocation("countedLoop", () -> b.countedLoop(counters));
    }

    @Test
    @DisplayName("policySegment allocates nothing per call after warm-up")
    void policySegmentDoesNotAllocate() {
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        AllocationProbe.assertNoAllocation("policySegment", () -> b.policySegment(counters));
    }

    @Test
    @DisplayName("policyFrame allocates nothing per call after warm-up")
    void policyFrameDoesNotAllocate() {
        VmInstructionBenchmark.Counters counters = new VmInstructionBenchmark.Counters();
        AllocationProbe.assertNoAllocation("policyFrame", () -> b.policyFrame(counters));
        assertEquals(4L * (AllocationProbe.WARMUP_CALLS + AllocationProbe.MEASURED_CALLS), counters.invocations);
    }
}
