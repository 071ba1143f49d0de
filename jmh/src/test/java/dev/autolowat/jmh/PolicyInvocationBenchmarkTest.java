package dev.autolowat.jmh;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.spi.Invocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of {@link PolicyInvocationBenchmark} without the JMH runner: the state is made
 * directly, set up, and the benchmark method called in a plain loop. It checks that both forms of
 * the policy do the same work (4 invocations, 1 wakeup, the same {@code sk_rcvlowat} values and the
 * same dispatches per frame), that the invocation counter is exact, and that the operation
 * allocates nothing.
 */
class PolicyInvocationBenchmarkTest {
    private static final int FRAMES = 3_000;
    /** {@code sk_rcvlowat} after segment 1, 2, 3 and after the recv: frame end, frame end, frame end, next descriptor. */
    private static final int[] LOWAT_PER_FRAME = {258, 258, 258, 8};

    private final List<PolicyInvocationBenchmark> open = new ArrayList<>();

    private PolicyInvocationBenchmark setUp(String policy) {
        PolicyInvocationBenchmark b = new PolicyInvocationBenchmark();
        b.policy = policy;
        b.setup();
        open.add(b);
        return b;
    }

    @AfterEach
    void tearDown() {
        for (PolicyInvocationBenchmark b : open) {
            b.tearDown(); // checks liveness, RCVQ still set, no VM fault, counted == dispatched
        }
        open.clear();
    }

    /** What one form did over {@link #FRAMES} frames, checked frame by frame on the way. */
    private record Run(int[] lowats, List<Invocation> dispatches) {
    }

    private Run run(String policy) {
        PolicyInvocationBenchmark b = setUp(policy);
        b.loop().lowatTrace = new int[LOWAT_PER_FRAME.length * FRAMES];
        PolicyInvocationBenchmark.Counters counters = new PolicyInvocationBenchmark.Counters();
        List<Invocation> dispatches = new ArrayList<>();
        for (int f = 0; f < FRAMES; f++) {
            long invocationsBefore = counters.invocations;
            long wakeupsBefore = counters.wakeups;
            int read = b.rpcFrame(counters);
            assertEquals(PolicyInvocationBenchmark.FRAME_SIZE, read, policy + ": bytes read during frame " + f);
            assertEquals(4, counters.invocations - invocationsBefore, policy + ": invocations of frame " + f);
            assertEquals(1, counters.wakeups - wakeupsBefore, policy + ": wakeups of frame " + f);
            List<Invocation> logged = b.drainInvocations();
            assertEquals(4, logged.size(), policy + ": dispatches the connection logged for frame " + f + ": " + logged);
            for (int i = 0; i < 3; i++) {
                assertEquals(SockOpsOp.RCVQ_CB.value(), logged.get(i).op(), policy + ": H1 op, frame " + f);
                assertEquals(86, logged.get(i).skbLen(), policy + ": H1 segment length, frame " + f);
            }
            assertEquals(new Invocation(SockOpsOp.RCVQ_CB.value(), 0, 0, 0), logged.get(3), policy + ": H2, frame " + f);
            dispatches.addAll(logged);
        }
        assertEquals(FRAMES, counters.frames, policy + ": frames");
        assertEquals(4L * FRAMES, counters.invocations, policy + ": invocations");
        assertEquals(FRAMES, counters.wakeups, policy + ": wakeups");
        assertEquals(4L * FRAMES, b.invocationsCounted(), policy + ": invocations since setup");
        assertEquals(b.invocationsCounted(), b.dispatchesSinceSetup(), policy + ": counted vs dispatched");
        assertEquals(LOWAT_PER_FRAME.length * FRAMES, b.loop().lowatTraceLength, policy + ": lowat samples");
        assertTrue(CbFlags.rcvqEnabled(b.connection().cbFlags()), policy + ": the policy stayed enabled");
        return new Run(b.loop().lowatTrace, dispatches);
    }

    @Test
    @DisplayName("JAVA and BYTECODE do identical work: 4 invocations and 1 wakeup per frame, the same lowat sequence and dispatches")
    void bothFormsDoIdenticalWork() {
        Run java = run(PolicyInvocationBenchmark.JAVA);
        Run bytecode = run(PolicyInvocationBenchmark.BYTECODE);
        for (int f = 0; f < FRAMES; f++) {
            for (int i = 0; i < LOWAT_PER_FRAME.length; i++) {
                assertEquals(LOWAT_PER_FRAME[i], java.lowats()[f * LOWAT_PER_FRAME.length + i],
                        "JAVA: sk_rcvlowat at step " + i + " of frame " + f);
            }
        }
        assertArrayEquals(java.lowats(), bytecode.lowats(), "sk_rcvlowat after every packet and recv, JAVA vs BYTECODE");
        assertEquals(java.dispatches(), bytecode.dispatches(), "dispatches (op, seq, end_seq, skb_len), JAVA vs BYTECODE");
    }

    @Test
    @DisplayName("without the trace, the counters stay exact over a long run (the log wraps; teardown cross-checks it)")
    void countersExactWhenTheLogWraps() {
        PolicyInvocationBenchmark b = setUp(PolicyInvocationBenchmark.BYTECODE);
        PolicyInvocationBenchmark.Counters counters = new PolicyInvocationBenchmark.Counters();
        int frames = 10_000; // 40,000 dispatches: more than the log keeps, so it drops
        for (int f = 0; f < frames; f++) {
            b.rpcFrame(counters);
        }
        assertEquals(4L * frames, counters.invocations);
        assertEquals(frames, counters.wakeups);
        assertEquals(counters.invocations, b.dispatchesSinceSetup());
        assertTrue(b.loop().droppedSinceSetup() > 0, "the invocation log wrapped (Observation.droppedInvocations)");
    }

    @Test
    @DisplayName("counters reset at each iteration (JMH @Setup(Level.Iteration))")
    void countersReset() {
        PolicyInvocationBenchmark b = setUp(PolicyInvocationBenchmark.JAVA);
        PolicyInvocationBenchmark.Counters counters = new PolicyInvocationBenchmark.Counters();
        b.rpcFrame(counters);
        counters.reset();
        assertEquals(0, counters.invocations + counters.frames + counters.wakeups);
    }

    @Test
    @DisplayName("an unknown policy is refused at setup with the valid values")
    void unknownPolicyIsRefused() {
        PolicyInvocationBenchmark b = new PolicyInvocationBenchmark();
        b.policy = "NATIVE";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::setup);
        assertTrue(e.getMessage().contains("JAVA") && e.getMessage().contains("BYTECODE"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}: < 64 KiB allocated over 10,000 frames after 10,000 warm-up frames")
    @ValueSource(strings = {PolicyInvocationBenchmark.JAVA, PolicyInvocationBenchmark.BYTECODE})
    @DisplayName("the benchmark operation allocates nothing per call after warm-up")
    void operationDoesNotAllocate(String policy) {
        PolicyInvocationBenchmark b = setUp(policy);
        PolicyInvocationBenchmark.Counters counters = new PolicyInvocationBenchmark.Counters();
        AllocationProbe.assertNoAllocation(policy, () -> b.rpcFrame(counters));
        long frames = AllocationProbe.WARMUP_CALLS + AllocationProbe.MEASURED_CALLS;
        assertEquals(4 * frames, counters.invocations, policy + ": invocations");
        assertEquals(frames * PolicyInvocationBenchmark.FRAME_SIZE, b.bytesRead(), policy + ": every frame read whole");
    }
}
