package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.program.MapSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code BPF_MAP_TYPE_SK_STORAGE}: one value per socket, created zero-filled (or from an initial
 * value) by {@code bpf_sk_storage_get(..., F_CREATE)} and dropped when the socket closes. Two
 * programs that declare the same map (same name, same spec) share it, so the reference policy's
 * enable path creates the state its sock_ops program reads.
 */
final class SkStorageMap extends BpfMap {
    private final Map<Object, MemRegion> values = new LinkedHashMap<>();
    private final Map<Object, Integer> numbers = new LinkedHashMap<>();
    private int nextNumber = 1;
    /**
     * The socket of the last {@link #get} that found or created a value, and that value: a program
     * looks up the same socket's storage on every invocation. Cleared when that entry goes.
     */
    /** The last socket {@link #get} found a value for, and that value (translated code reads them, D25). */
    Object lastSocket;
    MemRegion lastValue;

    SkStorageMap(AddressSpace addresses, MapSpec spec) {
        super(addresses, spec);
    }

    /** {@code bpf_sk_storage_get}: the value, created when {@code create} (from {@code init} when non-null). */
    MemRegion get(Object socket, boolean create, byte[] init, int initOff) {
        if (socket == lastSocket) {
            return lastValue;
        }
        MemRegion v = values.get(socket);
        if (v == null && create) {
            byte[] data = new byte[spec.valueSize()];
            if (init != null) {
                System.arraycopy(init, initOff, data, 0, data.length);
            }
            v = new MemRegion(addresses.allocate(), "sk_storage value of '" + spec.name() + "'", data, 0,
                    data.length, true);
            values.put(socket, v);
            numbers.computeIfAbsent(socket, s -> nextNumber++);
        }
        if (v != null) {
            lastSocket = socket;
            lastValue = v;
        }
        return v;
    }

    /** {@code bpf_sk_storage_delete}: 0, or -ENOENT. */
    int delete(Object socket) {
        forgetLast(socket);
        return values.remove(socket) != null ? 0 : Errno.ENOENT.negative();
    }

    @Override
    void forget(Object socket) {
        forgetLast(socket);
        values.remove(socket);
        numbers.remove(socket);
    }

    private void forgetLast(Object socket) {
        if (socket == lastSocket) {
            lastSocket = null;
            lastValue = null;
        }
    }

    @Override
    public byte[] storageOf(Object socket) {
        MemRegion v = values.get(socket);
        return v == null ? null : v.data.clone();
    }

    @Override
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Object, MemRegion> e : values.entrySet()) {
            int n = numbers.get(e.getKey());
            out.add(new Entry(u32Key(n),
                    Arrays.copyOf(e.getValue().data, e.getValue().length)));
        }
        return out;
    }
}
