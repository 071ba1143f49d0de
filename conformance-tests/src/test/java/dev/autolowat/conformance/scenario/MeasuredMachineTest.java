package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.conformance.NativeAgreementTest;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.sim.SimConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel-version facts {@link Backends#simulatorFor} measures (decision D10): the skb overhead
 * behind the learned scaling ratio (K2's rcvbuf growth) and a SOCKMAP member's FIONREAD.
 */
class MeasuredMachineTest {

    @Test
    @DisplayName("K2: the skb overhead is recovered from the rcvbufs SO_RCVLOWAT grows to after 1445- and 1444-byte segments (6.18: 576 bytes; 6.12.117 in QEMU: 896)")
    void overheadFromRcvbuf() {
        int[] lens = Backends.OVERHEAD_PROBE_SEGMENTS;
        for (int overhead : new int[]{576, 896}) {
            int[] rcvbufs = new int[lens.length];
            for (int i = 0; i < lens.length; i++) {
                rcvbufs[i] = (int) (((long) Backends.OVERHEAD_PROBE_LOWAT << 8) / (((long) lens[i] << 8) / (lens[i] + overhead)));
            }
            assertEquals(overhead, Backends.overheadFromRcvbuf(lens, Backends.OVERHEAD_PROBE_LOWAT, rcvbufs, 0));
        }
        // measured in the guest (A2 scenarios, lowat 3145728): 1445 bytes -> 5096875, 1444 bytes -> 5129339
        assertEquals(896, Backends.overheadFromRcvbuf(lens, 3145728, new int[]{5096875, 5129339}, 576));
        assertEquals(576, Backends.overheadFromRcvbuf(lens, 1000, new int[]{131072, 131072}, 576),
                "no growth: no information, the fallback");
    }

    @Test
    @DisplayName("K2 (root): the simulator configured for this kernel grows rcvbuf exactly as the kernel after one big segment")
    void measuredOverheadReproducesTheKernel() {
        NativeAgreementTest.requireRoot();
        Backend kernel = new NativeBackend();
        Backend sim = Backends.simulatorFor(kernel);
        int overhead = Backends.simConfigFor(kernel).skbOverhead();
        for (int len : new int[]{1445, 1444, 1000, 3000}) {
            assertEquals(rcvbufAfter(kernel, len), rcvbufAfter(sim, len), "segment of " + len + " bytes, overhead "
                    + overhead + " (reference " + SimConfig.DEFAULT.skbOverhead() + ")");
        }
    }

    private static int rcvbufAfter(Backend b, int len) {
        try (BackendSession s = b.openSession()) {
            Connection c = s.connect(ConnectOptions.IPV4);
            assertEquals(len, c.send(new byte[len], len));
            assertEquals(0, c.setRcvLowat(Backends.OVERHEAD_PROBE_LOWAT));
            return c.observe().rcvBuf();
        }
    }
}
