package dev.autolowat.kernel.sys;

import com.sun.jna.Memory;
import dev.autolowat.api.Errno;
import dev.autolowat.api.spi.Family;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bindings themselves: layouts, the -errno convention (D3), syscall(2). */
@DisplayName("LibC bindings (JNA direct mapping)")
class LibCTest {

    @BeforeAll
    static void linux() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "not supported by this machine: not Linux");
    }

    @Test
    @DisplayName("struct sizes: sockaddr_in 16, sockaddr_in6 28; ports in network order; loopback addresses")
    void layouts() throws Exception {
        SockaddrIn v4 = SockaddrIn.loopback(0x1234);
        assertEquals(SockaddrIn.SIZE, v4.size());
        v4.write();
        assertEquals(LibC.AF_INET, Short.toUnsignedInt(v4.getPointer().getShort(0)));
        assertEquals(0x12, v4.getPointer().getByte(2), "port high byte first");
        assertEquals(0x34, v4.getPointer().getByte(3));
        assertEquals(127, v4.getPointer().getByte(4));
        assertEquals(1, v4.getPointer().getByte(7));
        assertEquals(0x1234, v4.port());
        assertEquals(InetAddress.getByName("127.0.0.1"), v4.address());
        assertEquals("127.0.0.1:4660", v4.toString());

        SockaddrIn6 v6 = SockaddrIn6.loopback(65535);
        assertEquals(SockaddrIn6.SIZE, v6.size());
        v6.write();
        assertEquals(LibC.AF_INET6, Short.toUnsignedInt(v6.getPointer().getShort(0)));
        assertEquals(1, v6.getPointer().getByte(8 + 15));
        assertEquals(65535, v6.port());
        assertEquals(InetAddress.getByName("::1"), v6.address());
        assertEquals("[0:0:0:0:0:0:0:1]:65535", v6.toString());

        assertThrows(IllegalArgumentException.class, () -> SockaddrIn.loopback(65536));
        assertThrows(IllegalArgumentException.class, () -> Sockaddr.loopback(Family.INET6, -1));
    }

    @Test
    @DisplayName("D3: failures are -errno, never exceptions: close(-1) = -EBADF, bad family = -EAFNOSUPPORT, FIONREAD on a non-socket...")
    void errnoConvention() {
        assertEquals(Errno.EBADF.negative(), LibC.close(-1));
        assertEquals(Errno.EAFNOSUPPORT.negative(), LibC.socket(12345, LibC.SOCK_STREAM, 0));
        assertEquals(Errno.EBADF.negative(), LibC.getsockoptInt(-1, LibC.SOL_SOCKET, LibC.SO_RCVLOWAT));
        assertEquals(Errno.EBADF.negative(), LibC.setsockoptInt(-1, LibC.SOL_SOCKET, LibC.SO_RCVLOWAT, 1));
        assertEquals(Errno.EBADF.negative(), LibC.fionread(-1));
        assertEquals(Errno.EBADF.negative(), LibC.epollCtl(-1, LibC.EPOLL_CTL_ADD, 0, LibC.EPOLLIN, 0));
        assertEquals(Errno.EINVAL.negative(), LibC.epollCreate1(-1));
        try (Memory buf = new Memory(8)) {
            assertEquals(Errno.EBADF.negative(), LibC.recv(-1, buf, 8, LibC.MSG_DONTWAIT));
            assertEquals(Errno.EBADF.negative(), LibC.send(-1, buf, 8, LibC.MSG_NOSIGNAL));
        }
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, ErrnoNames.describe(fd));
        try {
            assertEquals(Errno.ENOTCONN.negative(), LibC.shutdown(fd, LibC.SHUT_WR));
            assertEquals(Errno.ENOTCONN.negative(), LibC.getpeername(fd, new SockaddrIn()));
            assertEquals(1, LibC.getsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVLOWAT));
            assertEquals(0, LibC.setsockoptTimeval(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, 1500));
            assertEquals(LibC.SOCK_STREAM, LibC.getsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_TYPE));
            assertEquals(0, LibC.listen(fd, 1), "listen on an unbound TCP socket binds it to a port");
            SockaddrIn bound = new SockaddrIn();
            assertEquals(0, LibC.getsockname(fd, bound));
            assertTrue(bound.port() > 0, bound.toString());
            assertEquals(Errno.EINVAL.negative(), LibC.fionread(fd), "FIONREAD on a listening TCP socket");
        } finally {
            assertEquals(0, LibC.close(fd));
        }
        assertEquals(Errno.EBADF.negative(), LibC.close(fd), "closed twice");
    }

    @Test
    @DisplayName("epoll_event is packed (12 bytes): events at 0, the 64-bit data at 4 round-trips")
    void epollEventPacked() {
        int sock = LibC.socket(LibC.AF_INET, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        int ep = LibC.epollCreate1(LibC.EPOLL_CLOEXEC);
        assertTrue(sock >= 0 && ep >= 0);
        try (Memory events = new Memory(4L * LibC.EPOLL_EVENT_SIZE)) {
            long data = 0x1122334455667788L;
            assertEquals(0, LibC.epollCtl(ep, LibC.EPOLL_CTL_ADD, sock, LibC.EPOLLOUT, data));
            assertEquals(Errno.EEXIST.negative(), LibC.epollCtl(ep, LibC.EPOLL_CTL_ADD, sock, LibC.EPOLLOUT, data));
            // An unconnected TCP socket is in state CLOSE: EPOLLOUT and EPOLLHUP are reported at once.
            assertEquals(1, LibC.epollWait(ep, events, 4, 0));
            assertEquals(data, LibC.epollData(events, 0));
            assertEquals(LibC.EPOLLHUP, LibC.epollEvents(events, 0) & LibC.EPOLLHUP);
            assertThrows(IllegalArgumentException.class, () -> LibC.epollWait(ep, events, 5, 0));
            assertTrue((LibC.pollOne(sock, LibC.POLLOUT, 0) & LibC.POLLHUP) != 0);
        } finally {
            LibC.close(ep);
            LibC.close(sock);
        }
    }

    @Test
    @DisplayName("syscall(2): getpid matches the JVM's pid; bpf(2) with an unknown command returns -EINVAL (or -EPERM unprivileged)")
    void syscall() {
        assertEquals(ProcessHandle.current().pid(), LibC.syscall(LibC.SYS_GETPID, 0, 0, 0));
        try (Memory attr = new Memory(128)) {
            attr.clear();
            long r = LibC.syscall(LibC.SYS_BPF, 9999, attr, 128);
            assertTrue(r == Errno.EINVAL.negative() || r == Errno.EPERM.negative(), ErrnoNames.describe(r));
        }
        assertEquals(Errno.ENOSYS.negative(), LibC.syscall(100_000, 0, 0, 0));
    }
}
