package dev.autolowat.kernel.bpf;

import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KernelMap} and the element commands of {@link BpfSyscall} on this kernel (needs root). */
@DisplayName("BPF maps: create, lookup, update, delete, iterate (needs root)")
class KernelMapTest {

    @Test
    @DisplayName("ARRAY: every index exists (zeroed), update and lookup round-trip, delete is EINVAL, index past max_entries is E2BIG")
    void array() {
        BpfTestSupport.requireRoot();
        try (KernelMap m = KernelMap.create(new MapSpec("t_array", MapType.ARRAY, 4, 8, 4))) {
            for (int i = 0; i < 4; i++) {
                assertEquals(0L, m.lookupLong(i).orElseThrow(), "index " + i + " starts zeroed");
            }
            m.putLong(2, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, m.lookupLong(2).orElseThrow());
            assertTrue(m.lookup(KernelMap.key(4)).isEmpty(), "index 4 of 4 is not there");
            BpfException del = assertThrows(BpfException.class, () -> m.delete(KernelMap.key(1)));
            assertEquals(22, del.errno());
            assertEquals(BpfCommand.MAP_DELETE_ELEM, del.command());
            assertTrue(del.getMessage().startsWith("bpf(BPF_MAP_DELETE_ELEM) failed with EINVAL (22): "), del.getMessage());
            BpfException big = assertThrows(BpfException.class, () -> m.putLong(4, 1));
            assertEquals(7, big.errno(), big.getMessage());
            assertEquals(4, m.keys().size(), "iteration visits every index");
            MapInfo info = m.info();
            assertEquals(MapType.ARRAY.value(), info.type());
            assertEquals("t_array", info.name());
            assertEquals(8, info.valueSize());
            assertEquals(4, info.maxEntries());
            assertTrue(info.id() > 0);
        }
    }

    @Test
    @DisplayName("HASH: put, lookup, NOEXIST/EXIST flags, delete, iteration over exactly the keys present")
    void hash() {
        BpfTestSupport.requireRoot();
        try (KernelMap m = KernelMap.create(new MapSpec("t_hash", MapType.HASH, 4, 4, 16))) {
            assertTrue(m.lookup(KernelMap.key(7)).isEmpty());
            assertTrue(m.nextKey(null).isEmpty(), "an empty map has no first key");
            for (int k = 10; k < 15; k++) {
                m.putInt(k, k * 100);
            }
            assertEquals(1200, m.lookupInt(12).orElseThrow());
            BpfException exists = assertThrows(BpfException.class,
                    () -> m.update(KernelMap.key(12), KernelMap.u32(1), BpfSyscall.BPF_NOEXIST));
            assertEquals(17, exists.errno(), exists.getMessage());
            assertTrue(exists.getMessage().contains("EEXIST (17)"), exists.getMessage());
            BpfException missing = assertThrows(BpfException.class,
                    () -> m.update(KernelMap.key(99), KernelMap.u32(1), BpfSyscall.BPF_EXIST));
            assertEquals(2, missing.errno());
            m.update(KernelMap.key(12), KernelMap.u32(5), BpfSyscall.BPF_EXIST);
            assertEquals(5, m.lookupInt(12).orElseThrow());
            assertTrue(m.delete(KernelMap.key(12)));
            assertFalse(m.delete(KernelMap.key(12)), "a second delete finds nothing");
            Set<Integer> keys = new HashSet<>();
            for (byte[] k : m.keys()) {
                keys.add(java.nio.ByteBuffer.wrap(k).order(java.nio.ByteOrder.nativeOrder()).getInt());
            }
            assertEquals(Set.of(10, 11, 13, 14), keys);
        }
    }

    @Test
    @DisplayName("a full HASH refuses a new key with E2BIG; sizes are checked before the kernel is asked")
    void hashFullAndSizes() {
        BpfTestSupport.requireRoot();
        try (KernelMap m = KernelMap.create(new MapSpec("t_small", MapType.HASH, 4, 4, 2))) {
            m.putInt(1, 1);
            m.putInt(2, 2);
            BpfException full = assertThrows(BpfException.class, () -> m.putInt(3, 3));
            assertEquals(7, full.errno());
            assertTrue(full.getMessage().contains("the map is full"), full.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.lookup(new byte[8]));
            assertThrows(IllegalArgumentException.class, () -> m.put(KernelMap.key(1), new byte[8]));
        }
    }

    @Test
    @DisplayName("SK_STORAGE is created with BPF_F_NO_PREALLOC and generated BTF (int key, struct value); without BTF the kernel says EINVAL")
    void skStorage() {
        BpfTestSupport.requireRoot();
        try (KernelMap m = KernelMap.create(new MapSpec("t_sk", MapType.SK_STORAGE, 4, 16, 0))) {
            MapInfo info = m.info();
            assertEquals(MapType.SK_STORAGE.value(), info.type());
            assertEquals(BpfSyscall.BPF_F_NO_PREALLOC, info.flags());
            assertTrue(info.btfId() > 0, "the map refers to its BTF: " + info);
            assertEquals(1, info.btfKeyTypeId());
            assertEquals(4, info.btfValueTypeId());
        }
        try (KernelMap dotted = KernelMap.create(new MapSpec("1.sk.store", MapType.SK_STORAGE, 4, 4, 0))) {
            assertEquals("1.sk.store", dotted.info().name(), "a name with dots gets a valid BTF struct name");
        }
        BpfException e = assertThrows(BpfException.class, () -> KernelMap.create(MapAttributes.of(
                MapType.SK_STORAGE.value(), 4, 16, 0, BpfSyscall.BPF_F_NO_PREALLOC, "t_nobtf")));
        assertEquals(22, e.errno());
        assertTrue(e.getMessage().contains("SK_STORAGE needs"), e.getMessage());
    }

    @Test
    @DisplayName("a map the kernel refuses: BpfException naming BPF_MAP_CREATE, EINVAL (22) and the attributes; no descriptor leaks")
    void refusedMap() {
        BpfTestSupport.requireRoot();
        long base = BpfTestSupport.openFds();
        BpfException e = assertThrows(BpfException.class,
                () -> KernelMap.create(MapAttributes.of(MapType.ARRAY.value(), 8, 4, 1, 0, "t_bad")));
        assertTrue(e.getMessage().startsWith("bpf(BPF_MAP_CREATE) failed with EINVAL (22): creating map 't_bad' (type 2, key 8"),
                e.getMessage());
        assertEquals(base, BpfTestSupport.openFds());
    }

    @Test
    @DisplayName("close() releases the descriptor, is idempotent, and a closed map refuses use")
    void closing() {
        BpfTestSupport.requireRoot();
        long base = BpfTestSupport.openFds();
        KernelMap m = KernelMap.create(new MapSpec("t_close", MapType.ARRAY, 4, 4, 1));
        assertEquals(base + 1, BpfTestSupport.openFds());
        m.close();
        m.close();
        assertEquals(base, BpfTestSupport.openFds());
        assertTrue(m.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.lookupInt(0));
        assertTrue(e.getMessage().contains("t_close"), e.getMessage());
        List<KernelMap> many = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(KernelMap.create(new MapSpec("t_many", MapType.HASH, 4, 4, 1)));
        }
        many.forEach(KernelMap::close);
        assertEquals(base, BpfTestSupport.openFds(), "after 200 maps");
    }

    @Test
    @DisplayName("the byte-order helpers write the kernel's (native, little-endian) order")
    void helpers() {
        assertArrayEquals(new byte[]{1, 0, 0, 0}, KernelMap.key(1));
        assertArrayEquals(new byte[]{2, 1, 0, 0, 0, 0, 0, 0}, KernelMap.u64(0x102));
    }
}
