package dev.autolowat.api.program;

import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MapSpecProperties {

    /**
     * Entry counts in {@code [0, Integer.MAX_VALUE]}: any of them, or (two draws in three) a power
     * of two {@code 2^0..2^30} or one of its neighbours, so that the accepted sizes and the values
     * next to them come up.
     */
    static Gen<Integer> ringbufEntries() {
        return Gen.ints(0, 2).flatMap(kind -> kind == 0
                ? Gen.ints(0, Integer.MAX_VALUE)
                : Gen.zip(Gen.ints(0, 30), Gen.ints(-1, 1), (shift, d) -> (1 << shift) + d));
    }

    /** The shifts 12..30 of the ring buffer sizes 2^12..2^30. */
    static Gen<Integer> ringbufShifts() {
        return Gen.ints(12, 30);
    }

    /** Strings of {@code minLength..maxLength} characters of {@code alphabet}, length drawn first. */
    static Gen<String> strings(String alphabet, int minLength, int maxLength) {
        Gen<Character> chars = Gen.ints(0, alphabet.length() - 1).map(alphabet::charAt);
        return Gen.ints(minLength, maxLength).flatMap(length -> chars.listOf(length, length)
                .map(cs -> cs.stream().map(String::valueOf).collect(Collectors.joining())));
    }

    static Gen<String> validNames() {
        return strings("ABCXYZabcxyz0129_.", 1, 15);
    }

    static Gen<String> tooLongNames() {
        return strings("abc_.09", 16, 64);
    }

    @Test
    @DisplayName("RINGBUF accepts exactly the powers of two >= 4096")
    void ringbufSizes() {
        Property.forAll("RINGBUF accepts exactly the powers of two >= 4096", ringbufEntries()).check(entries -> {
            boolean valid = entries >= 4096 && (entries & (entries - 1)) == 0;
            if (valid) {
                assertEquals(entries, new MapSpec("rb", MapType.RINGBUF, 0, 0, entries).maxEntries());
            } else {
                assertThrows(IllegalArgumentException.class, () -> new MapSpec("rb", MapType.RINGBUF, 0, 0, entries));
            }
        });
    }

    @Test
    @DisplayName("RINGBUF accepts every power of two from 2^12 to 2^30")
    void ringbufPowersOfTwo() {
        Set<Integer> checked = new HashSet<>();
        int tries = Property.forAll("RINGBUF accepts every power of two from 2^12 to 2^30", ringbufShifts())
                .check(shift -> {
                    checked.add(shift);
                    assertEquals(1 << shift, new MapSpec("rb", MapType.RINGBUF, 0, 0, 1 << shift).maxEntries());
                });
        // Exhaustive, as before (19 shifts, fewer than the tries): make sure every one was checked.
        if (tries >= 19) {
            assertEquals(19, checked.size(), "shifts checked: " + List.copyOf(checked));
        }
    }

    @Test
    @DisplayName("names of 1-15 characters of [A-Za-z0-9_.] are accepted")
    void validNamesAccepted() {
        Property.forAll("names of 1-15 characters of [A-Za-z0-9_.] are accepted", validNames())
                .check(name -> assertEquals(name, new MapSpec(name, MapType.HASH, 4, 4, 1).name()));
    }

    @Test
    @DisplayName("names of 16 or more characters are rejected, naming the map")
    void longNamesRejected() {
        Property.forAll("names of 16 or more characters are rejected, naming the map", tooLongNames())
                .check(name -> {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> new MapSpec(name, MapType.HASH, 4, 4, 1));
                    assertTrue(e.getMessage().contains(name), e.getMessage());
                });
    }
}
