package dev.autolowat.sim;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SocketState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer's segment size follows the kernel's {@code tcp_bound_to_half_wnd()}: at most half the largest
 * window the receiver has advertised. The numbers are those measured on Linux 6.18 loopback
 * (docs/simulator.md "Flow control"): the handshake's window is 65483 bytes, so one 32768-byte
 * {@code send()} arrives as 32741 + 27 bytes and the receiver's MSS estimate becomes 32741 — which keeps
 * the remaining window (32742) above it, so a lowat of 65536 does not wake the reader half-way (H3).
 */
class PeerSegmentSizeTest {
    @Test
    @DisplayName("H3: the first 32768-byte write goes out as 32741 + 27 bytes (half the handshake window); no early wakeup at lowat 65536")
    void firstSegmentsAreBoundToHalfTheHandshakeWindow() {
        try (SimSession session = new SimBackend().openSession()) {
            SimConnection c = session.connect(ConnectOptions.IPV4);
            SocketState socket = c.socket();
            assertEquals(65483, socket.maxAdvertisedWindow(), "handshake window: one loopback MSS");
            assertEquals(32741, c.peer().currentMss());
            assertEquals(0, c.setRcvLowat(65536));
            long before = c.peer().packetsSent();

            c.sendSegments(new byte[32768], 0, 32768);

            assertEquals(2, c.peer().packetsSent() - before, "32741 + 27");
            assertEquals(32741, socket.rcvMss());
            assertTrue(socket.receiveWindow() > socket.rcvMss(), "window " + socket.receiveWindow());
            assertFalse(c.observe().readable(), "32768 < lowat, no pressure, window above one MSS");
            assertEquals(0, c.observe().edgeWakeups());

            c.sendSegments(new byte[32768], 0, 32768);
            assertTrue(c.observe().readable(), "65536 >= lowat");
            assertEquals(1, c.observe().edgeWakeups());
        }
    }

    @Test
    @DisplayName("the bound follows the largest advertised window: it grows with the window up to the MSS, never shrinks")
    void boundGrowsWithTheWindowUpToTheMss() {
        try (SimSession session = new SimBackend().openSession()) {
            SimConnection c = session.connect(ConnectOptions.IPV4);
            // The model does not autotune sk_rcvbuf: with the default 131072 its window stays under two
            // MSS (bound 64768). K2's growth (lowat 200000 -> rcvbuf 400000) gives it room, as
            // autotuning does on the kernel (measured there: snd_mss 32741 -> 47616 -> 65483).
            assertEquals(0, c.setRcvLowat(200_000));
            int previous = c.peer().currentMss();
            byte[] buffer = new byte[1 << 20];
            for (int i = 0; i < 8; i++) {
                c.sendSegments(new byte[65536], 0, 65536);
                while (c.recv(buffer, 0, buffer.length, RecvMode.NON_BLOCKING) > 0) {
                    // drain: the ACKs after recv open the window
                }
                int now = c.peer().currentMss();
                assertTrue(now >= previous, "the bound never shrinks: " + previous + " -> " + now);
                assertEquals(Math.min(c.mss(), c.socket().maxAdvertisedWindow() / 2), now);
                previous = now;
            }
            assertEquals(c.mss(), previous, "once the window passed two MSS, segments are MSS-sized");
        }
    }
}
