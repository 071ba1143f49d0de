package dev.autolowat.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Errno values and the kernel return convention (rules F1–F4, K1–K3, H5). */
class ErrnoTest {

    @DisplayName("Linux x86-64 errno numbers")
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "EPERM, 1", "ENOENT, 2", "EINTR, 4", "E2BIG, 7", "EBADF, 9", "EAGAIN, 11", "ENOMEM, 12",
        "EACCES, 13", "EFAULT, 14", "EBUSY, 16", "EEXIST, 17", "EINVAL, 22", "ENOSPC, 28",
        "EPIPE, 32", "ERANGE, 34", "ENOSYS, 38", "ENOPROTOOPT, 92", "EPROTONOSUPPORT, 93", "EOPNOTSUPP, 95",
        "EAFNOSUPPORT, 97", "ENOTCONN, 107", "ETIMEDOUT, 110",
    })
    void codes(String name, int code) {
        assertEquals(code, Errno.valueOf(name).code());
    }

    @Test
    @DisplayName("every errno is listed in the code table above and codes are distinct")
    void codesDistinct() {
        assertEquals(22, Errno.values().length);
        assertEquals(Errno.values().length, Arrays.stream(Errno.values()).mapToInt(Errno::code).distinct().count());
    }

    @DisplayName("negative() is -code() and ofCode(code()) round-trips")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Errno.class)
    void negativeAndOfCode(Errno e) {
        assertEquals(-e.code(), e.negative());
        assertSame(e, Errno.ofCode(e.code()));
    }

    @Test
    @DisplayName("F3/F4/K1: the contract's codes: EBUSY -16, EOPNOTSUPP -95, EINVAL -22, EPERM -1")
    void contractCodes() {
        assertEquals(-16, Errno.EBUSY.negative());
        assertEquals(-95, Errno.EOPNOTSUPP.negative());
        assertEquals(-22, Errno.EINVAL.negative());
        assertEquals(-1, Errno.EPERM.negative());
    }

    @DisplayName("ofCode() of numbers the SDK does not name is null")
    @ParameterizedTest(name = "ofCode({0})")
    @ValueSource(ints = {0, 3, 5, 4095, -16, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void ofCodeUnknown(int code) {
        assertNull(Errno.ofCode(code));
    }

    @DisplayName("describeResult() names known errors and prints other values plainly")
    @ParameterizedTest(name = "describeResult({0}) = \"{1}\"")
    @CsvSource(delimiter = ';', value = {
        "-16;   -16 (EBUSY)",
        "-95;   -95 (EOPNOTSUPP)",
        "-22;   -22 (EINVAL)",
        "-1;    -1 (EPERM)",
        "-110;  -110 (ETIMEDOUT)",
        "-3;    -3",
        "-4095; -4095",
        "-4096; -4096",
        "-4294967312; -4294967312",
        "0;     0",
        "16;    16",
        "128;   128",
        "4294967296; 4294967296",
        "-9223372036854775808; -9223372036854775808",
    })
    void describeResult(long result, String expected) {
        assertEquals(expected, Errno.describeResult(result));
    }
}
