package dev.autolowat.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The source of every random decision a {@link Gen} makes. A run either draws fresh values from a
 * seeded random generator and records them, or replays a recorded sequence. Shrinking edits the
 * recorded sequence (deletes blocks, moves values towards zero) and replays it, so any generator
 * built from these draws — including mapped and composed ones — shrinks without extra code.
 */
public final class Choices {
    private final SplittableRandom random;
    private final long[] replay;
    private long[] recorded = new long[64];
    private int size;
    private int replayPos;

    private Choices(SplittableRandom random, long[] replay) {
        this.random = random;
        this.replay = replay;
    }

    /** A run that draws fresh values from {@code random} and records them. */
    public static Choices fresh(SplittableRandom random) {
        return new Choices(random, null);
    }

    /** A run that replays a recorded sequence (see {@link #recorded()}). */
    public static Choices replay(long[] sequence) {
        return new Choices(null, sequence);
    }

    /**
     * A value in {@code [min, max]}. Fresh runs prefer edge cases one time in eight (min, max, the
     * simplest value and its neighbours); replays clamp the recorded value into the range, and give
     * the simplest value (0 clamped into the range) once the recording is exhausted.
     */
    public long between(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        long simplest = Math.max(min, Math.min(max, 0));
        long value;
        if (replay != null) {
            value = replayPos < replay.length ? clamp(replay[replayPos++], min, max) : simplest;
        } else if (random.nextInt(8) == 0) {
            long[] edges = {min, max, simplest, simplest + 1, simplest - 1};
            value = clamp(edges[random.nextInt(edges.length)], min, max);
        } else if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            value = random.nextLong();
        } else if (max - min + 1 <= 0) {
            // The range is wider than Long.MAX_VALUE: draw until inside.
            do {
                value = random.nextLong();
            } while (value < min || value > max);
        } else {
            value = min + random.nextLong(max - min + 1);
        }
        record(value);
        return value;
    }

    /** An int in {@code [min, max]}; see {@link #between(long, long)}. */
    public int intBetween(int min, int max) {
        return (int) between(min, max);
    }

    /** A coin that lands {@code true} with probability {@code 1/oneIn} on fresh runs. */
    public boolean chance(int oneIn) {
        long v = replay != null ? between(0, 1) : record(random.nextInt(oneIn) == 0 ? 1 : 0);
        return v == 1;
    }

    private long record(long value) {
        if (size == recorded.length) {
            recorded = Arrays.copyOf(recorded, size * 2);
        }
        recorded[size++] = value;
        return value;
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }

    /** The values drawn so far, in order: replaying them gives the same generated value. */
    public long[] recorded() {
        return Arrays.copyOf(recorded, size);
    }
}
