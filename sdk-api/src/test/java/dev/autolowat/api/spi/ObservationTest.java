package dev.autolowat.api.spi;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Observations and the invocation log compared by the conformance contract. */
class ObservationTest {

    private static Observation observation(List<Invocation> invocations) {
        return new Observation(8, 131072, true, 3, 0x80, 16, invocations);
    }

    @Test
    @DisplayName("the invocation list is copied: changes to the argument do not show")
    void invocationsCopied() {
        List<Invocation> log = new ArrayList<>();
        log.add(new Invocation(21, 1000, 1100, 100));
        Observation o = observation(log);
        log.add(new Invocation(21, 0, 0, 0));
        log.set(0, new Invocation(4, 0, 0, 0));
        assertEquals(List.of(new Invocation(21, 1000, 1100, 100)), o.invocations());
    }

    @Test
    @DisplayName("the invocation list is immutable")
    void invocationsImmutable() {
        Observation o = observation(List.of(new Invocation(21, 1, 2, 1)));
        assertThrows(UnsupportedOperationException.class, () -> o.invocations().add(new Invocation(4, 0, 0, 0)));
        assertThrows(UnsupportedOperationException.class, () -> o.invocations().clear());
    }

    @Test
    @DisplayName("null invocations (list or element) are rejected")
    void nullInvocations() {
        assertThrows(NullPointerException.class, () -> observation(null));
        List<Invocation> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> observation(withNull));
    }

    @Test
    @DisplayName("observations agree exactly when every field is equal")
    void agreement() {
        List<Invocation> log = List.of(new Invocation(21, 5, 10, 5), new Invocation(21, 0, 0, 0));
        assertEquals(observation(log), observation(new ArrayList<>(log)));
        assertEquals(observation(log).hashCode(), observation(new ArrayList<>(log)).hashCode());
        assertNotEquals(observation(log), observation(List.of(new Invocation(21, 5, 10, 5))));
        assertNotEquals(observation(log), new Observation(9, 131072, true, 3, 0x80, 16, log));
        assertNotEquals(observation(log), new Observation(8, 131072, true, 4, 0x80, 16, log));
    }

    @DisplayName("Invocation.toString: op 21 with a segment shows u32 seq/end_seq and len (H1); otherwise the op (H2)")
    @ParameterizedTest(name = "{0}/{1}/{2}/{3} -> {4}")
    @CsvSource(delimiter = ';', value = {
        "21; 1000; 1100; 100; op21[seq=1000, end_seq=1100, len=100]",
        "21; -16; 84; 100;    op21[seq=4294967280, end_seq=84, len=100]",
        "21; -1; 0; 0;        op21[seq=4294967295, end_seq=0, len=0]",
        "21; 7; 8; 0;         op21[seq=7, end_seq=8, len=0]",
        "21; 0; 0; 0;         op21",
        "4; 0; 0; 0;          op4",
        "5; 0; 0; 0;          op5",
        "10; 3; 4; 1;         op10",
    })
    void invocationToString(int op, int seq, int endSeq, int skbLen, String expected) {
        assertEquals(expected, new Invocation(op, seq, endSeq, skbLen).toString());
    }

    @Test
    @DisplayName("H1: a segment starting at sequence 0 still prints its segment")
    void segmentAtSeqZero() {
        assertEquals("op21[seq=0, end_seq=10, len=10]", new Invocation(21, 0, 10, 10).toString());
    }
}
