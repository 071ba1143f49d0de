package dev.autolowat.api;

import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CbFlagsProperties {

    /** A flag word passed to bpf_sock_ops_cb_flags_set() on a kernel with or without the series. */
    record FlagsOnKernel(int flags, boolean series) {
    }

    /** Any flag word: every int, edge cases included. */
    static Gen<Integer> flagWords() {
        return Gen.anyInt();
    }

    static Gen<FlagsOnKernel> flagsOnKernels() {
        return Gen.zip(flagWords(), Gen.booleans(), FlagsOnKernel::new);
    }

    @Test
    @DisplayName("describe(): hex of the word, then one name per set bit separated by '|'")
    void describeShape() {
        Property.forAll("describe(): hex of the word, then one name per set bit separated by '|'", flagWords())
                .check(word -> {
                    String d = CbFlags.describe(word);
                    String prefix = "0x" + Integer.toHexString(word) + " [";
                    assertTrue(d.startsWith(prefix), d);
                    assertTrue(d.endsWith("]"), d);
                    String names = d.substring(prefix.length(), d.length() - 1);
                    int parts = names.isEmpty() ? 0 : names.split("\\|", -1).length;
                    assertEquals(Integer.bitCount(word), parts, d);
                    assertEquals(CbFlags.rcvqEnabled(word), ("|" + names + "|").contains("|RCVQ|"), d);
                });
    }

    @Test
    @DisplayName("F1: the unsupported bits flags & ~ALL never overlap the supported ones")
    void unsupportedBitsPartition() {
        Property.forAll("F1: the unsupported bits flags & ~ALL never overlap the supported ones", flagsOnKernels())
                .check(fk -> {
                    int flags = fk.flags();
                    boolean series = fk.series();
                    int all = CbFlags.allFlags(series);
                    int supported = flags & all;
                    int unsupported = flags & ~all;
                    assertEquals(0, supported & unsupported);
                    assertEquals(flags, supported | unsupported);
                    assertEquals(!series && (flags & CbFlags.RCVQ) != 0, (unsupported & CbFlags.RCVQ) != 0);
                });
    }
}
