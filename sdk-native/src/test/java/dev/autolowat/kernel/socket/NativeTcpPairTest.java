package dev.autolowat.kernel.socket;

import dev.autolowat.api.Errno;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.kernel.sys.LibC;
import dev.autolowat.kernel.sys.Sockaddr;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pair itself: connection, data path, kernel return conventions (D3), misuse, lifetime. */
@DisplayName("NativeTcpPair on real loopback sockets")
class NativeTcpPairTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("connects over loopback: the accepted socket's peer is the client, the listener's port is the kernel's choice")
    void connects(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertEquals(ConnectOptions.of(family), p.options());
            assertTrue(p.port() > 0 && p.port() <= 0xFFFF);
            Sockaddr local = Sockaddr.empty(family);
            assertEquals(0, LibC.getsockname(p.clientFd(), local));
            Sockaddr peer = Sockaddr.empty(family);
            assertEquals(0, LibC.getpeername(p.acceptedFd(), peer));
            assertEquals(local.port(), peer.port(), "the accepted socket's peer is the client");
            assertTrue(peer.address().isLoopbackAddress(), peer.toString());
            Sockaddr server = Sockaddr.empty(family);
            assertEquals(0, LibC.getpeername(p.clientFd(), server));
            assertEquals(p.port(), server.port());
            int domain = family == Family.INET ? LibC.AF_INET : LibC.AF_INET6;
            assertEquals(domain, LibC.getsockoptInt(p.acceptedFd(), LibC.SOL_SOCKET, LibC.SO_DOMAIN));
            assertEquals(LibC.IPPROTO_TCP, LibC.getsockoptInt(p.acceptedFd(), LibC.SOL_SOCKET, LibC.SO_PROTOCOL));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("kernel-facts: the client has TCP_NODELAY; every descriptor is close-on-exec; the accepted socket is blocking")
    void socketSetup(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertEquals(1, p.peerGetsockopt(LibC.SOL_TCP, LibC.TCP_NODELAY));
            for (int fd : new int[]{p.listenerFd(), p.clientFd(), p.acceptedFd()}) {
                assertEquals(LibC.FD_CLOEXEC, LibC.fcntl(fd, LibC.F_GETFD, 0) & LibC.FD_CLOEXEC, "fd " + fd);
            }
            assertEquals(0, LibC.fcntl(p.acceptedFd(), LibC.F_GETFL, 0) & LibC.O_NONBLOCK,
                    "the accepted socket is blocking; non-blocking calls use MSG_DONTWAIT");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("bytes sent as segments arrive in order; FIONREAD counts them; each segment is one send()")
    void dataPath(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            byte[] data = Pairs.bytes(10_000);
            assertEquals(10_000, p.send(data, 1, 999, 4000, 5000));
            assertTrue(p.lastArrivalSeen());
            assertEquals(10_000, p.queuedBytes());
            byte[] got = new byte[10_000];
            int n = 0;
            while (n < got.length) {
                int r = p.recv(got, n, got.length - n, RecvMode.NON_BLOCKING);
                assertTrue(r > 0, "recv returned " + r);
                n += r;
            }
            assertArrayEquals(data, got);
            assertEquals(0, p.queuedBytes());
            assertEquals(3, p.sendSegment(new byte[]{9, 8, 7, 6, 5}, 1, 3));
            byte[] small = new byte[5];
            assertEquals(3, p.recv(small, 2, 3, RecvMode.NON_BLOCKING));
            assertArrayEquals(new byte[]{0, 0, 8, 7, 6}, small);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("D3: kernel errors are -errno results: send after the peer's SHUT_WR is -EPIPE; bad options are -ENOPROTOOPT/-EINVAL")
    void kernelErrorsAreResults(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertEquals(-92, p.getsockopt(LibC.SOL_SOCKET, 12345), "unknown option: -ENOPROTOOPT");
            assertEquals(-92, p.setsockopt(LibC.SOL_SOCKET, 12345, 1));
            assertEquals(Errno.ENOPROTOOPT.negative(), p.peerGetsockopt(LibC.SOL_TCP, 12345));
            assertEquals(0, p.peerShutdownWrite());
            assertEquals(Errno.EPIPE.negative(), p.send(new byte[]{1}, 1), "send after shutdown(SHUT_WR)");
            assertEquals(Errno.EPIPE.negative(), p.sendSegment(new byte[]{1}, 0, 1));
            assertEquals(0, p.shutdown(Shutdown.BOTH));
            byte[] b = new byte[4];
            assertEquals(0, p.recv(b, 0, 4, RecvMode.NON_BLOCKING), "end of stream after FIN");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("accepted socket shutdown(SHUT_RD) makes it readable (recv returns 0) and wakes the reader")
    void shutdownRead(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertFalse(p.readable());
            long before = p.edgeWakeups();
            assertEquals(0, p.shutdown(Shutdown.READ));
            System.out.println("[shutdown(SHUT_RD) " + family + "] readable " + p.readable() + ", edge +"
                    + (p.edgeWakeups() - before) + ", level events 0x" + Integer.toHexString(p.levelEvents()));
            assertTrue(p.readable());
            assertEquals(0, p.recv(new byte[1], 0, 1, RecvMode.NON_BLOCKING));
        }
    }

    @Test
    @DisplayName("misuse throws and changes nothing: null, bad ranges, empty segments, lengths not cutting the data")
    void misuse() {
        try (NativeTcpPair p = Pairs.open(Family.INET)) {
            assertThrows(NullPointerException.class, () -> p.send(null, 1));
            assertThrows(IllegalArgumentException.class, () -> p.send(new byte[2], 1));
            assertThrows(IllegalArgumentException.class, () -> p.send(new byte[2], 2, 0));
            assertThrows(IllegalArgumentException.class, () -> p.sendSegment(new byte[2], 0, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> p.sendSegment(new byte[2], 1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> p.recv(new byte[2], 1, 2, RecvMode.NON_BLOCKING));
            assertThrows(NullPointerException.class, () -> p.recv(new byte[2], 0, 2, null));
            assertThrows(NullPointerException.class, () -> p.shutdown(null));
            assertEquals(0, p.queuedBytes(), "nothing was sent");
            assertEquals(0, p.edgeWakeups());
        }
        assertThrows(NullPointerException.class, () -> NativeTcpPair.open((ConnectOptions) null));
    }

    @Test
    @DisplayName("close is idempotent; any other call afterwards throws IllegalStateException")
    void closeTwice() {
        NativeTcpPair p = Pairs.open(Family.INET);
        int fd = p.acceptedFd();
        p.close();
        p.close();
        assertTrue(p.isClosed());
        assertThrows(IllegalStateException.class, p::readable);
        assertThrows(IllegalStateException.class, p::rcvLowat);
        assertThrows(IllegalStateException.class, () -> p.send(new byte[1], 1));
        assertThrows(IllegalStateException.class, p::acceptedFd);
        assertNotEquals(-1, fd);
        assertTrue(p.toString().contains("closed"), p.toString());
    }

    @Test
    @DisplayName("edge wakeups start at 0 and readable() does not change them; a step with a wakeup adds exactly one")
    void edgeCounterBasics() {
        try (NativeTcpPair p = Pairs.open(Family.INET)) {
            assertEquals(0, p.edgeWakeups());
            assertFalse(p.readable());
            assertEquals(1, p.send(new byte[]{1}, 1));
            assertEquals(1, p.edgeWakeups());
            for (int i = 0; i < 5; i++) {
                assertTrue(p.readable(), "level-triggered: still readable at every wait");
            }
            assertEquals(1, p.edgeWakeups(), "observing readability consumes no edge and adds none");
            assertEquals(LibC.EPOLLIN, p.levelEvents() & LibC.EPOLLIN);
            assertEquals(1, p.recv(new byte[1], 0, 1, RecvMode.NON_BLOCKING));
            assertFalse(p.readable());
            assertEquals(1, p.edgeWakeups());
            assertEquals(0, p.queuedBytes());
        }
    }
}
