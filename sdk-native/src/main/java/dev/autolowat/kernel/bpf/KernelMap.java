package dev.autolowat.kernel.bpf;

import com.sun.jna.Memory;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A BPF map owned by this process: its descriptor ({@link #fd()}, for {@code LD_IMM64} map
 * references), closed by {@link #close()} (the kernel frees the map when no descriptor and no loaded
 * program refers to it any more). Keys and values are byte
 * arrays of exactly {@link #keySize()} and {@link #valueSize()} bytes, in the kernel's byte order
 * (little-endian here); {@link #key(int)}, {@link #lookupLong(int)} and friends cover the usual
 * 4-byte keys and 4/8-byte values.
 *
 * <p>A missing key is an answer, not an error: {@link #lookup} returns empty and {@link #delete}
 * false. Other kernel errors are {@link BpfException}s.
 */
public final class KernelMap extends FdResource {
    /** What the map was created with. */
    private final MapAttributes attrs;
    private final int keySize;
    private final int valueSize;

    private KernelMap(OwnedFd fd, MapAttributes attrs) {
        super(fd);
        this.attrs = attrs;
        this.keySize = attrs.keySize();
        this.valueSize = attrs.valueSize();
    }

    /**
     * Creates the map a program declares. SK_STORAGE maps get {@code BPF_F_NO_PREALLOC} and a
     * generated BTF description ({@link BtfBlob#forMap}: an {@code int} key, a struct value of the
     * value size), which the kernel requires for them.
     *
     * @throws BpfException when the kernel refuses (nothing is left open)
     */
    public static KernelMap create(MapSpec spec) {
        Objects.requireNonNull(spec, "spec");
        MapAttributes attrs = MapAttributes.of(spec.type().value(), spec.keySize(), spec.valueSize(), spec.maxEntries(),
                spec.type() == MapType.SK_STORAGE ? BpfSyscall.BPF_F_NO_PREALLOC : 0, spec.name());
        if (spec.type() != MapType.SK_STORAGE) {
            return create(attrs);
        }
        // a C identifier: map names may hold '.', BTF struct names may not
        String valueName = spec.name().replaceAll("[^A-Za-z0-9_]", "_") + "_value";
        BtfBlob.KeyValue kv = BtfBlob.forMap(Character.isDigit(valueName.charAt(0)) ? "_" + valueName : valueName,
                spec.valueSize());
        try (BpfBtf btf = BpfBtf.load(kv.btf(), "map '" + spec.name() + "'")) {
            return create(attrs.withBtf(btf.fd(), kv.keyTypeId(), kv.valueTypeId()));
        }
    }

    /**
     * Creates a map with exactly these attributes.
     *
     * @throws BpfException when the kernel refuses
     */
    public static KernelMap create(MapAttributes attrs) {
        int fd = BpfSyscall.mapCreate(attrs);
        String label = attrs.name().isEmpty() ? "map fd " + fd : "map '" + attrs.name() + "'";
        return new KernelMap(new OwnedFd(fd, label), attrs);
    }

    public String name() {
        return attrs.name();
    }

    /** {@code enum bpf_map_type}. */
    public int type() {
        return attrs.type();
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return attrs.maxEntries();
    }

    /** The kernel's view of the map ({@code BPF_OBJ_GET_INFO_BY_FD}), with its id. */
    public MapInfo info() {
        return BpfSyscall.mapInfo(fd());
    }

    // ---- elements ----

    /** The value of {@code key}, or empty when the key is not in the map. */
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        try (Memory k = memory(key); Memory v = new Memory(Math.max(1, valueSize))) {
            if (!BpfSyscall.mapLookupElem(fd(), k, v)) {
                return Optional.empty();
            }
            return Optional.of(v.getByteArray(0, valueSize));
        }
    }

    /** Creates or replaces {@code key} ({@link BpfSyscall#BPF_ANY}). */
    public void put(byte[] key, byte[] value) {
        update(key, value, BpfSyscall.BPF_ANY);
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM} with {@code flags} ({@link BpfSyscall#BPF_ANY},
     * {@link BpfSyscall#BPF_NOEXIST}, {@link BpfSyscall#BPF_EXIST}).
     */
    public void update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        Objects.requireNonNull(value, "value");
        if (value.length != valueSize) {
            throw new IllegalArgumentException(this + ": a value has " + valueSize + " bytes, got " + value.length);
        }
        try (Memory k = memory(key); Memory v = memory(value)) {
            BpfSyscall.mapUpdateElem(fd(), k, v, flags);
        }
    }

    /** Deletes {@code key}: false when it was not in the map. ARRAY entries cannot be deleted ({@code EINVAL}). */
    public boolean delete(byte[] key) {
        checkKey(key);
        try (Memory k = memory(key)) {
            return BpfSyscall.mapDeleteElem(fd(), k);
        }
    }

    /** The key after {@code key} ({@code null}: the first), or empty at the end. */
    public Optional<byte[]> nextKey(byte[] key) {
        if (key != null) {
            checkKey(key);
        }
        try (Memory k = key == null ? null : memory(key); Memory next = new Memory(Math.max(1, keySize))) {
            if (!BpfSyscall.mapGetNextKey(fd(), k, next)) {
                return Optional.empty();
            }
            return Optional.of(next.getByteArray(0, keySize));
        }
    }

    /** Every key, in the kernel's iteration order (a snapshot; concurrent updates may be missed). */
    public List<byte[]> keys() {
        List<byte[]> out = new ArrayList<>();
        Optional<byte[]> k = nextKey(null);
        while (k.isPresent()) {
            out.add(k.get());
            if (out.size() > 10_000_000) {
                throw new IllegalStateException(this + ": iteration does not end");
            }
            k = nextKey(k.get());
        }
        return out;
    }

    // ---- conveniences for 4-byte keys and 4/8-byte values ----

    /** A 4-byte key in the kernel's byte order. */
    public static byte[] key(int key) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(key).array();
    }

    /** An 8-byte value in the kernel's byte order. */
    public static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    /** A 4-byte value in the kernel's byte order. */
    public static byte[] u32(int value) {
        return key(value);
    }

    /** The 8-byte value at {@code key}, or empty. Requires {@code valueSize() >= 8} (reads the first 8 bytes). */
    public OptionalLong lookupLong(int key) {
        requireValueSize(8);
        return lookup(key(key)).map(v -> OptionalLong.of(ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0)))
                .orElse(OptionalLong.empty());
    }

    /** The first 4 bytes of the value at {@code key} as an int, or empty. */
    public Optional<Integer> lookupInt(int key) {
        requireValueSize(4);
        return lookup(key(key)).map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt(0));
    }

    /** Stores an int at {@code key} (the value must be 4 bytes). */
    public void putInt(int key, int value) {
        put(key(key), u32(value));
    }

    /** Stores a long at {@code key} (the value must be 8 bytes). */
    public void putLong(int key, long value) {
        put(key(key), u64(value));
    }

    private void requireValueSize(int bytes) {
        if (valueSize < bytes || keySize != 4) {
            throw new IllegalStateException(this + " has key size " + keySize + " and value size " + valueSize
                    + "; this accessor needs a 4-byte key and at least " + bytes + " value bytes");
        }
    }

    private void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != keySize) {
            throw new IllegalArgumentException(this + ": a key has " + keySize + " bytes, got " + key.length);
        }
    }

    private static Memory memory(byte[] data) {
        Memory m = new Memory(Math.max(1, data.length));
        m.write(0, data, 0, data.length);
        return m;
    }

    @Override
    public String toString() {
        return "map '" + name() + "' (type " + type() + ", key " + keySize + ", value " + valueSize + ", entries "
                + maxEntries() + (isClosed() ? ", closed)" : ")");
    }
}
