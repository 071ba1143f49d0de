package dev.autolowat.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A small property-based test runner: checks a property over many generated values and, when one
 * fails, shrinks it to a simpler failing value and reports both with the seed that reproduces it.
 *
 * <p>The project uses this instead of jqwik: jqwik 1.10 carries an "Anti-AI Usage Clause" and this
 * SDK is developed with AI agents (see {@code docs/decisions.md}).
 *
 * <p>Tries default to {@value #DEFAULT_TRIES} ({@code -Dautolowat.tries=N} overrides every
 * property); the seed is derived from the property's name, so runs are reproducible
 * ({@code -Dautolowat.seed=S} overrides it).
 */
public final class Property<T> {
    public static final int DEFAULT_TRIES = 1000;
    private static final int MAX_SHRINK_STEPS = 2000;

    private final String name;
    private final Gen<T> gen;
    private int tries = DEFAULT_TRIES;
    private Long seed;

    private Property(String name, Gen<T> gen) {
        this.name = name;
        this.gen = gen;
    }

    /** A property called {@code name} over the values of {@code gen}. */
    public static <T> Property<T> forAll(String name, Gen<T> gen) {
        return new Property<>(name, gen);
    }

    public Property<T> tries(int n) {
        this.tries = n;
        return this;
    }

    public Property<T> seed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * Runs {@code check} on generated values; a check fails by throwing (an assertion error, or any
     * other exception — which is how "never another exception" properties are written).
     *
     * @return the number of values checked
     * @throws AssertionError describing the shrunk and original failing values and the seed
     */
    public int check(Consumer<? super T> check) {
        int effectiveTries = Integer.getInteger("autolowat.tries", tries);
        long effectiveSeed = Long.getLong("autolowat.seed", seed != null ? seed : name.hashCode() * 0x9E3779B97F4A7C15L);
        SplittableRandom random = new SplittableRandom(effectiveSeed);
        for (int i = 0; i < effectiveTries; i++) {
            Choices choices = Choices.fresh(random.split());
            T value = gen.generate(choices);
            Throwable failure = run(check, value);
            if (failure != null) {
                throw report(check, value, choices.recorded(), failure, i + 1, effectiveSeed);
            }
        }
        return effectiveTries;
    }

    private static <T> Throwable run(Consumer<? super T> check, T value) {
        try {
            check.accept(value);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private AssertionError report(Consumer<? super T> check, T original, long[] choices, Throwable failure,
                                  int tryNumber, long usedSeed) {
        long[] best = choices;
        T bestValue = original;
        Throwable bestFailure = failure;
        int steps = 0;
        boolean improved = true;
        while (improved && steps < MAX_SHRINK_STEPS) {
            improved = false;
            for (long[] candidate : candidates(best)) {
                if (++steps > MAX_SHRINK_STEPS) {
                    break;
                }
                T value;
                try {
                    value = gen.generate(Choices.replay(candidate));
                } catch (RuntimeException e) {
                    continue;
                }
                Throwable t = run(check, value);
                if (t != null) {
                    best = candidate;
                    bestValue = value;
                    bestFailure = t;
                    improved = true;
                    break;
                }
            }
        }
        AssertionError error = new AssertionError("property '" + name + "' failed on try " + tryNumber
                + " (seed " + usedSeed + ", rerun with -Dautolowat.seed=" + usedSeed + ")"
                + "\n  shrunk counterexample: " + bestValue
                + "\n  original counterexample: " + original
                + "\n  failure: " + bestFailure, bestFailure);
        return error;
    }

    /** Simpler variants of a choice sequence, most aggressive first. */
    private static Iterable<long[]> candidates(long[] s) {
        java.util.List<long[]> out = new java.util.ArrayList<>();
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
