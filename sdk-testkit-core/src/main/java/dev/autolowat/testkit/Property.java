package dev.autolowat.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A small property-based test runner: checks a property over generated values and, when one
 * fails, shrinks it to a simpler failing value and reports it with the seed that reproduces it.
 * {@link #run} returns the outcome as a value ({@link Result}: the shrunk and original
 * counterexamples and their failures) — the conformance report shows a rule's shrunk scenario from
 * it; {@link #check} throws, for tests.
 *
 * <p>The project uses this instead of jqwik: jqwik 1.10 carries an "Anti-AI Usage Clause" and this
 * SDK is developed with AI agents (see {@code docs/decisions.md}, D1).
 *
 * <p>Tries default to {@value #DEFAULT_TRIES}; {@code -Dautolowat.tries=N} overrides every property
 * whose tries were not given explicitly with {@link #tries(int)} — the conformance properties pass
 * their own system property instead (see {@code RuleCheck}). The seed is derived from the property's
 * name ({@code -Dautolowat.seed=S} overrides it), so runs are reproducible.
 *
 * @param <T> the generated type
 */
public final class Property<T> {
    public static final int DEFAULT_TRIES = 1000;
    /** Shrink attempts at most (each replays the check once). */
    public static final int DEFAULT_MAX_SHRINK_STEPS = 2000;

    private final String name;
    private final Gen<T> gen;
    private Integer tries;
    private Long seed;
    private int maxShrinkSteps = DEFAULT_MAX_SHRINK_STEPS;

    private Property(String name, Gen<T> gen) {
        this.name = Objects.requireNonNull(name, "name");
        this.gen = Objects.requireNonNull(gen, "gen");
    }

    /** A property called {@code name} over the values of {@code gen}. */
    public static <T> Property<T> forAll(String name, Gen<T> gen) {
        return new Property<>(name, gen);
    }

    /** Runs {@code n} tries (ignores {@code -Dautolowat.tries}). */
    public Property<T> tries(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("tries must not be negative, got " + n);
        }
        this.tries = n;
        return this;
    }

    /** Uses seed {@code s} (unless {@code -Dautolowat.seed} is set). */
    public Property<T> seed(long s) {
        this.seed = s;
        return this;
    }

    /** Bounds shrinking to {@code n} replays of the check (native checks are slow: keep it small). */
    public Property<T> maxShrinkSteps(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxShrinkSteps must not be negative, got " + n);
        }
        this.maxShrinkSteps = n;
        return this;
    }

    /** The seed a run uses: {@code -Dautolowat.seed}, else {@link #seed(long)}, else derived from the name. */
    public long effectiveSeed() {
        return Long.getLong("autolowat.seed", seed != null ? seed : name.hashCode() * 0x9E3779B97F4A7C15L);
    }

    /** The number of tries a run makes. */
    public int effectiveTries() {
        return tries != null ? tries : Integer.getInteger("autolowat.tries", DEFAULT_TRIES);
    }

    /**
     * The outcome of a run.
     *
     * @param name           the property's name
     * @param tries          how many values were checked (the failing one included)
     * @param seed           the seed that reproduces the run
     * @param original       the first failing value, or {@code null} when every try passed
     * @param shrunk         the simplest failing value found by shrinking, or {@code null}
     * @param failure        the check's failure on {@code shrunk}
     * @param originalFailure the check's failure on {@code original}
     * @param shrunkChoices  the choice sequence that generates {@code shrunk} ({@link Choices#replay})
     * @param shrinkSteps    how many shrink candidates were tried
     */
    public record Result<T>(String name, int tries, long seed, T original, T shrunk, Throwable failure,
                            Throwable originalFailure, long[] shrunkChoices, int shrinkSteps) {
        public boolean passed() {
            return failure == null;
        }

        /** A multi-line description: the property, the seed to rerun with, both counterexamples and the failure. */
        public String describe() {
            if (passed()) {
                return "property '" + name + "' held for " + tries + " tries (seed " + seed + ")";
            }
            return "property '" + name + "' failed on try " + tries + " (seed " + seed + ", rerun with -Dautolowat.seed="
                    + seed + ")"
                    + "\n  shrunk counterexample: " + shrunk
                    + "\n  original counterexample: " + original
                    + "\n  failure: " + failure;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result<?> r && name.equals(r.name) && tries == r.tries && seed == r.seed
                    && Objects.equals(original, r.original) && Objects.equals(shrunk, r.shrunk)
                    && Arrays.equals(shrunkChoices, r.shrunkChoices);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, tries, seed, original, shrunk) * 31 + Arrays.hashCode(shrunkChoices);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * Runs {@code check} on generated values; a check fails by throwing (an assertion error or any
     * other exception). Never throws for a failing value: the outcome says.
     */
    public Result<T> run(Consumer<? super T> check) {
        int effectiveTries = effectiveTries();
        long effectiveSeed = effectiveSeed();
        SplittableRandom random = new SplittableRandom(effectiveSeed);
        for (int i = 0; i < effectiveTries; i++) {
            Choices choices = Choices.fresh(random.split());
            T value = gen.generate(choices);
            Throwable failure = attempt(check, value);
            if (failure != null) {
                return shrink(check, value, choices.recorded(), failure, i + 1, effectiveSeed);
            }
        }
        return new Result<>(name, effectiveTries, effectiveSeed, null, null, null, null, null, 0);
    }

    /**
     * As {@link #run}, for tests.
     *
     * @return the number of values checked
     * @throws AssertionError describing the shrunk and original failing values and the seed, caused by
     *         the failure on the shrunk value
     */
    public int check(Consumer<? super T> check) {
        Result<T> r = run(check);
        if (!r.passed()) {
            throw new AssertionError(r.describe(), r.failure());
        }
        return r.tries();
    }

    private static <T> Throwable attempt(Consumer<? super T> check, T value) {
        try {
            check.accept(value);
            return null;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
                throw vme;
            }
            return t;
        }
    }

    private Result<T> shrink(Consumer<? super T> check, T original, long[] choices, Throwable failure, int tryNumber,
                             long usedSeed) {
        long[] best = choices;
        T bestValue = original;
        Throwable bestFailure = failure;
        int steps = 0;
        boolean improved = true;
        while (improved && steps < maxShrinkSteps) {
            improved = false;
            for (long[] candidate : candidates(best)) {
                if (++steps > maxShrinkSteps) {
                    break;
                }
                T value;
                try {
                    value = gen.generate(Choices.replay(candidate));
                } catch (RuntimeException e) {
                    continue;
                }
                Throwable t = attempt(check, value);
                if (t != null) {
                    best = candidate;
                    bestValue = value;
                    bestFailure = t;
                    improved = true;
                    break;
                }
            }
        }
        return new Result<>(name, tryNumber, usedSeed, original, bestValue, bestFailure, failure, best,
                Math.min(steps, maxShrinkSteps));
    }

    /** Simpler variants of a choice sequence, most aggressive first (as the testkit's runner). */
    private static List<long[]> candidates(long[] s) {
        List<long[]> out = new ArrayList<>();
        for (int block = Math.min(8, s.length); block >= 1; block /= 2) {
            for (int start = 0; start + block <= s.length; start++) {
                long[] c = new long[s.length - block];
                System.arraycopy(s, 0, c, 0, start);
                System.arraycopy(s, start + block, c, start, s.length - start - block);
                out.add(c);
            }
        }
        for (int i = 0; i < s.length; i++) {
            if (s[i] != 0) {
                out.add(with(s, i, 0));
                out.add(with(s, i, s[i] / 2));
                out.add(with(s, i, s[i] - Long.signum(s[i])));
            }
        }
        out.removeIf(c -> Arrays.equals(c, s));
        return out;
    }

    private static long[] with(long[] s, int i, long v) {
        long[] c = s.clone();
        c[i] = v;
        return c;
    }
}
