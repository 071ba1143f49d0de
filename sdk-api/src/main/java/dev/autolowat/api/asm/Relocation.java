package dev.autolowat.api.asm;

import java.util.Objects;

/**
 * A fact about an instruction that each backend resolves at load time, so that the same program
 * bytes run in the simulator and in any kernel.
 */
public sealed interface Relocation permits Relocation.MapRef, Relocation.FieldRef, Relocation.KfuncRef {
    /** The slot of the instruction this relocation applies to. */
    int slot();

    /**
     * An {@code LD_IMM64} that loads a map: the backend puts the map's fd (kernel) or handle
     * (simulator) in the imm and sets src to {@link Opcode#PSEUDO_MAP_FD}.
     *
     * @param mapIndex index into the program's map list
     */
    record MapRef(int slot, int mapIndex) implements Relocation {
        public MapRef {
            if (slot < 0 || mapIndex < 0) {
                throw new IllegalArgumentException("slot and map index must not be negative");
            }
        }
    }

    /**
     * A load or store whose offset is that of {@code struct.field} in the backend's kernel: the
     * native backend reads it from vmlinux BTF, the simulator from its documented layout. The
     * instruction's offset is added to the field's (so {@code +4} reaches into a field).
     *
     * @param struct a kernel struct name such as {@code tcp_sock}
     * @param field  a member, dotted for nested members ({@code sk.__sk_common.skc_state})
     */
    record FieldRef(int slot, String struct, String field) implements Relocation {
        public FieldRef {
            if (slot < 0) {
                throw new IllegalArgumentException("slot must not be negative");
            }
            Objects.requireNonNull(struct, "struct");
            Objects.requireNonNull(field, "field");
            if (struct.isBlank() || field.isBlank()) {
                throw new IllegalArgumentException("struct and field names must not be blank");
            }
        }
    }

    /**
     * A {@code CALL} with src {@link Opcode#PSEUDO_KFUNC_CALL} to the kernel function {@code name};
     * the backend puts its BTF id (kernel) or its own id (simulator) in the imm.
     */
    record KfuncRef(int slot, String name) implements Relocation {
        public KfuncRef {
            if (slot < 0) {
                throw new IllegalArgumentException("slot must not be negative");
            }
            Objects.requireNonNull(name, "name");
        }
    }
}
