package dev.autolowat.kernel.socket;

import dev.autolowat.api.spi.Family;
import dev.autolowat.kernel.sysfs.NetSysctls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * kernel-facts.md's SO_RCVLOWAT table reproduced on real sockets (rules K2, K4), for IPv4 and IPv6.
 * Expected values are computed from this machine's sysctls ({@link NetSysctls#read()}), never
 * hard-coded: {@code cap = tcp_rmem[2] / 2}, growth {@code 2 * val}, default {@code tcp_rmem[1]}.
 */
@DisplayName("K2/K4 SO_RCVLOWAT table on real loopback sockets")
class RcvLowatTableTest {

    private static NetSysctls sysctls;

    @BeforeAll
    static void readSysctls() {
        Pairs.requireLinux();
        sysctls = NetSysctls.read();
    }

    /** One measured row, printed so a reader can compare with kernel-facts.md. */
    private static String row(String set, NativeTcpPair p) {
        return "set " + set + " -> get SO_RCVLOWAT " + p.rcvLowat() + ", SO_RCVBUF " + p.rcvBuf();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("K2/K4: default, 0, 100, 65536, 1048576, cap, cap+1, 2^30, INT_MAX, -1, -5 on one socket: lowat = max(1, min(val, tcp_rmem[2]/2)), rcvbuf grows to 2*val")
    void userspaceTable(Family family) {
        int cap = sysctls.lowatCapWithoutRcvbuf();
        List<String> measured = new ArrayList<>();
        try (NativeTcpPair p = Pairs.open(family)) {
            LowatOracle oracle = new LowatOracle(sysctls);
            measured.add(row("(default)", p));
            assertEquals(1, p.rcvLowat(), "K4: default SO_RCVLOWAT");
            assertEquals(sysctls.defaultRcvbuf(), p.rcvBuf(), "K4: default SO_RCVBUF = tcp_rmem[1]");
            int[] values = {0, 100, 65536, 1048576, cap, cap + 1, 1 << 30, Integer.MAX_VALUE, -1, -5};
            for (int v : values) {
                assertEquals(0, p.setRcvLowat(v), "K2: setsockopt(SO_RCVLOWAT, " + v + ") returns 0");
                oracle.setRcvLowat(v);
                measured.add(row(Integer.toString(v), p));
                int lowat = p.rcvLowat();
                int rcvbuf = p.rcvBuf();
                assertAll("K2 after set " + v + " (" + sysctls + ")",
                        () -> assertEquals(oracle.lowat(), lowat, "SO_RCVLOWAT"),
                        () -> assertEquals(oracle.rcvbuf(), rcvbuf, "SO_RCVBUF"));
            }
            assertEquals(cap, p.rcvLowat(), "K2: the last rows sit at the cap tcp_rmem[2]/2");
            assertEquals(0, p.edgeWakeups(), "H4: with nothing queued, setting the lowat wakes no one");
        } finally {
            System.out.println("[K2 table " + family + "] " + String.join("; ", measured));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("K2/K4: after SO_RCVBUF 65536 the buffer is doubled and locked; lowat 1000, 65536, 1048576 -> capped at sk_rcvbuf/2")
    void lockedRcvbufTable(Family family) {
        List<String> measured = new ArrayList<>();
        try (NativeTcpPair p = Pairs.open(family)) {
            LowatOracle oracle = new LowatOracle(sysctls);
            assertEquals(0, p.setRcvBuf(65536));
            oracle.setRcvBuf(65536);
            measured.add(row("SO_RCVBUF 65536", p));
            assertEquals(oracle.rcvbuf(), p.rcvBuf(), "K4: SO_RCVBUF min(65536, rmem_max) doubled");
            for (int v : new int[]{1000, 65536, 1048576}) {
                assertEquals(0, p.setRcvLowat(v));
                oracle.setRcvLowat(v);
                measured.add(row(Integer.toString(v), p));
                int lowat = p.rcvLowat();
                int rcvbuf = p.rcvBuf();
                assertAll("K2 with a locked SO_RCVBUF, after set " + v + " (" + sysctls + ")",
                        () -> assertEquals(oracle.lowat(), lowat, "SO_RCVLOWAT capped at sk_rcvbuf/2"),
                        () -> assertEquals(oracle.rcvbuf(), rcvbuf, "SO_RCVBUF locked: no growth"));
            }
            assertEquals(p.rcvBuf() / 2, p.rcvLowat(), "K2: 1048576 capped at sk_rcvbuf/2");
        } finally {
            System.out.println("[K2 locked " + family + "] " + String.join("; ", measured));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("K4: a user SO_RCVBUF is bounded by rmem_max (taken as unsigned: -1 is huge) and doubled")
    void rcvbufBoundedAndDoubled(Family family) {
        int rmemMax = sysctls.rmemMax();
        List<Integer> values = new ArrayList<>(List.of(65536, rmemMax, Integer.MAX_VALUE, -1));
        if (rmemMax < Integer.MAX_VALUE) {
            values.add(rmemMax + 1);
        }
        List<String> measured = new ArrayList<>();
        try {
            for (int v : values) {
                try (NativeTcpPair p = Pairs.open(family)) {
                    LowatOracle oracle = new LowatOracle(sysctls);
                    assertEquals(0, p.setRcvBuf(v), "setsockopt(SO_RCVBUF, " + v + ")");
                    oracle.setRcvBuf(v);
                    measured.add(row("SO_RCVBUF " + v, p));
                    assertEquals(oracle.rcvbuf(), p.rcvBuf(), "K4: SO_RCVBUF " + v + " with rmem_max " + rmemMax);
                }
            }
        } finally {
            System.out.println("[K4 SO_RCVBUF " + family + "] " + String.join("; ", measured));
        }
    }
}
