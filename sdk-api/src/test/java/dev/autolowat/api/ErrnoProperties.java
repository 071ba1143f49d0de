package dev.autolowat.api;

import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrnoProperties {

    /** Results in {@code [0, Long.MAX_VALUE]}. */
    static Gen<Long> nonNegativeResults() {
        return Gen.longs(0, Long.MAX_VALUE);
    }

    /**
     * Results in {@code [Long.MIN_VALUE, -1]}; half of the draws lie in the kernel's errno range
     * {@code [-4096, -1]}, so that named errnos come up.
     */
    static Gen<Long> negativeResults() {
        return Gen.booleans().flatMap(errnoRange -> errnoRange ? Gen.longs(-4096, -1) : Gen.longs(Long.MIN_VALUE, -1));
    }

    /** Every errno of the enum. */
    static Gen<Errno> errnos() {
        return Gen.oneOf(Errno.values());
    }

    @Test
    @DisplayName("describeResult() prints non-negative results plainly")
    void nonNegativePlain() {
        Property.forAll("describeResult() prints non-negative results plainly", nonNegativeResults())
                .check(result -> assertEquals(Long.toString(result), Errno.describeResult(result)));
    }

    @Test
    @DisplayName("describeResult() of a negative value is the number, plus the errno name exactly when one has that code")
    void negativeNamedWhenKnown() {
        Property.forAll("describeResult() of a negative value is the number, plus the errno name exactly when one has that code",
                negativeResults()).check(result -> {
            String d = Errno.describeResult(result);
            Errno named = null;
            for (Errno e : Errno.values()) {
                if ((long) e.negative() == result) {
                    named = e;
                }
            }
            assertEquals(named == null ? Long.toString(result) : result + " (" + named.name() + ")", d);
        });
    }

    @Test
    @DisplayName("describeResult(e.negative()) is \"-code (NAME)\" for every errno")
    void everyErrnoNamed() {
        Set<Errno> checked = EnumSet.noneOf(Errno.class);
        int tries = Property.forAll("describeResult(e.negative()) is \"-code (NAME)\" for every errno", errnos())
                .check(e -> {
                    checked.add(e);
                    assertEquals("-" + e.code() + " (" + e.name() + ")", Errno.describeResult(e.negative()));
                });
        // Exhaustive, as before (fewer errnos than tries): make sure every errno was checked.
        if (tries >= Errno.values().length) {
            assertEquals(EnumSet.allOf(Errno.class), checked, "errnos checked");
        }
    }
}
