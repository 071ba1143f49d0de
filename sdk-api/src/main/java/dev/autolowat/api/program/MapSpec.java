package dev.autolowat.api.program;

import java.util.Objects;

/**
 * A map a bytecode program declares, created by the backend when the program is loaded.
 *
 * @param name       map name, 1–15 characters of {@code [A-Za-z0-9_.]} (the kernel's BPF_OBJ_NAME_LEN)
 * @param type       the map type
 * @param keySize    key size in bytes (4 for ARRAY, 4 for SK_STORAGE, 0 for RINGBUF)
 * @param valueSize  value size in bytes (0 for RINGBUF)
 * @param maxEntries entries (0 for SK_STORAGE, a power-of-two page multiple for RINGBUF)
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries) {
    public MapSpec {
        Objects.requireNonNull(name, "map name");
        Objects.requireNonNull(type, "map type");
        if (!name.matches("[A-Za-z0-9_.]{1,15}")) {
            throw new IllegalArgumentException("map name '" + name
                    + "' must be 1-15 characters of [A-Za-z0-9_.] (BPF_OBJ_NAME_LEN is 16 with the NUL)");
        }
        if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
            throw new IllegalArgumentException("map " + name + ": sizes must not be negative (key "
                    + keySize + ", value " + valueSize + ", entries " + maxEntries + ")");
        }
        switch (type) {
            case ARRAY -> require(name, keySize == 4 && valueSize > 0 && maxEntries > 0,
                    "ARRAY needs key size 4, a value size > 0 and max entries > 0");
            case HASH -> require(name, keySize > 0 && valueSize > 0 && maxEntries > 0,
                    "HASH needs key size, value size and max entries > 0");
            case SK_STORAGE -> require(name, keySize == 4 && valueSize > 0 && maxEntries == 0,
                    "SK_STORAGE needs key size 4 (a socket fd), a value size > 0 and max entries 0");
            case SOCKMAP -> require(name, keySize == 4 && (valueSize == 4 || valueSize == 8) && maxEntries > 0,
                    "SOCKMAP needs key size 4, value size 4 or 8 and max entries > 0");
            case SOCKHASH -> require(name, keySize > 0 && (valueSize == 4 || valueSize == 8) && maxEntries > 0,
                    "SOCKHASH needs a key, value size 4 or 8 and max entries > 0");
            case RINGBUF -> require(name, keySize == 0 && valueSize == 0 && maxEntries >= 4096
                    && Integer.bitCount(maxEntries) == 1,
                    "RINGBUF needs key and value size 0 and a power-of-two size of at least 4096 bytes");
            default -> throw new AssertionError(type);
        }
    }

    private static void require(String name, boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("map " + name + ": " + what);
        }
    }
}
