package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import dev.autolowat.testkit.Gen;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The property of one rule of SEMANTICS.md: which scenarios exercise it and in which regime they are
 * compared. Every differential pair ({@link RuleCheck}) runs the scenarios of {@link #generator} on
 * both of its sides and requires identical traces.
 *
 * @param rule      the rule
 * @param title     what is checked, in a few words (test names start with the rule id, then this)
 * @param regime    where the comparison is meaningful: the scenarios' bounds and, against a kernel,
 *                  the regime in which the simulator is exact
 * @param generator scenarios for a target pair (kernels get the exact regime)
 * @param examples  fixed scenarios always run first (e.g. A6's selftest traces), each with an oracle
 *                  checked on both traces of the pair (may do nothing)
 * @param policy    whether the rule is about the reference policy: then its scenarios attach
 *                  {@code reference-bytecode} and the pair "Java handler ↔ bytecode" runs too
 */
public record RuleProperty(Rule rule, String title, String regime, Function<Target, Gen<Scenario>> generator,
                           List<Example> examples, boolean policy) {
    public RuleProperty {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(regime, "regime");
        Objects.requireNonNull(generator, "generator");
        examples = List.copyOf(examples);
    }

    /**
     * A fixed scenario and a check of a trace, applied to both sides of the pair, which throws
     * {@link AssertionError} when the trace breaks the rule.
     */
    public record Example(Scenario scenario, Consumer<Trace> oracle) {
        public Example {
            Objects.requireNonNull(scenario, "scenario");
            oracle = oracle == null ? t -> { } : oracle;
        }

        @Override
        public String toString() {
            return scenario.summary();
        }
    }

    /** The regime with its short names ({@code exact regime against a kernel}...) spelled out. */
    public String fullRegime() {
        return RuleProperties.expandRegime(regime);
    }

    /** {@code "K2 — userspace SO_RCVLOWAT ... (regime: ...)"}: the display name tests and reports use. */
    public String displayName() {
        return rule + " — " + title + " (regime: " + regime + ")";
    }
}
