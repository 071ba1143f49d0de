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
 * @param initialValue the value the map starts with ({@code null}: zeros): global data, e.g. a C
 *                   object's {@code .data}/{@code .rodata} (libbpf's convention, {@link #globalData}); only for
 *                   a one-entry ARRAY, {@code valueSize} bytes, the value of entry 0
 * @param frozen     read-only for programs and frozen once initialised ({@code .rodata}: the kernel's
 *                   {@code BPF_F_RDONLY_PROG} and {@code BPF_MAP_FREEZE}; the simulator faults a
 *                   program's write and refuses userspace updates); only for ARRAY
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, byte[] initialValue,
                      boolean frozen) {
    /** A map that starts zeroed and is writable: what most programs declare. */
    public MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries) {
        this(name, type, keySize, valueSize, maxEntries, null, false);
    }

    /**
     * A global-data map as libbpf makes one of a C object's {@code .data}, {@code .rodata} or
     * {@code .bss}: a one-entry ARRAY whose value is {@code contents}, {@code frozen} for {@code .rodata}.
     */
    public static MapSpec globalData(String name, byte[] contents, boolean frozen) {
        Objects.requireNonNull(contents, "contents");
        return new MapSpec(name, MapType.ARRAY, 4, contents.length, 1, contents, frozen);
    }

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
        if (initialValue != null) {
            require(name, type == MapType.ARRAY && maxEntries == 1 && initialValue.length == valueSize,
                    "an initial value is for a one-entry ARRAY and has its value size (" + valueSize + " bytes), got "
                            + initialValue.length + " bytes for " + type + " with " + maxEntries + " entries");
            initialValue = initialValue.clone();
        }
        if (frozen) {
            require(name, type == MapType.ARRAY, "only an ARRAY can be frozen (read-only for programs)");
        }
    }

    /** A copy of the initial value, or {@code null} when the map starts zeroed. */
    @Override
    public byte[] initialValue() {
        return initialValue == null ? null : initialValue.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapSpec m && name.equals(m.name) && type == m.type && keySize == m.keySize
                && valueSize == m.valueSize && maxEntries == m.maxEntries && frozen == m.frozen
                && java.util.Arrays.equals(initialValue, m.initialValue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, keySize, valueSize, maxEntries, frozen) * 31 + java.util.Arrays.hashCode(initialValue);
    }

    @Override
    public String toString() {
        return "MapSpec[name=" + name + ", type=" + type + ", keySize=" + keySize + ", valueSize=" + valueSize
                + ", maxEntries=" + maxEntries + (initialValue == null ? "" : ", initialValue=" + initialValue.length
                + " bytes") + (frozen ? ", frozen" : "") + "]";
    }

    private static void require(String name, boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("map " + name + ": " + what);
        }
    }
}
