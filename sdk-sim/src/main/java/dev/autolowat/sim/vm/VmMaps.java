package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.MapSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The maps of one simulator session, by name. A program's {@link MapSpec}s are resolved here when
 * it is attached: a name seen for the first time creates the map; a name already created is
 * <em>shared</em> when the spec is equal (type, key size, value size, max entries) and refused
 * otherwise — the libbpf "pin by name" rule, which the native backend follows too. So the two
 * programs of the reference policy share one SK_STORAGE map by declaring it with the same spec.
 */
public final class VmMaps {
    /** Largest ARRAY (bytes of values) and HASH (entries) the simulator creates. */
    static final long MAX_ARRAY_BYTES = 256L << 20;
    static final int MAX_HASH_ENTRIES = 1 << 22;

    private final AddressSpace addresses;
    private final Map<String, BpfMap> byName = new LinkedHashMap<>();

    public VmMaps() {
        this(new AddressSpace());
    }

    VmMaps(AddressSpace addresses) {
        this.addresses = addresses;
    }

    AddressSpace addresses() {
        return addresses;
    }

    /**
     * Checks {@code specs} against the maps that exist, without creating anything.
     *
     * @throws ProgramRejectedException naming the program and the map
     */
    void check(String program, List<MapSpec> specs) {
        Map<String, MapSpec> seen = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            MapSpec spec = specs.get(i);
            MapSpec earlier = seen.putIfAbsent(spec.name(), spec);
            if (earlier != null && !earlier.equals(spec)) {
                throw new ProgramRejectedException("program '" + program + "': maps " + i + " and another declare the name '"
                        + spec.name() + "' with different specs (" + earlier + " vs " + spec + ")");
            }
            BpfMap existing = byName.get(spec.name());
            if (existing != null && !existing.spec.equals(spec)) {
                throw new ProgramRejectedException("program '" + program + "': map '" + spec.name()
                        + "' already exists in this session as " + existing.spec + " but the program declares " + spec
                        + "; programs share a map only when they declare it identically (rename it to get a separate map)");
            }
            switch (spec.type()) {
                case SOCKMAP, SOCKHASH -> throw new ProgramRejectedException("program '" + program + "': map '"
                        + spec.name() + "' is " + spec.type() + ", which the simulator's eBPF VM does not implement "
                        + "(no sockmap helpers); use Connection.addToSockmap() to put a socket in a sockmap (F4)");
                case ARRAY -> {
                    long bytes = (long) ((spec.valueSize() + 7) & ~7) * spec.maxEntries();
                    if (bytes > MAX_ARRAY_BYTES) {
                        throw new ProgramRejectedException("program '" + program + "': ARRAY map '" + spec.name()
                                + "' needs " + bytes + " bytes; the simulator creates arrays of at most " + MAX_ARRAY_BYTES);
                    }
                }
                case HASH -> {
                    if (spec.maxEntries() > MAX_HASH_ENTRIES) {
                        throw new ProgramRejectedException("program '" + program + "': HASH map '" + spec.name()
                                + "' has " + spec.maxEntries() + " entries; the simulator creates at most " + MAX_HASH_ENTRIES);
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Creates or shares the maps of {@code specs} (after {@link #check}), in the program's map-index order. */
    List<BpfMap> resolve(List<MapSpec> specs) {
        List<BpfMap> out = new ArrayList<>(specs.size());
        for (MapSpec spec : specs) {
            out.add(byName.computeIfAbsent(spec.name(), n -> create(spec)));
        }
        return out;
    }

    private BpfMap create(MapSpec spec) {
        return switch (spec.type()) {
            case ARRAY -> new ArrayMap(addresses, spec);
            case HASH -> new HashTableMap(addresses, spec);
            case SK_STORAGE -> new SkStorageMap(addresses, spec);
            case RINGBUF -> new RingBufMap(addresses, spec);
            default -> throw new IllegalStateException("no VM map for " + spec.type());
        };
    }

    /** The map called {@code name}, or {@code null}. */
    public BpfMapView view(String name) {
        return byName.get(name);
    }

    /** The names of every map, in creation order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(byName.keySet()));
    }

    /** A socket (the handle invocations were given) closed: its socket-storage values go (as the kernel frees them with the socket). */
    public void forgetSocket(Object socket) {
        for (BpfMap map : byName.values()) {
            map.forget(socket);
        }
    }

    /** Drops every map (the session closed). */
    public void clear() {
        byName.clear();
    }
}
