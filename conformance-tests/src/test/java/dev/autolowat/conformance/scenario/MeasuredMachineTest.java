package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.conformance.NativeAgreementTest;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.sim.SimBackend;
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
    @DisplayName("K2: the skb overhead is recovered from the rcvbuf SO_RCVLOWAT grows to (6.18: 576 bytes; 6.12.117 in QEMU: 5096875 for lowat 3145728)")
    void overheadFromRcvbuf() {
        int len = Backends.OVERHEAD_PROBE_SEGMENT;
        long ratio576 = ((long) len << 8) / (len + 576);
        int rcvbuf576 = (int) (((long) Backends.OVERHEAD_PROBE_LOWAT << 8) / ratio576);
        assertEquals(576, Backends.overheadFromRcvbuf(len, Backends.OVERHEAD_PROBE_LOWAT, rcvbuf576, 576),
                "the reference machine's overhead is kept when it reproduces the measurement");
        int guess = Backends.overheadFromRcvbuf(len, 3145728, 5096875, 576);
        long ratio = ((long) len << 8) / (len + guess);
        assertEquals(158, ratio, "the measured A2 case on 6.12.117 (overhead " + guess + ")");
        assertEquals(5096875, (int) ((3145728L << 8) / ratio));
        assertEquals(576, Backends.overheadFromRcvbuf(len, 1000, 131072, 576), "no growth: no information, the fallback");
    }

    @Test
    @DisplayName("K2 (root): the simulator configured for this kernel grows rcvbuf exactly as the kernel after one big segment")
    void measuredOverheadReproducesTheKernel() {
        NativeAgreementTest.requireRoot();
        Backend kernel = new NativeBackend();
        SimBackend sim = Backends.simulatorFor(kernel);
        for (int len : new int[]{Backends.OVERHEAD_PROBE_SEGMENT, 3000}) {
            assertEquals(rcvbufAfter(kernel, len), rcvbufAfter(sim, len), "segment of " + len + " bytes, overhead "
                    + sim.config().skbOverhead() + " (reference " + SimConfig.DEFAULT.skbOverhead() + ")");
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
