package dev.autolowat.sim;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Probe;
import dev.autolowat.sim.WakeupRulesProperties.Step;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator is deterministic: the same configuration (seed included) and the same scenario give
 * the same observations, step by step; the ISN seed decides the sequence numbers.
 */
class DeterminismProperties {

    record Run(long seed, boolean ipv6, List<Step> steps) {
    }

    /** Any seed, either family, and a scenario of the wakeup properties (bulk, floods, options, FIN). */
    static Gen<Run> runs() {
        return Gen.zip(Gen.longs(Long.MIN_VALUE, Long.MAX_VALUE),
                Gen.zip(Gen.booleans(), WakeupRulesProperties.anySteps().listOf(1, 15), (v6, steps) -> new Object[] {v6, steps}),
                (seed, rest) -> {
                    @SuppressWarnings("unchecked")
                    List<Step> steps = (List<Step>) rest[1];
                    return new Run(seed, (Boolean) rest[0], steps);
                });
    }

    /**
     * Runs the scenario on a fresh backend with the reference policy enabled, on the second connection
     * of the session, and returns the observation after every step with the step's result.
     */
    static List<Object> observe(SimConfig config, Run run) {
        List<Object> out = new ArrayList<>();
        try (SimSession session = new SimBackend(config).openSession()) {
            session.attach(ReferenceAutoLowat.policy());
            ConnectOptions family = run.ipv6() ? ConnectOptions.IPV6 : ConnectOptions.IPV4;
            SimConnection first = session.connect(family);
            first.send(new byte[] {1}, 1);
            SimConnection c = session.connect(family);
            out.add(c.enableAutoLowat(1));
            out.add(c.observe());
            // A first frame, so that every run logs sequence numbers (the ISN is part of what is compared).
            out.add(c.send(SimFixtures.frames(List.of(new int[] {4, 20})), 5, 27));
            out.add(c.observe());
            WakeupRulesProperties.runSteps(c, run.steps(), out);
        }
        return out;
    }

    @Test
    @DisplayName("determinism: for any seed and scenario (reference policy on), two runs give identical lists of observations, invocation logs included")
    void sameSeedSameObservations() {
        Property.forAll("determinism: same seed + same scenario => identical observations", runs()).tries(200).check(run -> {
            SimConfig config = SimConfig.DEFAULT.withIsnSeed(run.seed());
            List<Object> a = observe(config, run);
            List<Object> b = observe(config, run);
            assertEquals(a, b);
            assertTrue(a.stream().anyMatch(o -> o instanceof Observation obs
                            && obs.invocations().stream().anyMatch(i -> i.op() == 21 && i.endSeq() != i.seq())),
                    "the scenario logged program invocations, so the ISNs were compared");
        });
    }

    record SeedPair(long a, long b) {
    }

    static Gen<SeedPair> distinctSeeds() {
        return Gen.zip(Gen.longs(Long.MIN_VALUE, Long.MAX_VALUE), Gen.longs(1, Long.MAX_VALUE),
                (a, d) -> new SeedPair(a, a + d));
    }

    /** The first sequence number the peer sends on the first connection of a session, from the log. */
    static int firstSeq(SimConfig config) {
        try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4, Probe.rcvq())) {
            p.conn().send(new byte[] {7}, 1);
            List<Invocation> log = p.conn().observe().invocations().stream().filter(i -> i.op() == 21).toList();
            assertEquals(1, log.size());
            assertEquals(log.get(0).seq() + 1, log.get(0).endSeq());
            return log.get(0).seq();
        }
    }

    @Test
    @DisplayName("determinism: different ISN seeds give different ISNs (seen in the invocation log's seq); the same seed gives the same ISN")
    void differentSeedsDifferentIsns() {
        Property.forAll("determinism: different isnSeed => different ISNs", distinctSeeds()).tries(300).check(s -> {
            int a = firstSeq(SimConfig.DEFAULT.withIsnSeed(s.a()));
            int b = firstSeq(SimConfig.DEFAULT.withIsnSeed(s.b()));
            assertNotEquals(a, b, "seeds " + s.a() + " and " + s.b() + " gave the same ISN");
            assertEquals(a, firstSeq(SimConfig.DEFAULT.withIsnSeed(s.a())));
        });
    }

    @Test
    @DisplayName("determinism/H6: with a fixed ISN (any u32) the first data byte is ISN + 1; connections of one seeded session get different ISNs")
    void fixedIsnAndPerConnectionIsns() {
        Property.forAll("H6: fixed ISN => first seq = ISN + 1", Gen.anyInt()).tries(300).check(isn ->
                assertEquals(isn + 1, firstSeq(SimConfig.DEFAULT.withFixedIsn(isn))));
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(dev.autolowat.api.program.SockOpsProgram.of("p", Probe.rcvq()));
            SimConnection c1 = s.connect(ConnectOptions.IPV4);
            SimConnection c2 = s.connect(ConnectOptions.IPV4);
            assertFalse(c1.socket().rcvNxt() == c2.socket().rcvNxt(), "two connections, two ISNs");
        }
    }
}
