package dev.autolowat.kernel.bpf;

import java.util.Objects;

/**
 * The {@code BPF_MAP_CREATE} attributes the SDK sets.
 *
 * @param type           {@code enum bpf_map_type} (1 HASH, 2 ARRAY, 24 SK_STORAGE, 27 RINGBUF...)
 * @param keySize        key size in bytes
 * @param valueSize      value size in bytes
 * @param maxEntries     max entries
 * @param flags          {@code map_flags} ({@link BpfSyscall#BPF_F_NO_PREALLOC}...)
 * @param name           at most 15 characters of {@code [A-Za-z0-9_.]}, or empty
 * @param btfFd          a loaded BTF object describing key and value, or 0
 * @param btfKeyTypeId   the key's type id in it, or 0
 * @param btfValueTypeId the value's type id in it, or 0
 */
public record MapAttributes(int type, int keySize, int valueSize, int maxEntries, int flags, String name,
                            int btfFd, int btfKeyTypeId, int btfValueTypeId) {
    public MapAttributes {
        Objects.requireNonNull(name, "name");
        if (!name.isEmpty() && !name.matches("[A-Za-z0-9_.]{1,15}")) {
            throw new IllegalArgumentException("map name '" + name + "' must be at most 15 characters of [A-Za-z0-9_.]");
        }
    }

    /** Attributes without BTF. */
    public static MapAttributes of(int type, int keySize, int valueSize, int maxEntries, int flags, String name) {
        return new MapAttributes(type, keySize, valueSize, maxEntries, flags, name, 0, 0, 0);
    }

    /** These attributes with key and value described by {@code btfFd}. */
    public MapAttributes withBtf(int btfFd, int keyTypeId, int valueTypeId) {
        return new MapAttributes(type, keySize, valueSize, maxEntries, flags, name, btfFd, keyTypeId, valueTypeId);
    }

    @Override
    public String toString() {
        return "type " + type + ", key " + keySize + ", value " + valueSize + ", entries " + maxEntries + ", flags 0x"
                + Integer.toHexString(flags) + (btfFd > 0 ? ", btf key/value ids " + btfKeyTypeId + "/" + btfValueTypeId : "");
    }
}
