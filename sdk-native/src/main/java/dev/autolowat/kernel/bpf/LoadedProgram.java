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
    private final List<BpfMap> maps;

    LoadedProgram(ProgramType type, BpfProgram program, List<BpfMap> maps) {
        this.type = type;
        this.program = program;
        this.maps = List.copyOf(maps);
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
    public List<BpfMap> maps() {
        return maps;
    }

    /** The map at {@code index} of the program's declaration. */
    public BpfMap map(int index) {
        return maps.get(index);
    }

    /** The map named {@code name}. */
    public BpfMap map(String name) {
        for (BpfMap m : maps) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new NoSuchElementException("program '" + program.name() + "' declares no map named '" + name
                + "'; its maps: " + maps.stream().map(BpfMap::name).toList());
    }

    /** Closes the program and every map (idempotent). */
    @Override
    public void close() {
        program.close();
        for (int i = maps.size() - 1; i >= 0; i--) {
            maps.get(i).close();
        }
    }

    @Override
    public String toString() {
        return program + " with " + maps.size() + " map(s)";
    }
}
