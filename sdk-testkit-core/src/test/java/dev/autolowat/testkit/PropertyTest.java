package dev.autolowat.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The property runner itself: it finds failures, shrinks them, and is reproducible. */
class PropertyTest {

    @Test
    @DisplayName("a true property runs every try")
    void passingPropertyRunsAllTries() {
        int[] calls = {0};
        int runs = Property.forAll("ints in range", Gen.ints(-5, 5)).tries(200)
                .check(v -> {
                    calls[0]++;
                    assertTrue(v >= -5 && v <= 5);
                });
        assertEquals(runs, calls[0]);
        assertEquals(Integer.getInteger("autolowat.tries", 200), runs);
    }

    @Test
    @DisplayName("a failing int property shrinks to the boundary")
    void shrinksIntsToTheBoundary() {
        AssertionError e = assertThrows(AssertionError.class, () -> Property
                .forAll("below 1000", Gen.ints(0, 1_000_000)).check(v -> assertTrue(v < 1000)));
        assertTrue(e.getMessage().contains("shrunk counterexample: 1000"), e.getMessage());
    }

    @Test
    @DisplayName("a failing list property shrinks to a minimal list")
    void shrinksLists() {
        AssertionError e = assertThrows(AssertionError.class, () -> Property
                .forAll("no 7 in list", Gen.ints(0, 100).listOf(0, 50))
                .check(list -> assertTrue(!list.contains(7))));
        assertTrue(e.getMessage().contains("shrunk counterexample: [7]"), e.getMessage());
    }

    @Test
    @DisplayName("a sum property shrinks composed values")
    void shrinksComposedValues() {
        AssertionError e = assertThrows(AssertionError.class, () -> Property
                .forAll("small sum", Gen.ints(0, 100).listOf(0, 20).map(List::copyOf))
                .check(list -> assertTrue(list.stream().mapToInt(Integer::intValue).sum() < 150)));
        String shrunk = e.getMessage().lines().filter(l -> l.contains("shrunk")).findFirst().orElseThrow();
        assertTrue(shrunk.matches(".*\\[\\d+, \\d+]"), shrunk);
    }

    @Test
    @DisplayName("the same seed gives the same counterexample")
    void reproducible() {
        AssertionError a = assertThrows(AssertionError.class, () -> Property
                .forAll("odd", Gen.anyInt()).seed(7).check(v -> assertTrue(v % 2 == 0)));
        AssertionError b = assertThrows(AssertionError.class, () -> Property
                .forAll("odd", Gen.anyInt()).seed(7).check(v -> assertTrue(v % 2 == 0)));
        assertEquals(a.getMessage(), b.getMessage());
        assertTrue(a.getMessage().contains("shrunk counterexample: 1"), a.getMessage());
    }
}
