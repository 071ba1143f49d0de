package dev.autolowat.api.object;

import java.util.Objects;

/**
 * An instruction of an object's program that the loader must complete, by libbpf's relocation
 * rules ({@code bpf_program__record_reloc}): what the ELF relocation and the instruction say,
 * resolved to names. Slots count from the start of the linked program (its own instructions, then
 * the subprograms appended to it).
 */
public sealed interface ObjectRelocation {
    /** The slot of the instruction, in the linked program. */
    int slot();

    /** An {@code LD_IMM64} of a map ({@code &my_map}): the backend puts the map's fd or handle there. */
    record MapReference(int slot, String map) implements ObjectRelocation {
        public MapReference {
            Objects.requireNonNull(map, "map");
        }
    }

    /**
     * An {@code LD_IMM64} of an address inside a global-data map ({@code &counter}): the backend puts
     * the map there with {@code BPF_PSEUDO_MAP_VALUE} and {@code offset} into its value.
     */
    record MapValueReference(int slot, String map, int offset) implements ObjectRelocation {
        public MapValueReference {
            Objects.requireNonNull(map, "map");
        }
    }

    /** A kfunc call ({@code extern ... __ksym}), resolved by name against the target's BTF or kfunc table. */
    record KfuncCall(int slot, String name) implements ObjectRelocation {
        public KfuncCall {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A bpf-to-bpf call to {@code function}, already linked: the subprogram was appended to the
     * program and the call's imm points at it (kept for display and for loaders that re-link).
     */
    record SubprogramCall(int slot, String function, int targetSlot) implements ObjectRelocation {
        public SubprogramCall {
            Objects.requireNonNull(function, "function");
        }
    }
}
