package dev.autolowat.kernel.socket;

import dev.autolowat.api.Errno;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.RecvMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kernel-facts.md's readiness and wakeup table reproduced on real sockets (rules H3, H4, H5), for
 * IPv4 and IPv6: level-triggered readability from a level-triggered epoll, wakeups counted from an
 * edge-triggered epoll drained after every step.
 */
@DisplayName("H3/H4/H5 readiness and wakeups on real loopback sockets")
class ReadinessTableTest {

    /** Drives the steps and checks each row: level-triggered readiness and edge events caused by the step. */
    private static final class Table {
        private final NativeTcpPair p;
        private final List<String> measured = new ArrayList<>();
        private long edges;

        Table(NativeTcpPair p) {
            this.p = p;
            this.edges = p.edgeWakeups();
        }

        void row(String rule, String step, boolean readable, int newEdges) {
            boolean r = p.readable();
            long e = p.edgeWakeups();
            long delta = e - edges;
            edges = e;
            measured.add(step + ": queued " + p.queuedBytes() + ", ready " + (r ? "yes" : "no") + ", edge +" + delta);
            assertEquals(readable, r, rule + " after '" + step + "': level-triggered readable");
            assertEquals(newEdges, delta, rule + " after '" + step + "': edge-triggered events");
        }

        void send(int n) {
            assertEquals(n, p.send(Pairs.bytes(n), n), "send " + n);
            assertTrue(p.lastArrivalSeen(), "the " + n + " bytes reached the receive queue within "
                    + NativeTcpPair.ARRIVAL_TIMEOUT);
        }

        String report() {
            return String.join("; ", measured);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("H3/H4/H5 with lowat 100: 50, 99 not ready; 100, 110 ready + one edge each; recv(30) = 30; 80 not ready; lowat 50 ready + edge (H4); peer FIN ready + edge")
    void lowat100(Family family) {
        Table t = null;
        try (NativeTcpPair p = Pairs.open(family)) {
            t = new Table(p);
            assertEquals(0, p.setRcvLowat(100));
            assertEquals(100, p.rcvLowat());
            t.row("K2", "setsockopt(SO_RCVLOWAT, 100) on an empty socket", false, 0);
            t.send(50);
            t.row("H3", "50 bytes queued", false, 0);
            t.send(49);
            t.row("H3", "99 queued", false, 0);
            t.send(1);
            t.row("H3", "100 queued", true, 1);
            t.send(10);
            t.row("H3", "110 (10 more arrive)", true, 1);
            byte[] buf = new byte[30];
            assertEquals(30, p.recv(buf, 0, 30, RecvMode.NON_BLOCKING), "H5: non-blocking recv(30)");
            assertArrayEquals(Arrays.copyOf(Pairs.bytes(50), 30), buf, "the first 30 bytes, in order");
            assertEquals(80, p.queuedBytes());
            t.row("H3", "non-blocking recv(30) -> 30, 80 queued", false, 0);
            assertEquals(0, p.setRcvLowat(50));
            t.row("H4", "setsockopt(SO_RCVLOWAT, 50)", true, 1);
            assertEquals(0, p.peerShutdownWrite());
            assertTrue(p.lastArrivalSeen(), "FIN reached the accepted socket within " + NativeTcpPair.ARRIVAL_TIMEOUT);
            t.row("H3", "peer shutdown(SHUT_WR)", true, 1);
            assertEquals(80, p.queuedBytes(), "FIN adds no byte to FIONREAD");
        } finally {
            if (t != null) {
                System.out.println("[H3-H5 table " + family + "] " + t.report());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("H4: raising the lowat above what is queued makes the socket unreadable and wakes no one; lowering it to exactly avail wakes")
    void raiseAndLowerLowat(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            Table t = new Table(p);
            t.send(60);
            t.row("H3", "60 queued, lowat 1", true, 1);
            assertEquals(0, p.setRcvLowat(61));
            t.row("H4", "lowat 61 > avail 60", false, 0);
            assertEquals(0, p.setRcvLowat(60));
            t.row("H4", "lowat 60 = avail", true, 1);
            assertEquals(0, p.setRcvLowat(60));
            t.row("H4", "lowat 60 again: still ready, wakes again", true, 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("H5: non-blocking recv on an empty socket returns -EAGAIN (-11)")
    void nonBlockingEmpty(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertEquals(-11, p.recv(new byte[10], 0, 10, RecvMode.NON_BLOCKING));
            assertEquals(Errno.EAGAIN.negative(), p.recv(new byte[10], 0, 10, RecvMode.NON_BLOCKING));
            assertFalse(p.readable());
            assertEquals(0, p.edgeWakeups());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("H5: non-blocking recv returns what is queued below the lowat (50 of lowat 100)")
    void nonBlockingBelowLowat(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertEquals(0, p.setRcvLowat(100));
            assertEquals(50, p.send(Pairs.bytes(50), 50));
            assertFalse(p.readable(), "H3: 50 < lowat 100");
            byte[] buf = new byte[1000];
            assertEquals(50, p.recv(buf, 0, 1000, RecvMode.NON_BLOCKING));
            assertArrayEquals(Pairs.bytes(50), Arrays.copyOf(buf, 50));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("H5: blocking recv (100 ms SO_RCVTIMEO) with 50 queued and lowat 100 returns 50 after the timeout")
    void blockingTimesOutWithPartialData(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertEquals(0, p.setRcvLowat(100));
            assertEquals(50, p.send(Pairs.bytes(50), 50));
            byte[] buf = new byte[1000];
            long start = System.nanoTime();
            int r = p.recv(buf, 0, 1000, RecvMode.blocking(Duration.ofMillis(100)));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("[H5 " + family + "] blocking recv(1000), 50 queued, lowat 100, timeout 100 ms -> "
                    + r + " after " + elapsedMs + " ms");
            assertEquals(50, r);
            assertArrayEquals(Pairs.bytes(50), Arrays.copyOf(buf, 50));
            // SO_RCVTIMEO has jiffy resolution: allow one 10 ms tick early.
            assertTrue(elapsedMs >= 90, "returned after " + elapsedMs + " ms, before the 100 ms timeout");
            assertTrue(elapsedMs < 1000, "returned after " + elapsedMs + " ms");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("H5: blocking recv returns at once when min(len, lowat) bytes are queued (len 40 < lowat 100; 100 of lowat 100)")
    void blockingReturnsAtTarget(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            assertEquals(0, p.setRcvLowat(100));
            assertEquals(50, p.send(Pairs.bytes(50), 50));
            byte[] buf = new byte[1000];
            long start = System.nanoTime();
            assertEquals(40, p.recv(buf, 0, 40, RecvMode.blocking(Duration.ofSeconds(5))), "target min(40, 100) = 40");
            assertEquals(0, p.recv(buf, 0, 0, RecvMode.NON_BLOCKING), "recv of 0 bytes");
            assertEquals(90, p.send(Pairs.bytes(90), 90));
            assertEquals(100, p.queuedBytes());
            assertEquals(100, p.recv(buf, 0, 1000, RecvMode.blocking(Duration.ofSeconds(5))), "target min(1000, 100) = 100");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs < 2000, "both blocking calls returned without waiting for their timeout: " + elapsedMs + " ms");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("H5: blocking recv on an empty socket returns -EAGAIN after the timeout; after FIN, recv returns 0")
    void blockingEmptyAndEof(Family family) {
        try (NativeTcpPair p = Pairs.open(family)) {
            byte[] buf = new byte[10];
            long start = System.nanoTime();
            assertEquals(-11, p.recv(buf, 0, 10, RecvMode.blocking(Duration.ofMillis(50))));
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 40);
            assertEquals(0, p.peerShutdownWrite());
            assertTrue(p.readable(), "H3: FIN makes the socket readable");
            assertEquals(0, p.recv(buf, 0, 10, RecvMode.NON_BLOCKING), "end of stream");
            assertEquals(0, p.recv(buf, 0, 10, RecvMode.blocking(Duration.ofSeconds(5))), "end of stream, no wait");
        }
    }
}
