package dev.autolowat.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A generator of test values, built from {@link Choices} draws so that it shrinks for free (see
 * {@link Property}). Compose generators with {@link #map}, {@link #flatMap}, {@link #zip}
 * and {@link #listOf}; give them names as {@code static} factory methods in the test class, one
 * per kind of value, in the manner of jqwik's {@code @Provide} methods.
 *
 * @param <T> the generated type
 */
@FunctionalInterface
public interface Gen<T> {
    T generate(Choices choices);

    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return c -> f.apply(generate(c));
    }

    default <R> Gen<R> flatMap(Function<? super T, Gen<R>> f) {
        return c -> f.apply(generate(c)).generate(c);
    }

    static <A, B, R> Gen<R> zip(Gen<A> a, Gen<B> b, BiFunction<? super A, ? super B, ? extends R> f) {
        return c -> f.apply(a.generate(c), b.generate(c));
    }

    /** Ints in {@code [min, max]}, shrinking towards 0 (or the bound nearest to it). */
    static Gen<Integer> ints(int min, int max) {
        return c -> c.intBetween(min, max);
    }

    /** Every int, edge cases (MIN_VALUE, MAX_VALUE, 0, ±1) included. */
    static Gen<Integer> anyInt() {
        return ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    static Gen<Long> longs(long min, long max) {
        return c -> c.between(min, max);
    }

    static Gen<Boolean> booleans() {
        return c -> c.between(0, 1) == 1;
    }

    /** One of the given values, shrinking towards the first. */
    @SafeVarargs
    static <T> Gen<T> oneOf(T... values) {
        List<T> list = new ArrayList<>(values.length);
        for (T v : values) {
            list.add(java.util.Objects.requireNonNull(v, "oneOf values must not be null"));
        }
        List<T> copy = java.util.Collections.unmodifiableList(list);
        return c -> copy.get(c.intBetween(0, copy.size() - 1));
    }

    static <T> Gen<T> constant(T value) {
        return c -> value;
    }

    /**
     * Lists of {@code min..max} elements. Each element is preceded by a "more?" draw, so deleting
     * that draw with the element's draws removes exactly one element when shrinking.
     */
    default Gen<List<T>> listOf(int min, int max) {
        return c -> {
            List<T> out = new ArrayList<>();
            while (out.size() < max && (out.size() < min || c.between(0, 4) != 0)) {
                out.add(generate(c));
            }
            return out;
        };
    }
}
