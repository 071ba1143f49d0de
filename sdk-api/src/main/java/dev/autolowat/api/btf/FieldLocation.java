package dev.autolowat.api.btf;

import java.util.Objects;

/**
 * Where a (possibly nested) member of a kernel struct lives, as found by
 * {@link Btf#field(String, String)}: what the native backend puts into the offset of a load or
 * store that carries a {@link dev.autolowat.api.asm.Relocation.FieldRef}.
 *
 * @param struct       the outer struct, as asked ({@code tcp_sock})
 * @param field        the dotted member path, as asked ({@code inet_conn.icsk_inet.sk.sk_rcvlowat})
 * @param bitOffset    offset of the member's first bit from the start of {@code struct}, anonymous
 *                     members and nested named members included
 * @param bitfieldSize the width in bits of a bitfield member, 0 when the member is not a bitfield
 * @param size         the member's size in bytes ({@code sizeof}); for a bitfield, the size of its
 *                     underlying integer type; 0 for a flexible array member
 * @param typeId       the member's type with typedefs, {@code const}, {@code volatile},
 *                     {@code restrict} and type tags skipped ({@code u32} → the INT {@code unsigned int})
 * @param kind         the kind of {@code typeId}
 */
public record FieldLocation(String struct, String field, long bitOffset, int bitfieldSize, int size,
                            int typeId, BtfKind kind) {
    public FieldLocation {
        Objects.requireNonNull(struct, "struct");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(kind, "kind");
        if (bitOffset < 0 || bitfieldSize < 0 || size < 0 || typeId < 0) {
            throw new IllegalArgumentException("offsets, sizes and ids must not be negative");
        }
    }

    /**
     * The byte offset from the start of {@code struct}: the offset a {@code FieldRef} relocation
     * adds to the instruction's own. For a bitfield, the byte holding its first bit (see
     * {@link #isBitfield()}: a bitfield cannot be read by a plain load of {@link #size()} bytes at
     * this offset).
     */
    public int byteOffset() {
        return (int) (bitOffset >>> 3);
    }

    /** True when the member is a bitfield ({@link #bitfieldSize()} bits from {@link #bitOffset()}). */
    public boolean isBitfield() {
        return bitfieldSize != 0;
    }

    @Override
    public String toString() {
        return struct + "." + field + " at byte " + byteOffset()
                + (isBitfield() ? " (bitfield of " + bitfieldSize + " bits at bit " + bitOffset + ")" : "")
                + ", " + size + " bytes, " + kind + " [" + typeId + "]";
    }
}
