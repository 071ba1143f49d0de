package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.program.MapSpec;

import java.util.Arrays;

/**
 * The userspace view shared by the maps looked up by key (ARRAY and HASH): {@code bpf_map_*_elem}
 * from userspace checks key and value sizes, then does what the program-side helper does.
 */
abstract class KeyedMap extends BpfMap {
    KeyedMap(AddressSpace addresses, MapSpec spec) {
        super(addresses, spec);
    }

    @Override
    public final byte[] lookup(byte[] key) {
        checkKey(key);
        MemRegion e = lookupElem(key, 0);
        return e == null ? null : Arrays.copyOfRange(e.data, e.start, e.start + e.length);
    }

    @Override
    public final int update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        checkValue(value);
        if (spec.frozen()) {
            // map_update_elem (kernel/bpf/syscall.c): a frozen map (BPF_MAP_FREEZE) has no FMODE_CAN_WRITE,
            // so -EPERM comes before the map's own flag, index and NOEXIST checks
            return Errno.EPERM.negative();
        }
        return updateElem(key, 0, value, 0, flags);
    }

    @Override
    public final int delete(byte[] key) {
        checkKey(key);
        return deleteElem(key, 0);
    }
}
