package dev.autolowat.api;

/**
 * TCP sequence-number arithmetic on u32 values held in {@code int}s (rule H6): the kernel's
 * {@code before()} and {@code after()}. All comparisons of sequence numbers in the SDK go
 * through these so that they survive wraparound at 2^32.
 */
public final class Seq {
    private Seq() {
    }

    /** {@code before(a, b)}: {@code (s32)(a - b) < 0}. */
    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** {@code after(a, b)}: {@code before(b, a)}. */
    public static boolean after(int a, int b) {
        return before(b, a);
    }

    /** {@code b - a} as an unsigned distance, in a long (0 .. 2^32-1). */
    public static long distance(int from, int to) {
        return Integer.toUnsignedLong(to - from);
    }

    /** The u32 value as a non-negative long, for printing. */
    public static long unsigned(int seq) {
        return Integer.toUnsignedLong(seq);
    }
}
