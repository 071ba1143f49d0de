package dev.autolowat.sim;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.autolowat.sim.SimFixtures.EAGAIN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 17 on the simulator: send hands over the whole array (64 MiB), and recv of length 0 answers
 * as Linux's tcp_recvmsg does (SDK decision, docs/semantics.md "recv of length 0"). The native
 * backend's tests ({@code SendRecvEdgeTest} in sdk-native) check the same table on a kernel.
 */
class SendRecvEdgeTest {
    static final RecvMode BLOCKING = RecvMode.blocking(Duration.ofMillis(200));

    @Test
    @DisplayName("issue 17: send(64 MiB) returns 64 MiB and every byte arrives, in order, as the reader reads")
    void send64MiB() {
        byte[] data = new byte[64 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 13));
        }
        try (SimSession s = new SimBackend().openSession()) {
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(data.length, c.send(data));
            byte[] got = new byte[data.length];
            int off = 0;
            while (off < got.length) {
                int r = c.recv(got, off, Math.min(1 << 20, got.length - off), RecvMode.NON_BLOCKING);
                if (r <= 0) {
                    throw new AssertionError("recv returned " + r + " after " + off + " bytes");
                }
                off += r;
            }
            assertArrayEquals(data, got);
        }
    }

    @Test
    @DisplayName("issue 17: recv of length 0 — empty: -EAGAIN non-blocking, 0 blocking (after the timeout); queued data,"
            + " FIN or SHUT_RD: 0")
    void recvZero() {
        byte[] b = new byte[4];
        try (SimSession s = new SimBackend().openSession()) {
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(EAGAIN, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "empty, non-blocking");
            long t0 = s.clock().nanos();
            assertEquals(0, c.recv(b, 0, 0, BLOCKING), "empty, blocking");
            assertEquals(200_000_000L, s.clock().nanos() - t0, "the blocking recv(0) waited for its timeout");
            assertEquals(3, c.send(new byte[3]));
            assertEquals(0, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "data queued, non-blocking");
            assertEquals(0, c.recv(b, 0, 0, BLOCKING), "data queued, blocking");
            assertEquals(3, c.observe().queuedBytes(), "recv(0) consumed nothing");
            c.peerShutdownWrite();
            assertEquals(3, c.recv(b, 0, 4, RecvMode.NON_BLOCKING));
            assertEquals(0, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "FIN queued");
            assertEquals(0, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "FIN consumed");
            assertEquals(0, c.recv(b, 0, 4, RecvMode.NON_BLOCKING), "end of stream");
        }
        try (SimSession s = new SimBackend().openSession()) {
            SimConnection c = s.connect(ConnectOptions.IPV4);
            c.shutdown(Shutdown.READ);
            assertEquals(0, c.recv(b, 0, 0, RecvMode.NON_BLOCKING), "SHUT_RD");
        }
    }
}
