package dev.autolowat.kernel.socket;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MPTCP pairs (the sockets rule F3's MPTCP guard is about), or a clear refusal. */
@DisplayName("NativeTcpPair over MPTCP (F3's MPTCP sockets)")
class MptcpTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("F3: an MPTCP pair connects, both ends are IPPROTO_MPTCP (262), data flows")
    void mptcpPair(Family family) {
        try (NativeTcpPair p = Pairs.open(new ConnectOptions(family, true))) {
            assertEquals(LibC.IPPROTO_MPTCP, LibC.getsockoptInt(p.clientFd(), LibC.SOL_SOCKET, LibC.SO_PROTOCOL));
            assertEquals(LibC.IPPROTO_MPTCP, LibC.getsockoptInt(p.acceptedFd(), LibC.SOL_SOCKET, LibC.SO_PROTOCOL));
            assertEquals(1, p.peerGetsockopt(LibC.SOL_TCP, LibC.TCP_NODELAY));
            byte[] data = Pairs.bytes(300);
            assertEquals(300, p.send(data, 100, 200));
            assertTrue(p.lastArrivalSeen());
            byte[] got = new byte[300];
            int n = 0;
            while (n < 300) {
                int r = p.recv(got, n, 300 - n, RecvMode.NON_BLOCKING);
                assertTrue(r > 0, "recv returned " + r);
                n += r;
            }
            assertArrayEquals(data, got);
            int lowatSet = p.setRcvLowat(100);
            System.out.println("[MPTCP " + family + "] setsockopt(SO_RCVLOWAT, 100) -> " + lowatSet + ", get SO_RCVLOWAT "
                    + p.rcvLowat() + ", SO_RCVBUF " + p.rcvBuf() + ", edges " + p.edgeWakeups());
        }
    }

    @Test
    @DisplayName("the refusal names the errno and says how to enable MPTCP (sysctl net.mptcp.enabled=1)")
    void refusalMessage() {
        String call = "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP=262) for the listener";
        MptcpUnavailableException disabled = new MptcpUnavailableException(call, -92);
        assertTrue(disabled.getMessage().startsWith(call + " returned -92 (ENOPROTOOPT): MPTCP is not available"),
                disabled.getMessage());
        assertTrue(disabled.getMessage().contains("sysctl -w net.mptcp.enabled=1"), disabled.getMessage());
        assertEquals(92, disabled.errno());
        assertEquals("ENOPROTOOPT", disabled.errnoName());
        assertTrue(disabled.notSupportedByMachine());
        assertEquals(java.util.Optional.of("machine"), disabled.unsupportedBy(), "the SPI-level view of the same fact");
        MptcpUnavailableException absent = new MptcpUnavailableException(call, -93);
        assertTrue(absent.getMessage().contains("-93 (EPROTONOSUPPORT)"), absent.getMessage());
        assertTrue(absent.getMessage().contains("CONFIG_MPTCP"), absent.getMessage());
        assertTrue(absent.getMessage().contains("net.mptcp.enabled"), absent.getMessage());
        assertTrue(Arrays.asList(absent.getClass().getSuperclass()).contains(NativeSocketException.class));
    }

    @Test
    @DisplayName("a failure that is a fault, not a missing feature, is not reported as 'not supported'")
    void faultIsNotUnsupported() {
        NativeSocketException e = new NativeSocketException("close(5)", -9, "");
        assertEquals("close(5) returned -9 (EBADF)", e.getMessage());
        assertTrue(!e.notSupportedByMachine());
        assertEquals(java.util.Optional.empty(), e.unsupportedBy());
        NativeSocketException noV6 = new NativeSocketException("bind(AF_INET6 [::1]:0)", -99, "no ::1");
        assertEquals("bind(AF_INET6 [::1]:0) returned -99 (EADDRNOTAVAIL): no ::1", noV6.getMessage());
        assertTrue(noV6.notSupportedByMachine());
    }
}
