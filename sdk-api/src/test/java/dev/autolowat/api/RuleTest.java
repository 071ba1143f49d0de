package dev.autolowat.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The rule catalogue must agree with SEMANTICS.md. */
class RuleTest {

    /**
     * Rules whose check needs op 21, flag 0x80 or the kfunc (SEMANTICS.md):
     * F3/F4 guard the RCVQ flag, H1/H2 are op 21, K1 is the kfunc, A1–A6 are the reference policy
     * which runs under op 21. F1/F2 (flag word, probing), H3–H6 (wakeup, recv, seq), K2–K4
     * (userspace and bpf_setsockopt setters) are observable on a stock kernel.
     */
    private static final Set<Rule> NEEDS_SERIES = EnumSet.of(
            Rule.F3, Rule.F4, Rule.H1, Rule.H2, Rule.K1,
            Rule.A1, Rule.A2, Rule.A3, Rule.A4, Rule.A5, Rule.A6);

    @Test
    @DisplayName("the catalogue has exactly the rule ids of SEMANTICS.md: F1-F4, H1-H6, K1-K4, A1-A6")
    void ruleIds() {
        Set<String> ids = Arrays.stream(Rule.values()).map(Rule::name).collect(Collectors.toSet());
        assertEquals(Set.of("F1", "F2", "F3", "F4", "H1", "H2", "H3", "H4", "H5", "H6",
                "K1", "K2", "K3", "K4", "A1", "A2", "A3", "A4", "A5", "A6"), ids);
    }

    @DisplayName("every rule has a non-blank one-line summary")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Rule.class)
    void summary(Rule rule) {
        assertNotNull(rule.summary());
        assertFalse(rule.summary().isBlank(), rule + " has a blank summary");
        assertFalse(rule.summary().contains("\n"), rule + " summary spans lines");
    }

    @DisplayName("the group follows the id's letter: F ENABLE, H HOOK, K LOWAT, A POLICY")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Rule.class)
    void group(Rule rule) {
        Rule.Group expected = switch (rule.name().charAt(0)) {
            case 'F' -> Rule.Group.ENABLE;
            case 'H' -> Rule.Group.HOOK;
            case 'K' -> Rule.Group.LOWAT;
            case 'A' -> Rule.Group.POLICY;
            default -> throw new AssertionError("unexpected rule id " + rule);
        };
        assertEquals(expected, rule.group());
    }

    @DisplayName("needsSeries is true exactly for F3, F4, H1, H2, K1, A1-A6 (op 21 / flag 0x80 / kfunc)")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Rule.class)
    void needsSeries(Rule rule) {
        assertEquals(NEEDS_SERIES.contains(rule), rule.needsSeries(),
                () -> rule + ".needsSeries() disagrees with SEMANTICS.md");
    }

    @Test
    @DisplayName("F1: probing support works on a stock kernel, so F1 must not need the series")
    void f1ProbeOnStockKernel() {
        assertFalse(Rule.F1.needsSeries());
        assertFalse(Rule.F2.needsSeries());
    }
}
