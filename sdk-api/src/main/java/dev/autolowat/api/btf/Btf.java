package dev.autolowat.api.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A parsed BTF blob (BPF Type Format, {@code Documentation/bpf/btf.rst}): a description of types,
 * functions and enums. Two sources share this one parser: the kernel's own BTF
 * ({@code /sys/kernel/btf/vmlinux}, read by the native backend's {@code KernelBtf} so that it never
 * hard-codes a value the running kernel can tell it, {@code kernel-facts.md}), and the {@code .BTF}
 * section of a compiled BPF object ({@link dev.autolowat.api.object.BpfObject}: map definitions,
 * global variables, CO-RE relocations' local types). Immutable and safe to share between threads.
 *
 * <h2>What the SDK asks of it</h2>
 * <ul>
 *   <li>{@link #funcId(String)} — the BTF id of a kernel function, which the native backend puts
 *       in the imm of a {@code CALL} carrying a {@link dev.autolowat.api.asm.Relocation.KfuncRef}
 *       (rule K1: {@code bpf_sock_ops_tcp_set_rcvlowat}; its absence means the kernel has no
 *       RCVQ_CB series, "not supported by this kernel").</li>
 *   <li>{@link #enumValue(String, String)} — op and flag values ({@code BPF_SOCK_OPS_RCVQ_CB},
 *       {@code BPF_SOCK_OPS_RCVQ_CB_FLAG}, {@code BPF_SOCK_OPS_ALL_CB_FLAGS},
 *       {@code TCP_BPF_SOCK_OPS_CB_FLAGS}) read from the kernel's enums rather than trusted as
 *       constants (rules H1, F1, F2; {@code kernel-facts.md}).</li>
 *   <li>{@link #field(String, String)} and {@link #structSize(String)} — offsets of kernel struct
 *       members for loads and stores carrying a
 *       {@link dev.autolowat.api.asm.Relocation.FieldRef} ({@code tcp_sock.copied_seq},
 *       {@code tcp_sock.rcv_nxt}, {@code sock.sk_rcvlowat}, {@code sock.sk_rcvbuf},
 *       {@code bpf_sock_ops_kern.skb}; rules A4, H3, K1).</li>
 * </ul>
 *
 * <h2>Types</h2>
 * Types are numbered from 1 in the order of the type section; id 0 is {@code void}
 * ({@link BtfKind#VOID}). {@link #typeCount()} types exist, ids {@code 1..typeCount()}. The
 * per-id accessors ({@link #kind}, {@link #name}, {@link #members}, {@link #enumerators}, ...)
 * decode a record when asked: parsing keeps the blob and one offset per type, and decodes names
 * only when a query needs them (the first name query builds a name index, once).
 *
 * <p>Both byte orders are read, chosen by the magic. Split BTF (a module's, whose ids continue
 * those of vmlinux) is not supported: its references to base types are reported as malformed.
 *
 * <h2>Errors</h2>
 * A malformed blob gives {@link BtfFormatException} naming the byte offset and the problem;
 * a missing struct or member gives {@link BtfLookupException} naming the struct, the member, the
 * kernel and similar names (both are {@link dev.autolowat.api.AutoLowatException}s). Accessors called with an id out of range or of the wrong
 * kind throw {@link IllegalArgumentException} (misuse, decision D3).
 */
public final class Btf {

    /**
     * Where the kernel exposes its own BTF (needs {@code CONFIG_DEBUG_INFO_BTF=y}); read by the
     * native backend's {@code dev.autolowat.kernel.btf.KernelBtf}.
     */
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    /** {@code BTF_MAGIC}. */
    public static final int MAGIC = 0xEB9F;
    /** {@code BTF_VERSION}: the only version there is. */
    public static final int VERSION = 1;
    /** {@code sizeof(struct btf_header)}. */
    public static final int HEADER_SIZE = 24;
    /** {@code BTF_MAX_TYPE}. */
    public static final int MAX_TYPE = 0x000fffff;
    /** Longest typedef/modifier chain or struct nesting followed (as libbpf's {@code MAX_RESOLVE_DEPTH}). */
    static final int MAX_DEPTH = 32;
    private static final int TYPE_SIZE = 12;
    private static final int MAX_SIMILAR = 5;

    private final byte[] data;
    private final ByteBuffer buf;
    private final String origin;
    private final int strStart;
    private final int strLen;
    /** Absolute offset of each type's record; index 0 (void) unused. */
    private final int[] offsets;
    /** Kind code of each type; index 0 is VOID. */
    private final byte[] kinds;
    private final int count;

    // Lazily built indices (guarded by this).
    private Map<String, int[]> typesByName;
    private Map<String, long[]> enumeratorsByName;
    private int pointerSize;

    private Btf(byte[] data, ByteBuffer buf, String origin, int strStart, int strLen, int[] offsets, byte[] kinds,
                int count) {
        this.data = data;
        this.buf = buf;
        this.origin = origin;
        this.strStart = strStart;
        this.strLen = strLen;
        this.offsets = offsets;
        this.kinds = kinds;
        this.count = count;
    }

    // ------------------------------------------------------------------------------------------
    // Loading

    /** Parses a BTF blob (the array is copied). */
    public static Btf parse(byte[] blob) {
        Objects.requireNonNull(blob, "blob");
        return parseOwned(blob.clone(), "a BTF blob of " + blob.length + " bytes");
    }

    /** Parses the remaining bytes of {@code blob} (copied; the buffer's position does not move). */
    public static Btf parse(ByteBuffer blob) {
        Objects.requireNonNull(blob, "blob");
        byte[] bytes = new byte[blob.remaining()];
        blob.duplicate().get(bytes);
        return parseOwned(bytes, "a BTF blob of " + bytes.length + " bytes");
    }

    /**
     * Parses a BTF blob (the array is copied); {@code origin} names it in error messages and in
     * {@link #origin()}, e.g. {@code "the vmlinux BTF of kernel 6.18.0"} or {@code "policy.o (.BTF)"}.
     */
    public static Btf parse(byte[] blob, String origin) {
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(origin, "origin");
        return parseOwned(blob.clone(), origin);
    }

    private static Btf parseOwned(byte[] d, String origin) {
        int n = d.length;
        if (n < 2) {
            throw new BtfFormatException(origin, 0, "the blob is " + n + " bytes long, too short for the 2-byte magic 0xEB9F");
        }
        int asLittle = (d[0] & 0xff) | (d[1] & 0xff) << 8;
        ByteOrder order;
        if (asLittle == MAGIC) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (Integer.reverseBytes(asLittle) >>> 16 == MAGIC) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            throw new BtfFormatException(origin, 0, String.format("bad magic: bytes %02x %02x, but BTF starts with "
                    + "the magic 0xEB9F (bytes 9f eb little-endian, eb 9f big-endian); this is not BTF",
                    d[0] & 0xff, d[1] & 0xff));
        }
        if (n < HEADER_SIZE) {
            throw new BtfFormatException(origin, n, "truncated header: the blob ends after " + n
                    + " bytes, but struct btf_header needs " + HEADER_SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(d).order(order);
        int version = d[2] & 0xff;
        if (version != VERSION) {
            throw new BtfFormatException(origin, 2, "unsupported version " + version + ": this reader knows version " + VERSION);
        }
        int flags = d[3] & 0xff;
        if (flags != 0) {
            throw new BtfFormatException(origin, 3, String.format("unsupported header flags 0x%02x: version 1 defines none", flags));
        }
        long hdrLen = Integer.toUnsignedLong(b.getInt(4));
        if (hdrLen < HEADER_SIZE) {
            throw new BtfFormatException(origin, 4, "hdr_len " + hdrLen + " is smaller than struct btf_header (" + HEADER_SIZE + " bytes)");
        }
        if (hdrLen > n) {
            throw new BtfFormatException(origin, 4, "hdr_len " + hdrLen + " is past the end of the " + n + "-byte blob");
        }
        for (int i = HEADER_SIZE; i < hdrLen; i++) {
            if (d[i] != 0) {
                throw new BtfFormatException(origin, i, "the header is " + hdrLen + " bytes long and its byte " + i
                        + " (beyond the " + HEADER_SIZE + " this reader knows) is not zero: a newer header format");
            }
        }
        long typeOff = Integer.toUnsignedLong(b.getInt(8));
        long typeLen = Integer.toUnsignedLong(b.getInt(12));
        long strOff = Integer.toUnsignedLong(b.getInt(16));
        long strLenL = Integer.toUnsignedLong(b.getInt(20));
        long body = n - hdrLen;
        if (typeOff > body || typeLen > body - typeOff) {
            throw new BtfFormatException(origin, typeOff > body ? 8 : 12, "type section out of range: type_off " + typeOff + " + type_len " + typeLen
                    + " ends at byte " + (hdrLen + typeOff + typeLen) + " of the blob, which has " + n + " bytes");
        }
        if (strOff > body || strLenL > body - strOff) {
            throw new BtfFormatException(origin, strOff > body ? 16 : 20, "string section out of range: str_off " + strOff + " + str_len " + strLenL
                    + " ends at byte " + (hdrLen + strOff + strLenL) + " of the blob, which has " + n + " bytes");
        }
        if ((typeOff & 3) != 0) {
            throw new BtfFormatException(origin, 8, "type_off " + typeOff + " is not a multiple of 4");
        }
        if (typeLen > 0 && strLenL > 0 && typeOff < strOff + strLenL && strOff < typeOff + typeLen) {
            throw new BtfFormatException(origin, 16, "the string section [" + strOff + ", " + (strOff + strLenL)
                    + ") overlaps the type section [" + typeOff + ", " + (typeOff + typeLen) + ")");
        }
        if (strLenL == 0) {
            throw new BtfFormatException(origin, 20, "str_len is 0: the string section must hold at least the empty name (one NUL byte)");
        }
        int typeStart = (int) (hdrLen + typeOff);
        int typeEnd = (int) (typeStart + typeLen);
        int strStart = (int) (hdrLen + strOff);
        int strLen = (int) strLenL;
        if (d[strStart] != 0) {
            throw new BtfFormatException(origin, strStart, "the string section does not start with the empty name (a NUL byte)");
        }
        if (d[strStart + strLen - 1] != 0) {
            throw new BtfFormatException(origin, strStart + strLen - 1, "the string section does not end with a NUL byte: its last string is unterminated");
        }

        int[] offsets = new int[(int) Math.min(MAX_TYPE + 1L, typeLen / TYPE_SIZE + 2)];
        byte[] kinds = new byte[offsets.length];
        int id = 0;
        int pos = typeStart;
        while (pos < typeEnd) {
            id++;
            if (id > MAX_TYPE) {
                throw new BtfFormatException(origin, pos, "more than " + MAX_TYPE + " types (BTF_MAX_TYPE)");
            }
            if (typeEnd - pos < TYPE_SIZE) {
                throw new BtfFormatException(origin, pos, "type [" + id + "] is truncated: struct btf_type needs " + TYPE_SIZE
                        + " bytes, only " + (typeEnd - pos) + " remain in the type section");
            }
            int info = b.getInt(pos + 4);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            checkName(origin, b, pos, strLen, id, "name_off");
            long extra;
            switch (kind) {
                case 1: case 14: case 17: extra = 4; break;                           // INT, VAR, DECL_TAG
                case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18: extra = 0; break;
                case 3: extra = 12; break;                                             // ARRAY
                case 4: case 5: case 15: case 19: extra = 12L * vlen; break;           // STRUCT, UNION, DATASEC, ENUM64
                case 6: case 13: extra = 8L * vlen; break;                             // ENUM, FUNC_PROTO
                default:
                    throw new BtfFormatException(origin, pos + 4, "type [" + id + "] has unknown kind " + kind
                            + String.format(" (info 0x%08x)", info) + "; this reader knows kinds 1 (INT) to 19 (ENUM64)");
            }
            if (extra > typeEnd - pos - TYPE_SIZE) {
                throw new BtfFormatException(origin, pos, "type [" + id + "] (" + BtfKind.of(kind) + ", vlen " + vlen + ") needs "
                        + (TYPE_SIZE + extra) + " bytes, only " + (typeEnd - pos) + " remain in the type section");
            }
            int items = pos + TYPE_SIZE;
            switch (kind) {
                case 4: case 5: case 19:
                    for (int i = 0; i < vlen; i++) {
                        checkName(origin, b, items + 12 * i, strLen, id, (kind == 19 ? "enumerator " : "member ") + i + " name_off");
                    }
                    break;
                case 6: case 13:
                    for (int i = 0; i < vlen; i++) {
                        checkName(origin, b, items + 8 * i, strLen, id, (kind == 6 ? "enumerator " : "parameter ") + i + " name_off");
                    }
                    break;
                default:
                    break;
            }
            if (id >= offsets.length) {
                offsets = Arrays.copyOf(offsets, (int) Math.min(MAX_TYPE + 1L, offsets.length * 2L));
                kinds = Arrays.copyOf(kinds, offsets.length);
            }
            offsets[id] = pos;
            kinds[id] = (byte) kind;
            pos += (int) (TYPE_SIZE + extra);
        }
        Btf btf = new Btf(d, b, origin, strStart, strLen, Arrays.copyOf(offsets, id + 1), Arrays.copyOf(kinds, id + 1), id);
        btf.checkReferences();
        return btf;
    }

    private static void checkName(String origin, ByteBuffer b, int at, int strLen, int id, String what) {
        long off = Integer.toUnsignedLong(b.getInt(at));
        if (off >= strLen) {
            throw new BtfFormatException(origin, at, "string offset out of range: type [" + id + "] " + what + " is " + off
                    + ", but the string section has " + strLen + " bytes");
        }
    }

    /** Every type id a record mentions must exist (forward references are allowed). */
    private void checkReferences() {
        for (int id = 1; id <= count; id++) {
            int pos = offsets[id];
            int vlen = vlenAt(id);
            switch (kinds[id]) {
                case 2: case 8: case 9: case 10: case 11: case 12: case 13: case 14: case 17: case 18:
                    checkRef(id, pos + 8, "type");
                    break;
                default:
                    break;
            }
            switch (kinds[id]) {
                case 3:
                    checkRef(id, pos + 12, "element type");
                    checkRef(id, pos + 16, "index type");
                    break;
                case 4: case 5:
                    for (int i = 0; i < vlen; i++) {
                        checkRef(id, pos + TYPE_SIZE + 12 * i + 4, "member " + i + " type");
                    }
                    break;
                case 13:
                    for (int i = 0; i < vlen; i++) {
                        checkRef(id, pos + TYPE_SIZE + 8 * i + 4, "parameter " + i + " type");
                    }
                    break;
                case 15:
                    for (int i = 0; i < vlen; i++) {
                        checkRef(id, pos + TYPE_SIZE + 12 * i, "variable " + i + " type");
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private void checkRef(int id, int at, String what) {
        long ref = Integer.toUnsignedLong(buf.getInt(at));
        if (ref > count) {
            throw new BtfFormatException(origin, at, "type [" + id + "] (" + kind(id) + ") " + what + " refers to type ["
                    + ref + "], but the blob has only " + count + " types (a split BTF, such as a module's, needs its base "
                    + "BTF, which this reader does not load)");
        }
    }

    // ------------------------------------------------------------------------------------------
    // The blob and its types

    /** What was parsed, as error messages name it ({@code the vmlinux BTF of kernel 6.18.0 (...)}). */
    public String origin() {
        return origin;
    }

    /** The blob's byte order, given by its magic. */
    public ByteOrder byteOrder() {
        return buf.order();
    }

    /** The number of types; their ids are {@code 1..typeCount()} (id 0, void, is not counted). */
    public int typeCount() {
        return count;
    }

    /** The kind of type {@code id}; {@link BtfKind#VOID} for id 0. */
    public BtfKind kind(int id) {
        checkId(id);
        return BtfKind.of(kinds[id]);
    }

    /**
     * The byte offset of type {@code id}'s record ({@code struct btf_type} and what follows it) in
     * {@link #bytes()}: loaders that must adjust a type before handing the blob to a kernel (libbpf's
     * DATASEC fix-ups) patch it there.
     */
    public int recordOffset(int id) {
        checkId(id);
        if (id == 0) {
            throw new IllegalArgumentException("type 0 (void) has no record");
        }
        return offsets[id];
    }

    /** A copy of the whole blob as parsed. */
    public byte[] bytes() {
        return data.clone();
    }

    /** The name of type {@code id}; empty for anonymous types and void. For a DECL_TAG or TYPE_TAG, the tag. */
    public String name(int id) {
        checkId(id);
        return id == 0 ? "" : string(buf.getInt(offsets[id]));
    }

    /** The kind_flag bit of type {@code id} (false for void). */
    public boolean kindFlag(int id) {
        checkId(id);
        return id != 0 && buf.getInt(offsets[id] + 4) < 0;
    }

    /** The vlen field of type {@code id}: members, enumerators, parameters, variables; a FUNC's linkage. */
    public int vlen(int id) {
        checkId(id);
        return id == 0 ? 0 : vlenAt(id);
    }

    /**
     * The type that type {@code id} refers to: the pointee of a PTR; the aliased or qualified type
     * of a TYPEDEF, CONST, VOLATILE, RESTRICT or TYPE_TAG; the FUNC_PROTO of a FUNC; the return
     * type of a FUNC_PROTO; the type of a VAR; the tagged type of a DECL_TAG.
     *
     * @throws IllegalArgumentException for other kinds
     */
    public int referencedType(int id) {
        BtfKind k = kind(id);
        switch (k) {
            case PTR: case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case FUNC: case FUNC_PROTO:
            case VAR: case DECL_TAG: case TYPE_TAG:
                return buf.getInt(offsets[id] + 8);
            default:
                throw wrongKind(id, "refers to no type");
        }
    }

    /**
     * Type {@code id} with typedefs, {@code const}, {@code volatile}, {@code restrict} and type
     * tags skipped ({@code u32} → {@code unsigned int}); {@code id} itself for other kinds.
     *
     * @throws BtfFormatException when the chain is longer than 32 (a cycle)
     */
    public int resolve(int id) {
        checkId(id);
        return resolveInternal(id);
    }

    /**
     * The size in bytes of type {@code id} ({@code sizeof}), through modifiers: the size field of an
     * INT, ENUM, ENUM64, STRUCT, UNION, FLOAT or DATASEC; {@link #pointerSize()} for a PTR; element
     * size times count for an ARRAY. Empty for types that have no size (void, FWD, FUNC,
     * FUNC_PROTO, VAR, DECL_TAG).
     */
    public OptionalLong sizeOf(int id) {
        checkId(id);
        long s = sizeInternal(id, 0);
        return s < 0 ? OptionalLong.empty() : OptionalLong.of(s);
    }

    /**
     * The size of a pointer: that of the INT {@code long} (or {@code unsigned long}) when the BTF
     * has one, as libbpf guesses it; 8 otherwise.
     */
    public synchronized int pointerSize() {
        if (pointerSize == 0) {
            int found = 8;
            for (String name : List.of("long", "unsigned long", "long int", "long unsigned int")) {
                OptionalInt t = typeId(BtfKind.INT, name);
                if (t.isPresent()) {
                    long s = Integer.toUnsignedLong(buf.getInt(offsets[t.getAsInt()] + 8));
                    if (s == 4 || s == 8) {
                        found = (int) s;
                        break;
                    }
                }
            }
            pointerSize = found;
        }
        return pointerSize;
    }

    /**
     * An INT's encoding ({@code BTF_INT_SIGNED} 1, {@code BTF_INT_CHAR} 2, {@code BTF_INT_BOOL} 4),
     * bit offset and bit count.
     */
    public record IntInfo(int size, int encoding, int bitOffset, int bits) {
        public boolean signed() {
            return (encoding & 1) != 0;
        }

        public boolean isChar() {
            return (encoding & 2) != 0;
        }

        public boolean isBool() {
            return (encoding & 4) != 0;
        }
    }

    /** The encoding of INT type {@code id}. */
    public IntInfo intInfo(int id) {
        requireKind(id, BtfKind.INT);
        int pos = offsets[id];
        int v = buf.getInt(pos + TYPE_SIZE);
        return new IntInfo(buf.getInt(pos + 8), (v >>> 24) & 0x0f, (v >>> 16) & 0xff, v & 0xff);
    }

    /** An ARRAY: element type, index type and element count (unsigned, hence a long). */
    public record ArrayInfo(int elementType, int indexType, long elements) {
    }

    /** The element type, index type and element count of ARRAY type {@code id}. */
    public ArrayInfo array(int id) {
        requireKind(id, BtfKind.ARRAY);
        int pos = offsets[id] + TYPE_SIZE;
        return new ArrayInfo(buf.getInt(pos), buf.getInt(pos + 4), Integer.toUnsignedLong(buf.getInt(pos + 8)));
    }

    /**
     * A member of a struct or union.
     *
     * @param name         empty for an anonymous member (an unnamed struct or union inside another)
     * @param type         the member's type id, as written (not resolved)
     * @param bitOffset    from the start of the enclosing struct or union
     * @param bitfieldSize the width of a bitfield member; 0 when not a bitfield
     */
    public record Member(String name, int type, long bitOffset, int bitfieldSize) {
    }

    /**
     * The members of STRUCT or UNION type {@code id}, in order. Bitfields are reported both ways
     * BTF encodes them: with kind_flag, from the member's offset word (size in bits 24–31); without,
     * from an INT type whose bit count is smaller than its size (plus its bit offset).
     */
    public List<Member> members(int id) {
        BtfKind k = kind(id);
        if (k != BtfKind.STRUCT && k != BtfKind.UNION) {
            throw wrongKind(id, "has no members (not a STRUCT or UNION)");
        }
        int n = vlenAt(id);
        List<Member> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(member(id, i));
        }
        return out;
    }

    private Member member(int id, int i) {
        int pos = offsets[id] + TYPE_SIZE + 12 * i;
        int type = buf.getInt(pos + 4);
        int off = buf.getInt(pos + 8);
        long bitOffset;
        int bitfieldSize = 0;
        if (buf.getInt(offsets[id] + 4) < 0) {
            bitOffset = off & 0xffffff;
            bitfieldSize = off >>> 24;
        } else {
            bitOffset = Integer.toUnsignedLong(off);
            int t = resolveInternal(type);
            if (kinds[t] == BtfKind.INT.code()) {
                int v = buf.getInt(offsets[t] + TYPE_SIZE);
                int bits = v & 0xff;
                int intOffset = (v >>> 16) & 0xff;
                long size = Integer.toUnsignedLong(buf.getInt(offsets[t] + 8));
                if (bits != 0 && (intOffset != 0 || bits != size * 8)) {
                    bitfieldSize = bits;
                    bitOffset += intOffset;
                }
            }
        }
        return new Member(string(buf.getInt(pos)), type, bitOffset, bitfieldSize);
    }

    /**
     * An enumerator of an ENUM or ENUM64. {@code value} is sign-extended when the enum is signed
     * (kind_flag set) and zero-extended otherwise; an unsigned ENUM64 value above
     * {@link Long#MAX_VALUE} is its 64-bit pattern (read it with {@link Long#toUnsignedString}).
     */
    public record Enumerator(String name, long value) {
    }

    /** The enumerators of ENUM or ENUM64 type {@code id}, in order. */
    public List<Enumerator> enumerators(int id) {
        BtfKind k = kind(id);
        if (k != BtfKind.ENUM && k != BtfKind.ENUM64) {
            throw wrongKind(id, "has no enumerators (not an ENUM or ENUM64)");
        }
        int n = vlenAt(id);
        List<Enumerator> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Enumerator(string(buf.getInt(enumeratorPos(id, i))), enumeratorValue(id, i)));
        }
        return out;
    }

    /** A parameter of a FUNC_PROTO; a variadic {@code ...} is the last one, with empty name and type 0. */
    public record Param(String name, int type) {
    }

    /** The parameters of FUNC_PROTO type {@code id} (of a FUNC: {@code params(referencedType(func))}). */
    public List<Param> params(int id) {
        requireKind(id, BtfKind.FUNC_PROTO);
        int n = vlenAt(id);
        List<Param> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int pos = offsets[id] + TYPE_SIZE + 8 * i;
            out.add(new Param(string(buf.getInt(pos)), buf.getInt(pos + 4)));
        }
        return out;
    }

    /**
     * The linkage of a FUNC ({@code BTF_FUNC_STATIC} 0, {@code GLOBAL} 1, {@code EXTERN} 2) or a
     * VAR ({@code BTF_VAR_STATIC} 0, {@code GLOBAL_ALLOCATED} 1, {@code GLOBAL_EXTERN} 2).
     */
    public int linkage(int id) {
        BtfKind k = kind(id);
        if (k == BtfKind.FUNC) {
            return vlenAt(id);
        }
        if (k == BtfKind.VAR) {
            return buf.getInt(offsets[id] + TYPE_SIZE);
        }
        throw wrongKind(id, "has no linkage (not a FUNC or VAR)");
    }

    /** A variable of a DATASEC: its VAR type, offset and size in the section. */
    public record VarSecInfo(int type, long offset, long size) {
    }

    /** The variables of DATASEC type {@code id}. */
    public List<VarSecInfo> datasecVars(int id) {
        requireKind(id, BtfKind.DATASEC);
        int n = vlenAt(id);
        List<VarSecInfo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int pos = offsets[id] + TYPE_SIZE + 12 * i;
            out.add(new VarSecInfo(buf.getInt(pos), Integer.toUnsignedLong(buf.getInt(pos + 4)),
                    Integer.toUnsignedLong(buf.getInt(pos + 8))));
        }
        return out;
    }

    /** A DECL_TAG's component index: -1 when it tags the type itself, else the member or parameter index. */
    public int declTagComponent(int id) {
        requireKind(id, BtfKind.DECL_TAG);
        return buf.getInt(offsets[id] + TYPE_SIZE);
    }

    /**
     * The DECL_TAGs on type {@code id} itself (component -1), in id order: for example
     * {@code bpf_kfunc} on the FUNC of a kfunc in a vmlinux built by pahole 1.25 or later, or
     * {@code bpf_fastcall}.
     */
    public List<String> declTags(int id) {
        checkId(id);
        List<String> out = new ArrayList<>();
        for (int t = 1; t <= count; t++) {
            if (kinds[t] == BtfKind.DECL_TAG.code() && buf.getInt(offsets[t] + 8) == id
                    && buf.getInt(offsets[t] + TYPE_SIZE) == -1) {
                out.add(string(buf.getInt(offsets[t])));
            }
        }
        return out;
    }

    /**
     * Every type named {@code name}, of any kind, in id order (CO-RE's candidate search: a local
     * {@code struct tcp_sock___v2} is matched against every target type named {@code tcp_sock}).
     */
    public List<Integer> typesNamed(String name) {
        Objects.requireNonNull(name, "name");
        int[] ids = typesByName().get(name);
        if (ids == null) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }

    /** The first type (lowest id) of kind {@code kind} named {@code name}; empty when there is none. */
    public OptionalInt typeId(BtfKind kind, String name) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        int[] ids = typesByName().get(name);
        if (ids != null) {
            for (int id : ids) {
                if (kinds[id] == kind.code()) {
                    return OptionalInt.of(id);
                }
            }
        }
        return OptionalInt.empty();
    }

    // ------------------------------------------------------------------------------------------
    // The SDK's queries

    /**
     * The BTF id of the kernel function {@code name} (a FUNC; the first one when several share the
     * name, as {@code btf_find_by_name_kind} picks it). The native backend puts it in the imm of a
     * {@code CALL} with a {@link dev.autolowat.api.asm.Relocation.KfuncRef} (rule K1:
     * {@code bpf_sock_ops_tcp_set_rcvlowat}). Empty when the kernel has no such function — on a
     * kernel without the RCVQ_CB series the kfunc is absent and K1 is "not supported by this kernel".
     * A FUNC being present does not prove the kernel registered it as a kfunc for a program type;
     * the verifier decides that at load time. Recent pahole marks kfuncs with the DECL_TAG
     * {@code bpf_kfunc} ({@link #declTags}), which says the function is a kfunc somewhere.
     */
    public OptionalInt funcId(String name) {
        return typeId(BtfKind.FUNC, name);
    }

    /**
     * The value of the enumerator {@code enumeratorName}, read from the kernel's enums (rules H1,
     * F1, F2: {@code BPF_SOCK_OPS_RCVQ_CB}, {@code BPF_SOCK_OPS_RCVQ_CB_FLAG},
     * {@code BPF_SOCK_OPS_ALL_CB_FLAGS}, {@code TCP_BPF_SOCK_OPS_CB_FLAGS}), so the SDK uses the
     * kernel's value rather than a constant ({@code kernel-facts.md}).
     *
     * <p>With {@code enumTypeNameOrNull} null, every ENUM and ENUM64 is searched, anonymous ones
     * included (uapi enums such as the sock_ops ops and flags are anonymous). With a name, only
     * enums of that name are. The value is returned as its low 32 bits, as a BPF instruction's imm
     * holds it (an unsigned value such as 0x80000000 comes back as a negative int).
     *
     * @return empty when no such enumerator exists (or no enum of that name) — for instance
     *         {@code BPF_SOCK_OPS_RCVQ_CB} on a kernel without the series
     * @throws BtfLookupException when the enumerator has different values in different enums (name
     *                            the enum), or a value that needs more than 32 bits (use
     *                            {@link #enumValue64})
     */
    public OptionalInt enumValue(String enumTypeNameOrNull, String enumeratorName) {
        EnumHit hit = findEnumerator(enumTypeNameOrNull, enumeratorName);
        if (hit == null) {
            return OptionalInt.empty();
        }
        long value = hit.value;
        boolean fits = hit.unsigned64 ? value >= 0 && value <= 0xFFFFFFFFL
                : value >= Integer.MIN_VALUE && value <= 0xFFFFFFFFL;
        if (!fits) {
            throw new BtfLookupException("enumerator " + enumeratorName + " = "
                    + (hit.unsigned64 ? Long.toUnsignedString(value) : Long.toString(value)) + " in " + origin
                    + " does not fit in 32 bits; read it with enumValue64", enumTypeNameOrNull, enumeratorName, List.of());
        }
        return OptionalInt.of((int) value);
    }

    /** As {@link #enumValue}, with the full 64-bit value (see {@link Enumerator} for signedness). */
    public OptionalLong enumValue64(String enumTypeNameOrNull, String enumeratorName) {
        EnumHit hit = findEnumerator(enumTypeNameOrNull, enumeratorName);
        return hit == null ? OptionalLong.empty() : OptionalLong.of(hit.value);
    }

    /** An enumerator's value; {@code unsigned64} when it comes from an unsigned ENUM64 (the long is a bit pattern). */
    private record EnumHit(long value, boolean unsigned64) {
    }

    private EnumHit findEnumerator(String enumTypeNameOrNull, String enumeratorName) {
        Objects.requireNonNull(enumeratorName, "enumeratorName");
        long[] hits = enumeratorsByName().get(enumeratorName);
        if (hits == null) {
            return null;
        }
        EnumHit found = null;
        Set<String> seen = new LinkedHashSet<>();
        for (long h : hits) {
            int id = (int) (h >>> 16);
            int index = (int) (h & 0xffff);
            if (enumTypeNameOrNull != null && !stringEquals(buf.getInt(offsets[id]), enumTypeNameOrNull)) {
                continue;
            }
            long v = enumeratorValue(id, index);
            seen.add(describe(id) + " = " + v);
            if (found == null) {
                found = new EnumHit(v, kinds[id] == BtfKind.ENUM64.code() && buf.getInt(offsets[id] + 4) >= 0);
            } else if (found.value != v) {
                throw new BtfLookupException("enumerator " + enumeratorName + " has different values in " + origin + ": "
                        + String.join(", ", seen) + " (and maybe more); name the enum to choose one",
                        enumTypeNameOrNull, enumeratorName, List.of());
            }
        }
        return found;
    }

    /**
     * The size in bytes of the struct (or, when no struct has the name, the union) {@code name};
     * empty when neither exists with a definition (only a forward declaration, or nothing).
     */
    public OptionalInt structSize(String name) {
        OptionalInt id = structOrUnion(name);
        if (id.isEmpty()) {
            return OptionalInt.empty();
        }
        long size = Integer.toUnsignedLong(buf.getInt(offsets[id.getAsInt()] + 8));
        if (size > Integer.MAX_VALUE) {
            throw new BtfFormatException(origin, offsets[id.getAsInt()] + 8, "struct " + name + " [" + id.getAsInt()
                    + "] claims a size of " + size + " bytes");
        }
        return OptionalInt.of((int) size);
    }

    /**
     * Where member {@code dottedField} of struct {@code struct} lives: what a
     * {@link dev.autolowat.api.asm.Relocation.FieldRef} becomes in the native backend
     * ({@code tcp_sock.copied_seq} and {@code tcp_sock.rcv_nxt} for A4/H3, {@code sock.sk_rcvlowat}
     * and {@code sock.sk_rcvbuf} for K1/K4, {@code bpf_sock_ops_kern.skb} for H1/H2).
     *
     * <p>As in C, members of anonymous structs and unions are found as if they were members of the
     * enclosing struct ({@code sock_common.skc_daddr}). A dotted path descends into named members
     * that are structs or unions (through typedefs and qualifiers, never through a pointer):
     * {@code field("tcp_sock", "inet_conn.icsk_inet.sk.sk_rcvlowat")}. {@code struct} names a
     * struct, or a union when no struct has that name.
     *
     * @throws BtfLookupException naming the struct, the member, the kernel and similar names, when
     *                            the struct or a member does not exist, or the path goes through a
     *                            member that is not a struct or union
     * @throws BtfFormatException when the struct's definition is malformed in a way only this
     *                            walk sees (a member at a fractional byte that is not a bitfield,
     *                            a member without a size, nesting deeper than 32)
     */
    public FieldLocation field(String struct, String dottedField) {
        Objects.requireNonNull(struct, "struct");
        Objects.requireNonNull(dottedField, "dottedField");
        String[] parts = dottedField.split("\\.", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("field path '" + dottedField + "' has an empty component");
            }
        }
        OptionalInt sid = structOrUnion(struct);
        if (sid.isEmpty()) {
            List<String> similar = similar(struct, structNames());
            throw new BtfLookupException("no struct " + struct + " in " + origin + suggestions("similar structs", similar),
                    struct, dottedField, similar);
        }
        int current = sid.getAsInt();
        long bitOffset = 0;
        for (int i = 0; i < parts.length; i++) {
            String where = i == 0 ? "struct " + struct : "struct " + struct + " member " + String.join(".", Arrays.copyOf(parts, i))
                    + " (" + describe(current) + ")";
            Found f = findMember(current, parts[i], 0);
            if (f == null) {
                List<String> names = new ArrayList<>();
                collectMemberNames(current, names, 0);
                List<String> similar = similar(parts[i], names);
                throw new BtfLookupException(where + " has no member '" + parts[i] + "'"
                        + (i == 0 ? "" : " (looking for " + struct + "." + dottedField + ")") + " in " + origin
                        + suggestions("similar members", similar), struct, dottedField, similar);
            }
            bitOffset += f.bitOffset;
            int type = resolveInternal(f.member.type());
            if (i == parts.length - 1) {
                return location(struct, dottedField, bitOffset, f, type);
            }
            if (kinds[type] != BtfKind.STRUCT.code() && kinds[type] != BtfKind.UNION.code()) {
                String path = String.join(".", Arrays.copyOf(parts, i + 1));
                throw new BtfLookupException("struct " + struct + " member " + path + " is " + describe(type)
                        + ", not a struct or union, so " + struct + "." + dottedField + " cannot be reached in " + origin
                        + (kinds[type] == BtfKind.PTR.code() ? " (a dotted path does not follow pointers: relocate the "
                        + "pointed-to struct's field after loading the pointer)" : ""), struct, dottedField, List.of());
            }
            current = type;
        }
        throw new AssertionError("unreachable");
    }

    private FieldLocation location(String struct, String dottedField, long bitOffset, Found f, int type) {
        int at = offsets[f.owner] + TYPE_SIZE + 12 * f.index;
        long size = sizeInternal(type, 0);
        if (size < 0) {
            throw new BtfFormatException(origin, at, "member " + f.member.name() + " of " + describe(f.owner) + " has type "
                    + describe(type) + ", which has no size");
        }
        if (f.member.bitfieldSize() == 0 && (bitOffset & 7) != 0) {
            throw new BtfFormatException(origin, at, "member " + f.member.name() + " of " + describe(f.owner)
                    + " starts at bit " + bitOffset + ", not on a byte, but is not a bitfield");
        }
        if ((bitOffset >>> 3) > Integer.MAX_VALUE || size > Integer.MAX_VALUE) {
            throw new BtfFormatException(origin, at, "member " + f.member.name() + " of " + describe(f.owner)
                    + " is beyond 2 GiB (bit offset " + bitOffset + ", size " + size + ")");
        }
        return new FieldLocation(struct, dottedField, bitOffset, f.member.bitfieldSize(), (int) size, type,
                BtfKind.of(kinds[type]));
    }

    /** A member found in {@code owner} (which may be an anonymous struct inside the searched one). */
    private record Found(int owner, int index, Member member, long bitOffset) {
    }

    private Found findMember(int id, String name, int depth) {
        if (depth > MAX_DEPTH) {
            throw new BtfFormatException(origin, offsets[id], describe(id) + " nests anonymous members more than "
                    + MAX_DEPTH + " deep (a cycle?)");
        }
        int n = vlenAt(id);
        for (int i = 0; i < n; i++) {
            int pos = offsets[id] + TYPE_SIZE + 12 * i;
            int nameOff = buf.getInt(pos);
            if (nameOff != 0 && stringEquals(nameOff, name)) {
                Member m = member(id, i);
                return new Found(id, i, m, m.bitOffset());
            }
            if (nameOff == 0 || data[strStart + nameOff] == 0) {
                int t = resolveInternal(buf.getInt(pos + 4));
                if (kinds[t] == BtfKind.STRUCT.code() || kinds[t] == BtfKind.UNION.code()) {
                    Found inner = findMember(t, name, depth + 1);
                    if (inner != null) {
                        return new Found(inner.owner, inner.index, inner.member, member(id, i).bitOffset() + inner.bitOffset);
                    }
                }
            }
        }
        return null;
    }

    private void collectMemberNames(int id, List<String> out, int depth) {
        if (depth > MAX_DEPTH) {
            return;
        }
        int n = vlenAt(id);
        for (int i = 0; i < n; i++) {
            int pos = offsets[id] + TYPE_SIZE + 12 * i;
            String name = string(buf.getInt(pos));
            if (!name.isEmpty()) {
                out.add(name);
            } else {
                int t = resolveInternal(buf.getInt(pos + 4));
                if (kinds[t] == BtfKind.STRUCT.code() || kinds[t] == BtfKind.UNION.code()) {
                    collectMemberNames(t, out, depth + 1);
                }
            }
        }
    }

    private OptionalInt structOrUnion(String name) {
        Objects.requireNonNull(name, "struct");
        OptionalInt s = typeId(BtfKind.STRUCT, name);
        return s.isPresent() ? s : typeId(BtfKind.UNION, name);
    }

    private List<String> structNames() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, int[]> e : typesByName().entrySet()) {
            for (int id : e.getValue()) {
                if (kinds[id] == BtfKind.STRUCT.code() || kinds[id] == BtfKind.UNION.code()) {
                    out.add(e.getKey());
                    break;
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // Internals

    private int vlenAt(int id) {
        return buf.getInt(offsets[id] + 4) & 0xffff;
    }

    private int enumeratorPos(int id, int i) {
        return offsets[id] + TYPE_SIZE + (kinds[id] == BtfKind.ENUM.code() ? 8 : 12) * i;
    }

    private long enumeratorValue(int id, int i) {
        int pos = enumeratorPos(id, i);
        boolean signed = buf.getInt(offsets[id] + 4) < 0;
        if (kinds[id] == BtfKind.ENUM.code()) {
            int v = buf.getInt(pos + 4);
            return signed ? v : Integer.toUnsignedLong(v);
        }
        long lo = Integer.toUnsignedLong(buf.getInt(pos + 4));
        long hi = buf.getInt(pos + 8);
        return (hi << 32) | lo;
    }

    private int resolveInternal(int id) {
        int cur = id;
        for (int depth = 0; depth <= MAX_DEPTH; depth++) {
            if (cur == 0 || !BtfKind.of(kinds[cur]).isModifier()) {
                return cur;
            }
            cur = buf.getInt(offsets[cur] + 8);
        }
        throw new BtfFormatException(origin, offsets[id], describe(id) + " starts a chain of more than " + MAX_DEPTH
                + " typedefs and qualifiers (a cycle?)");
    }

    private long sizeInternal(int id, int depth) {
        if (depth > MAX_DEPTH) {
            throw new BtfFormatException(origin, offsets[id], describe(id) + " nests arrays more than " + MAX_DEPTH
                    + " deep (a cycle?)");
        }
        int t = resolveInternal(id);
        switch (BtfKind.of(kinds[t])) {
            case INT: case ENUM: case ENUM64: case STRUCT: case UNION: case FLOAT: case DATASEC:
                return Integer.toUnsignedLong(buf.getInt(offsets[t] + 8));
            case PTR:
                return pointerSize();
            case ARRAY: {
                int pos = offsets[t] + TYPE_SIZE;
                long elem = sizeInternal(buf.getInt(pos), depth + 1);
                long n = Integer.toUnsignedLong(buf.getInt(pos + 8));
                if (elem < 0) {
                    throw new BtfFormatException(origin, pos, describe(t) + " has elements of " + describe(buf.getInt(pos))
                            + ", which has no size");
                }
                if (elem != 0 && n > 0xFFFFFFFFL / elem) {
                    throw new BtfFormatException(origin, pos + 8, describe(t) + " of " + n + " elements of " + elem
                            + " bytes is larger than 4 GiB");
                }
                return elem * n;
            }
            default:
                return -1;
        }
    }

    /**
     * The NUL-terminated string at byte {@code offset} of the string section, as other BTF consumers
     * name strings ({@code .BTF.ext} records: section names, file names, source lines, CO-RE access
     * specs); empty when the offset is outside the section or the string is not terminated there.
     */
    public java.util.Optional<String> stringAt(int offset) {
        if (offset < 0 || offset >= strLen) {
            return java.util.Optional.empty();
        }
        int end = strStart + offset;
        while (end < strStart + strLen && data[end] != 0) {
            end++;
        }
        if (end == strStart + strLen) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new String(data, strStart + offset, end - strStart - offset, StandardCharsets.UTF_8));
    }

    private String string(int nameOff) {
        // name offsets were checked at parse time; the section ends with NUL.
        int start = strStart + nameOff;
        int end = start;
        while (data[end] != 0) {
            end++;
        }
        return new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    private boolean stringEquals(int nameOff, String s) {
        int start = strStart + nameOff;
        int len = s.length();
        // Fast path for ASCII names (all kernel identifiers).
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return string(nameOff).equals(s);
            }
            if (start + i >= strStart + strLen || data[start + i] != (byte) c) {
                return false;
            }
        }
        return start + len < strStart + strLen && data[start + len] == 0;
    }

    private synchronized Map<String, int[]> typesByName() {
        if (typesByName == null) {
            Map<String, int[]> map = new HashMap<>(count * 2);
            for (int id = 1; id <= count; id++) {
                int nameOff = buf.getInt(offsets[id]);
                if (nameOff != 0) {
                    String name = string(nameOff);
                    int[] prev = map.get(name);
                    if (prev == null) {
                        map.put(name, new int[]{id});
                    } else {
                        int[] next = Arrays.copyOf(prev, prev.length + 1);
                        next[prev.length] = id;
                        map.put(name, next);
                    }
                }
            }
            typesByName = map;
        }
        return typesByName;
    }

    private synchronized Map<String, long[]> enumeratorsByName() {
        if (enumeratorsByName == null) {
            Map<String, long[]> map = new HashMap<>();
            for (int id = 1; id <= count; id++) {
                if (kinds[id] != BtfKind.ENUM.code() && kinds[id] != BtfKind.ENUM64.code()) {
                    continue;
                }
                int n = vlenAt(id);
                for (int i = 0; i < n; i++) {
                    String name = string(buf.getInt(enumeratorPos(id, i)));
                    long packed = ((long) id << 16) | i;
                    long[] prev = map.get(name);
                    if (prev == null) {
                        map.put(name, new long[]{packed});
                    } else {
                        long[] next = Arrays.copyOf(prev, prev.length + 1);
                        next[prev.length] = packed;
                        map.put(name, next);
                    }
                }
            }
            enumeratorsByName = map;
        }
        return enumeratorsByName;
    }

    /** {@code STRUCT 'tcp_sock' [1234]}, {@code anonymous UNION [55]}, {@code PTR [7] to STRUCT 'sock' [9]}, {@code void}. */
    String describe(int id) {
        if (id == 0) {
            return "void";
        }
        if (kinds[id] == BtfKind.PTR.code()) {
            int target;
            try {
                target = resolveInternal(buf.getInt(offsets[id] + 8));
            } catch (BtfFormatException e) {
                return "PTR [" + id + "]";
            }
            return "PTR [" + id + "] to " + (kinds[target] == BtfKind.PTR.code() ? "PTR [" + target + "]" : describe(target));
        }
        String name = string(buf.getInt(offsets[id]));
        return (name.isEmpty() ? "anonymous " + kind(id) : kind(id) + " '" + name + "'") + " [" + id + "]";
    }

    private void checkId(int id) {
        if (id < 0 || id > count) {
            throw new IllegalArgumentException("type id " + id + " out of range: " + origin + " has ids 0.." + count);
        }
    }

    private void requireKind(int id, BtfKind kind) {
        if (kind(id) != kind) {
            throw wrongKind(id, "is not " + kind);
        }
    }

    private IllegalArgumentException wrongKind(int id, String what) {
        return new IllegalArgumentException(describe(id) + " " + what);
    }

    private static String suggestions(String label, List<String> similar) {
        return similar.isEmpty() ? "" : "; " + label + ": " + String.join(", ", similar);
    }

    /**
     * Up to a few names near {@code wanted}, nearest first: by edit distance (case-insensitive), a
     * name containing the wanted one (or contained in it) counting as near; names further than half
     * the wanted name's length are left out.
     */
    static List<String> similar(String wanted, List<String> names) {
        record Scored(String name, int score) {
        }
        String w = wanted.toLowerCase(java.util.Locale.ROOT);
        List<Scored> scored = new ArrayList<>();
        for (String name : new LinkedHashSet<>(names)) {
            String l = name.toLowerCase(java.util.Locale.ROOT);
            int d = editDistance(w, l, 64);
            boolean contains = w.length() >= 3 && l.contains(w) || l.length() >= 4 && w.contains(l);
            if (contains) {
                d = Math.min(d, 1 + Math.abs(l.length() - w.length()) / 4);
            }
            if (d <= Math.max(2, w.length() / 2)) {
                scored.add(new Scored(name, d));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::score).thenComparing(Scored::name));
        List<String> out = new ArrayList<>();
        for (Scored s : scored) {
            if (out.size() == MAX_SIMILAR) {
                break;
            }
            out.add(s.name);
        }
        return out;
    }

    /** Levenshtein distance, or {@code cap} when it is at least that (long names are cut at 64 characters). */
    static int editDistance(String a, String b, int cap) {
        if (a.length() > 64) {
            a = a.substring(0, 64);
        }
        if (b.length() > 64) {
            b = b.substring(0, 64);
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return Math.min(prev[b.length()], cap);
    }

    @Override
    public String toString() {
        return "Btf[" + origin + ", " + count + " types, " + byteOrder() + "]";
    }
}
