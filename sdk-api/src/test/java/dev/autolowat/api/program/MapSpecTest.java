package dev.autolowat.api.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Map declarations of bytecode programs (SEMANTICS.md constants table: map types). */
class MapSpecTest {

    private static IllegalArgumentException rejected(String name, MapType type, int key, int value, int entries) {
        return assertThrows(IllegalArgumentException.class, () -> new MapSpec(name, type, key, value, entries),
                () -> "expected " + type + " " + name + " key=" + key + " value=" + value + " entries=" + entries
                        + " to be rejected");
    }

    private static void assertNamesMap(IllegalArgumentException e, String name) {
        assertTrue(e.getMessage().contains(name), () -> "message should name map '" + name + "': " + e.getMessage());
    }

    @Test
    @DisplayName("map type uapi values: HASH 1, ARRAY 2, SOCKMAP 15, SOCKHASH 18, SK_STORAGE 24, RINGBUF 27")
    void mapTypeValues() {
        assertEquals(1, MapType.HASH.value());
        assertEquals(2, MapType.ARRAY.value());
        assertEquals(15, MapType.SOCKMAP.value());
        assertEquals(18, MapType.SOCKHASH.value());
        assertEquals(24, MapType.SK_STORAGE.value());
        assertEquals(27, MapType.RINGBUF.value());
        assertEquals(6, MapType.values().length);
    }

    @DisplayName("valid specs of each type are accepted and keep their fields")
    @ParameterizedTest(name = "{1} {0} key={2} value={3} entries={4}")
    @CsvSource({
        "counts,      HASH,       8, 16, 1024",
        "log,         ARRAY,      4, 16, 64",
        "sk_state,    SK_STORAGE, 4, 24, 0",
        "sockmap,     SOCKMAP,    4, 4,  1",
        "sockhash,    SOCKHASH,   8, 8,  16",
        "events,      RINGBUF,    0, 0,  4096",
        "events.big,  RINGBUF,    0, 0,  262144",
        "a,           HASH,       1, 1,  1",
        "ABCDEFGHIJ_.1, ARRAY,    4, 1,  1",
        "fifteen_chars_, ARRAY,   4, 8,  2",
    })
    void validSpecs(String name, MapType type, int key, int value, int entries) {
        MapSpec spec = assertDoesNotThrow(() -> new MapSpec(name, type, key, value, entries));
        assertEquals(name, spec.name());
        assertEquals(type, spec.type());
        assertEquals(key, spec.keySize());
        assertEquals(value, spec.valueSize());
        assertEquals(entries, spec.maxEntries());
    }

    @Test
    @DisplayName("a 15-character name is the longest accepted (BPF_OBJ_NAME_LEN 16 with the NUL)")
    void fifteenCharsAccepted() {
        assertEquals(15, "abcdefghijklmno".length());
        assertDoesNotThrow(() -> new MapSpec("abcdefghijklmno", MapType.ARRAY, 4, 4, 1));
    }

    @DisplayName("invalid names are rejected with a message quoting the name")
    @ParameterizedTest(name = "name \"{0}\"")
    @ValueSource(strings = {"", "abcdefghijklmnop", "has space", "dash-name", "slash/x", "colon:x", "é", "tab\tx", "nl\n"})
    void invalidNames(String name) {
        IllegalArgumentException e = rejected(name, MapType.ARRAY, 4, 4, 1);
        assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
    }

    @Test
    @DisplayName("a null name or type is a NullPointerException")
    void nulls() {
        assertThrows(NullPointerException.class, () -> new MapSpec(null, MapType.ARRAY, 4, 4, 1));
        assertThrows(NullPointerException.class, () -> new MapSpec("m", null, 4, 4, 1));
    }

    @DisplayName("negative sizes are rejected with a message naming the map")
    @ParameterizedTest(name = "{0} key={1} value={2} entries={3}")
    @CsvSource({
        "HASH,       -1, 4,  1",
        "HASH,       4, -1,  1",
        "HASH,       4,  4, -1",
        "RINGBUF,    0,  0, -4096",
        "SK_STORAGE, 4, -8,  0",
        "ARRAY,      " + Integer.MIN_VALUE + ", 4, 1",
    })
    void negativeSizes(MapType type, int key, int value, int entries) {
        IllegalArgumentException e = rejected("neg_map", type, key, value, entries);
        assertNamesMap(e, "neg_map");
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @DisplayName("ARRAY needs key size 4, value size > 0, entries > 0")
    @ParameterizedTest(name = "key={0} value={1} entries={2}")
    @CsvSource({"0, 4, 1", "8, 4, 1", "2, 4, 1", "4, 0, 1", "4, 4, 0"})
    void arrayWrongShape(int key, int value, int entries) {
        assertNamesMap(rejected("arr_map", MapType.ARRAY, key, value, entries), "arr_map");
    }

    @DisplayName("SK_STORAGE needs key size 4, value size > 0, entries 0")
    @ParameterizedTest(name = "key={0} value={1} entries={2}")
    @CsvSource({"0, 8, 0", "8, 8, 0", "4, 0, 0", "4, 8, 1"})
    void skStorageWrongShape(int key, int value, int entries) {
        assertNamesMap(rejected("sk_map", MapType.SK_STORAGE, key, value, entries), "sk_map");
    }

    @DisplayName("HASH needs all sizes > 0")
    @ParameterizedTest(name = "key={0} value={1} entries={2}")
    @CsvSource({"0, 8, 1", "4, 0, 1", "4, 8, 0"})
    void hashWrongShape(int key, int value, int entries) {
        assertNamesMap(rejected("hash_map", MapType.HASH, key, value, entries), "hash_map");
    }

    @DisplayName("SOCKMAP/SOCKHASH need a key, value size 4 or 8, entries > 0")
    @ParameterizedTest(name = "{0} key={1} value={2} entries={3}")
    @CsvSource({
        "SOCKMAP,  0, 4, 1", "SOCKMAP,  8, 4, 1", "SOCKMAP,  4, 2, 1", "SOCKMAP,  4, 16, 1", "SOCKMAP,  4, 4, 0",
        "SOCKHASH, 0, 8, 1", "SOCKHASH, 4, 0, 1", "SOCKHASH, 4, 8, 0",
    })
    void sockmapWrongShape(MapType type, int key, int value, int entries) {
        IllegalArgumentException e = rejected("sock_map", type, key, value, entries);
        assertNamesMap(e, "sock_map");
        assertTrue(e.getMessage().contains(type.name()), e.getMessage());
    }

    @DisplayName("RINGBUF rejects sizes that are not a power of two of at least 4096")
    @ParameterizedTest(name = "entries={0}")
    @ValueSource(ints = {0, 1, 2048, 4095, 4097, 6144, 12288, 65535, 3 * 4096, Integer.MAX_VALUE})
    void ringbufNotPowerOfTwo(int entries) {
        IllegalArgumentException e = rejected("rb_map", MapType.RINGBUF, 0, 0, entries);
        assertNamesMap(e, "rb_map");
        assertTrue(e.getMessage().contains("power-of-two"), e.getMessage());
    }

    @Test
    @DisplayName("RINGBUF accepts every power of two from 4096 to 2^30 and rejects its neighbours")
    void ringbufPowersOfTwo() {
        for (int shift = 12; shift <= 30; shift++) {
            int size = 1 << shift;
            assertEquals(size, new MapSpec("rb", MapType.RINGBUF, 0, 0, size).maxEntries());
            assertThrows(IllegalArgumentException.class, () -> new MapSpec("rb", MapType.RINGBUF, 0, 0, size + 1));
            assertThrows(IllegalArgumentException.class, () -> new MapSpec("rb", MapType.RINGBUF, 0, 0, size - 1));
        }
    }

    @DisplayName("RINGBUF needs key and value size 0")
    @ParameterizedTest(name = "key={0} value={1}")
    @CsvSource({"4, 0", "0, 4"})
    void ringbufKeyValue(int key, int value) {
        assertNamesMap(rejected("rb_map", MapType.RINGBUF, key, value, 4096), "rb_map");
    }

    @Test
    @DisplayName("MapSpec is a value: equal fields, equal specs")
    void valueEquality() {
        assertEquals(new MapSpec("m", MapType.HASH, 4, 8, 2), new MapSpec("m", MapType.HASH, 4, 8, 2));
        assertEquals(new MapSpec("m", MapType.HASH, 4, 8, 2).hashCode(), new MapSpec("m", MapType.HASH, 4, 8, 2).hashCode());
    }
}
