package dev.autolowat.api;

import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SockOpsOpProperties {

    /**
     * Any int; half of the draws lie around the op range 0..21, so that both the valid and the
     * rejected branch see many values.
     */
    static Gen<Integer> opValues() {
        return Gen.booleans().flatMap(nearOps -> nearOps ? Gen.ints(-32, 53) : Gen.anyInt());
    }

    @Test
    @DisplayName("of(v) returns the op whose value is v for 0..21 and throws naming v otherwise")
    void ofIsTotalOverInts() {
        Property.forAll("of(v) returns the op whose value is v for 0..21 and throws naming v otherwise",
                opValues()).check(v -> {
            if (v >= 0 && v <= 21) {
                assertEquals(v, SockOpsOp.of(v).value());
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SockOpsOp.of(v));
                assertTrue(e.getMessage().contains(Integer.toString(v)), e.getMessage());
            }
        });
    }
}
