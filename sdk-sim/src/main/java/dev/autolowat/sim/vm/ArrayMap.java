package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.program.MapSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code BPF_MAP_TYPE_ARRAY}: {@code max_entries} zero-filled values, u32 keys; elements are never deleted. */
final class ArrayMap extends KeyedMap {
    private final MemRegion[] elements;

    ArrayMap(AddressSpace addresses, MapSpec spec) {
        super(addresses, spec);
        int stride = (spec.valueSize() + 7) & ~7;
        byte[] data = new byte[Math.multiplyExact(stride, spec.maxEntries())];
        elements = new MemRegion[spec.maxEntries()];
        byte[] init = spec.initialValue();
        if (init != null) {
            System.arraycopy(init, 0, data, 0, init.length); // global data: entry 0 starts with the section
        }
        for (int i = 0; i < elements.length; i++) {
            // frozen (.rodata, BPF_F_RDONLY_PROG): a program's store through the value pointer faults
            elements[i] = new MemRegion(addresses.allocate(), "map value of '" + spec.name() + "'[" + i + "]"
                    + (spec.frozen() ? " (read-only: frozen)" : ""), data, i * stride, spec.valueSize(), !spec.frozen());
        }
    }

    MemRegion element(int index) {
        return elements[index];
    }

    private int index(byte[] k, int ko) {
        return (int) MemRegion.read(k, ko, 4);
    }

    @Override
    MemRegion lookupElem(byte[] k, int ko) {
        int i = index(k, ko);
        return i >= 0 && i < elements.length ? elements[i] : null;
    }

    @Override
    int updateElem(byte[] k, int ko, byte[] v, int vo, long flags) {
        if (badUpdateFlags(flags)) {
            return einval();
        }
        int i = index(k, ko);
        if (i < 0 || i >= elements.length) {
            return Errno.E2BIG.negative();
        }
        if (flags == BPF_NOEXIST) {
            return Errno.EEXIST.negative();
        }
        MemRegion e = elements[i];
        System.arraycopy(v, vo, e.data, e.start, e.length);
        return 0;
    }

    @Override
    int deleteElem(byte[] k, int ko) {
        return einval();
    }

    @Override
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(elements.length);
        for (int i = 0; i < elements.length; i++) {
            MemRegion e = elements[i];
            out.add(new Entry(u32Key(i),
                    Arrays.copyOfRange(e.data, e.start, e.start + e.length)));
        }
        return out;
    }
}
