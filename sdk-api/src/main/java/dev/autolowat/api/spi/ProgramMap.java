package dev.autolowat.api.spi;

import dev.autolowat.api.program.MapSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

/**
 * A map that a program attached to a {@link BackendSession} declared, seen from userspace: the
 * backend-neutral form of {@code bpf_map_lookup_elem(fd, ...)}, {@code bpf_map_update_elem},
 * {@code bpf_map_delete_elem} and {@code bpf_map_get_next_key}, so that a test or a suite can read
 * what a program wrote (its {@code rets}, its own invocation log — SEMANTICS.md "What agree means")
 * and configure it, on every backend alike. Get one with {@link BackendSession#maps()}.
 *
 * <p>Keys and values are the map's raw bytes in the backend's {@link #byteOrder()}; everything
 * returned is a copy. Calls that are system calls on a kernel return the kernel's convention
 * ({@code 0} or {@code -errno}); a key or value of the wrong size is misuse and throws
 * {@link IllegalArgumentException} (the map is unchanged).
 *
 * <p>Per-socket maps ({@code SK_STORAGE}) have a socket as their key, which userspace names by a
 * descriptor on a kernel and not at all in the simulator: read them per connection with
 * {@link Connection#socketStorage(String)}. On such a map (and on maps without elements, such as
 * {@code RINGBUF}) {@link #lookup}, {@link #update}, {@link #delete} and {@link #forEach} throw
 * {@link UnsupportedOperationException} saying so.
 *
 * <p>A map belongs to its session: after the session is closed every call throws
 * {@link dev.autolowat.api.ConnectionClosedException}. Threads: as the session's.
 */
public interface ProgramMap {
    /** {@code BPF_ANY}: create or replace. */
    long BPF_ANY = 0;
    /** {@code BPF_NOEXIST}: create only ({@code -EEXIST} when the key is there). */
    long BPF_NOEXIST = 1;
    /** {@code BPF_EXIST}: replace only ({@code -ENOENT} when the key is not there). */
    long BPF_EXIST = 2;

    /** The map's name, as the program declared it. */
    default String name() {
        return spec().name();
    }

    /** The map's declaration (type, key and value size, entries). */
    MapSpec spec();

    /**
     * The byte order of keys and values: the kernel's (the simulator's eBPF machine is
     * little-endian, as BPF on x86 and arm64).
     */
    ByteOrder byteOrder();

    /**
     * The value stored under {@code key}, or empty when there is none.
     *
     * @throws IllegalArgumentException      a key of the wrong size
     * @throws UnsupportedOperationException a per-socket or element-less map (see the class comment)
     */
    Optional<byte[]> lookup(byte[] key);

    /**
     * Userspace {@code bpf_map_update_elem(fd, key, value, flags)}.
     *
     * @param flags {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}
     * @return 0, or {@code -errno} as the kernel answers (e.g. {@code -E2BIG} for an ARRAY index
     *         out of range, {@code -EEXIST} / {@code -ENOENT} for the flags)
     * @throws IllegalArgumentException      a key or value of the wrong size
     * @throws UnsupportedOperationException a per-socket or element-less map
     */
    int update(byte[] key, byte[] value, long flags);

    /**
     * Userspace {@code bpf_map_delete_elem}: 0, {@code -ENOENT} when the key is not there, or another
     * {@code -errno} ({@code -EINVAL} for an ARRAY, whose elements cannot be deleted).
     *
     * @throws IllegalArgumentException      a key of the wrong size
     * @throws UnsupportedOperationException a per-socket or element-less map
     */
    int delete(byte[] key);

    /**
     * Calls {@code action} with every key and value, as {@code bpf_map_get_next_key} walks them: an
     * ARRAY every element in index order, a HASH the entries present (in the backend's order). A
     * snapshot: entries that programs add or remove meanwhile may be missed.
     *
     * @throws UnsupportedOperationException a per-socket or element-less map
     */
    void forEach(BiConsumer<byte[], byte[]> action);

    // ---- conveniences for u32 keys (ARRAY indexes) and u64 values ----

    /** {@code key} as a 4-byte key in {@link #byteOrder()}. */
    default byte[] u32(int key) {
        return ByteBuffer.allocate(Integer.BYTES).order(byteOrder()).putInt(key).array();
    }

    /** The first 8 bytes of the value under the u32 key {@code key}, as a u64; empty when there is none. */
    default OptionalLong lookupLong(int key) {
        return lookup(u32(key)).map(v -> OptionalLong.of(ByteBuffer.wrap(v).order(byteOrder()).getLong(0)))
                .orElse(OptionalLong.empty());
    }

    /** {@link #update} of the u32 key {@code key} with the 8-byte value {@code value}, {@link #BPF_ANY}. */
    default int updateLong(int key, long value) {
        return update(u32(key), ByteBuffer.allocate(Long.BYTES).order(byteOrder()).putLong(value).array(), BPF_ANY);
    }
}
