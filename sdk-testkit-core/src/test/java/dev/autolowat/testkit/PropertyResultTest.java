package dev.autolowat.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conformance suite's copy of the property runner: same behaviour as the testkit's, outcome as a value. */
class PropertyResultTest {

    @Test
    @DisplayName("a true property runs every try and says so")
    void passes() {
        Property.Result<Integer> r = Property.forAll("in range", Gen.ints(-5, 5)).tries(200).run(v -> assertTrue(v >= -5 && v <= 5));
        assertTrue(r.passed());
        assertEquals(200, r.tries());
    }

    @Test
    @DisplayName("a failing property returns its shrunk counterexample, the failure and the choices that replay it")
    void shrinksToAValue() {
        Property.Result<List<Integer>> r = Property.forAll("no 7", Gen.ints(0, 100).listOf(0, 50)).run(l -> assertTrue(!l.contains(7)));
        assertEquals(List.of(7), r.shrunk());
        assertTrue(r.failure() instanceof AssertionError);
        assertEquals(r.shrunk(), Gen.ints(0, 100).listOf(0, 50).generate(Choices.replay(r.shrunkChoices())));
        assertTrue(r.describe().contains("shrunk counterexample: [7]"), r.describe());
    }

    @Test
    @DisplayName("check throws with the description; the same seed gives the same outcome; shrinking can be bounded")
    void checkSeedAndBound() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Property.forAll("below 1000", Gen.ints(0, 1_000_000)).check(v -> assertTrue(v < 1000)));
        assertTrue(e.getMessage().contains("shrunk counterexample: 1000"), e.getMessage());
        Property.Result<Integer> a = Property.forAll("odd", Gen.anyInt()).tries(100).seed(7).run(v -> assertTrue(v % 2 == 0));
        Property.Result<Integer> b = Property.forAll("odd", Gen.anyInt()).tries(100).seed(7).run(v -> assertTrue(v % 2 == 0));
        assertEquals(a.shrunk(), b.shrunk());
        assertArrayEquals(a.shrunkChoices(), b.shrunkChoices());
        Property.Result<Integer> none = Property.forAll("odd", Gen.anyInt()).tries(100).seed(7).maxShrinkSteps(0)
                .run(v -> assertTrue(v % 2 == 0));
        assertEquals(none.original(), none.shrunk());
        assertEquals(0, none.shrinkSteps());
    }
}
