package dev.autolowat.api.spi;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How recv waits (rule H5). */
class RecvModeTest {

    @Test
    @DisplayName("H5: NON_BLOCKING does not wait and has no timeout")
    void nonBlocking() {
        assertFalse(RecvMode.NON_BLOCKING.blocking());
        assertEquals(0, RecvMode.NON_BLOCKING.timeoutMillis());
        assertEquals(RecvMode.NON_BLOCKING, new RecvMode(false, 0));
    }

    @Test
    @DisplayName("H5: blocking(Duration) keeps a positive timeout in milliseconds")
    void blockingPositive() {
        RecvMode m = RecvMode.blocking(Duration.ofSeconds(2));
        assertTrue(m.blocking());
        assertEquals(2000, m.timeoutMillis());
        assertEquals(1, RecvMode.blocking(Duration.ofMillis(1)).timeoutMillis());
        assertEquals(new RecvMode(true, 250), RecvMode.blocking(Duration.ofMillis(250)));
    }

    @Test
    @DisplayName("H5: a blocking recv with a zero timeout is rejected (it could hang a test)")
    void blockingZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecvMode.blocking(Duration.ZERO));
        assertTrue(e.getMessage().contains("positive timeout"), e.getMessage());
        assertTrue(e.getMessage().contains("PT0S"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RecvMode(true, 0));
    }

    @Test
    @DisplayName("H5: a positive sub-millisecond timeout rounds up to 1 ms; a timeout over a day is refused")
    void blockingRounding() {
        assertEquals(1, RecvMode.blocking(Duration.ofNanos(500_000)).timeoutMillis());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecvMode.blocking(Duration.ofSeconds(Long.MAX_VALUE)));
        assertTrue(e.getMessage().contains("longer than a day"), e.getMessage());
    }

    @DisplayName("issue 17: the constructor refuses a blocking timeout over a day, as blocking(Duration) does")
    @ParameterizedTest(name = "timeout {0} ms")
    @ValueSource(longs = {86_400_001L, 1L << 40, Long.MAX_VALUE})
    void constructorCapsTheTimeout(long timeout) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecvMode(true, timeout));
        assertTrue(e.getMessage().contains("longer than a day"), e.getMessage());
        assertTrue(e.getMessage().contains(timeout + " ms"), e.getMessage());
        assertEquals(RecvMode.MAX_TIMEOUT_MILLIS, new RecvMode(true, RecvMode.MAX_TIMEOUT_MILLIS).timeoutMillis());
        assertEquals(RecvMode.MAX_TIMEOUT_MILLIS, RecvMode.blocking(Duration.ofDays(1)).timeoutMillis());
    }

    @Test
    @DisplayName("H5: a blocking recv with a negative timeout is rejected")
    void blockingNegative() {
        assertThrows(IllegalArgumentException.class, () -> RecvMode.blocking(Duration.ofMillis(-5)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecvMode(true, -1));
        assertTrue(e.getMessage().contains("-1 ms"), e.getMessage());
    }

    @DisplayName("H5: a non-blocking recv with a timeout is rejected, naming the timeout")
    @ParameterizedTest(name = "timeout {0} ms")
    @ValueSource(longs = {1, 100, -1, Long.MAX_VALUE, Long.MIN_VALUE})
    void nonBlockingWithTimeout(long timeout) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecvMode(false, timeout));
        assertTrue(e.getMessage().contains("non-blocking"), e.getMessage());
        assertTrue(e.getMessage().contains(timeout + " ms"), e.getMessage());
    }
}
