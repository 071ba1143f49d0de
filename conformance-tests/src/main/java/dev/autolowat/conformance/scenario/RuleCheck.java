package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.testkit.Property;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule's property on one differential pair: "sim ↔ native" (the simulator as the kernel's
 * machine against the kernel) or "Java handler ↔ bytecode (sim)". {@link #run()} checks the rule's
 * examples, then generated scenarios; a failing scenario is shrunk, and the outcome carries the shrunk
 * scenario (save it with {@link Corpus#save}) and its first differing step and field. A pair that
 * cannot run the rule (its capabilities say so) gives {@link CheckOutcome.Status#NOT_SUPPORTED} with the
 * backend's reason — never a pass.
 *
 * <p>Tries: {@code -Dautolowat.conformance.tries.native} (default {@value #DEFAULT_KERNEL_TRIES}) when a
 * kernel is in the pair — every native step is real system calls and waits —, else
 * {@code -Dautolowat.conformance.tries.sim} (default {@value #DEFAULT_SIM_TRIES}). {@code -Dautolowat.seed}
 * fixes the seed.
 */
public final class RuleCheck {
    public static final int DEFAULT_KERNEL_TRIES = 100;
    public static final int DEFAULT_SIM_TRIES = 300;
    /** Shrink replays at most, against a kernel (each replays the scenario on both sides). */
    public static final int KERNEL_SHRINK_STEPS = 300;

    /** The two kinds of pair. */
    public enum Kind {
        /** The simulator as the backend's machine ↔ the backend. */
        SIM_VS_BACKEND,
        /** Inside the simulator: the reference policy as a Java handler ↔ as bytecode. */
        JAVA_VS_BYTECODE
    }

    private final RuleProperty property;
    private final Kind kind;
    private final Backend other;
    private final PolicyUnderTest policy;

    /**
     * @param other the backend compared with the simulator ({@link Kind#SIM_VS_BACKEND}); ignored for
     *              {@link Kind#JAVA_VS_BYTECODE} (may be {@code null})
     */
    public RuleCheck(RuleProperty property, Kind kind, Backend other) {
        this(property, kind, other, PolicyUnderTest.REFERENCE);
    }

    /**
     * As {@link #RuleCheck(RuleProperty, Kind, Backend)}, with {@code policy} wherever the rule's scenarios
     * attach {@code reference-bytecode} ({@code autolowat report --policy FILE.o}).
     */
    public RuleCheck(RuleProperty property, Kind kind, Backend other, PolicyUnderTest policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.property = Objects.requireNonNull(property, "property");
        this.kind = Objects.requireNonNull(kind, "kind");
        if (kind == Kind.SIM_VS_BACKEND) {
            Objects.requireNonNull(other, "other");
            if (Backends.isSimulator(other)) {
                throw new IllegalArgumentException("the simulator is the reference, not compared with itself: " + other.name());
            }
        }
        this.other = kind == Kind.SIM_VS_BACKEND ? other : null;
    }

    public Rule rule() {
        return property.rule();
    }

    public RuleProperty property() {
        return property;
    }

    public Kind kind() {
        return kind;
    }

    /** The backend compared with the simulator, or {@code null} for {@link Kind#JAVA_VS_BYTECODE}. */
    public Backend other() {
        return other;
    }

    /** The policy the rule's {@code reference-bytecode} scenarios attach. */
    public PolicyUnderTest policy() {
        return policy;
    }

    /** {@code sim ↔ native} or {@code Java handler ↔ bytecode (sim)} ({@code ↔ policy.o (sim)} for an object). */
    public String pairName() {
        return kind == Kind.SIM_VS_BACKEND ? Differential.pairName(other) : Differential.javaVersus(policy);
    }

    /** What the generated scenarios must suit. */
    public Target target() {
        return kind == Kind.SIM_VS_BACKEND ? Target.of(other) : Target.SIMULATOR;
    }

    /** Why this pair cannot run the rule ("not supported by this kernel: ..."), or empty. */
    public Optional<String> unsupported() {
        if (kind == Kind.JAVA_VS_BYTECODE) {
            return Optional.empty();
        }
        return Optional.ofNullable(other.capabilities().reason(rule()));
    }

    /** {@code "F3 sim ↔ native"}, plus {@code " — not supported by this kernel"} when it cannot run. */
    public String displayName() {
        String base = rule() + " " + pairName();
        return unsupported().map(r -> base + " — " + headline(r)).orElse(base);
    }

    /** The first clause of a reason ("not supported by this kernel (6.18...)", "requires root"). */
    static String headline(String reason) {
        int colon = reason.indexOf(':');
        return colon > 0 ? reason.substring(0, colon) : reason;
    }

    /** The tries a run makes by default (system properties, see the class comment). */
    public int defaultTries() {
        return kind == Kind.SIM_VS_BACKEND
                ? Integer.getInteger("autolowat.conformance.tries.native", DEFAULT_KERNEL_TRIES)
                : Integer.getInteger("autolowat.conformance.tries.sim", DEFAULT_SIM_TRIES);
    }

    /** The property's name: the seed derives from it. */
    public String propertyName() {
        return property.rule() + " " + pairName();
    }

    /**
     * Checks one scenario on the pair.
     *
     * @throws Disagreement when the traces differ beyond what is documented
     * @throws NotRunnableException when the backend cannot run the scenario
     */
    public Differential.Result check(Scenario s) {
        Differential.Result r = kind == Kind.SIM_VS_BACKEND ? Differential.simVersus(s, other, policy)
                : Differential.javaVersusBytecode(s, policy);
        Verdict v = r.verdictWithKnown();
        if (!v.ok()) {
            throw new Disagreement(s, pairName(), v.firstUnexplained().orElse(null), v, r.reference(), r.other());
        }
        return r;
    }

    /** {@link #run(int)} with {@link #defaultTries()}. */
    public CheckOutcome run() {
        return run(defaultTries());
    }

    /** Runs the examples, then {@code tries} generated scenarios (seed from the name, or {@code -Dautolowat.seed}). */
    public CheckOutcome run(int tries) {
        return run(tries, null);
    }

    /** As {@link #run(int)} with a given seed ({@code null}: derived from the property's name). */
    public CheckOutcome run(int tries, Long seed) {
        long start = System.nanoTime();
        Optional<String> why = unsupported();
        if (why.isPresent()) {
            return new CheckOutcome(rule(), pairName(), CheckOutcome.Status.NOT_SUPPORTED, why.get(), 0, 0, 0, null, null,
                    null, null, Map.of(), millis(start));
        }
        Map<String, Integer> documented = new LinkedHashMap<>();
        int[] skipped = {0};
        String[] lastSkip = {null};
        int examples = 0;
        for (RuleProperty.Example e : property.examples()) {
            examples++;
            try {
                Differential.Result r = check(e.scenario());
                count(documented, r);
                e.oracle().accept(r.reference());
                e.oracle().accept(r.other());
            } catch (NotRunnableException n) {
                skipped[0]++;
                lastSkip[0] = n.getMessage();
            } catch (Disagreement d) {
                return new CheckOutcome(rule(), pairName(), CheckOutcome.Status.FAILED, null, examples, skipped[0], 0,
                        e.scenario(), e.scenario(), d.first(), d.getMessage(), documented, millis(start));
            } catch (RuntimeException | AssertionError x) {
                return new CheckOutcome(rule(), pairName(), CheckOutcome.Status.FAILED, null, examples, skipped[0], 0,
                        e.scenario(), e.scenario(), null, x.toString(), documented, millis(start));
            }
        }
        Property<Scenario> p = Property.forAll(propertyName(), property.generator().apply(target())).tries(tries);
        if (seed != null) {
            p.seed(seed);
        }
        if (kind == Kind.SIM_VS_BACKEND) {
            p.maxShrinkSteps(KERNEL_SHRINK_STEPS);
        }
        boolean[] shrinking = {false};
        Property.Result<Scenario> result = p.run(s -> {
            try {
                Differential.Result r = check(s);
                if (!shrinking[0]) {
                    count(documented, r);
                }
            } catch (NotRunnableException n) {
                if (!shrinking[0]) {
                    skipped[0]++;
                    lastSkip[0] = n.getMessage();
                }
            } catch (RuntimeException | Error e) {
                shrinking[0] = true;
                throw e;
            }
        });
        int total = examples + result.tries();
        if (!result.passed()) {
            Difference first = result.failure() instanceof Disagreement d ? d.first() : null;
            String failure = result.failure() instanceof Disagreement d ? d.getMessage() : String.valueOf(result.failure());
            return new CheckOutcome(rule(), pairName(), CheckOutcome.Status.FAILED, null, total, skipped[0], result.seed(),
                    result.shrunk(), result.original(), first, failure + "\n(" + result.describe().lines().findFirst()
                    .orElse("") + ")", documented, millis(start));
        }
        if (total > 0 && skipped[0] == total) {
            return new CheckOutcome(rule(), pairName(), CheckOutcome.Status.NOT_SUPPORTED, lastSkip[0], total, skipped[0],
                    result.seed(), null, null, null, null, documented, millis(start));
        }
        return new CheckOutcome(rule(), pairName(), CheckOutcome.Status.PASSED, null, total, skipped[0], result.seed(), null,
                null, null, null, documented, millis(start));
    }

    private static void count(Map<String, Integer> documented, Differential.Result r) {
        for (String why : r.verdictWithKnown().documented().values()) {
            documented.merge(why, 1, Integer::sum);
        }
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Override
    public String toString() {
        return displayName();
    }
}
