package dev.autolowat.kernel.socket;

import dev.autolowat.api.spi.Family;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17: what the messages of a failed pair construction advise (the conditions cannot be made here: lo stays up). */
class AdviceTest {
    @Test
    @DisplayName("issue 17: ENETUNREACH (lo down) advises `ip link set lo up`, for IPv4 and IPv6")
    void networkUnreachable() {
        for (Family f : Family.values()) {
            String a = NativeTcpPair.advice(f, -101);
            assertTrue(a.contains("loopback interface is down") && a.contains("ip link set lo up"), a);
        }
        NativeSocketException e = new NativeSocketException("connect(client, 127.0.0.1:1)", -101,
                NativeTcpPair.advice(Family.INET, -101));
        assertTrue(e.getMessage().contains("ENETUNREACH") && e.getMessage().contains("ip link set lo up"), e.getMessage());
    }
}
