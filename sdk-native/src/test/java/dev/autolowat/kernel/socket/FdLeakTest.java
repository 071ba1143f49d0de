package dev.autolowat.kernel.socket;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** No descriptor leaks: {@code /proc/self/fd} is back to its baseline after pairs close or fail to build. */
@DisplayName("NativeTcpPair leaks no file descriptor")
class FdLeakTest {

    /** Opens and closes one pair of each family so the JVM has loaded and opened whatever it lazily needs. */
    private static long baseline() {
        Pairs.open(Family.INET).close();
        try {
            NativeTcpPair.open(Family.INET6).close();
        } catch (NativeSocketException e) {
            // IPv6 may be missing; the IPv4 pair is enough to warm up.
        }
        return Pairs.openFds();
    }

    @Test
    @DisplayName("200 pairs (IPv4 and IPv6 alternately, data sent and read) opened and closed: fd count back to baseline")
    void twoHundredPairs() {
        long base = baseline();
        boolean ipv6 = true;
        for (int i = 0; i < 200; i++) {
            Family f = (i % 2 == 0 || !ipv6) ? Family.INET : Family.INET6;
            NativeTcpPair p;
            try {
                p = NativeTcpPair.open(f);
            } catch (NativeSocketException e) {
                if (f == Family.INET6 && e.notSupportedByMachine()) {
                    ipv6 = false;
                    p = Pairs.open(Family.INET);
                } else {
                    throw e;
                }
            }
            try (NativeTcpPair pair = p) {
                assertEquals(3, pair.send(new byte[]{1, 2, 3}, 3));
                pair.readable();
            }
        }
        // A leak shows as more descriptors; the JVM itself may close one meanwhile (a jar, a
        // selector of another test class), so fewer than the baseline is not a failure.
        long after = Pairs.openFds();
        assertTrue(after <= base, "open descriptors after 200 pairs: " + after + ", baseline " + base + ": "
                + dev.autolowat.kernel.bpf.BpfTestSupport.sdkFds());
    }

    @Test
    @DisplayName("a failure at any construction step closes every descriptor opened so far and leaves the exception unchanged")
    void failureAtEveryStep() {
        long base = baseline();
        for (String failing : NativeTcpPair.STEPS) {
            RuntimeException injected = new IllegalStateException("injected failure before " + failing);
            List<String> seen = new ArrayList<>();
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> NativeTcpPair.open(ConnectOptions.IPV4, step -> {
                seen.add(step);
                if (step.equals(failing)) {
                    throw injected;
                }
            }));
            assertSame(injected, thrown);
            assertEquals(NativeTcpPair.STEPS.subList(0, seen.size()), seen, "steps run in order");
            long after = Pairs.openFds();
            assertTrue(after <= base, "open descriptors after a failure before " + failing + ": " + after + ", baseline " + base);
        }
    }
}
