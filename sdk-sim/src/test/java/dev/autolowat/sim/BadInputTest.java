package dev.autolowat.sim;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Probe;
import dev.autolowat.sim.SimFixtures.State;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.autolowat.sim.SimFixtures.EAGAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API misuse on the simulator: each bad call throws an exception whose type and message say what is
 * wrong, and leaves the model exactly as it was (observation, peer queue, sequence numbers, no program
 * invocation). Kernel-level failures are not misuse: they are {@code -errno} results.
 */
class BadInputTest {

    /**
     * A connection with RCVQ enabled (so any hook run would show in the log), data queued, data
     * waiting at the peer for window, and a lowat that is not the default.
     */
    private static Pair busy() {
        Pair p = SimFixtures.open(Probe.rcvq());
        SimConnection c = p.conn();
        assertEquals(0, c.setRcvLowat(70_000));
        c.send(SimFixtures.bytes(300_000, 1));
        assertTrue(c.peer().pendingBytes() > 0, "fixture: data waits at the peer");
        assertTrue(c.observe().queuedBytes() > 0, "fixture: data is queued");
        return p;
    }

    /** A connection with a little data queued and nothing waiting at the peer. */
    private static Pair quiet() {
        Pair p = SimFixtures.open(Probe.rcvq());
        p.conn().send(SimFixtures.bytes(100, 2), 40, 60);
        return p;
    }

    /**
     * Asserts that {@code call} throws {@code type} with a message containing every one of
     * {@code words} (case-insensitive), and that the connection's observable state did not change.
     */
    private static <T extends Throwable> T assertRejected(SimConnection c, Class<T> type, Executable call, String... words) {
        List<Observation> drained = new ArrayList<>();
        State before = SimFixtures.state(c, drained);
        T e = assertThrows(type, call);
        assertMessage(e, words);
        State after = SimFixtures.state(c, drained);
        assertEquals(before, after, "a rejected call leaves the model unchanged");
        assertEquals(List.of(), drained.get(1).invocations(), "a rejected call runs no program");
        return e;
    }

    private static void assertMessage(Throwable e, String... words) {
        String m = e.getMessage();
        assertTrue(m != null && !m.isBlank(), "the exception has a message: " + e);
        for (String w : words) {
            assertTrue(m.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)),
                    "message '" + m + "' should mention '" + w + "'");
        }
    }

    // ------------------------------------------------------------------ send

    @Test
    @DisplayName("bad input: segment lengths that do not add up to the data, in either direction, are rejected (IllegalArgumentException naming both sums) and change nothing")
    void segmentsDoNotAddUp() {
        try (Pair p = busy()) {
            SimConnection c = p.conn();
            assertRejected(c, IllegalArgumentException.class, () -> c.send(new byte[10], 4, 5), "add up to 9", "10 bytes");
            assertRejected(c, IllegalArgumentException.class, () -> c.send(new byte[10], 4, 7), "add up to 11", "10 bytes");
            assertRejected(c, IllegalArgumentException.class, () -> c.send(new byte[10], Integer.MAX_VALUE, Integer.MAX_VALUE, 12),
                    "10 bytes");
        }
    }

    @Test
    @DisplayName("bad input: a zero-length or negative segment is rejected (IllegalArgumentException naming the segment) and changes nothing")
    void zeroOrNegativeSegment() {
        try (Pair p = busy()) {
            SimConnection c = p.conn();
            assertRejected(c, IllegalArgumentException.class, () -> c.send(new byte[10], 5, 0, 5), "segment 1", "length 0");
            assertRejected(c, IllegalArgumentException.class, () -> c.send(new byte[10], 15, -5), "segment 1", "length -5");
            assertRejected(c, IllegalArgumentException.class, () -> c.send(new byte[0], 0), "segment 0", "length 0");
            assertRejected(c, IllegalArgumentException.class,
                    () -> c.sendOutOfOrder(new byte[10], new int[] {10, 0}, new int[] {0, 1}), "segment 1", "length 0");
        }
    }

    @Test
    @DisplayName("bad input: null data, lengths or delivery order are rejected (NullPointerException naming the argument) and change nothing")
    void nullPayloads() {
        try (Pair p = busy()) {
            SimConnection c = p.conn();
            assertRejected(c, NullPointerException.class, () -> c.send(null, 1), "data");
            assertRejected(c, NullPointerException.class, () -> c.send(new byte[1], (int[]) null), "segmentLengths");
            assertRejected(c, NullPointerException.class, () -> c.sendOutOfOrder(null, new int[] {1}, new int[] {0}), "data");
            assertRejected(c, NullPointerException.class, () -> c.sendOutOfOrder(new byte[1], null, new int[] {0}), "segmentLengths");
            assertRejected(c, NullPointerException.class, () -> c.sendOutOfOrder(new byte[1], new int[] {1}, null), "deliveryOrder");
        }
    }

    @Test
    @DisplayName("bad input: sendOutOfOrder with a delivery order that is not a permutation (repeat, out of range, wrong size) is rejected (IllegalArgumentException) and changes nothing")
    void notAPermutation() {
        try (Pair p = quiet()) {
            SimConnection c = p.conn();
            byte[] d = new byte[30];
            int[] lens = {10, 10, 10};
            assertRejected(c, IllegalArgumentException.class, () -> c.sendOutOfOrder(d, lens, new int[] {0, 0, 2}), "permutation");
            assertRejected(c, IllegalArgumentException.class, () -> c.sendOutOfOrder(d, lens, new int[] {0, 1, 3}), "permutation");
            assertRejected(c, IllegalArgumentException.class, () -> c.sendOutOfOrder(d, lens, new int[] {-1, 1, 2}), "permutation");
            assertRejected(c, IllegalArgumentException.class, () -> c.sendOutOfOrder(d, lens, new int[] {1, 0}), "delivery order", "3 segments");
            assertRejected(c, IllegalArgumentException.class, () -> c.sendOutOfOrder(d, new int[] {10, 10}, new int[] {0, 1}), "add up to 20");
        }
    }

    @Test
    @DisplayName("bad input: sendOutOfOrder that cannot be driven (segment above the MSS, data beyond the window, data still waiting at the peer) is rejected with a message saying why, and changes nothing")
    void outOfOrderLimits() {
        try (Pair p = quiet()) {
            SimConnection c = p.conn();
            int mss = c.mss();
            assertRejected(c, IllegalArgumentException.class,
                    () -> c.sendOutOfOrder(new byte[mss + 2], new int[] {mss + 1, 1}, new int[] {1, 0}), "exceeds the MSS");
            int big = c.socket().receiveWindow() + 1;
            int[] lens = new int[(big + mss - 1) / mss];
            int left = big;
            for (int i = 0; i < lens.length; i++) {
                lens[i] = Math.min(mss, left);
                left -= lens[i];
            }
            int[] order = new int[lens.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = order.length - 1 - i;
            }
            assertRejected(c, IllegalStateException.class, () -> c.sendOutOfOrder(new byte[big], lens, order), "window");
        }
        try (Pair p = busy()) {
            SimConnection c = p.conn();
            assertRejected(c, IllegalStateException.class,
                    () -> c.sendOutOfOrder(new byte[2], new int[] {1, 1}, new int[] {1, 0}), "waiting");
        }
    }

    // ------------------------------------------------------------------ recv

    @Test
    @DisplayName("bad input: recv with offset/length outside dst (negative, past the end, overflowing) is rejected (IndexOutOfBoundsException with the range) and changes nothing")
    void recvOutOfBounds() {
        try (Pair p = busy()) {
            SimConnection c = p.conn();
            byte[] dst = new byte[10];
            assertRejected(c, IndexOutOfBoundsException.class, () -> c.recv(dst, 5, 6, RecvMode.NON_BLOCKING), "out of bounds", "10");
            assertRejected(c, IndexOutOfBoundsException.class, () -> c.recv(dst, -1, 5, RecvMode.NON_BLOCKING), "out of bounds");
            assertRejected(c, IndexOutOfBoundsException.class, () -> c.recv(dst, 0, -1, RecvMode.NON_BLOCKING), "out of bounds");
            assertRejected(c, IndexOutOfBoundsException.class, () -> c.recv(dst, 11, 0, RecvMode.NON_BLOCKING), "out of bounds");
            assertRejected(c, IndexOutOfBoundsException.class,
                    () -> c.recv(dst, 5, Integer.MAX_VALUE, RecvMode.blocking(Duration.ofMillis(5))), "out of bounds");
        }
    }

    @Test
    @DisplayName("bad input: recv with a null buffer or a null mode is rejected (NullPointerException naming it) and changes nothing")
    void recvNulls() {
        try (Pair p = busy()) {
            SimConnection c = p.conn();
            assertRejected(c, NullPointerException.class, () -> c.recv(null, 0, 1, RecvMode.NON_BLOCKING), "dst");
            assertRejected(c, NullPointerException.class, () -> c.recv(new byte[4], 0, 4, null), "mode");
            assertRejected(c, NullPointerException.class, () -> c.shutdown(null), "how");
        }
    }

    @Test
    @DisplayName("H5 (not misuse): a non-blocking recv with nothing queued returns -EAGAIN without an exception, and runs no H2")
    void recvNothingQueued() {
        try (Pair p = SimFixtures.open(Probe.rcvq())) {
            SimConnection c = p.conn();
            c.observe();
            assertEquals(EAGAIN, c.recv(new byte[8], 0, 8, RecvMode.NON_BLOCKING));
            assertEquals(-11, EAGAIN);
            Observation o = c.observe();
            assertEquals(List.of(), o.invocations());
            assertEquals(0, o.queuedBytes());
        }
    }

    // ------------------------------------------------------------------ closed connections and sessions

    private static List<Executable> everyCall(SimConnection c) {
        return List.of(
                () -> c.send(new byte[1], 1),
                () -> c.sendOutOfOrder(new byte[1], new int[] {1}, new int[] {0}),
                c::peerShutdownWrite,
                () -> c.peerGetsockopt(1, 18),
                () -> c.recv(new byte[1], 0, 1, RecvMode.NON_BLOCKING),
                () -> c.shutdown(Shutdown.READ),
                () -> c.setsockopt(1, 18, 5),
                () -> c.getsockopt(1, 18),
                c::addToSockmap,
                c::removeFromSockmap,
                c::cbFlags,
                c::edgeWakeups,
                c::readable,
                c::observe,
                c::rcvLowat,
                () -> c.enableAutoLowat(1));
    }

    @Test
    @DisplayName("bad input: every operation on a closed connection throws ConnectionClosedException saying it is closed; close() stays idempotent")
    void closedConnection() {
        try (Pair p = busy()) {
            SimConnection c = p.conn();
            c.close();
            c.close();
            assertTrue(c.isClosed());
            for (Executable call : everyCall(c)) {
                ConnectionClosedException e = assertThrows(ConnectionClosedException.class, call);
                assertMessage(e, "closed");
            }
            SimConnection other = p.session().connect(ConnectOptions.IPV4);
            assertEquals(1, other.send(new byte[1], 1), "the session and its other connections still work");
        }
    }

    @Test
    @DisplayName("bad input: after the session is closed its connections, connect() and attach() throw ConnectionClosedException saying the session is closed")
    void closedSession() {
        Pair p = busy();
        SimConnection c = p.conn();
        p.session().close();
        p.session().close();
        assertTrue(p.session().isClosed());
        for (Executable call : everyCall(c)) {
            ConnectionClosedException e = assertThrows(ConnectionClosedException.class, call);
            assertMessage(e, "closed");
        }
        assertMessage(assertThrows(ConnectionClosedException.class, () -> p.session().connect(ConnectOptions.IPV4)), "session", "closed");
        assertMessage(assertThrows(ConnectionClosedException.class,
                () -> p.session().attach(SockOpsProgram.of("late", new Probe()))), "session", "closed");
    }

    // ------------------------------------------------------------------ programs

    @Test
    @DisplayName("bad input: attaching the same sock_ops or setsockopt program twice throws ProgramRejectedException naming it; the first attachment keeps running once per event")
    void attachTwice() {
        Probe probe = Probe.rcvq();
        SockOpsProgram program = SockOpsProgram.of("twice", probe);
        SockoptProgram sockopt = SockoptProgram.of("twice_opt", ctx -> 1);
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(program);
            s.attach(sockopt);
            assertMessage(assertThrows(ProgramRejectedException.class, () -> s.attach(program)), "twice", "already attached");
            assertMessage(assertThrows(ProgramRejectedException.class, () -> s.attach(SockOpsProgram.of("twice", probe))),
                    "twice", "already attached");
            assertMessage(assertThrows(ProgramRejectedException.class, () -> s.attach(sockopt)), "twice_opt", "already attached");
            SimConnection c = s.connect(ConnectOptions.IPV4);
            c.send(new byte[3], 3);
            assertEquals(4, probe.ops.size(), "three connect ops and one segment, each seen once: " + probe.ops);
        }
    }

    @Test
    @DisplayName("bad input: malformed bytecode (falls off the end) is refused at load with ProgramRejectedException naming the program; nothing is attached")
    void attachBytecode() {
        // Falls off the end: "r0 = 1" and no exit. The VM's load checks refuse it before anything
        // is attached (no maps, no dispatch entry).
        BpfBytecode code = BpfBytecode.of(new byte[] {(byte) 0xb7, 0, 0, 0, 1, 0, 0, 0});
        try (SimSession s = new SimBackend().openSession()) {
            ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                    () -> s.attach(new SockOpsProgram.Bytecode("bc_prog", "GPL", code, List.of())));
            assertMessage(e, "bc_prog");
            ProgramRejectedException e2 = assertThrows(ProgramRejectedException.class,
                    () -> s.attach(new SockoptProgram.Bytecode("bc_opt", "GPL", code, List.of())));
            assertMessage(e2, "bc_opt");
            assertTrue(s.backend().capabilities().bytecode(), "the simulator runs bytecode");
            Probe after = new Probe();
            s.attach(SockOpsProgram.of("bc_prog", after));
            s.connect(ConnectOptions.IPV4);
            assertEquals(3, after.ops.size(), "the rejected program was not attached; a handler of the same name can be");
        }
    }

    @Test
    @DisplayName("bad input: null program or null connect options are rejected with NullPointerException naming them")
    void nullProgramsAndOptions() {
        try (SimSession s = new SimBackend().openSession()) {
            assertMessage(assertThrows(NullPointerException.class, () -> s.attach((SockOpsProgram) null)), "program");
            assertMessage(assertThrows(NullPointerException.class, () -> s.attach((SockoptProgram) null)), "program");
            assertMessage(assertThrows(NullPointerException.class, () -> s.connect(null)), "options");
        }
    }
}
