package dev.autolowat.sim;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimFixtures.LowatOracle;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Trigger;
import dev.autolowat.sim.SocketState;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.autolowat.sim.SimFixtures.EAGAIN;
import static dev.autolowat.sim.SimFixtures.EPIPE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules H3 (the wakeup rule and edge-triggered wakeups), H4 (setsockopt(SO_RCVLOWAT) runs the
 * wakeup rule) and H5 (recv semantics), and the readiness table of {@code kernel-facts.md}.
 */
class WakeupRulesProperties {
    private static final RecvMode BLOCKING_100MS = RecvMode.blocking(Duration.ofMillis(100));
    private static final long TIMEOUT_NANOS = 100_000_000L;

    // ------------------------------------------------------------------ scenario steps

    enum Kind { SEND, RECV, LOWAT, RCVBUF, FIN }

    /**
     * Runs {@code steps} on {@code c}, adding each call's result and the observation after it to
     * {@code out}; sends carry distinct bytes (a salt per send).
     */
    static void runSteps(SimConnection c, List<Step> steps, List<Object> out) {
        int salt = 0;
        for (Step step : steps) {
            int r = switch (step.kind()) {
                case SEND -> {
                    int n = step.segments().stream().mapToInt(Integer::intValue).sum();
                    yield c.send(SimFixtures.bytes(n, salt++), step.segments().stream().mapToInt(Integer::intValue).toArray());
                }
                case RECV -> c.recv(new byte[step.value()], 0, step.value(), dev.autolowat.api.spi.RecvMode.NON_BLOCKING);
                case LOWAT -> c.setRcvLowat(step.value());
                case RCVBUF -> c.setRcvBuf(step.value());
                case FIN -> c.peerShutdownWrite();
            };
            out.add(r);
            out.add(c.observe());
        }
    }

    /** One step of a scenario: the peer sends segments, the reader recvs, or an option is set. */
    record Step(Kind kind, List<Integer> segments, int value) {
        @Override
        public String toString() {
            return switch (kind) {
                case SEND -> segments.size() > 8
                        ? "send(" + segments.size() + " segs, " + segments.stream().mapToInt(Integer::intValue).sum() + " B)"
                        : "send" + segments;
                case RECV -> "recv(" + value + ")";
                case LOWAT -> "lowat(" + value + ")";
                case RCVBUF -> "rcvbuf(" + value + ")";
                case FIN -> "fin";
            };
        }
    }

    /**
     * Steps in the regime of small data: at most 4 segments of at most 500 bytes per send and 3..20
     * steps, so that nothing is window-limited, there is no memory pressure and the window stays far
     * above one MSS.
     */
    static Gen<Step> smallSteps() {
        return Gen.ints(0, 9).flatMap(k -> {
            if (k <= 3) {
                return Gen.ints(1, 500).listOf(1, 4).map(s -> new Step(Kind.SEND, s, 0));
            }
            if (k <= 5) {
                return Gen.ints(1, 2000).map(n -> new Step(Kind.RECV, List.of(), n));
            }
            if (k <= 8) {
                return Gen.booleans().flatMap(wide -> wide ? Gen.anyInt() : Gen.ints(1, 3000))
                        .map(v -> new Step(Kind.LOWAT, List.of(), v));
            }
            return Gen.constant(new Step(Kind.FIN, List.of(), 0));
        });
    }

    /**
     * Steps that also reach memory pressure, a window down to one MSS and window-limited sends:
     * bulk sends, floods of tiny segments, small SO_RCVBUF values and large reads.
     */
    static Gen<Step> anySteps() {
        return Gen.ints(0, 13).flatMap(k -> switch (k) {
            case 0, 1, 2 -> Gen.ints(1, 500).listOf(1, 4).map(s -> new Step(Kind.SEND, s, 0));
            case 3, 4 -> Gen.ints(1, 70_000).listOf(1, 3).map(s -> new Step(Kind.SEND, s, 0));
            case 5 -> Gen.zip(Gen.ints(20, 300), Gen.ints(1, 20),
                    (n, size) -> new Step(Kind.SEND, java.util.Collections.nCopies(n, size), 0));
            case 6, 7, 8 -> Gen.booleans().flatMap(big -> Gen.ints(1, big ? 200_000 : 2000))
                    .map(n -> new Step(Kind.RECV, List.of(), n));
            case 9, 10 -> Gen.booleans().flatMap(wide -> wide ? Gen.anyInt() : Gen.ints(1, 100_000))
                    .map(v -> new Step(Kind.LOWAT, List.of(), v));
            case 11, 12 -> Gen.ints(1, 60_000).map(v -> new Step(Kind.RCVBUF, List.of(), v));
            default -> Gen.constant(new Step(Kind.FIN, List.of(), 0));
        });
    }

    record Scenario(boolean ipv6, List<Step> steps) {
    }

    static Gen<Scenario> smallScenarios() {
        return Gen.zip(Gen.booleans(), smallSteps().listOf(3, 20), Scenario::new);
    }

    static Gen<Scenario> anyScenarios() {
        return Gen.zip(Gen.booleans(), anySteps().listOf(6, 30), Scenario::new);
    }

    private static int sum(List<Integer> segments) {
        return segments.stream().mapToInt(Integer::intValue).sum();
    }

    private static int[] lengths(List<Integer> segments) {
        return segments.stream().mapToInt(Integer::intValue).toArray();
    }

    /** H3 as SEMANTICS.md states it, from the model's accessors. */
    private static boolean h3Readable(SocketState s) {
        int avail = s.rcvNxt() - s.copiedSeq();
        return s.finReceived() || avail > 0 && (avail >= s.rcvLowat() || s.memoryPressure()
                || s.receiveWindow() <= s.rcvMss());
    }

    // ------------------------------------------------------------------ H3/H4 properties

    @Test
    @DisplayName("H3/H4: small data, any sequence of sends, recvs, lowat changes and FIN: readable == (fin || avail >= lowat) from an independent count, one edge per arriving packet after which it is readable, one per H4 setsockopt that leaves it readable, none per recv")
    void h3SmallRegime() {
        Property.forAll("H3/H4: small regime readability and edge wakeups", smallScenarios()).tries(500).check(sc -> {
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, sc.ipv6() ? ConnectOptions.IPV6 : ConnectOptions.IPV4)) {
                SimConnection conn = p.conn();
                SocketState sock = conn.socket();
                LowatOracle lowat = new LowatOracle(SimConfig.DEFAULT);
                long sent = 0;
                long read = 0;
                boolean fin = false;
                long edges = 0;
                int salt = 0;
                for (Step step : sc.steps()) {
                    long edgesBefore = conn.edgeWakeups();
                    long expectedEdges = 0;
                    switch (step.kind()) {
                        case SEND -> {
                            int n = sum(step.segments());
                            int r = conn.send(SimFixtures.bytes(n, salt++), lengths(step.segments()));
                            if (fin) {
                                assertEquals(EPIPE, r, "send after shutdown(SHUT_WR)");
                            } else {
                                assertEquals(n, r);
                                for (int seg : step.segments()) {
                                    sent += seg;
                                    if (sent - read >= lowat.lowat) {
                                        expectedEdges++; // this packet leaves the socket readable: it wakes
                                    }
                                }
                            }
                        }
                        case RECV -> {
                            long queued = sent - read;
                            int r = conn.recv(new byte[step.value()], 0, step.value(), RecvMode.NON_BLOCKING);
                            int expected = queued > 0 ? (int) Math.min(step.value(), queued) : fin ? 0 : EAGAIN;
                            assertEquals(expected, r, () -> "H5: non-blocking recv(" + step.value() + ") with " + queued + " queued");
                            if (r > 0) {
                                read += r;
                            }
                        }
                        case LOWAT -> {
                            assertEquals(0, conn.setRcvLowat(step.value()));
                            lowat.userSetLowat(step.value());
                            long queued = sent - read;
                            if (fin || queued > 0 && queued >= lowat.lowat) {
                                expectedEdges = 1; // H4: the wakeup rule runs and wakes
                            }
                        }
                        case FIN -> {
                            assertEquals(0, conn.peerShutdownWrite());
                            if (!fin) {
                                expectedEdges = 1;
                            }
                            fin = true;
                        }
                        default -> throw new AssertionError(step);
                    }
                    edges += expectedEdges;
                    long queued = sent - read;
                    Observation o = conn.observe();
                    String where = "after " + step + " (queued " + queued + ", lowat " + lowat.lowat + ", fin " + fin + ")";
                    assertEquals(0, conn.peer().pendingBytes(), "small regime: nothing waits for window");
                    assertFalse(sock.memoryPressure(), "small regime: no memory pressure " + where);
                    assertTrue(sock.receiveWindow() > sock.rcvMss(), "small regime: window above one MSS " + where);
                    assertEquals(queued, o.queuedBytes(), "FIONREAD " + where);
                    assertEquals(lowat.lowat, o.rcvLowat(), where);
                    boolean expectedReadable = fin || queued > 0 && queued >= lowat.lowat;
                    assertEquals(expectedReadable, o.readable(), "H3 readable " + where);
                    assertEquals(h3Readable(sock), o.readable(), "H3 formula " + where);
                    assertEquals(expectedEdges, o.edgeWakeups() - edgesBefore, "edge wakeups of this step " + where);
                    assertEquals(edges, o.edgeWakeups(), "total edge wakeups " + where);
                }
            }
        });
    }

    @Test
    @DisplayName("H3: any sequence with bulk sends, tiny-segment floods, small SO_RCVBUF and big reads: readable == fin || avail>0 && (avail >= lowat || memory pressure || window <= rcv_mss); at most one edge per packet, at least one when the step's last packet left it readable")
    void h3AnyRegime() {
        Property.forAll("H3: readable follows the wakeup formula in every regime", anyScenarios()).tries(300).check(sc -> {
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, sc.ipv6() ? ConnectOptions.IPV6 : ConnectOptions.IPV4)) {
                SimConnection conn = p.conn();
                SocketState sock = conn.socket();
                long accepted = 0;
                long read = 0;
                boolean fin = false;
                int salt = 0;
                for (Step step : sc.steps()) {
                    long edgesBefore = conn.edgeWakeups();
                    long packetsBefore = conn.peer().packetsSent();
                    Observation before = conn.observe();
                    int inqBefore = before.queuedBytes();
                    int rcvbufBefore = before.rcvBuf();
                    boolean finBefore = sock.finReceived();
                    switch (step.kind()) {
                        case SEND -> {
                            int n = sum(step.segments());
                            int r = conn.send(SimFixtures.bytes(n, salt++), lengths(step.segments()));
                            assertEquals(fin ? EPIPE : n, r);
                            if (!fin) {
                                accepted += n;
                            }
                        }
                        case RECV -> {
                            int r = conn.recv(new byte[step.value()], 0, step.value(), RecvMode.NON_BLOCKING);
                            int expected = inqBefore > 0 ? Math.min(step.value(), inqBefore) : finBefore ? 0 : EAGAIN;
                            assertEquals(expected, r, "H5: non-blocking recv returns what is queued");
                            if (r > 0) {
                                read += r;
                            }
                        }
                        case LOWAT -> assertEquals(0, conn.setRcvLowat(step.value()));
                        case RCVBUF -> assertEquals(0, conn.setRcvBuf(step.value()));
                        case FIN -> {
                            assertEquals(0, conn.peerShutdownWrite());
                            fin = true;
                        }
                        default -> throw new AssertionError(step);
                    }
                    Observation o = conn.observe();
                    long packets = conn.peer().packetsSent() - packetsBefore;
                    long edges = o.edgeWakeups() - edgesBefore;
                    long arrived = accepted - conn.peer().pendingBytes();
                    if (sock.memoryPressure()) {
                        REACHED_PRESSURE.incrementAndGet();
                    }
                    if (sock.receiveWindow() <= sock.rcvMss() && sock.avail() > 0) {
                        REACHED_SMALL_WINDOW.incrementAndGet();
                    }
                    if (conn.peer().pendingBytes() > 0) {
                        REACHED_WINDOW_LIMIT.incrementAndGet();
                    }
                    String where = "after " + step + " (lowat " + o.rcvLowat() + ", avail " + sock.avail() + ", pressure "
                            + sock.memoryPressure() + ", window " + sock.receiveWindow() + ", rcv_mss " + sock.rcvMss() + ")";
                    assertEquals(arrived - read, o.queuedBytes(), "FIONREAD = arrived - read " + where);
                    assertEquals(sock.finReceived(), sock.rcvShutdown(), "no local SHUT_RD in this scenario");
                    assertEquals(h3Readable(sock), sock.pollReadable(), "H3 " + where);
                    // A level-triggered epoll reports the socket only while a wakeup has put it on the
                    // ready list: readable implies the formula, and after a wakeup in this step it is
                    // exactly the formula. (Readiness without a wakeup, e.g. memory pressure after a
                    // smaller SO_RCVBUF, is not reported until the next wakeup, as on the kernel.)
                    if (o.readable() || edges > 0) {
                        assertEquals(h3Readable(sock), o.readable(), "H3 level-triggered " + where);
                    }
                    assertEquals(o.readable(), conn.readable(), "readable() and observe() agree " + where);
                    switch (step.kind()) {
                        case LOWAT -> {
                            // H4: the wakeup rule runs once. As in tcp_set_rcvlowat() (kernel-facts.md), the
                            // check runs before the rcvbuf growth, and growth can only end memory pressure: so
                            // readable afterwards means it woke, and a wakeup without readability afterwards
                            // needs a buffer that grew in this step.
                            assertTrue(edges <= 1, "one wakeup check " + where);
                            if (o.readable()) {
                                assertEquals(1, edges, "H4: readable after setsockopt(SO_RCVLOWAT), so it woke " + where);
                            } else if (edges == 1) {
                                assertTrue(o.rcvBuf() > rcvbufBefore, "woke without being readable afterwards, "
                                        + "but rcvbuf did not grow (" + rcvbufBefore + ") " + where);
                            }
                        }
                        case RCVBUF -> assertEquals(0, edges, "SO_RCVBUF runs no wakeup check " + where);
                        default -> {
                            assertTrue(edges <= packets, "at most one edge per arriving packet: " + edges + " edges, "
                                    + packets + " packets " + where);
                            if (packets > 0 && o.readable()) {
                                assertTrue(edges >= 1, "the last packet left the socket readable, so it woke " + where);
                            }
                        }
                    }
                    if (conn.peer().pendingBytes() > 0 && !o.readable()) {
                        // Data waits for window only while the window is closed: the reader must be woken.
                        throw new AssertionError("deadlock: " + conn.peer().pendingBytes() + " bytes wait at the peer but the socket is not readable " + where);
                    }
                }
            }
        });
        // The generator must reach the regimes the formula is about, or the property proves little.
        assertTrue(REACHED_PRESSURE.get() > 0, "no step reached memory pressure");
        assertTrue(REACHED_SMALL_WINDOW.get() > 0, "no step reached a window of at most one MSS");
        assertTrue(REACHED_WINDOW_LIMIT.get() > 0, "no step left data waiting for window");
    }

    private static final AtomicInteger REACHED_PRESSURE = new AtomicInteger();
    private static final AtomicInteger REACHED_SMALL_WINDOW = new AtomicInteger();
    private static final AtomicInteger REACHED_WINDOW_LIMIT = new AtomicInteger();

    @Test
    @DisplayName("H3/H4: memory pressure makes a socket readable below lowat; setsockopt(SO_RCVLOWAT) runs its wakeup check before the rcvbuf growth (tcp_set_rcvlowat order, kernel-facts.md), so it wakes although the grown buffer ends the pressure")
    void pressureAndLowatOrder() {
        try (Pair p = SimFixtures.open()) {
            SimConnection c = p.conn();
            SocketState sock = c.socket();
            assertEquals(0, c.setRcvLowat(50_000));
            int[] segs = new int[200];
            java.util.Arrays.fill(segs, 10);
            c.send(SimFixtures.bytes(2000, 0), segs);
            Observation o = c.observe();
            assertEquals(2000, o.queuedBytes());
            assertTrue(sock.memoryPressure(), "200 small skbs: receive memory under pressure");
            assertTrue(o.readable(), "H3: memory pressure makes 2000 < lowat 50000 readable");
            assertTrue(o.edgeWakeups() >= 1, "a packet that reached pressure woke the reader");
            long edges = o.edgeWakeups();
            assertEquals(0, c.setRcvLowat(100_000));
            Observation after = c.observe();
            assertEquals(200_000, after.rcvBuf(), "rcvbuf grew to 2 * 100000");
            assertFalse(sock.memoryPressure(), "the grown buffer ends the pressure");
            assertFalse(after.readable());
            assertEquals(edges + 1, after.edgeWakeups(), "H4: the check ran with the old buffer, under pressure, and woke");
        }
    }

    // ------------------------------------------------------------------ kernel-facts table

    @Test
    @DisplayName("H3/H4/H5: the kernel-facts.md readiness table with lowat 100 (50, 99, 100, 110 queued; recv(30); lowat 50; peer shutdown)")
    void readinessTable() {
        for (ConnectOptions family : List.of(ConnectOptions.IPV4, ConnectOptions.IPV6)) {
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, family)) {
                SimConnection c = p.conn();
                assertEquals(0, c.setRcvLowat(100));
                assertObs(c, false, 0, 0, "lowat 100, nothing queued");
                c.send(SimFixtures.bytes(50, 1), 50);
                assertObs(c, false, 0, 50, "50 bytes queued");
                c.send(SimFixtures.bytes(49, 2), 49);
                assertObs(c, false, 0, 99, "99");
                c.send(SimFixtures.bytes(1, 3), 1);
                assertObs(c, true, 1, 100, "100");
                c.send(SimFixtures.bytes(10, 4), 10);
                assertObs(c, true, 2, 110, "110 (10 more arrive): one edge per wakeup");
                assertEquals(30, c.recv(new byte[30], 0, 30, RecvMode.NON_BLOCKING), "non-blocking recv(30)");
                assertObs(c, false, 2, 80, "80 queued");
                assertEquals(0, c.setRcvLowat(50));
                assertObs(c, true, 3, 80, "setsockopt(SO_RCVLOWAT, 50): H4 wakes");
                assertEquals(0, c.peerShutdownWrite());
                assertObs(c, true, 4, 80, "peer shutdown(SHUT_WR)");
            }
        }
    }

    @Test
    @DisplayName("H3: after FIN the socket stays readable with a huge lowat, and a bare FIN with nothing queued is readable")
    void finIsReadable() {
        try (Pair p = SimFixtures.open()) {
            SimConnection c = p.conn();
            assertEquals(0, c.setRcvLowat(1_000_000));
            c.send(SimFixtures.bytes(10, 0), 10);
            assertObs(c, false, 0, 10, "10 < 1000000");
            c.peerShutdownWrite();
            assertObs(c, true, 1, 10, "FIN makes it readable");
            assertEquals(10, c.recv(new byte[64], 0, 64, RecvMode.NON_BLOCKING));
            assertObs(c, true, 1, 0, "end of stream is readable");
            assertEquals(0, c.recv(new byte[64], 0, 64, RecvMode.NON_BLOCKING));
            assertEquals(0, c.recv(new byte[64], 0, 64, RecvMode.NON_BLOCKING), "0 again at end of stream");
            assertObs(c, true, 1, 0, "still readable");
        }
    }

    private static void assertObs(SimConnection c, boolean readable, long edges, int queued, String what) {
        Observation o = c.observe();
        assertEquals(readable, o.readable(), "readable: " + what);
        assertEquals(edges, o.edgeWakeups(), "edge wakeups: " + what);
        assertEquals(queued, o.queuedBytes(), "queued: " + what);
    }

    // ------------------------------------------------------------------ H5

    record RecvCase(List<Integer> segments, int lowat, int len, boolean fin) {
    }

    static Gen<RecvCase> recvCases() {
        return Gen.zip(Gen.zip(Gen.ints(1, 3000).listOf(0, 4), Gen.booleans().flatMap(w -> w ? Gen.anyInt() : Gen.ints(1, 10_000)),
                        (s, l) -> new Object[] {s, l}),
                Gen.zip(Gen.ints(1, 10_000), Gen.booleans(), (len, fin) -> new Object[] {len, fin}),
                (a, b) -> {
                    @SuppressWarnings("unchecked")
                    List<Integer> segs = (List<Integer>) a[0];
                    return new RecvCase(segs, (Integer) a[1], (Integer) b[0], (Boolean) b[1]);
                });
    }

    @Test
    @DisplayName("H5: for any queue, lowat and len, a non-blocking recv returns min(len, queued) (the right bytes), -EAGAIN when empty, 0 at end of stream")
    void h5NonBlocking() {
        Property.forAll("H5: non-blocking recv returns min(len, queued) whatever the lowat", recvCases()).check(rc -> {
            try (Pair p = SimFixtures.open()) {
                SimConnection c = p.conn();
                assertEquals(0, c.setRcvLowat(rc.lowat()));
                int q = sum(rc.segments());
                byte[] data = SimFixtures.bytes(q, 5);
                if (q > 0) {
                    c.send(data, lengths(rc.segments()));
                }
                if (rc.fin()) {
                    c.peerShutdownWrite();
                }
                byte[] dst = new byte[rc.len() + 2];
                int r = c.recv(dst, 1, rc.len(), RecvMode.NON_BLOCKING);
                int expected = q > 0 ? Math.min(rc.len(), q) : rc.fin() ? 0 : EAGAIN;
                assertEquals(expected, r);
                if (r > 0) {
                    assertArrayEquals(java.util.Arrays.copyOf(data, r), java.util.Arrays.copyOfRange(dst, 1, 1 + r), "the first r bytes");
                    assertEquals(0, dst[0], "nothing written before the offset");
                    assertEquals(0, dst[1 + r], "nothing written after the copied bytes");
                }
                int left = q - Math.max(r, 0);
                assertEquals(left, c.observe().queuedBytes());
                int second = c.recv(new byte[20_000], 0, 20_000, RecvMode.NON_BLOCKING);
                assertEquals(left > 0 ? left : rc.fin() ? 0 : EAGAIN, second, "the next recv gets the rest, then end of stream");
            }
        });
    }

    @Test
    @DisplayName("H5: for any queue, lowat and len, a blocking recv (100 ms) returns at once when min(len, lowat) bytes or FIN are there, else after the timeout with the partial amount, or -EAGAIN when nothing came")
    void h5Blocking() {
        Property.forAll("H5: blocking recv waits for min(len, lowat)", recvCases()).tries(500).check(rc -> {
            Trigger clock = new Trigger();
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4, clock)) {
                SimConnection c = p.conn();
                assertEquals(0, c.setRcvLowat(rc.lowat()));
                int lowat = c.rcvLowat();
                int q = sum(rc.segments());
                if (q > 0) {
                    c.send(SimFixtures.bytes(q, 9), lengths(rc.segments()));
                }
                if (rc.fin()) {
                    c.peerShutdownWrite();
                }
                long t0 = clock.now(c);
                int r = c.recv(new byte[rc.len()], 0, rc.len(), BLOCKING_100MS);
                long elapsed = clock.now(c) - t0;
                int expected = q > 0 ? Math.min(rc.len(), q) : rc.fin() ? 0 : EAGAIN;
                assertEquals(expected, r);
                boolean mustWait = !rc.fin() && q < Math.min(rc.len(), lowat);
                if (mustWait) {
                    assertTrue(elapsed >= TIMEOUT_NANOS, "fewer than min(len, lowat) bytes: the call waits its timeout, waited " + elapsed + " ns");
                } else {
                    assertTrue(elapsed < TIMEOUT_NANOS, "enough bytes or FIN: the call returns without waiting, waited " + elapsed + " ns");
                }
            }
        });
    }

    @Test
    @DisplayName("H5: a blocking recv of min(len, lowat) bytes keeps reading while the peer's window-limited data arrives, and returns without a timeout")
    void h5BlockingWithFlowControl() {
        Trigger clock = new Trigger();
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4, clock)) {
            SimConnection c = p.conn();
            byte[] data = SimFixtures.bytes(400_000, 1);
            assertEquals(400_000, c.send(data));
            int pending = c.peer().pendingBytes();
            assertTrue(pending > 0, "data beyond the window waits at the peer");
            int queued = c.observe().queuedBytes();
            assertEquals(400_000, queued + pending, "every byte is queued or waits at the peer");
            assertEquals(0, c.setRcvLowat(250_000));
            long t0 = clock.now(c);
            byte[] dst = new byte[300_000];
            int r = c.recv(dst, 0, dst.length, BLOCKING_100MS);
            long elapsed = clock.now(c) - t0;
            assertTrue(r >= 250_000 && r <= 300_000, "returns once at least min(len, lowat) = 250000 bytes were copied, got " + r);
            assertTrue(elapsed < TIMEOUT_NANOS, "no timeout: data kept arriving, waited " + elapsed + " ns");
            assertArrayEquals(java.util.Arrays.copyOf(data, r), java.util.Arrays.copyOf(dst, r));
        }
    }

    @Test
    @DisplayName("H5: a blocking recv with nothing queued returns -EAGAIN after the timeout; with fewer than lowat bytes it returns them after the timeout; with exactly min(len, lowat) at once")
    void h5BlockingExamples() {
        Trigger clock = new Trigger();
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV6, clock)) {
            SimConnection c = p.conn();
            long t0 = clock.now(c);
            assertEquals(EAGAIN, c.recv(new byte[10], 0, 10, BLOCKING_100MS));
            long t1 = clock.now(c);
            assertTrue(t1 - t0 >= TIMEOUT_NANOS);
            assertEquals(0, c.setRcvLowat(100));
            c.send(SimFixtures.bytes(50, 0), 50);
            long t2 = clock.now(c);
            assertEquals(50, c.recv(new byte[200], 0, 200, BLOCKING_100MS), "partial amount after the timeout");
            assertTrue(clock.now(c) - t2 >= TIMEOUT_NANOS);
            c.send(SimFixtures.bytes(50, 0), 50);
            long t3 = clock.now(c);
            assertEquals(30, c.recv(new byte[30], 0, 30, BLOCKING_100MS), "len 30 < lowat 100: target is 30");
            assertTrue(clock.now(c) - t3 < TIMEOUT_NANOS);
            assertEquals(0, c.setRcvLowat(20));
            long t4 = clock.now(c);
            assertEquals(20, c.recv(new byte[200], 0, 200, BLOCKING_100MS), "exactly the target min(200, 20) = 20 queued");
            assertTrue(clock.now(c) - t4 < TIMEOUT_NANOS, "no wait once the target is met exactly");
        }
    }

    @Test
    @DisplayName("H5: a recv at a FIN that arrived alone consumes it (copied_seq passes it), whether its length is 0 or not")
    void h5RecvAtFinConsumesIt() {
        for (int len : new int[] {10, 0}) {
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4)) {
                SimConnection c = p.conn();
                c.send(SimFixtures.bytes(10, 0), 10);
                assertEquals(10, c.recv(new byte[10], 0, 10, RecvMode.NON_BLOCKING));
                c.peerShutdownWrite();
                assertEquals(1, c.socket().avail(), "the FIN takes one sequence number");
                assertEquals(0, c.recv(new byte[10], 0, len, RecvMode.NON_BLOCKING), "recv of " + len + " at the FIN");
                assertEquals(0, c.socket().avail(), "recv of " + len + ": the FIN was consumed");
                assertEquals(c.socket().rcvNxt(), c.socket().copiedSeq());
            }
        }
    }

    @Test
    @DisplayName("H5/K2: a blocking recv of length 0 with nothing queued first advertises the window (here grown by SO_RCVLOWAT's rcvbuf growth), which raises the peer's max_window")
    void h5RecvZeroBlockingAdvertisesTheWindow() {
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4)) {
            SimConnection c = p.conn();
            int handshake = c.socket().maxAdvertisedWindow();
            assertEquals(0, c.setRcvLowat(100_000));
            assertEquals(handshake, c.socket().maxAdvertisedWindow(), "setsockopt sends no ACK");
            assertEquals(0, c.recv(new byte[1], 0, 0, BLOCKING_100MS));
            assertTrue(c.socket().maxAdvertisedWindow() > handshake,
                    "the wait's ACK advertised the grown window: " + c.socket().maxAdvertisedWindow());
        }
    }
}
