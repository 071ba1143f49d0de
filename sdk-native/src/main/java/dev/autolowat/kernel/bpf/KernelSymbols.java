package dev.autolowat.kernel.bpf;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@link ProgramLoader} asks of the running kernel's type information to resolve a
 * program's {@link dev.autolowat.api.asm.Relocation.FieldRef} and
 * {@link dev.autolowat.api.asm.Relocation.KfuncRef} relocations. Implemented by the vmlinux BTF
 * reader ({@code dev.autolowat.kernel.btf}); tests may implement it with fixed values.
 */
public interface KernelSymbols {

    /**
     * Where a member lies in a kernel struct.
     *
     * @param offset the byte offset from the start of the struct
     * @param size   the member's size in bytes
     */
    record FieldLocation(int offset, int size) {
        public FieldLocation {
            if (offset < 0 || size < 0) {
                throw new IllegalArgumentException("offset and size must not be negative: " + offset + ", " + size);
            }
        }
    }

    /**
     * The location of {@code struct.field} ({@code field} may be dotted for nested members, e.g.
     * {@code sk.__sk_common.skc_state}), or empty when the kernel's struct has no such member (or it
     * is a bitfield, which a load cannot address).
     */
    Optional<FieldLocation> field(String struct, String field);

    /** The vmlinux BTF id of the kernel function {@code name} (a {@code FUNC}), or empty when this kernel has none. */
    OptionalInt kfuncBtfId(String name);
}
