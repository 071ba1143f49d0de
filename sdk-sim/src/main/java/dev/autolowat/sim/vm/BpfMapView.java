package dev.autolowat.sim.vm;

import dev.autolowat.api.program.MapSpec;

import java.util.Arrays;
import java.util.List;

/**
 * What userspace sees of a map that bytecode programs use: the simulator's form of
 * {@code bpf_map_lookup_elem(fd, ...)}, {@code bpf_map_get_next_key} and friends, so that tests and
 * tools can read what a program wrote (for example its own invocation log) and configure it.
 * Values are copies; nothing returned aliases the map.
 */
public interface BpfMapView {
    /** The map's name. */
    String name();

    /** The map's declaration. */
    MapSpec spec();

    /**
     * ARRAY/HASH: a copy of the value stored under {@code key}, or {@code null} when there is none.
     *
     * @throws IllegalArgumentException when the key has the wrong size
     * @throws UnsupportedOperationException for SK_STORAGE and RINGBUF maps
     */
    byte[] lookup(byte[] key);

    /** {@link #lookup(byte[])} with a little-endian u32 key (ARRAY indexes, u32 HASH keys). */
    default byte[] lookup(int key) {
        return lookup(BpfMap.u32Key(key));
    }

    /**
     * ARRAY/HASH: userspace {@code bpf_map_update_elem(fd, key, value, flags)}.
     *
     * @return 0 or {@code -errno}, as the kernel
     */
    int update(byte[] key, byte[] value, long flags);

    /** ARRAY/HASH: userspace {@code bpf_map_delete_elem}: 0 or {@code -errno}. */
    int delete(byte[] key);

    /**
     * Every entry: ARRAY all {@code max_entries} elements in index order; HASH the present entries
     * in the table's (deterministic) order; SK_STORAGE one entry per socket that has a value, in
     * creation order, keyed by a little-endian u32 socket number (1 for the first socket that got
     * a value in this map, 2 for the next...); RINGBUF none.
     */
    List<Entry> entries();

    /**
     * SK_STORAGE: a copy of {@code socket}'s value, or {@code null}; {@code socket} is the handle the
     * invocations were given ({@link SockOpsInput#set}; the simulator's TCP socket model).
     */
    byte[] storageOf(Object socket);

    /** RINGBUF: the records written since the last drain, oldest first (each its own copy). */
    List<byte[]> drainRecords();

    /** One key/value pair (copies). */
    record Entry(byte[] key, byte[] value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Entry[key=" + Arrays.toString(key) + ", value=" + Arrays.toString(value) + "]";
        }
    }
}
