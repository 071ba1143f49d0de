package dev.autolowat.sim;

import dev.autolowat.api.Errno;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Shutdown;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SOCKMAP membership as the kernel's sock_map_update_elem and tcp_bpf_ioctl decide it (found by the
 * native agreement test): only ESTABLISHED sockets join, and a member's FIONREAD is its psock's queue.
 */
class SockmapStateTest {

    @Test
    @DisplayName("F4: after the peer's FIN (CLOSE_WAIT) a socket cannot join a SOCKMAP: -EOPNOTSUPP")
    void closeWaitCannotJoin() {
        try (SimSession s = new SimBackend().openSession()) {
            SimConnection c = s.connect(ConnectOptions.IPV4);
            c.peerShutdownWrite();
            assertEquals(Errno.EOPNOTSUPP.negative(), c.addToSockmap());
            assertEquals(Errno.ENOENT.negative(), c.removeFromSockmap(), "not a member");
        }
    }

    @Test
    @DisplayName("F4: after a local shutdown(SHUT_WR) a socket cannot join a SOCKMAP; SHUT_RD alone keeps it ESTABLISHED")
    void localShutdownWrite() {
        try (SimSession s = new SimBackend().openSession()) {
            SimConnection rd = s.connect(ConnectOptions.IPV4);
            rd.shutdown(Shutdown.READ);
            assertEquals(0, rd.addToSockmap());
            SimConnection wr = s.connect(ConnectOptions.IPV4);
            wr.shutdown(Shutdown.WRITE);
            assertEquals(Errno.EOPNOTSUPP.negative(), wr.addToSockmap());
        }
    }

    @Test
    @DisplayName("K4/H5: a SOCKMAP member's FIONREAD counts its psock queue (0), while the data stays readable")
    void memberFionread() {
        try (SimSession s = new SimBackend().openSession()) {
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(0, c.addToSockmap());
            c.send(new byte[10], 10);
            assertEquals(0, c.observe().queuedBytes());
            assertTrue(c.readable());
            assertEquals(0, c.removeFromSockmap());
            assertEquals(10, c.observe().queuedBytes());
        }
    }

    @Test
    @DisplayName("K4/H5: on a kernel whose tcp_bpf_ioctl counts the receive queue without a verdict program (6.12.117), a member's FIONREAD is tcp_inq")
    void memberFionreadCountingTheReceiveQueue() {
        try (SimSession s = new SimBackend(SimConfig.DEFAULT.withSockmapInqCountsReceiveQueue(true)).openSession()) {
            SimConnection c = s.connect(ConnectOptions.IPV4);
            c.send(new byte[3], 3);
            assertEquals(0, c.addToSockmap());
            c.send(new byte[10], 10);
            assertEquals(13, c.observe().queuedBytes());
            assertEquals(0, c.removeFromSockmap());
            assertEquals(13, c.observe().queuedBytes());
        }
    }
}
