package dev.autolowat.testfixtures;

import dev.autolowat.api.spi.*;

import dev.autolowat.api.Errno;

import java.time.Duration;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SDK decision on {@code recv} of length 0 (docs/semantics.md, issue 17), checked the same way on
 * every backend through the SPI: empty queue — {@code -EAGAIN} non-blocking, 0 blocking after the
 * timeout; queued data, a FIN or SHUT_RD — 0, consuming nothing.
 */
public final class RecvZeroContract {
    /** The blocking mode the check uses. */
    public static final RecvMode BLOCKING = RecvMode.blocking(Duration.ofMillis(200));

    private RecvZeroContract() {
    }

    /**
     * @param session          a fresh session of the backend under test
     * @param nanos            the backend's clock (the simulator's virtual one, or the wall clock)
     * @param waitedForTimeout whether a blocking recv(0) on an empty queue took long enough, given
     *                         the nanoseconds it took (exactly 200 ms virtual; at least 150 ms real)
     */
    public static void check(BackendSession session, LongSupplier nanos, LongPredicate waitedForTimeout) {
        int eagain = Errno.EAGAIN.negative();
        byte[] b = new byte[4];
        Connection c = session.connect(ConnectOptions.IPV4);
        assertEquals(eagain, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "empty, non-blocking");
        long t0 = nanos.getAsLong();
        assertEquals(0, c.recv(b, 0, 0, BLOCKING), "empty, blocking");
        long took = nanos.getAsLong() - t0;
        assertTrue(waitedForTimeout.test(took), "the blocking recv(0) waited for its timeout (took " + took + " ns)");
        assertEquals(3, c.send(new byte[3]));
        assertEquals(0, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "data queued, non-blocking");
        assertEquals(0, c.recv(b, 0, 0, BLOCKING), "data queued, blocking");
        assertEquals(3, c.observe().queuedBytes(), "recv(0) consumed nothing");
        c.peerShutdownWrite();
        assertEquals(3, c.recv(b, 0, 4, RecvMode.NON_BLOCKING));
        assertEquals(0, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "FIN queued");
        assertEquals(0, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "FIN consumed");
        assertEquals(0, c.recv(b, 0, 4, RecvMode.NON_BLOCKING), "end of stream");
        Connection d = session.connect(ConnectOptions.IPV4);
        d.shutdown(Shutdown.READ);
        assertEquals(0, d.recv(b, 0, 0, RecvMode.NON_BLOCKING), "SHUT_RD");
    }
}
