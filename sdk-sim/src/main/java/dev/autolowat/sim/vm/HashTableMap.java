package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.program.MapSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code BPF_MAP_TYPE_HASH}: an open-addressing table (linear probing, backward-shift deletion)
 * over byte keys, sized for {@code max_entries}. Looking up allocates nothing; so does updating
 * once deleted elements are available for reuse, as in the kernel's preallocated hash maps.
 */
final class HashTableMap extends KeyedMap {
    private final int keySize;
    private final byte[][] keys;
    private final MemRegion[] values;
    private final ArrayDeque<MemRegion> free = new ArrayDeque<>();
    private int count;

    HashTableMap(AddressSpace addresses, MapSpec spec) {
        super(addresses, spec);
        this.keySize = spec.keySize();
        int capacity = Integer.highestOneBit(Math.max(4, spec.maxEntries()) * 2 - 1) << 1;
        keys = new byte[capacity][];
        values = new MemRegion[capacity];
    }

    private int hash(byte[] k, int ko) {
        int h = 0x9747b28c;
        for (int i = 0; i < keySize; i++) {
            h = (h ^ k[ko + i]) * 0x5bd1e995;
            h ^= h >>> 15;
        }
        return h & (keys.length - 1);
    }

    private boolean same(byte[] stored, byte[] k, int ko) {
        for (int i = 0; i < keySize; i++) {
            if (stored[i] != k[ko + i]) {
                return false;
            }
        }
        return true;
    }

    private int find(byte[] k, int ko) {
        for (int i = hash(k, ko); ; i = (i + 1) & (keys.length - 1)) {
            byte[] stored = keys[i];
            if (stored == null) {
                return -1;
            }
            if (same(stored, k, ko)) {
                return i;
            }
        }
    }

    @Override
    MemRegion lookupElem(byte[] k, int ko) {
        int i = find(k, ko);
        return i < 0 ? null : values[i];
    }

    @Override
    int updateElem(byte[] k, int ko, byte[] v, int vo, long flags) {
        if (badUpdateFlags(flags)) {
            return einval();
        }
        int i = find(k, ko);
        if (i >= 0) {
            if (flags == BPF_NOEXIST) {
                return Errno.EEXIST.negative();
            }
            MemRegion e = values[i];
            System.arraycopy(v, vo, e.data, e.start, e.length);
            return 0;
        }
        if (flags == BPF_EXIST) {
            return Errno.ENOENT.negative();
        }
        if (count == spec.maxEntries()) {
            return Errno.E2BIG.negative();
        }
        MemRegion e = free.pollFirst();
        byte[] key;
        if (e == null) {
            e = new MemRegion(addresses.allocate(), "map value of '" + spec.name() + "'",
                    new byte[spec.valueSize()], 0, spec.valueSize(), true);
            key = new byte[keySize];
        } else {
            key = freeKeys.pollFirst();
        }
        System.arraycopy(k, ko, key, 0, keySize);
        System.arraycopy(v, vo, e.data, e.start, e.length);
        int slot = hash(k, ko);
        while (keys[slot] != null) {
            slot = (slot + 1) & (keys.length - 1);
        }
        keys[slot] = key;
        values[slot] = e;
        count++;
        return 0;
    }

    private final ArrayDeque<byte[]> freeKeys = new ArrayDeque<>();

    @Override
    int deleteElem(byte[] k, int ko) {
        int i = find(k, ko);
        if (i < 0) {
            return Errno.ENOENT.negative();
        }
        free.addLast(values[i]);
        freeKeys.addLast(keys[i]);
        keys[i] = null;
        values[i] = null;
        count--;
        // backward-shift deletion: move later members of the probe run into the hole
        int mask = keys.length - 1;
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            int home = hash(keys[j], 0);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                keys[j] = null;
                values[j] = null;
                hole = j;
            }
        }
        return 0;
    }

    @Override
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(count);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                MemRegion e = values[i];
                out.add(new Entry(keys[i].clone(), Arrays.copyOfRange(e.data, e.start, e.start + e.length)));
            }
        }
        return out;
    }
}
