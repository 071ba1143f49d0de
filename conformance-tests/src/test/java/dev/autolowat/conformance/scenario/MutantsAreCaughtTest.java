package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimFault;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue acceptance: deliberately broken backends ({@link SimFault}) are each caught by the suite — the
 * correct simulator compared with {@code new SimBackend(SimConfig.DEFAULT.withFaults(fault))} — with a
 * shrunk scenario of at most 6 steps.
 */
class MutantsAreCaughtTest {
    private static final int TRIES = 200;
    private static final long SEED = 42L;
    private static final int MAX_STEPS = 6;

    @ParameterizedTest(name = "{0} is caught with a shrunk scenario of at most 6 steps")
    @EnumSource(SimFault.class)
    @DisplayName("a mutant simulator fails at least one rule check, shrunk to at most 6 steps")
    void mutantIsCaught(SimFault fault) {
        SimBackend mutant = new SimBackend(SimConfig.DEFAULT.withFaults(fault));
        ConformanceSuite suite = ConformanceSuite.of(List.of(mutant));
        assertEquals(List.of(mutant), suite.comparedBackends(), "a mutant is compared with the correct simulator");
        List<String> caught = new ArrayList<>();
        List<String> tooLong = new ArrayList<>();
        for (Rule rule : ConformanceSuite.rules()) {
            for (RuleCheck check : suite.checks(rule)) {
                if (check.kind() != RuleCheck.Kind.SIM_VS_BACKEND) {
                    continue;
                }
                CheckOutcome o = check.run(TRIES, SEED);
                if (o.status() != CheckOutcome.Status.FAILED) {
                    continue;
                }
                int steps = o.shrunk().steps().size();
                String line = o.summary() + " — shrunk to " + steps + " steps:\n" + o.shrunk().toText();
                (steps <= MAX_STEPS ? caught : tooLong).add(line);
            }
        }
        if (caught.isEmpty()) {
            fail(fault + " is not caught with a shrunk scenario of at most " + MAX_STEPS + " steps; longer failures: "
                    + tooLong);
        }
        assertTrue(caught.stream().allMatch(l -> l.contains(mutant.name())), caught.toString());
    }
}
