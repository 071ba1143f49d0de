package dev.autolowat.sim;

import dev.autolowat.testfixtures.RecvZeroContract;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 17 on the simulator: send hands over the whole array (64 MiB), and recv of length 0 answers
 * as Linux's tcp_recvmsg does (SDK decision, docs/semantics.md "recv of length 0"). The native
 * backend's tests ({@code SendRecvEdgeTest} in sdk-native) check the same table on a kernel.
 */
class SendRecvEdgeTest {

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
        try (SimSession s = new SimBackend().openSession()) {
            RecvZeroContract.check(s, () -> s.clock().nanos(), took -> took == 200_000_000L);
        }
    }
}
