package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Family;
import dev.autolowat.testkit.Choices;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Building blocks of the rule generators ({@link RuleProperties}). Every value is drawn from
 * {@link Choices}, so a failing scenario shrinks by editing the recorded draws: a step is preceded by
 * a "more?" draw, so deleting a step's draws deletes the step; every draw's simplest value (0) gives
 * the simplest choice (IPv4, no MPTCP, the first kind of step, the smallest value). Generators keep
 * their regime by construction — they track what was sent and queued and only emit steps the regime
 * allows — so shrinking never leaves the regime.
 */
public final class ScenarioGenerators {
    private ScenarioGenerators() {
    }

    /** IPv4 (simplest) or IPv6. */
    public static Family family(Choices c) {
        return c.chance(2) ? Family.INET6 : Family.INET;
    }

    /**
     * Draws steps while a "more?" draw says so (as {@code Gen.listOf}); {@code next} may return
     * {@code null} to emit nothing (a step the state does not allow).
     */
    public static List<Step> steps(Choices c, int min, int max, Function<Choices, Step> next) {
        List<Step> out = new ArrayList<>();
        int iterations = 0;
        while (out.size() < max && iterations++ < 4 * max + 8 && (out.size() < min || c.between(0, 4) != 0)) {
            Step s = next.apply(c);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Segment lengths for {@code n} bytes, each in {@code [1, maxSegment]}, at most {@code maxSegments}. */
    public static List<Integer> cuts(Choices c, int n, int maxSegment, int maxSegments) {
        List<Integer> out = new ArrayList<>();
        int left = n;
        while (left > 0) {
            int len;
            if (out.size() == maxSegments - 1) {
                len = left;
            } else {
                len = switch (c.intBetween(0, 3)) {
                    case 0 -> left;
                    case 1 -> c.intBetween(1, 9);
                    default -> c.intBetween(1, maxSegment);
                };
            }
            len = Math.min(len, left);
            if (len > maxSegment) {
                len = maxSegment;
            }
            out.add(len);
            left -= len;
        }
        return out;
    }

    /** A permutation of {@code 0..n-1}; the simplest is the identity (Fisher–Yates with draws counted from the end). */
    public static List<Integer> permutation(Choices c, int n) {
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(i);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = i - c.intBetween(0, i);
            int t = p.get(i);
            p.set(i, p.get(j));
            p.set(j, t);
        }
        return p;
    }

    /**
     * An int with the edge cases of the K rules over-represented: small values, every int, 0/±1/MIN/MAX,
     * the measured table's values (65536, 2^24, 2^24+1, 2^30, rmem_max and neighbours), small negatives.
     */
    public static int edgyInt(Choices c) {
        return switch (c.intBetween(0, 7)) {
            case 0 -> c.intBetween(0, 300);
            case 1 -> c.intBetween(Integer.MIN_VALUE, Integer.MAX_VALUE);
            case 2 -> pick(c, 0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE - 1);
            case 3 -> pick(c, 65536, 1 << 24, (1 << 24) + 1, 1 << 30, 4194304, 4194305, 2097152, 2097153, 16777215,
                    8388608, 65535, 4608, 2304, 2303);
            case 4 -> c.intBetween(-10, 10);
            case 5 -> c.intBetween(0, 70_000);
            case 6 -> c.intBetween(0, 1 << 26);
            default -> c.intBetween(0, 5000);
        };
    }

    /** A sock_ops flag word: mostly within 0..0x1FF, RCVQ often, sometimes any int. */
    public static int flagWord(Choices c) {
        return switch (c.intBetween(0, 5)) {
            case 0 -> c.intBetween(0, 0xFF);
            case 1 -> 0x80 | c.intBetween(0, 0x7F);
            case 2 -> c.intBetween(0, 0x7F);
            case 3 -> c.intBetween(Integer.MIN_VALUE, Integer.MAX_VALUE);
            case 4 -> pick(c, 0x84, 0x80, 0x7F, 0xFF, 0x100, -1, 0x04, 0x05);
            default -> c.intBetween(0, 0x1FF);
        };
    }

    /** One of {@code values}, shrinking towards the first. */
    public static int pick(Choices c, int... values) {
        return values[c.intBetween(0, values.length - 1)];
    }
}
