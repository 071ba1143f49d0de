package dev.autolowat.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * u32 sequence arithmetic (rule H6). The wraparound property is also checked here with JUnit alone
 * (fixed-seed samples plus boundary values), independently of the property-based version in {@link SeqProperties}.
 */
class SeqTest {

    private static final int[] EDGE_A = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFFFFF0, 0x7FFFFFF0};
    private static final int[] EDGE_DELTA = {1, 2, 0xFFFF, 0x3FFFFFFF, 0x40000000, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};

    static Stream<Arguments> aAndDelta() {
        Stream<Arguments> edges = IntStream.range(0, EDGE_A.length).boxed()
                .flatMap(i -> IntStream.of(EDGE_DELTA).mapToObj(d -> Arguments.of(EDGE_A[i], d)));
        SplittableRandom random = new SplittableRandom(0x5EC0_1D6L);
        Stream<Arguments> samples = IntStream.range(0, 500)
                .mapToObj(i -> Arguments.of(random.nextInt(), 1 + random.nextInt(Integer.MAX_VALUE)));
        return Stream.concat(edges, samples);
    }

    @DisplayName("H6: before(a, a+delta), after(a+delta, a), distance(a, a+delta) == delta for delta in 1..2^31-1")
    @ParameterizedTest(name = "a={0} delta={1}")
    @MethodSource("aAndDelta")
    void forwardByDelta(int a, int delta) {
        int b = a + delta; // wraps as u32 arithmetic does
        assertTrue(Seq.before(a, b));
        assertTrue(Seq.after(b, a));
        assertFalse(Seq.before(b, a));
        assertFalse(Seq.after(a, b));
        assertEquals(delta, Seq.distance(a, b));
    }

    @Test
    @DisplayName("H6: before/after on small values")
    void plainOrder() {
        assertTrue(Seq.before(1, 2));
        assertFalse(Seq.before(2, 1));
        assertTrue(Seq.after(2, 1));
        assertFalse(Seq.after(1, 2));
    }

    @Test
    @DisplayName("H6: a value is neither before nor after itself")
    void irreflexive() {
        for (int a : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xdeadbeef}) {
            assertFalse(Seq.before(a, a));
            assertFalse(Seq.after(a, a));
            assertEquals(0L, Seq.distance(a, a));
        }
    }

    @Test
    @DisplayName("H6: 0xFFFFFFFF is before 0 and 0 is after 0xFFFFFFFF (wraparound)")
    void wrapAtTwoToThe32() {
        int max = 0xFFFFFFFF;
        assertTrue(Seq.before(max, 0));
        assertTrue(Seq.after(0, max));
        assertFalse(Seq.before(0, max));
        assertEquals(1L, Seq.distance(max, 0));
        assertEquals(0xFFFFFFFFL, Seq.distance(0, max));
        assertEquals(0x20L, Seq.distance(0xFFFFFFF0, 0x10));
        assertTrue(Seq.before(0xFFFFFFF0, 0x10));
    }

    @Test
    @DisplayName("H6: crossing the signed boundary 0x7FFFFFFF -> 0x80000000 is ordinary order")
    void signedBoundary() {
        assertTrue(Seq.before(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertTrue(Seq.after(Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertEquals(1L, Seq.distance(Integer.MAX_VALUE, Integer.MIN_VALUE));
    }

    @Test
    @DisplayName("H6: half the space apart (2^31) is 'before' in both directions, as the kernel's s32 cast")
    void halfSpace() {
        // (s32)(0 - 0x80000000) = INT_MIN < 0 and (s32)(0x80000000 - 0) = INT_MIN < 0.
        assertTrue(Seq.before(0, 0x80000000));
        assertTrue(Seq.before(0x80000000, 0));
        assertEquals(0x80000000L, Seq.distance(0, 0x80000000));
    }

    @Test
    @DisplayName("H6: unsigned() prints a u32 as a non-negative long")
    void unsigned() {
        assertEquals(4294967295L, Seq.unsigned(-1));
        assertEquals(2147483648L, Seq.unsigned(Integer.MIN_VALUE));
        assertEquals(0L, Seq.unsigned(0));
        assertEquals(12345L, Seq.unsigned(12345));
    }
}
