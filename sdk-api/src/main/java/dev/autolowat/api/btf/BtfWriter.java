package dev.autolowat.api.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small BTF writer: types are added in id order (the first is id 1) and {@link #build} lays out a
 * version-1 blob — a 24-byte header, the type section at {@code type_off} 0, then the string
 * section — in either byte order. The simulator describes its kernel objects with it (the target of
 * CO-RE relocations, {@code dev.autolowat.sim.vm.SimKernelBtf}); tests write valid and invalid blobs.
 * Nothing is validated here ({@link Btf#parse} validates), so tests can also write nonsense.
 */
public final class BtfWriter {
    /** A struct or union member; {@code bitfieldSize > 0} makes the struct use kind_flag. */
    public record M(String name, int type, long bitOffset, int bitfieldSize) {
        public static M of(String name, int type, long bitOffset) {
            return new M(name, type, bitOffset, 0);
        }
    }

    /** A FUNC_PROTO parameter. */
    public record P(String name, int type) {
    }

    private final List<int[]> types = new ArrayList<>();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();

    public BtfWriter() {
        strings.write(0);
        stringOffsets.put("", 0);
    }

    /** The offset of {@code s} in the string section (added once). */
    public int str(String s) {
        return stringOffsets.computeIfAbsent(s, k -> {
            int off = strings.size();
            strings.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        });
    }

    /** The id the next added type will get. */
    public int nextId() {
        return types.size() + 1;
    }

    /** Adds a raw record: {@code name_off, info, size/type}, then {@code extra} words. */
    public int raw(int nameOff, int kind, int vlen, boolean kflag, int sizeOrType, int... extra) {
        int[] words = new int[3 + extra.length];
        words[0] = nameOff;
        words[1] = (kflag ? 1 << 31 : 0) | (kind & 0x1f) << 24 | (vlen & 0xffff);
        words[2] = sizeOrType;
        System.arraycopy(extra, 0, words, 3, extra.length);
        types.add(words);
        return types.size();
    }

    public int type(String name, BtfKind kind, int vlen, boolean kflag, int sizeOrType, int... extra) {
        return raw(str(name), kind.code(), vlen, kflag, sizeOrType, extra);
    }

    public int intType(String name, int size, int encoding, int bitOffset, int bits) {
        return type(name, BtfKind.INT, 0, false, size, encoding << 24 | bitOffset << 16 | bits);
    }

    public int intType(String name, int size, boolean signed) {
        return intType(name, size, signed ? 1 : 0, 0, size * 8);
    }

    public int ptr(int target) {
        return type("", BtfKind.PTR, 0, false, target);
    }

    public int array(int element, int index, int count) {
        return type("", BtfKind.ARRAY, 0, false, 0, element, index, count);
    }

    public int struct(String name, int size, M... members) {
        return composite(BtfKind.STRUCT, name, size, members);
    }

    public int union(String name, int size, M... members) {
        return composite(BtfKind.UNION, name, size, members);
    }

    private int composite(BtfKind kind, String name, int size, M... members) {
        boolean kflag = false;
        for (M m : members) {
            kflag |= m.bitfieldSize() > 0;
        }
        int[] extra = new int[3 * members.length];
        for (int i = 0; i < members.length; i++) {
            M m = members[i];
            extra[3 * i] = str(m.name());
            extra[3 * i + 1] = m.type();
            extra[3 * i + 2] = kflag ? m.bitfieldSize() << 24 | (int) m.bitOffset() : (int) m.bitOffset();
        }
        return type(name, kind, members.length, kflag, size, extra);
    }

    /** An ENUM; {@code names} and {@code values} pair up. */
    public int enum32(String name, int size, boolean signed, List<String> names, List<Integer> values) {
        int[] extra = new int[2 * names.size()];
        for (int i = 0; i < names.size(); i++) {
            extra[2 * i] = str(names.get(i));
            extra[2 * i + 1] = values.get(i);
        }
        return type(name, BtfKind.ENUM, names.size(), signed, size, extra);
    }

    public int enum64(String name, int size, boolean signed, List<String> names, List<Long> values) {
        int[] extra = new int[3 * names.size()];
        for (int i = 0; i < names.size(); i++) {
            extra[3 * i] = str(names.get(i));
            extra[3 * i + 1] = (int) (long) values.get(i);
            extra[3 * i + 2] = (int) (values.get(i) >>> 32);
        }
        return type(name, BtfKind.ENUM64, names.size(), signed, size, extra);
    }

    public int fwd(String name, boolean union) {
        return type(name, BtfKind.FWD, 0, union, 0);
    }

    public int typedef(String name, int target) {
        return type(name, BtfKind.TYPEDEF, 0, false, target);
    }

    public int volatileOf(int target) {
        return type("", BtfKind.VOLATILE, 0, false, target);
    }

    public int constOf(int target) {
        return type("", BtfKind.CONST, 0, false, target);
    }

    public int restrictOf(int target) {
        return type("", BtfKind.RESTRICT, 0, false, target);
    }

    public int func(String name, int proto, int linkage) {
        return type(name, BtfKind.FUNC, linkage, false, proto);
    }

    public int funcProto(int returnType, P... params) {
        int[] extra = new int[2 * params.length];
        for (int i = 0; i < params.length; i++) {
            extra[2 * i] = str(params[i].name());
            extra[2 * i + 1] = params[i].type();
        }
        return type("", BtfKind.FUNC_PROTO, params.length, false, returnType, extra);
    }

    public int var(String name, int type, int linkage) {
        return type(name, BtfKind.VAR, 0, false, type, linkage);
    }

    /** A DATASEC; {@code vars} is (type, offset, size) triples. */
    public int datasec(String name, int size, int... vars) {
        return type(name, BtfKind.DATASEC, vars.length / 3, false, size, vars);
    }

    public int floatType(String name, int size) {
        return type(name, BtfKind.FLOAT, 0, false, size);
    }

    public int declTag(String tag, int type, int component) {
        return type(tag, BtfKind.DECL_TAG, 0, false, type, component);
    }

    public int typeTag(String tag, int type) {
        return type(tag, BtfKind.TYPE_TAG, 0, false, type);
    }

    /** Length of the type section as {@link #build} writes it. */
    public int typeSectionLength() {
        int n = 0;
        for (int[] t : types) {
            n += 4 * t.length;
        }
        return n;
    }

    /** The byte offset, in the blob {@link #build} writes, of type {@code id}'s record. */
    public int recordOffset(int id) {
        int n = Btf.HEADER_SIZE;
        for (int i = 0; i < id - 1; i++) {
            n += 4 * types.get(i).length;
        }
        return n;
    }

    public byte[] build() {
        return build(ByteOrder.LITTLE_ENDIAN);
    }

    public byte[] build(ByteOrder order) {
        int typeLen = typeSectionLength();
        byte[] str = strings.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(Btf.HEADER_SIZE + typeLen + str.length).order(order);
        b.putShort((short) Btf.MAGIC).put((byte) Btf.VERSION).put((byte) 0).putInt(Btf.HEADER_SIZE);
        b.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        for (int[] t : types) {
            for (int w : t) {
                b.putInt(w);
            }
        }
        b.put(str);
        return b.array();
    }
}
