package dev.autolowat.kernel.bpf;

import dev.autolowat.api.program.ProgramType;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * A program loaded by {@link ProgramLoader} together with the maps it declared (created for it, in
 * declaration order), like cilium/ebpf's {@code Collection}. Closing it closes the program's and
 * the maps' descriptors; an attached program keeps running (and keeps its maps) until detached.
 */
public final class LoadedProgram implements AutoCloseable {
    private final ProgramType type;
    private final BpfProgram program;
    private final List<KernelMap> maps;
    /** The maps this object closes: those created for it (not those shared with it). */
    private final List<KernelMap> owned;

    LoadedProgram(ProgramType type, BpfProgram program, List<KernelMap> maps) {
        this(type, program, maps, maps);
    }

    LoadedProgram(ProgramType type, BpfProgram program, List<KernelMap> maps, List<KernelMap> owned) {
        this.type = type;
        this.program = program;
        this.maps = List.copyOf(maps);
        this.owned = List.copyOf(owned);
    }

    /** The program's type, which also says how it is attached ({@link ProgramType#attachType()}). */
    public ProgramType type() {
        return type;
    }

    /** The loaded program. */
    public BpfProgram program() {
        return program;
    }

    /** The maps, in the order the program declared them (its map indexes). */
    public List<KernelMap> maps() {
        return maps;
    }

    /** The map at {@code index} of the program's declaration. */
    public KernelMap map(int index) {
        return maps.get(index);
    }

    /** The map named {@code name}. */
    public KernelMap map(String name) {
        for (KernelMap m : maps) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new NoSuchElementException("program '" + program.name() + "' declares no map named '" + name
                + "'; its maps: " + maps.stream().map(KernelMap::name).toList());
    }

    /** Whether {@code map} was created for this program (closed with it), rather than shared with it. */
    public boolean owns(KernelMap map) {
        return owned.contains(map);
    }

    /** Closes the program and every map it owns (idempotent); shared maps stay open. */
    @Override
    public void close() {
        program.close();
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }

    @Override
    public String toString() {
        return program + " with " + maps.size() + " map(s)";
    }
}
