package dev.autolowat.api;

import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rule H6: sequence numbers are u32 and wrap; comparisons are before()/after() style. */
class SeqProperties {

    record SeqAndDelta(int a, int delta) {
    }

    record SeqPair(int a, int b) {
    }

    record ShiftedPair(int a, int b, int shift) {
    }

    /** Any u32 sequence number held in an int, edge cases (0, ±1, MIN_VALUE, MAX_VALUE) included. */
    static Gen<Integer> seqs() {
        return Gen.anyInt();
    }

    /** A sequence number and a forward step in {@code 1..2^31-1}. */
    static Gen<SeqAndDelta> seqsAndDeltas() {
        return Gen.zip(seqs(), Gen.ints(1, Integer.MAX_VALUE), SeqAndDelta::new);
    }

    /**
     * Two sequence numbers: independent ones, or (half of the time) ones within 2 of each other,
     * so that equal and neighbouring numbers, also across the wrap, come up often.
     */
    static Gen<SeqPair> seqPairs() {
        return seqs().flatMap(a -> Gen.booleans().flatMap(near -> near
                ? Gen.ints(-2, 2).map(d -> new SeqPair(a, a + d))
                : seqs().map(b -> new SeqPair(a, b))));
    }

    static Gen<ShiftedPair> shiftedPairs() {
        return Gen.zip(seqPairs(), Gen.anyInt(), (p, shift) -> new ShiftedPair(p.a(), p.b(), shift));
    }

    @Test
    @DisplayName("H6: for any a and delta in 1..2^31-1: before(a, a+delta), after(a+delta, a), distance == delta")
    void forwardByDelta() {
        Property.forAll("H6: for any a and delta in 1..2^31-1: before(a, a+delta), after(a+delta, a), distance == delta",
                seqsAndDeltas()).check(v -> {
            int a = v.a();
            int delta = v.delta();
            int b = a + delta; // wraps as u32 arithmetic does
            assertTrue(Seq.before(a, b));
            assertTrue(Seq.after(b, a));
            assertFalse(Seq.before(b, a));
            assertFalse(Seq.after(a, b));
            assertEquals(delta, Seq.distance(a, b));
        });
    }

    @Test
    @DisplayName("H6: distance(a, b) + distance(b, a) is 2^32 unless a == b")
    void distancesComplement() {
        Property.forAll("H6: distance(a, b) + distance(b, a) is 2^32 unless a == b", seqPairs()).check(p -> {
            int a = p.a();
            int b = p.b();
            long sum = Seq.distance(a, b) + Seq.distance(b, a);
            assertEquals(a == b ? 0L : 1L << 32, sum);
            assertTrue(Seq.distance(a, b) >= 0 && Seq.distance(a, b) < (1L << 32));
        });
    }

    @Test
    @DisplayName("H6: after(a, b) == before(b, a), and the order is shift-invariant (wraparound)")
    void afterIsMirrorAndShiftInvariant() {
        Property.forAll("H6: after(a, b) == before(b, a), and the order is shift-invariant (wraparound)",
                shiftedPairs()).check(v -> {
            int a = v.a();
            int b = v.b();
            int shift = v.shift();
            assertEquals(Seq.before(b, a), Seq.after(a, b));
            assertEquals(Seq.before(a, b), Seq.before(a + shift, b + shift));
        });
    }
}
