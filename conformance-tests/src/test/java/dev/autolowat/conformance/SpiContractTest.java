package dev.autolowat.conformance;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendRole;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.ProgramMap;
import dev.autolowat.api.spi.SessionOption;
import dev.autolowat.api.spi.UnknownMapException;
import dev.autolowat.conformance.scenario.ScenarioPrograms;
import dev.autolowat.api.program.InvocationLogMap;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.sim.SimBackend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.autolowat.api.asm.Reg.R0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPI's userspace view, the same on every backend (issue #14): maps by name with lookup, update,
 * delete and iteration ({@code BackendSession.maps()}), a connection's per-socket storage
 * ({@code Connection.socketStorage}), dropped invocations in {@link Observation}, session options, the
 * backends' roles, and the lifecycle of {@code AbstractConnection} / {@code AbstractBackendSession}.
 * Each test runs on the simulator, and on the native backend as root (skipped with the reason
 * otherwise). Only the SPI is used after the backend is constructed.
 */
class SpiContractTest {
    static final MapSpec ARRAY = new MapSpec("spi_arr", MapType.ARRAY, 4, 8, 4);
    static final MapSpec HASH = new MapSpec("spi_hash", MapType.HASH, 4, 8, 8);

    /** A sock_ops program that declares an ARRAY and a HASH map and does nothing else. */
    static SockOpsProgram.Bytecode withMaps() {
        return new Assembler().mov64(R0, 1).exit().program("spi_maps", "GPL", List.of(ARRAY, HASH));
    }

    static Backend backend(String name) {
        if (name.equals("native")) {
            NativeAgreementTest.requireRoot();
            return new NativeBackend();
        }
        return new SimBackend();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sim", "native"})
    @DisplayName("H6 maps by name: names in creation order; an unknown name is empty to find and an UnknownMapException listing the names to get")
    void mapsByName(String name) {
        try (BackendSession s = backend(name).openSession()) {
            assertEquals(List.of(), s.maps().names());
            s.attach(withMaps());
            assertEquals(List.of("spi_arr", "spi_hash"), s.maps().names());
            assertEquals(ARRAY, s.maps().get("spi_arr").spec());
            assertEquals("spi_hash", s.maps().get("spi_hash").name());
            assertEquals(Optional.empty(), s.maps().find("spi_ar"));
            UnknownMapException e = assertThrows(UnknownMapException.class, () -> s.maps().get("spi_ar"));
            assertEquals(List.of("spi_arr", "spi_hash"), e.known());
            assertTrue(e.getMessage().contains("'spi_ar'") && e.getMessage().contains("[spi_arr, spi_hash]"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sim", "native"})
    @DisplayName("an ARRAY map from userspace: zeroed elements, update and lookup, -E2BIG past the end, -EINVAL to delete, iteration in index order")
    void arrayMap(String name) {
        try (BackendSession s = backend(name).openSession()) {
            s.attach(withMaps());
            ProgramMap m = s.maps().get("spi_arr");
            assertEquals(ByteOrder.nativeOrder(), m.byteOrder(), "both backends run on a little-endian host here");
            assertEquals(0L, m.lookupLong(0).orElseThrow(), "an ARRAY's elements exist, zeroed");
            assertEquals(0, m.updateLong(1, 42));
            assertEquals(42L, m.lookupLong(1).orElseThrow());
            assertEquals(Errno.E2BIG.negative(), m.update(m.u32(4), new byte[8], ProgramMap.BPF_ANY));
            assertEquals(Errno.EEXIST.negative(), m.update(m.u32(1), new byte[8], ProgramMap.BPF_NOEXIST));
            assertEquals(Errno.EINVAL.negative(), m.delete(m.u32(1)));
            List<Long> values = new ArrayList<>();
            List<Integer> keys = new ArrayList<>();
            m.forEach((k, v) -> {
                keys.add(java.nio.ByteBuffer.wrap(k).order(m.byteOrder()).getInt());
                values.add(java.nio.ByteBuffer.wrap(v).order(m.byteOrder()).getLong());
            });
            assertEquals(List.of(0, 1, 2, 3), keys);
            assertEquals(List.of(0L, 42L, 0L, 0L), values);
            assertThrows(IllegalArgumentException.class, () -> m.lookup(new byte[8]), "an 8-byte key for a 4-byte-key map");
            assertThrows(IllegalArgumentException.class, () -> m.update(m.u32(0), new byte[4], ProgramMap.BPF_ANY));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sim", "native"})
    @DisplayName("a HASH map from userspace: BPF_NOEXIST / BPF_EXIST answer -EEXIST / -ENOENT; delete 0 then -ENOENT")
    void hashMap(String name) {
        try (BackendSession s = backend(name).openSession()) {
            s.attach(withMaps());
            ProgramMap m = s.maps().get("spi_hash");
            byte[] seven = m.u32(7);
            byte[] value = new byte[8];
            value[0] = 9;
            assertTrue(m.lookup(seven).isEmpty());
            assertEquals(Errno.ENOENT.negative(), m.update(seven, value, ProgramMap.BPF_EXIST));
            assertEquals(0, m.update(seven, value, ProgramMap.BPF_NOEXIST));
            assertEquals(Errno.EEXIST.negative(), m.update(seven, value, ProgramMap.BPF_NOEXIST));
            assertArrayEquals(value, m.lookup(seven).orElseThrow());
            int[] seen = new int[1];
            m.forEach((k, v) -> {
                assertArrayEquals(seven, k);
                assertArrayEquals(value, v);
                seen[0]++;
            });
            assertEquals(1, seen[0]);
            assertEquals(0, m.delete(seven));
            assertEquals(Errno.ENOENT.negative(), m.delete(seven));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sim", "native"})
    @DisplayName("socketStorage: the accepted socket's own invocation log (op 5, PASSIVE_ESTABLISHED); not for other map types; by key it is refused")
    void socketStorage(String name) {
        try (BackendSession s = backend(name).openSession()) {
            s.attach(ScenarioPrograms.logger());
            s.attach(withMaps());
            Connection c = s.connect(ConnectOptions.IPV4);
            byte[] log = c.socketStorage(InvocationLogMap.NAME).orElseThrow(() -> new AssertionError("no inv_log value"));
            List<Invocation> entries = InvocationLogMap.decode(log, 0).entries();
            assertEquals(new Invocation(SockOpsOp.PASSIVE_ESTABLISHED_CB.value(), 0, 0, 0), entries.get(0), entries.toString());
            IllegalArgumentException notPerSocket = assertThrows(IllegalArgumentException.class, () -> c.socketStorage("spi_arr"));
            assertTrue(notPerSocket.getMessage().contains("not SK_STORAGE"), notPerSocket.getMessage());
            assertThrows(UnknownMapException.class, () -> c.socketStorage("nope"));
            UnsupportedOperationException byKey = assertThrows(UnsupportedOperationException.class,
                    () -> s.maps().get(InvocationLogMap.NAME).lookup(new byte[4]));
            assertTrue(byKey.getMessage().contains("socketStorage"), byKey.getMessage());
            c.close();
            assertThrows(ConnectionClosedException.class, () -> c.socketStorage(InvocationLogMap.NAME));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sim", "native"})
    @DisplayName("Observation.droppedInvocations is 0 while the log holds everything, and is what the connection counts")
    void droppedInvocationsObserved(String name) {
        try (BackendSession s = backend(name).openSession()) {
            s.attach(ScenarioPrograms.logger());
            Connection c = s.connect(ConnectOptions.IPV4);
            Observation o = c.observe();
            assertEquals(0, o.droppedInvocations());
            assertFalse(o.invocations().isEmpty(), "op 5 was logged");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sim", "native"})
    @DisplayName("lifecycle: close is idempotent; every call after it, and every map call after the session's, is ConnectionClosedException")
    void lifecycle(String name) {
        BackendSession s = backend(name).openSession();
        try {
            s.attach(withMaps());
            ProgramMap m = s.maps().get("spi_arr");
            Connection c = s.connect(ConnectOptions.IPV4);
            c.close();
            c.close();
            assertTrue(c.isClosed());
            assertFalse(s.isClosed());
            assertTrue(assertThrows(ConnectionClosedException.class, c::observe).getMessage().contains("closed"));
            Connection other = s.connect(ConnectOptions.IPV4);
            s.close();
            s.close();
            assertTrue(s.isClosed());
            assertTrue(assertThrows(ConnectionClosedException.class, other::readable).getMessage().contains("closed"),
                    "the session closed its connections");
            assertThrows(ConnectionClosedException.class, () -> m.lookupLong(0));
            assertThrows(ConnectionClosedException.class, () -> s.maps().names());
            assertThrows(ConnectionClosedException.class, () -> s.maps().find("spi_arr"));
            assertThrows(ConnectionClosedException.class, () -> s.connect(ConnectOptions.IPV4));
        } finally {
            s.close();
        }
    }

    @Test
    @DisplayName("lifecycle (native, thread-safe; issue #17): a connection and its session closed by two threads at once both return, both closed")
    void concurrentClose() throws Exception {
        Backend b = backend("native");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                BackendSession s = b.openSession();
                Connection c = s.connect(ConnectOptions.IPV4);
                CountDownLatch start = new CountDownLatch(1);
                Future<?> one = pool.submit(() -> {
                    start.await();
                    c.close();
                    return null;
                });
                Future<?> two = pool.submit(() -> {
                    start.await();
                    s.close();
                    return null;
                });
                start.countDown();
                one.get(30, TimeUnit.SECONDS);
                two.get(30, TimeUnit.SECONDS);
                assertTrue(c.isClosed() && s.isClosed(), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("options: the native backend offers none, and says so; the simulator offers FIXED_ISN and EXECUTION_MODE")
    void options() {
        assertEquals(java.util.Set.of(), new NativeBackend().supportedOptions());
        assertEquals(java.util.Set.of(SessionOption.FIXED_ISN, SessionOption.EXECUTION_MODE), new SimBackend().supportedOptions());
        NativeAgreementTest.requireRoot();
        try (BackendSession s = new NativeBackend().openSession()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> s.setOption(SessionOption.FIXED_ISN, 1));
            assertTrue(e.getMessage().contains("'native'") && e.getMessage().contains("FIXED_ISN")
                    && e.getMessage().contains("offers none"), e.getMessage());
        }
    }

    @Test
    @DisplayName("roles: the simulator is the reference model, a simulator with faults a mutant whose model is the simulator, a kernel an implementation")
    void roles() {
        Backend sim = new SimBackend();
        assertEquals(BackendRole.REFERENCE_MODEL, sim.role());
        assertEquals(Optional.of(sim), sim.referenceModel());
        Backend mutant = new SimBackend(dev.autolowat.sim.SimConfig.DEFAULT.withFaults(dev.autolowat.sim.SimFault.HOOK_AFTER_WAKEUP));
        assertEquals(BackendRole.MUTANT, mutant.role());
        assertEquals("sim", mutant.referenceModel().orElseThrow().name());
        assertEquals(BackendRole.REFERENCE_MODEL, mutant.referenceModel().orElseThrow().role());
        Backend kernel = new NativeBackend();
        assertEquals(BackendRole.IMPLEMENTATION, kernel.role());
        assertEquals(Optional.empty(), kernel.referenceModel());
    }
}
