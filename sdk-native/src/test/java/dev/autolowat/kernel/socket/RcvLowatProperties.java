package dev.autolowat.kernel.socket;

import dev.autolowat.api.spi.Family;
import dev.autolowat.kernel.sysfs.NetSysctls;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rule K2 (and K4) on real sockets over generated values, against {@link LowatOracle}; each try is a
 * fresh pair and real system calls, so tries are few (200).
 */
class RcvLowatProperties {

    private static NetSysctls sysctls;
    private static List<Family> families;

    @BeforeAll
    static void readSysctls() {
        Pairs.requireLinux();
        sysctls = NetSysctls.read();
        families = List.of(Family.INET, Family.INET6);
        try {
            NativeTcpPair.open(Family.INET6).close();
        } catch (NativeSocketException e) {
            if (!e.notSupportedByMachine()) {
                throw e;
            }
            families = List.of(Family.INET);
            System.out.println("[K2 property] IPv6 not supported by this machine, IPv4 only: " + e.getMessage());
        }
    }

    /** One call on the accepted socket. */
    record Op(boolean rcvbuf, int value) {
        @Override
        public String toString() {
            return (rcvbuf ? "SO_RCVBUF " : "SO_RCVLOWAT ") + value;
        }
    }

    /** Interesting lowat values: anything, small ones, around the cap, around 2^20. */
    static Gen<Integer> lowatValues(int cap) {
        Gen<Integer> any = Gen.anyInt();
        Gen<Integer> small = Gen.ints(-10, 300);
        Gen<Integer> nearCap = Gen.ints(cap - 5, cap + 5);
        Gen<Integer> mid = Gen.ints(0, 1 << 26);
        return c -> {
            switch (c.intBetween(0, 3)) {
                case 0: return small.generate(c);
                case 1: return mid.generate(c);
                case 2: return nearCap.generate(c);
                default: return any.generate(c);
            }
        };
    }

    /** Mostly lowat calls; now and then an SO_RCVBUF (values large enough that SOCK_MIN_RCVBUF does not apply). */
    static Gen<Op> ops(int cap, int rmemMax) {
        Gen<Integer> lowat = lowatValues(cap);
        Gen<Integer> rcvbuf = Gen.oneOf(65536, 8192, rmemMax, -1, Integer.MAX_VALUE, 1 << 20);
        return c -> c.intBetween(0, 7) == 0 ? new Op(true, rcvbuf.generate(c)) : new Op(false, lowat.generate(c));
    }

    record Scenario(Family family, List<Op> ops) {
    }

    static Gen<Scenario> scenarios() {
        Gen<List<Op>> ops = ops(sysctls.lowatCapWithoutRcvbuf(), sysctls.rmemMax()).listOf(1, 6);
        return Gen.zip(Gen.oneOf(families.toArray(new Family[0])), ops, Scenario::new);
    }

    @Test
    @DisplayName("K2/K4: any sequence of setsockopt(SO_RCVLOWAT / SO_RCVBUF) on a fresh socket gives the oracle's lowat and rcvbuf")
    void userspaceSetterMatchesOracle() {
        Property.forAll("K2 native setsockopt vs oracle", scenarios()).tries(200).check(s -> {
            try (NativeTcpPair p = NativeTcpPair.open(s.family())) {
                LowatOracle oracle = new LowatOracle(sysctls);
                for (Op op : s.ops()) {
                    if (op.rcvbuf()) {
                        assertEquals(0, p.setRcvBuf(op.value()), op.toString());
                        oracle.setRcvBuf(op.value());
                    } else {
                        assertEquals(0, p.setRcvLowat(op.value()), op.toString());
                        oracle.setRcvLowat(op.value());
                    }
                    assertEquals(oracle.lowat(), p.rcvLowat(), "SO_RCVLOWAT after " + op + " (" + sysctls + ")");
                    assertEquals(oracle.rcvbuf(), p.rcvBuf(), "SO_RCVBUF after " + op + " (" + sysctls + ")");
                }
                assertEquals(0, p.edgeWakeups(), "H4: nothing queued, no wakeup");
            }
        });
    }
}
