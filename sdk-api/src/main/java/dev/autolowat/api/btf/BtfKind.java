package dev.autolowat.api.btf;

/**
 * The kinds of BTF type records ({@code BTF_KIND_*} in {@code include/uapi/linux/btf.h}), by their
 * numeric code. {@link #VOID} (code 0, {@code BTF_KIND_UNKN}) is the kind of type id 0 only: a
 * record of kind 0 in a blob is malformed.
 */
public enum BtfKind {
    /** Type id 0, {@code void}; never the kind of a record. */
    VOID,
    /** An integer: size in bytes, then a u32 with encoding (signed, char, bool), bit offset and bits. */
    INT,
    /** A pointer to {@code type}. */
    PTR,
    /** An array: element type, index type, element count. */
    ARRAY,
    /** A struct: size and {@code vlen} members (name, type, bit offset, bitfield size when kind_flag). */
    STRUCT,
    /** A union, encoded like {@link #STRUCT}. */
    UNION,
    /** An enum with 32-bit values; kind_flag set means signed. */
    ENUM,
    /** A forward declaration; kind_flag set means {@code union}, clear {@code struct}. */
    FWD,
    /** A typedef of {@code type}. */
    TYPEDEF,
    /** {@code volatile type}. */
    VOLATILE,
    /** {@code const type}. */
    CONST,
    /** {@code restrict type}. */
    RESTRICT,
    /** A function (a subprogram, not a type): {@code type} is its FUNC_PROTO, vlen its linkage. Kfuncs are FUNCs. */
    FUNC,
    /** A function signature: {@code type} is the return type, {@code vlen} parameters follow. */
    FUNC_PROTO,
    /** A variable of {@code type}, followed by its linkage. */
    VAR,
    /** A data section: size and {@code vlen} (variable, offset, size) entries. */
    DATASEC,
    /** A floating-point type of {@code size} bytes. */
    FLOAT,
    /** A declaration tag (name = the tag string) on {@code type}, or on one of its members or parameters. */
    DECL_TAG,
    /** A type tag (name = the tag string) on {@code type}, such as {@code __user} or {@code __rcu}. */
    TYPE_TAG,
    /** An enum with 64-bit values; kind_flag set means signed. */
    ENUM64;

    private static final BtfKind[] BY_CODE = values();

    /** The {@code BTF_KIND_*} number. */
    public int code() {
        return ordinal();
    }

    /** The highest kind code this reader knows ({@code BTF_KIND_MAX}). */
    public static final int MAX_CODE = 19;

    /**
     * The kind of code {@code code}.
     *
     * @throws IllegalArgumentException when the code is not between 0 and {@value #MAX_CODE}
     */
    public static BtfKind of(int code) {
        if (code < 0 || code > MAX_CODE) {
            throw new IllegalArgumentException("unknown BTF kind " + code + ": known kinds are 0.." + MAX_CODE);
        }
        return BY_CODE[code];
    }

    /** True for kinds that only qualify or rename another type: typedef, const, volatile, restrict, type tag. */
    public boolean isModifier() {
        return this == TYPEDEF || this == CONST || this == VOLATILE || this == RESTRICT || this == TYPE_TAG;
    }
}
