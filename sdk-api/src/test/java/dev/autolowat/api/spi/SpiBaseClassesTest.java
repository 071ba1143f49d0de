package dev.autolowat.api.spi;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPI's shared base classes on their own (issue #14): the close discipline of
 * {@link AbstractBackendSession} (and so of {@link AbstractConnection}), the option checks, the
 * segment checks, and {@link AbstractProgramMap}'s argument checks. The backends' use of them is
 * tested on both backends in conformance-tests (SpiContractTest).
 */
class SpiBaseClassesTest {

    /** A session whose release blocks until {@link #release} is counted down. */
    static final class SlowSession extends AbstractBackendSession {
        final AtomicInteger releases = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        SlowSession() {
            super("test session");
        }

        @Override
        protected void implClose() {
            releases.incrementAndGet();
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public Backend backend() {
            return new Backend() {
                @Override
                public String name() {
                    return "test";
                }

                @Override
                public Capabilities capabilities() {
                    return new Capabilities("test", false, false, false, false, java.util.Map.of());
                }

                @Override
                public BackendSession openSession() {
                    return new SlowSession();
                }
            };
        }

        @Override
        public void attach(SockOpsProgram program) {
            ensureOpen();
        }

        @Override
        public void attach(SockoptProgram program) {
            ensureOpen();
        }

        @Override
        public Connection connect(ConnectOptions options) {
            ensureOpen();
            throw new UnsupportedOperationException("no connections in this test");
        }

        @Override
        public SessionMaps maps() {
            throw new UnsupportedOperationException("no maps in this test");
        }
    }

    @Test
    @DisplayName("close(): released once; a close racing the first returns only after the release; every later call is ConnectionClosedException")
    void closeOnceAndWait() throws Exception {
        SlowSession s = new SlowSession();
        Thread first = new Thread(s::close);
        first.start();
        assertTrue(s.entered.await(10, TimeUnit.SECONDS));
        assertTrue(s.isClosed(), "marked closed before the release finished");
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> s.attach((SockOpsProgram) null));
        assertTrue(e.getMessage().contains("test session is closed") && e.getMessage().contains("backend.openSession()"),
                e.getMessage());
        Thread second = new Thread(s::close);
        second.start();
        second.join(200);
        assertTrue(second.isAlive(), "the second close waits for the first's release");
        s.release.countDown();
        first.join(10_000);
        second.join(10_000);
        assertFalse(second.isAlive());
        s.close();
        assertEquals(1, s.releases.get(), "implClose ran once");
    }

    @Test
    @DisplayName("options: one the backend does not offer is UnsupportedOperationException naming the backend, the option and what it offers")
    void unsupportedOption() {
        SlowSession s = new SlowSession();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> s.setOption(SessionOption.FIXED_ISN, 7));
        assertEquals("backend 'test' does not offer the session option FIXED_ISN (it offers none)", e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> s.getOption(SessionOption.EXECUTION_MODE));
        assertThrows(NullPointerException.class, () -> s.setOption(null, null));
    }

    @Test
    @DisplayName("SessionOption.check: null only where the option has an unset value, and the option's type")
    void optionValues() {
        assertEquals(null, SessionOption.FIXED_ISN.check(null));
        assertEquals(5, SessionOption.FIXED_ISN.check(5));
        assertThrows(NullPointerException.class, () -> SessionOption.EXECUTION_MODE.check(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionOption.FIXED_ISN.check("5"));
        assertTrue(e.getMessage().contains("FIXED_ISN takes a Integer"), e.getMessage());
    }

    static final class Checks extends AbstractConnection {
        Checks(BackendSession s) {
            super(s, "test connection");
        }

        final List<String> sent = new ArrayList<>();

        static void segments(byte[] data, int... lengths) {
            checkSegments(data, lengths);
        }

        @Override
        protected int implSendWrite(byte[] data, int off, int len) {
            sent.add("write " + off + "+" + len);
            return len;
        }

        @Override
        protected int implSendSegments(byte[] data, int[] lengths) {
            sent.add("segments " + java.util.Arrays.toString(lengths));
            return data.length;
        }

        // ---- not used by these tests ----
        @Override protected void implClose() { }
        @Override protected Optional<byte[]> implSocketStorage(String map) { return Optional.empty(); }
        @Override public ConnectOptions options() { return ConnectOptions.IPV4; }
        @Override public int sendOutOfOrder(byte[] data, int[] segmentLengths, int[] deliveryOrder) { return 0; }
        @Override public int peerShutdownWrite() { return 0; }
        @Override public int peerGetsockopt(int level, int optname) { return 0; }
        @Override public int recv(byte[] dst, int offset, int length, RecvMode mode) { return 0; }
        @Override public int shutdown(Shutdown how) { return 0; }
        @Override public int setsockopt(int level, int optname, int value) { return 0; }
        @Override public int getsockopt(int level, int optname) { return 0; }
        @Override public int addToSockmap() { return 0; }
        @Override public int removeFromSockmap() { return 0; }
        @Override public int cbFlags() { ensureOpen(); return 0; }
        @Override public long edgeWakeups() { return 0; }
        @Override public boolean readable() { return false; }
        @Override public Observation observe() { return null; }
    }

    @Test
    @DisplayName("segment checks of send/sendOutOfOrder: each segment >= 1 byte, lengths summing to the data")
    void segmentChecks() {
        Checks.segments(new byte[3], 1, 2);
        assertEquals("segment 1 has length 0; every segment needs at least one byte",
                assertThrows(IllegalArgumentException.class, () -> Checks.segments(new byte[3], 3, 0)).getMessage());
        assertEquals("segment lengths add up to 2 but data has 3 bytes",
                assertThrows(IllegalArgumentException.class, () -> Checks.segments(new byte[3], 1, 1)).getMessage());
        assertThrows(NullPointerException.class, () -> Checks.segments(null, 1));
    }

    @Test
    @DisplayName("send: nothing for an empty write, one write without lengths, the segments with them; bad lengths never reach the backend")
    void sendDispatch() {
        SlowSession s = new SlowSession();
        s.release.countDown();
        Checks c = new Checks(s);
        assertEquals(0, c.send(new byte[0]));
        assertEquals(3, c.send(new byte[3]));
        assertEquals(3, c.send(new byte[3], 2, 1));
        assertThrows(IllegalArgumentException.class, () -> c.send(new byte[3], 2, 2));
        assertThrows(NullPointerException.class, () -> c.send(null));
        assertEquals(List.of("write 0+3", "segments [2, 1]"), c.sent);
        c.close();
        assertThrows(ConnectionClosedException.class, () -> c.send(new byte[1]));
    }

    @Test
    @DisplayName("a connection of a closed session: ConnectionClosedException naming the session; the dropped count adds up")
    void connectionOfClosedSession() {
        SlowSession s = new SlowSession();
        s.release.countDown();
        Checks c = new Checks(s);
        assertEquals(3, c.addDroppedInvocations(3));
        assertEquals(5, c.addDroppedInvocations(2));
        assertEquals(5, c.droppedInvocations());
        assertThrows(IllegalArgumentException.class, () -> c.addDroppedInvocations(-1));
        s.close();
        assertEquals("the session of this test connection is closed",
                assertThrows(ConnectionClosedException.class, c::cbFlags).getMessage());
    }

    /** An in-memory map with no elements: only the checks run. */
    static final class NoMap extends AbstractProgramMap {
        NoMap(MapSpec spec) {
            super(spec);
        }

        @Override public ByteOrder byteOrder() { return ByteOrder.LITTLE_ENDIAN; }
        @Override protected void ensureOpen() { }
        @Override protected Optional<byte[]> implLookup(byte[] key) { return Optional.empty(); }
        @Override protected int implUpdate(byte[] key, byte[] value, long flags) { return 0; }
        @Override protected int implDelete(byte[] key) { return 0; }
        @Override protected void implForEach(BiConsumer<byte[], byte[]> action) { }
    }

    @Test
    @DisplayName("ProgramMap checks: key and value sizes; SK_STORAGE points to socketStorage; other element-less types are refused")
    void mapChecks() {
        NoMap array = new NoMap(new MapSpec("a", MapType.ARRAY, 4, 8, 2));
        assertEquals(Optional.empty(), array.lookup(array.u32(0)));
        assertEquals("map 'a' has 4-byte keys, got 2 bytes",
                assertThrows(IllegalArgumentException.class, () -> array.lookup(new byte[2])).getMessage());
        assertEquals("map 'a' has 8-byte values, got 4 bytes",
                assertThrows(IllegalArgumentException.class, () -> array.update(array.u32(0), new byte[4], 0)).getMessage());
        assertEquals(List.of(1, 0, 0, 0), List.of((int) array.u32(1)[0], (int) array.u32(1)[1], (int) array.u32(1)[2],
                (int) array.u32(1)[3]), "u32 keys in the map's byte order");
        NoMap storage = new NoMap(new MapSpec("st", MapType.SK_STORAGE, 4, 8, 0));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> storage.forEach((k, v) -> { }));
        assertTrue(e.getMessage().contains("connection.socketStorage(\"st\")"), e.getMessage());
        NoMap ring = new NoMap(new MapSpec("rb", MapType.RINGBUF, 0, 0, 4096));
        assertTrue(assertThrows(UnsupportedOperationException.class, () -> ring.delete(new byte[0])).getMessage()
                .contains("for ARRAY and HASH maps"));
    }

    @Test
    @DisplayName("UnknownMapException lists the names there are (or says there are none)")
    void unknownMap() {
        assertEquals("no map named 'x' in this session; the attached programs declared [a, b]",
                new UnknownMapException("x", List.of("a", "b")).getMessage());
        assertEquals("no map named 'x' in this session; the attached programs declared no maps",
                new UnknownMapException("x", List.of()).getMessage());
    }

    @Test
    @DisplayName("Observation.droppedInvocations: 0 with the complete-log constructor, never negative")
    void observationDropped() {
        assertEquals(0, new Observation(1, 2, false, 0, 0, 0, List.of()).droppedInvocations());
        assertEquals(4, new Observation(1, 2, false, 0, 0, 0, List.of(), 4).droppedInvocations());
        assertThrows(IllegalArgumentException.class, () -> new Observation(1, 2, false, 0, 0, 0, List.of(), -1));
    }
}
