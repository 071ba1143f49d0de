package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule generators themselves, on the simulator: their scenarios run to the end and
 * deterministically on a simulator like the pair's (with the series, or a stock kernel), stay in their
 * regime against a kernel, exercise the rule they are for, and shrink to small scenarios. This also
 * covers the rules a stock kernel cannot run (F3, F4, H1, H2, K1, A*): their generators are ready for a
 * kernel carrying the series.
 */
class RuleGeneratorsTest {
    static final Target STOCK_KERNEL = new Target(true, false, false);
    static final Target SERIES_KERNEL = new Target(true, false, true);
    static final int TRIES = 40;

    static SimBackend simFor(Target t) {
        return new SimBackend(SimConfig.DEFAULT.withSeries(t.series()));
    }

    static List<Trace> traces(Rule rule, Target t) {
        List<Trace> out = new ArrayList<>();
        SimBackend sim = simFor(t);
        Property.forAll("generator " + rule + " " + t, RuleProperties.of(rule).generator().apply(t)).tries(TRIES).check(s -> {
            assertTrue(ScenarioRunner.whyNotRunnable(s, sim).isEmpty() || !t.series(), s.summary());
            if (!t.series() && s.program().choice().needsSeries()) {
                return; // the pair reports the rule as not supported: such scenarios never run on a stock kernel
            }
            Trace a = ScenarioRunner.run(s, sim);
            assertTrue(a.complete(), () -> "did not run to the end:\n" + s.toText() + a.describe());
            Trace b = ScenarioRunner.run(s, sim);
            assertTrue(TraceComparison.compare(a, b, ComparisonRules.DEFAULT).agree(), "not deterministic:\n" + s.toText());
            if (t.kernel()) {
                inRegime(rule, s);
            }
            out.add(a);
        });
        return out;
    }

    /** The exact regime against a kernel (RuleProperties.EXACT, SMALL_SEGMENTS). */
    static void inRegime(Rule rule, Scenario s) {
        boolean small = rule.name().startsWith("K") || rule == Rule.H6;
        long sent = 0;
        boolean rd = false;
        boolean wr = false;
        for (Step st : s.steps()) {
            if (st instanceof Step.Send send) {
                sent += send.bytes();
                assertFalse(send.oneWrite(), s.summary());
                for (int c : send.cuts()) {
                    assertTrue(c <= (small ? 535 : 2048), "segment of " + c + " bytes: " + s.summary());
                }
                assertFalse(rd && wr, "data after shutdown(SHUT_RDWR): " + s.summary());
            }
            assertFalse(st instanceof Step.SendOutOfOrder, s.summary());
            if (st instanceof Step.ShutdownStep sh) {
                rd |= sh.how() != Shutdown.WRITE;
                wr |= sh.how() != Shutdown.READ;
            }
            if (st instanceof Step.SetRcvbuf b && !rule.name().startsWith("K")) {
                assertTrue(b.value() >= 65536, s.summary());
            }
        }
        assertTrue(sent <= (small ? 4096 : 16 * 1024 + 64), "sent " + sent + ": " + s.summary());
        assertFalse(s.mptcp() && s.hasSockOpsProgram(), s.summary());
    }

    @ParameterizedTest(name = "{0}: runs to the end, deterministically, in its regime (pairs with a kernel and inside the simulator)")
    @EnumSource(Rule.class)
    void generatorsRun(Rule rule) {
        for (Target t : List.of(STOCK_KERNEL, SERIES_KERNEL, Target.SIMULATOR)) {
            traces(rule, t);
        }
    }

    static boolean anyStep(List<Trace> traces, Predicate<StepRecord> p) {
        return traces.stream().flatMap(t -> t.steps().stream()).anyMatch(p);
    }

    static boolean result(StepRecord r, Class<? extends Step> kind, int value) {
        return kind.isInstance(r.step()) && r.result() == value;
    }

    static boolean log(StepRecord r, Predicate<Invocation> p) {
        return r.observation() != null && r.observation().invocations().stream().anyMatch(p);
    }

    @Test
    @DisplayName("each rule's scenarios exercise the rule (on the simulator with the series)")
    void coverage() {
        Target t = SERIES_KERNEL;
        assertTrue(anyStep(traces(Rule.F1, t), r -> r.index() == 0 && r.program().rets() != null
                && r.program().rets().get(0) != 0), "F1: unsupported bits returned");
        assertTrue(anyStep(traces(Rule.F2, t), r -> result(r, Step.SetFlags.class, -22)), "F2: -EINVAL");
        List<Trace> f3 = traces(Rule.F3, t);
        assertTrue(anyStep(f3, r -> result(r, Step.SetFlags.class, -16)), "F3: -EBUSY");
        assertTrue(anyStep(f3, r -> result(r, Step.SetFlags.class, 0) && (r.observation().cbFlags() & 0x80) != 0),
                "F3: RCVQ set");
        assertTrue(anyStep(traces(Rule.F4, t), r -> result(r, Step.AddToSockmap.class, -16)), "F4: -EBUSY");
        assertTrue(anyStep(traces(Rule.H1, t), r -> log(r, i -> i.op() == 21 && i.seq() != i.endSeq())), "H1: op 21 segments");
        assertTrue(anyStep(traces(Rule.H1, Target.SIMULATOR), r -> r.step() instanceof Step.SendOutOfOrder o
                && !o.order().equals(o.order().stream().sorted().toList())), "H1: out-of-order bursts");
        assertTrue(anyStep(traces(Rule.H2, t), r -> r.step() instanceof Step.Recv && r.result() > 0
                && log(r, i -> i.op() == 21 && i.seq() == 0 && i.endSeq() == 0)), "H2: recvmsg done");
        List<Trace> h3 = traces(Rule.H3, t);
        assertTrue(anyStep(h3, r -> r.step() instanceof Step.Send && !r.observation().readable()), "H3: not readable");
        assertTrue(anyStep(h3, r -> r.step() instanceof Step.Send && r.observation().readable()), "H3: readable");
        assertTrue(anyStep(traces(Rule.H4, t), r -> r.step() instanceof Step.ShutdownStep), "H4: shutdown");
        assertTrue(anyStep(traces(Rule.H5, t), r -> r.step() instanceof Step.Recv rv && rv.blocking() && r.result() > 0
                && r.result() < rv.length()), "H5: a blocking recv returning less than asked");
        assertTrue(traces(Rule.H6, Target.SIMULATOR).stream().anyMatch(RuleGeneratorsTest::wraps),
                "H6: sequence numbers that wrap");
        List<Trace> k1 = traces(Rule.K1, t);
        assertTrue(anyStep(k1, r -> r.program().rets() != null && r.program().rets().get(0) == -22), "K1: -EINVAL");
        assertTrue(anyStep(k1, r -> r.program().rets() != null && r.program().rets().get(1) == -95), "K1: not op 21");
        List<Trace> k2 = traces(Rule.K2, t);
        assertTrue(anyStep(k2, r -> r.observation().rcvLowat() == 16777216), "K2: the cap");
        assertTrue(anyStep(k2, r -> r.observation().rcvBuf() > 131072 && r.step() instanceof Step.SetRcvlowat), "K2: growth");
        assertTrue(anyStep(traces(Rule.K3, t), r -> r.step() instanceof Step.PeerGetsockopt && r.result() > 1), "K3: client");
        assertTrue(anyStep(traces(Rule.K4, t), r -> r.observation().rcvBuf() == 2 * 4194304), "K4: 2*rmem_max");
        List<Trace> a2 = traces(Rule.A2, Target.SIMULATOR);
        assertTrue(anyStep(a2, r -> result(r, Step.Enable.class, -1)), "A2: EPERM");
        assertTrue(anyStep(a2, r -> result(r, Step.Enable.class, 0) && (r.observation().cbFlags() & 0x80) != 0), "A2: enabled");
        assertTrue(anyStep(traces(Rule.A3, Target.SIMULATOR), r -> r.observation().rcvLowat() > 8), "A3/A4: a frame target");
        assertTrue(traces(Rule.A5, Target.SIMULATOR).stream().anyMatch(RuleGeneratorsTest::disabled), "A5: a disable");
        assertEquals(8 + 2 * SelftestCases.seriesProgramCases().cases().size(), RuleProperties.of(Rule.A6).examples().size(),
                "A6: the four selftest traces and the series-program cases, x two families");
        assertTrue(RuleProperties.of(Rule.A6).examples().stream().anyMatch(e -> e.scenario().name()
                .equals("A6 series program bare-fin-while-descriptor-complete")), "A6: issue 12's first input");
        assertTrue(RuleProperties.of(Rule.A6).examples().stream().anyMatch(e -> e.scenario().name()
                .equals("A6 series program walk-101-frames-and-complete-descriptor")), "A6: issue 12's second input");
    }

    /** Whether the trace's op-21 segments cross 2^32. */
    static boolean wraps(Trace t) {
        boolean high = false;
        for (StepRecord r : t.steps()) {
            for (Invocation i : r.observation().invocations()) {
                if (i.op() != 21 || i.seq() == i.endSeq()) {
                    continue;
                }
                if (Integer.compareUnsigned(i.endSeq(), i.seq()) < 0 || (high && i.seq() >= 0)) {
                    return true;
                }
                high |= i.seq() < 0;
            }
        }
        return false;
    }

    /** Whether RCVQ went from set to clear on a step that is not a flag update. */
    static boolean disabled(Trace t) {
        boolean on = false;
        for (StepRecord r : t.steps()) {
            boolean now = r.observation() != null && (r.observation().cbFlags() & 0x80) != 0;
            if (on && !now && !(r.step() instanceof Step.SetFlags)) {
                return true;
            }
            on = now;
        }
        return false;
    }

    @Test
    @DisplayName("failing scenarios shrink to the essential steps")
    void shrinking() {
        Gen<Scenario> k4 = RuleProperties.of(Rule.K4).generator().apply(STOCK_KERNEL);
        Property.Result<Scenario> r = Property.forAll("rcvbuf below 2304", k4).tries(500).run(s -> assertFalse(
                s.steps().stream().anyMatch(x -> x instanceof Step.SetRcvbuf b && b.value() >= 0 && b.value() < 2304)));
        assertNotNull(r.shrunk(), "the generator never produced a small SO_RCVBUF");
        assertEquals("family inet\nprogram none\nrcvbuf 0\n", r.shrunk().toText());
        Gen<Scenario> h3 = RuleProperties.of(Rule.H3).generator().apply(STOCK_KERNEL);
        Property.Result<Scenario> big = Property.forAll("sends below 1000 bytes", h3).tries(500).run(s -> assertTrue(
                s.steps().stream().filter(x -> x instanceof Step.Send).mapToInt(x -> ((Step.Send) x).bytes()).sum() < 1000));
        assertNotNull(big.shrunk());
        // one step, one segment (the value itself shrinks by halving and decrements, within the step budget)
        assertEquals(1, big.shrunk().steps().size(), big.shrunk().toText());
        Step.Send send = (Step.Send) big.shrunk().steps().get(0);
        assertEquals(1, send.cuts().size(), big.shrunk().toText());
        assertTrue(send.bytes() >= 1000 && send.bytes() <= 2048, big.shrunk().toText());
    }
}
