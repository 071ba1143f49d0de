package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.sim.SimBackend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Step-by-step comparison, its regime filters, and the verdicts on differences. */
class TraceComparisonTest {
    static final Scenario S = Scenario.parse("program logger\nsend 10\nrecv 5 nonblock\n");

    static Observation obs(int lowat, Invocation... log) {
        return new Observation(lowat, 131072, false, 0, 0, 0, List.of(log));
    }

    static Trace trace(String backend, List<Observation> observations, List<Integer> results) {
        List<StepRecord> steps = new ArrayList<>();
        long sent = 0;
        for (int i = 0; i < observations.size(); i++) {
            Step step = i == 0 ? null : S.steps().get(i - 1);
            steps.add(new StepRecord(i, step, results.get(i), observations.get(i), ProgramView.EMPTY, null, sent));
            if (step instanceof Step.Send s) {
                sent += s.bytes();
            }
        }
        return new Trace(backend, S, steps);
    }

    @Test
    @DisplayName("op-21 sequence numbers are compared relative to the stream: different ISNs agree")
    void relativeSequenceNumbers() {
        Trace a = trace("sim", List.of(obs(1, new Invocation(5, 0, 0, 0)), obs(1, new Invocation(21, 1000, 1010, 10)),
                obs(1, new Invocation(21, 0, 0, 0))), List.of(0, 10, 5));
        Trace b = trace("native", List.of(obs(1, new Invocation(5, 0, 0, 0), new Invocation(10, 0, 0, 0)),
                obs(1, new Invocation(21, -5, 5, 10)), obs(1, new Invocation(21, 0, 0, 0))), List.of(0, 10, 5));
        TraceComparison c = TraceComparison.compare(a, b, ComparisonRules.DEFAULT);
        assertTrue(c.agree(), c.toString());
        assertEquals("[5,21@0-10/10]", TraceComparison.log(List.of(new Invocation(5, 0, 0, 0), new Invocation(10, 0, 0, 0),
                new Invocation(21, 1000, 1010, 10)), ComparisonRules.DEFAULT, 1000L));
        // absolute comparison sees the ISNs, and op 10 when asked to
        TraceComparison abs = TraceComparison.compare(a, b, new ComparisonRules(Set.of(5, 10, 21), false, true, true));
        assertEquals(List.of("invocations", "invocations"), abs.differences().stream().map(Difference::field).toList());
        assertEquals(0, abs.first().orElseThrow().step());
    }

    @Test
    @DisplayName("the first difference names the step, the field and both values; missing steps are differences")
    void firstDifference() {
        Trace a = trace("sim", List.of(obs(1), obs(1), obs(1)), List.of(0, 10, 5));
        Trace b = trace("native", List.of(obs(1), obs(7)), List.of(0, 10));
        TraceComparison c = TraceComparison.compare(a, b, ComparisonRules.DEFAULT);
        assertEquals(new Difference(1, "send 10", "rcvLowat", "1", "7"), c.first().orElseThrow());
        assertEquals(new Difference(2, "recv 5 nonblock", "step", "ran", "missing"), c.differences().get(1));
    }

    @Test
    @DisplayName("expectations: must happen with their values, onward covers later steps, sometimes may not happen")
    void expectations() {
        Trace a = trace("sim", List.of(obs(1), obs(1), obs(1)), List.of(0, 10, 5));
        Trace b = trace("native", List.of(obs(1), obs(7), obs(9)), List.of(0, 10, 4));
        TraceComparison c = TraceComparison.compare(a, b, ComparisonRules.DEFAULT);
        Scenario exact = S.expecting(new Expectation("native", 1, "rcvLowat", "1", "7", false, "r"));
        Verdict v = Verdict.withExpectations(exact, "native", c);
        assertEquals(2, v.unexplained().size());
        Verdict onward = Verdict.withExpectations(S.expecting(new Expectation("native", 1, "rcvLowat", "1", "7", true, "r")),
                "native", c);
        assertTrue(onward.ok(), onward.describe());
        Verdict missing = Verdict.withExpectations(S.expecting(new Expectation("native", 1, "rcvLowat", "1", "8", true, "r")),
                "native", c);
        assertEquals(1, missing.missing().size());
        assertFalse(missing.ok());
        Verdict sometimes = Verdict.withExpectations(S.expecting(new Expectation("native", 1, "rcvBuf", "1", "8", true, true,
                "r")), "native", TraceComparison.compare(a, a, ComparisonRules.DEFAULT));
        assertTrue(sometimes.ok(), sometimes.describe());
        // another backend's expectations do not count
        assertFalse(Verdict.withExpectations(S.expecting(new Expectation("other", 1, "rcvLowat", "1", "7", true, "r")),
                "native", c).ok());
    }

    @Test
    @DisplayName("known differences explain their cases and nothing unrelated")
    void knownDifferences() {
        Scenario mptcp = Scenario.parse("mptcp\nsend 10\npeer-shutdown\nrecv 100 nonblock\n");
        assertTrue(KnownDifferences.explain(mptcp, "native", new Difference(2, "peer-shutdown", "queuedBytes", "10", "11"))
                .isPresent());
        assertFalse(KnownDifferences.explain(mptcp, "native", new Difference(1, "send 10", "queuedBytes", "10", "11"))
                .isPresent(), "before the FIN");
        assertFalse(KnownDifferences.explain(mptcp, "native", new Difference(2, "peer-shutdown", "queuedBytes", "10", "12"))
                .isPresent());
        assertFalse(KnownDifferences.explain(mptcp.withMptcp(false), "native",
                new Difference(2, "peer-shutdown", "queuedBytes", "10", "11")).isPresent());
        Scenario rcvbuf = Scenario.parse("rcvlowat 5\nrcvbuf 100\nrcvlowat 5000\n");
        assertFalse(KnownDifferences.explain(rcvbuf, "native", new Difference(1, "rcvlowat 5", "rcvLowat", "5", "6"))
                .isPresent(), "before the trigger");
        assertFalse(KnownDifferences.explain(rcvbuf, "native", new Difference(3, "rcvlowat 5000", "result", "0", "-22"))
                .isPresent(), "other fields stay compared");
        // inside the simulator only the policy's own entries apply
        assertFalse(KnownDifferences.explain(rcvbuf, KnownDifferences.BYTECODE,
                new Difference(3, "rcvlowat 5000", "rcvLowat", "2304", "1152")).isPresent());
        // MPTCP: a later extra wakeup on the kernel is documented; fewer wakeups, or TCP, is not
        Scenario late = Scenario.parse("mptcp\nsend 1\nflags 0x80\n");
        assertTrue(KnownDifferences.explain(late, "native", new Difference(2, "flags 0x80", "edgeWakeups", "1", "2"))
                .filter(k -> k == KnownDifferences.MPTCP_LATE_WAKEUP).isPresent());
        assertFalse(KnownDifferences.explain(late, "native", new Difference(2, "flags 0x80", "edgeWakeups", "2", "1"))
                .isPresent(), "the kernel missing a wakeup is not explained");
        assertFalse(KnownDifferences.explain(late.withMptcp(false), "native",
                new Difference(2, "flags 0x80", "edgeWakeups", "1", "2")).isPresent(), "TCP wakeups stay compared");
        for (KnownDifferences.Known k : KnownDifferences.ALL) {
            assertTrue(k.reason().length() > 40 && (k.open() == k.reason().startsWith("OPEN")), k.id());
        }
    }

    @Test
    @DisplayName("the simulator agrees with itself, step by step, on a scenario with every kind of step")
    void simulatorAgreesWithItself() {
        Scenario s = Scenario.parse("""
                program flags-probe 0x84 0x5
                stream frames 0:20*4
                send 10,20
                send-ooo 5,6,7 order 2,0,1
                recv 100 nonblock
                recv 100 block 5
                rcvlowat 50
                rcvbuf 70000
                enable 1
                flags 0x80
                sockmap add
                sockmap remove
                peer-getsockopt rcvbuf
                shutdown rd
                peer-shutdown
                """);
        Trace a = ScenarioRunner.run(s, new SimBackend());
        Trace b = ScenarioRunner.run(s, new SimBackend());
        assertTrue(a.complete(), a.describe());
        assertTrue(TraceComparison.compare(a, b, ComparisonRules.DEFAULT).agree());
        assertEquals(s.steps().size() + 1, a.steps().size());
        // with the series every bit of 0x84 is supported (a stock kernel: 0x80, -EINVAL, 0, 0x04, ...)
        assertEquals(List.of(0L, 0L, 0L, 0x84L, 0L, 0L, 0x05L, 0L), a.steps().get(0).program().rets());
        assertTrue(a.steps().get(2).program().invLog().size() >= 1);
    }
}
