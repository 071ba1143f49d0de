package dev.autolowat.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sock_ops callback flag word (SEMANTICS.md constants table, rules F1/F2). */
class CbFlagsTest {

    @Test
    @DisplayName("bit values of the cb flags match the uapi")
    void bitValues() {
        assertEquals(0x1, CbFlags.RTO);
        assertEquals(0x2, CbFlags.RETRANS);
        assertEquals(0x4, CbFlags.STATE);
        assertEquals(0x8, CbFlags.RTT);
        assertEquals(0x10, CbFlags.PARSE_ALL_HDR_OPT);
        assertEquals(0x20, CbFlags.PARSE_UNKNOWN_HDR_OPT);
        assertEquals(0x40, CbFlags.WRITE_HDR_OPT);
        assertEquals(0x80, CbFlags.RCVQ);
    }

    @Test
    @DisplayName("F1: ALL_CB_FLAGS is 0x7F without the series and 0xFF with it")
    void allMasks() {
        assertEquals(0x7F, CbFlags.ALL_WITHOUT_SERIES);
        assertEquals(0xFF, CbFlags.ALL_WITH_SERIES);
        int stockBits = CbFlags.RTO | CbFlags.RETRANS | CbFlags.STATE | CbFlags.RTT
                | CbFlags.PARSE_ALL_HDR_OPT | CbFlags.PARSE_UNKNOWN_HDR_OPT | CbFlags.WRITE_HDR_OPT;
        assertEquals(stockBits, CbFlags.ALL_WITHOUT_SERIES);
        assertEquals(stockBits | CbFlags.RCVQ, CbFlags.ALL_WITH_SERIES);
    }

    @Test
    @DisplayName("F1: allFlags() selects the mask by kernel; a stock kernel reports 0x80 as unsupported")
    void allFlagsByKernel() {
        assertEquals(0xFF, CbFlags.allFlags(true));
        assertEquals(0x7F, CbFlags.allFlags(false));
        // The support probe of F1: asking for RCVQ on a stock kernel returns the unsupported bits = 0x80.
        assertEquals(CbFlags.RCVQ, CbFlags.RCVQ & ~CbFlags.allFlags(false));
        assertEquals(0, CbFlags.RCVQ & ~CbFlags.allFlags(true));
    }

    @Test
    @DisplayName("rcvqEnabled() looks at bit 0x80 only")
    void rcvqEnabled() {
        assertTrue(CbFlags.rcvqEnabled(0x80));
        assertTrue(CbFlags.rcvqEnabled(0xFF));
        assertTrue(CbFlags.rcvqEnabled(0x84));
        assertTrue(CbFlags.rcvqEnabled(-1));
        assertFalse(CbFlags.rcvqEnabled(0));
        assertFalse(CbFlags.rcvqEnabled(0x7F));
        assertFalse(CbFlags.rcvqEnabled(0x100));
        assertFalse(CbFlags.rcvqEnabled(~0x80));
    }

    @DisplayName("describe() names the set bits in bit order")
    @ParameterizedTest(name = "describe({0}) = {1}")
    @CsvSource(delimiter = ';', value = {
        "0;      0x0 []",
        "1;      0x1 [RTO]",
        "132;    0x84 [STATE|RCVQ]",
        "128;    0x80 [RCVQ]",
        "127;    0x7f [RTO|RETRANS|STATE|RTT|PARSE_ALL_HDR_OPT|PARSE_UNKNOWN_HDR_OPT|WRITE_HDR_OPT]",
        "255;    0xff [RTO|RETRANS|STATE|RTT|PARSE_ALL_HDR_OPT|PARSE_UNKNOWN_HDR_OPT|WRITE_HDR_OPT|RCVQ]",
        "256;    0x100 [0x100]",
        "384;    0x180 [RCVQ|0x100]",
    })
    void describe(int word, String expected) {
        assertEquals(expected, CbFlags.describe(word));
    }

    @Test
    @DisplayName("describe() of a word with the sign bit set names it in hex")
    void describeSignBit() {
        String d = CbFlags.describe(Integer.MIN_VALUE | CbFlags.RTO);
        assertEquals("0x80000001 [RTO|0x80000000]", d);
    }
}
