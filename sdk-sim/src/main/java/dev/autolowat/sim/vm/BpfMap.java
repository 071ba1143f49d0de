package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.program.MapSpec;

import java.util.List;

/**
 * A map as the VM sees it: a region that a map pointer ({@code LD_IMM64} with a
 * {@link dev.autolowat.api.asm.Relocation.MapRef}) carries, which cannot be dereferenced, plus
 * the operations of its helpers. Subclasses: {@link ArrayMap}, {@link HashTableMap},
 * {@link SkStorageMap}, {@link RingBufMap}. Every operation completes or changes nothing.
 */
abstract class BpfMap extends Region implements BpfMapView {
    final MapSpec spec;
    final AddressSpace addresses;

    BpfMap(AddressSpace addresses, MapSpec spec) {
        super(addresses.allocate());
        this.addresses = addresses;
        this.spec = spec;
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public MapSpec spec() {
        return spec;
    }

    @Override
    String describe() {
        return "map pointer '" + spec.name() + "' (" + spec.type() + ")";
    }

    @Override
    boolean arithmeticAllowed() {
        return false;
    }

    /** {@code bpf_map_lookup_elem}: the value region, or null. The key is {@code keySize} bytes at {@code k[ko]}. */
    MemRegion lookupElem(byte[] k, int ko) {
        throw new Fault("cannot pass map_type " + spec.type().value() + " (" + spec.type() + ") into func bpf_map_lookup_elem");
    }

    /** {@code bpf_map_update_elem}: 0 or -errno. */
    int updateElem(byte[] k, int ko, byte[] v, int vo, long flags) {
        throw new Fault("cannot pass map_type " + spec.type().value() + " (" + spec.type() + ") into func bpf_map_update_elem");
    }

    /** {@code bpf_map_delete_elem}: 0 or -errno. */
    int deleteElem(byte[] k, int ko) {
        throw new Fault("cannot pass map_type " + spec.type().value() + " (" + spec.type() + ") into func bpf_map_delete_elem");
    }

    /** Drops per-socket state of a closed socket (SK_STORAGE). */
    void forget(Object socket) {
    }

    // ---- userspace view (BpfMapView) ----

    final void checkKey(byte[] key) {
        if (key == null || key.length != spec.keySize()) {
            throw new IllegalArgumentException("map " + spec.name() + " has " + spec.keySize() + "-byte keys, got "
                    + (key == null ? "null" : key.length + " bytes"));
        }
    }

    @Override
    public byte[] lookup(byte[] key) {
        throw new UnsupportedOperationException("map " + spec.name() + " is " + spec.type()
                + ": lookup by key is for ARRAY and HASH maps");
    }

    @Override
    public int update(byte[] key, byte[] value, long flags) {
        throw new UnsupportedOperationException("map " + spec.name() + " is " + spec.type()
                + ": update is for ARRAY and HASH maps");
    }

    @Override
    public int delete(byte[] key) {
        throw new UnsupportedOperationException("map " + spec.name() + " is " + spec.type()
                + ": delete is for ARRAY and HASH maps");
    }

    @Override
    public List<Entry> entries() {
        return List.of();
    }

    @Override
    public byte[] storageOf(Object socket) {
        throw new UnsupportedOperationException("map " + spec.name() + " is " + spec.type() + ", not SK_STORAGE");
    }

    @Override
    public List<byte[]> drainRecords() {
        throw new UnsupportedOperationException("map " + spec.name() + " is " + spec.type() + ", not RINGBUF");
    }

    final void checkValue(byte[] value) {
        if (value == null || value.length != spec.valueSize()) {
            throw new IllegalArgumentException("map " + spec.name() + " has " + spec.valueSize() + "-byte values, got "
                    + (value == null ? "null" : value.length + " bytes"));
        }
    }

    /** The flag check of array and hash updates: BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2 (BPF_F_LOCK needs a spin lock). */
    static boolean badUpdateFlags(long flags) {
        return flags < 0 || flags > 2;
    }

    /** A little-endian u32 as a 4-byte key: ARRAY indexes, SK_STORAGE socket numbers, u32 HASH keys. */
    static byte[] u32Key(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    static final int BPF_NOEXIST = 1;
    static final int BPF_EXIST = 2;

    static int einval() {
        return Errno.EINVAL.negative();
    }

    @Override
    public String toString() {
        return "BpfMap[" + spec + "]";
    }
}
