package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.kernel.NativeBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's approximation of what it cannot know, checked against the kernel <em>outside</em> the
 * regime where the rule properties compare value by value (docs/simulator.md, "Receive memory and the
 * window: how they are approximated"): skb truesize (the model charges payload + 576 per segment and
 * never coalesces) and the scaling ratio it learns from it. Here the model must keep the kernel's
 * mechanisms, with quantities within stated bounds:
 * <ul>
 *   <li>K1/K2 rcvbuf growth after a segment of 536 bytes or more: both grow to
 *       {@code tcp_space_from_win(val)} with a learned ratio; the model's ratio is higher (its per-skb
 *       overhead is smaller than the kernel's), so it grows no more than the kernel, and at least 3/4 of
 *       it. Below 536 bytes both grow to exactly {@code 2*val} (inside the regime);</li>
 *   <li>a write larger than the window: both queue about one window (within 10%) and stay readable;</li>
 *   <li>many small segments under a small rcvbuf: the model reaches memory pressure — and wakes the reader
 *       early — no later than the kernel, which coalesces small segments into fewer skbs.</li>
 * </ul>
 * Needs the native backend (root); skipped with its reason otherwise.
 */
class ModelApproximationTest {
    static final Backend NATIVE = new NativeBackend();

    static Differential.Result run(String text) {
        Scenario s = Scenario.parse(text);
        try {
            return Differential.simVersus(s, NATIVE);
        } catch (NotRunnableException e) {
            Assumptions.abort(e.getMessage());
            throw e;
        }
    }

    static Observation last(Trace t) {
        return t.steps().get(t.steps().size() - 1).observation();
    }

    @ParameterizedTest(name = "after a {0}-byte segment")
    @ValueSource(ints = {536, 1000, 2000, 4000})
    @DisplayName("K2 rcvbuf growth after a large segment: learned ratio, model within [3/4, 1] of the kernel")
    void growthAfterLargeSegment(int size) {
        Differential.Result r = run("send " + size + "\nrecv " + size + " nonblock\nrcvlowat 100000\n");
        int sim = last(r.reference()).rcvBuf();
        int nat = last(r.other()).rcvBuf();
        System.out.println("[approximation] rcvlowat 100000 after a " + size + "-byte segment: rcvbuf sim " + sim
                + ", kernel " + nat);
        assertEquals(100000, last(r.reference()).rcvLowat());
        assertEquals(100000, last(r.other()).rcvLowat());
        assertTrue(sim >= 131072 && nat >= 131072, "rcvbuf never shrinks: sim " + sim + ", kernel " + nat);
        assertTrue(sim <= nat, "the model grows no more than the kernel: sim " + sim + ", kernel " + nat);
        assertTrue(sim >= nat * 3L / 4, "the model grows at least 3/4 of the kernel: sim " + sim + ", kernel " + nat);
    }

    @Test
    @DisplayName("K2 rcvbuf growth before any 536-byte segment: exactly 2*val on both (inside the regime)")
    void growthBeforeLargeSegment() {
        Differential.Result r = run("send 500\nrecv 500 nonblock\nrcvlowat 100000\n");
        assertEquals(200000, last(r.reference()).rcvBuf());
        assertEquals(200000, last(r.other()).rcvBuf());
    }

    @Test
    @DisplayName("a write larger than the window: both queue about one window (within 10%) and are readable")
    void windowLimitedWrite() {
        Differential.Result r = run("rcvbuf 65536\nrcvlowat 100000\nwrite 200000\n");
        Observation sim = last(r.reference());
        Observation nat = last(r.other());
        System.out.println("[approximation] write 200000 into rcvbuf 131072: queued sim " + sim.queuedBytes() + ", kernel "
                + nat.queuedBytes());
        assertTrue(sim.readable() && nat.readable());
        assertTrue(sim.queuedBytes() < 200000 && nat.queuedBytes() < 200000, "the window holds data back at the peer");
        assertTrue(Math.abs(sim.queuedBytes() - nat.queuedBytes()) <= nat.queuedBytes() / 10,
                "sim " + sim.queuedBytes() + ", kernel " + nat.queuedBytes());
    }

    @ParameterizedTest(name = "{0}-byte segments")
    @ValueSource(ints = {100, 200, 300})
    @DisplayName("small segments under a small rcvbuf: the model wakes the reader no later than the kernel")
    void pressureIsConservative(int size) {
        List<String> lines = new ArrayList<>(List.of("rcvbuf 8192", "rcvlowat 8000"));
        int n = 8000 / size + 2;
        for (int i = 0; i < n; i++) {
            lines.add("send " + size);
        }
        Differential.Result r = run(String.join("\n", lines) + "\n");
        int sim = firstReadable(r.reference());
        int nat = firstReadable(r.other());
        System.out.println("[approximation] " + size + "-byte segments, rcvbuf 16384, lowat 8000: readable after "
                + sim + " segments (sim), " + nat + " (kernel)");
        assertTrue(sim <= nat, "the model wakes no later: sim after " + sim + " segments, kernel after " + nat);
    }

    private static int firstReadable(Trace t) {
        int sends = 0;
        for (StepRecord r : t.steps()) {
            if (r.step() instanceof Step.Send) {
                sends++;
                if (r.observation().readable()) {
                    return sends;
                }
            }
        }
        return Integer.MAX_VALUE;
    }
}
