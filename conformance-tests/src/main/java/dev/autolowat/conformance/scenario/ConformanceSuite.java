package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The conformance suite over a set of backends: for every rule of SEMANTICS.md, its
 * {@link RuleProperty} and the differential pairs it runs on ({@link RuleCheck}):
 * <ul>
 *   <li>"sim ↔ b" for every backend {@code b} that is not a simulator (the simulator is the reference,
 *       configured as {@code b}'s machine) — reported as not supported where {@code b}'s capabilities
 *       say so;</li>
 *   <li>"Java handler ↔ bytecode (sim)" for the reference-policy rules A1–A6.</li>
 * </ul>
 *
 * <pre>{@code
 * ConformanceSuite suite = ConformanceSuite.discover();
 * for (Rule rule : ConformanceSuite.rules()) {
 *     for (RuleCheck check : suite.checks(rule)) {
 *         CheckOutcome o = check.run();               // or run(tries, seed)
 *         System.out.println(o.summary());
 *         if (o.status() == CheckOutcome.Status.FAILED) {
 *             System.out.println(o.shrunk().toText()); // the shrunk scenario, replayable
 *             System.out.println(o.firstDifference());  // step, field, both values
 *         }
 *     }
 * }
 * }</pre>
 */
public final class ConformanceSuite {
    private final List<Backend> backends;
    private final PolicyUnderTest policy;

    public ConformanceSuite(List<Backend> backends) {
        this(backends, PolicyUnderTest.REFERENCE);
    }

    private ConformanceSuite(List<Backend> backends, PolicyUnderTest policy) {
        this.backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * The same suite with {@code policy} in place of the reference policy: the policy rules (A1–A6) run
     * it on every pair ({@code autolowat report --policy FILE.o}); the other rules do not attach a policy
     * and have no checks ({@link #checks}).
     */
    public ConformanceSuite withPolicy(PolicyUnderTest policy) {
        return new ConformanceSuite(backends, policy);
    }

    /** The policy the policy rules run. */
    public PolicyUnderTest policy() {
        return policy;
    }

    /**
     * The suite over {@code backends}: e.g. {@code of(List.of(new SimBackend(SimConfig.DEFAULT.withFaults(fault))))}
     * compares the correct simulator with a deliberately broken one.
     */
    public static ConformanceSuite of(List<Backend> backends) {
        return new ConformanceSuite(backends);
    }

    /** The suite over every backend {@link java.util.ServiceLoader} finds. */
    public static ConformanceSuite discover() {
        return new ConformanceSuite(Backends.discover());
    }

    /** Every rule, in order F1 … A6. */
    public static List<Rule> rules() {
        return List.of(Rule.values());
    }

    public List<Backend> backends() {
        return backends;
    }

    /** The backends compared with the simulator (every one that is not a simulator). */
    public List<Backend> comparedBackends() {
        return backends.stream().filter(b -> !Backends.isSimulator(b)).toList();
    }

    /** The property of {@code rule}. */
    public RuleProperty property(Rule rule) {
        return RuleProperties.of(rule);
    }

    /** The checks of {@code rule}: one per pair (none for a rule without a policy when a user's policy is checked). */
    public List<RuleCheck> checks(Rule rule) {
        RuleProperty p = property(rule);
        List<RuleCheck> out = new ArrayList<>();
        if (!policy.isReference() && !p.policy()) {
            return out;
        }
        for (Backend b : comparedBackends()) {
            out.add(new RuleCheck(p, RuleCheck.Kind.SIM_VS_BACKEND, b, policy));
        }
        if (p.policy()) {
            out.add(new RuleCheck(p, RuleCheck.Kind.JAVA_VS_BYTECODE, null, policy));
        }
        return out;
    }

    /** Every check of every rule, in rule order. */
    public List<RuleCheck> allChecks() {
        List<RuleCheck> out = new ArrayList<>();
        for (Rule r : rules()) {
            out.addAll(checks(r));
        }
        return out;
    }
}
