package dev.autolowat.api.object;

import dev.autolowat.api.program.MapType;

import java.util.Objects;
import java.util.Optional;

/**
 * A map an object declares: a BTF-defined map of {@code .maps} ({@code struct { __uint(type, ...);
 * ... } name SEC(".maps");}) or a global-data section ({@code .data}, {@code .rodata},
 * {@code .bss} and their {@code .data.*}-style variants), which libbpf turns into a one-entry
 * {@code ARRAY} map whose value is the section, initialised with its contents.
 *
 * @param name        the map's name: the variable's for {@code .maps}; libbpf's internal name for
 *                    global data ({@code <object name prefix>.data}, see {@code docs/objects.md})
 * @param kind        where it comes from
 * @param type        {@code enum bpf_map_type} as written in the object (see {@link #sdkType()})
 * @param keySize     key size in bytes
 * @param valueSize   value size in bytes
 * @param maxEntries  {@code max_entries} (0 for map types that size themselves, e.g. SK_STORAGE)
 * @param flags       {@code map_flags}
 * @param keyTypeId   the key's type in the object's BTF (0 when given by size only)
 * @param valueTypeId the value's type in the object's BTF (the DATASEC for global data; 0 when none)
 * @param section     the ELF section: {@code .maps} or the global-data section's name
 */
public record ObjectMap(String name, Kind kind, int type, int keySize, int valueSize, int maxEntries, int flags,
                        int keyTypeId, int valueTypeId, String section, byte[] initialData) {
    /** {@code BPF_F_NO_PREALLOC}. */
    public static final int F_NO_PREALLOC = 0x1;
    /** {@code BPF_F_RDONLY_PROG}: programs may only read ({@code .rodata}). */
    public static final int F_RDONLY_PROG = 0x80;
    /** {@code BPF_F_MMAPABLE}: libbpf maps global data into the process. */
    public static final int F_MMAPABLE = 0x400;

    /** Where a map comes from. */
    public enum Kind {
        /** Declared in {@code .maps} and described by BTF. */
        BTF_DEFINED,
        /** A global-data section: {@code .data}, {@code .bss} (writable) or {@code .rodata} (frozen after load). */
        GLOBAL_DATA
    }

    public ObjectMap {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(section, "section");
        initialData = initialData == null ? null : initialData.clone();
    }

    /** The SDK's {@link MapType} when the backends model this map type. */
    public Optional<MapType> sdkType() {
        for (MapType t : MapType.values()) {
            if (t.value() == type) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The initial value of a global-data map (a copy), or empty for {@code .maps} maps. */
    @Override
    public byte[] initialData() {
        return initialData == null ? null : initialData.clone();
    }

    /** Whether programs may only read the map: {@code .rodata}, frozen once initialised. */
    public boolean readOnly() {
        return (flags & F_RDONLY_PROG) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectMap m && name.equals(m.name) && kind == m.kind && type == m.type
                && keySize == m.keySize && valueSize == m.valueSize && maxEntries == m.maxEntries && flags == m.flags
                && keyTypeId == m.keyTypeId && valueTypeId == m.valueTypeId && section.equals(m.section)
                && java.util.Arrays.equals(initialData, m.initialData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, type, keySize, valueSize, maxEntries, flags, section);
    }

    @Override
    public String toString() {
        return "ObjectMap[" + name + " " + kind + " type " + type + " key " + keySize + " value " + valueSize
                + " max_entries " + maxEntries + " flags 0x" + Integer.toHexString(flags) + " (" + section + ")]";
    }
}
