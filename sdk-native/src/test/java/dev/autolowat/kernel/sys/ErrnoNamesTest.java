package dev.autolowat.kernel.sys;

import dev.autolowat.api.Errno;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("ErrnoNames: errno by name and number in messages")
class ErrnoNamesTest {

    @Test
    @DisplayName("the SDK's Errno names come first; the table adds socket errnos; unknown codes are 'errno N'")
    void names() {
        for (Errno e : Errno.values()) {
            assertEquals(e.name(), ErrnoNames.name(e.code()));
        }
        assertEquals("EADDRNOTAVAIL", ErrnoNames.name(99));
        assertEquals("EMFILE", ErrnoNames.name(24));
        assertEquals("ENOTSUPP", ErrnoNames.name(524));
        assertEquals("errno 4000", ErrnoNames.name(4000));
        assertTrue(ErrnoNames.isNamed(99));
        assertFalse(ErrnoNames.isNamed(4000));
    }

    @Test
    @DisplayName("describe: results as is, -errno with its name, like Errno.describeResult")
    void describe() {
        assertEquals("0", ErrnoNames.describe(0));
        assertEquals("131072", ErrnoNames.describe(131072));
        assertEquals("-11 (EAGAIN)", ErrnoNames.describe(-11));
        assertEquals("-99 (EADDRNOTAVAIL)", ErrnoNames.describe(-99));
        assertEquals("-4000 (errno 4000)", ErrnoNames.describe(-4000));
        assertEquals(Errno.describeResult(-5000), ErrnoNames.describe(-5000));
        assertEquals(Errno.describeResult(-16), ErrnoNames.describe(-16));
    }
}
