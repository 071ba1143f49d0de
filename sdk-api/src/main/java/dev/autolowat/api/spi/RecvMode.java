package dev.autolowat.api.spi;

import java.time.Duration;

/**
 * How {@link Connection#recv} waits (rule H5): non-blocking ({@code MSG_DONTWAIT}) returns what is
 * queued or {@code -EAGAIN}; blocking waits for {@code min(len, sk_rcvlowat)} bytes, FIN, an
 * error or the timeout ({@code SO_RCVTIMEO}).
 *
 * <p>Every instance is valid: the constructor checks what {@link #blocking(Duration)} checks, so
 * {@code new RecvMode(true, Long.MAX_VALUE)} cannot bypass the one-day cap (a kernel would wait
 * forever, the simulator's virtual clock would overflow).
 *
 * @param blocking      whether the call may wait
 * @param timeoutMillis the wait limit of a blocking call, in milliseconds: 1 to
 *                      {@link #MAX_TIMEOUT_MILLIS} (0 for non-blocking)
 */
public record RecvMode(boolean blocking, long timeoutMillis) {
    /** {@code recv(..., MSG_DONTWAIT)}. */
    public static final RecvMode NON_BLOCKING = new RecvMode(false, 0);
    /** The longest wait of a blocking recv: one day, in milliseconds. */
    public static final long MAX_TIMEOUT_MILLIS = Duration.ofDays(1).toMillis();

    /**
     * @throws IllegalArgumentException a blocking mode without a timeout of 1 ms to one day, or a
     *                                  non-blocking one with a timeout
     */
    public RecvMode {
        if (blocking ? timeoutMillis <= 0 : timeoutMillis != 0) {
            throw new IllegalArgumentException(blocking
                    ? "a blocking recv needs a positive timeout (got " + timeoutMillis + " ms): an unbounded wait could hang a test"
                    : "a non-blocking recv takes no timeout (got " + timeoutMillis + " ms)");
        }
        if (timeoutMillis > MAX_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("a blocking recv timeout of " + timeoutMillis + " ms is longer than a day ("
                    + MAX_TIMEOUT_MILLIS + " ms); use a bounded wait so a test cannot hang");
        }
    }

    /** A blocking recv that gives up after {@code timeout} (then returns what it copied, or -EAGAIN). */
    public static RecvMode blocking(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a blocking recv needs a positive timeout, got " + timeout);
        }
        if (timeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("a blocking recv timeout of " + timeout
                    + " is longer than a day; use a bounded wait so a test cannot hang");
        }
        // SO_RCVTIMEO has jiffy resolution anyway: a positive sub-millisecond wait becomes 1 ms.
        return new RecvMode(true, Math.max(1, timeout.toMillis()));
    }
}
