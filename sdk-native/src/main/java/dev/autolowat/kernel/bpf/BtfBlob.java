package dev.autolowat.kernel.bpf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A minimal writer of raw BTF ({@code Documentation/bpf/btf.rst}), enough to describe a map's key
 * and value for {@code BPF_BTF_LOAD}: the kernel requires BTF key and value type ids for
 * SK_STORAGE maps ({@code bpf_local_storage_map_alloc_check}: "Enforce BTF for userspace sk
 * dumping"; the key must be a 32-bit INT). Types are numbered from 1 in the order added.
 *
 * <p>Encoding (little-endian): a 24-byte header ({@code magic 0xeB9F, version 1, flags 0, hdr_len 24,
 * type_off, type_len, str_off, str_len}), the type section (each {@code struct btf_type} is
 * {@code name_off, info = kind << 24 | vlen, size/type}, followed by the kind's data), then the
 * string section, which starts with the empty string.
 */
public final class BtfBlob {
    public static final int KIND_INT = 1;
    public static final int KIND_ARRAY = 3;
    public static final int KIND_STRUCT = 4;
    /** {@code BTF_INT_SIGNED}. */
    public static final int INT_SIGNED = 1;

    private static final int MAGIC = 0xeB9F;
    private static final int HEADER_LEN = 24;

    private final ByteBuffer types = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private int nextId = 1;

    /** A member of a struct: its name, type id and offset in bits. */
    public record Member(String name, int typeId, int bitOffset) {
        public Member {
            Objects.requireNonNull(name, "name");
        }
    }

    public BtfBlob() {
        strings.write(0);
        stringOffsets.put("", 0);
    }

    private int string(String s) {
        return stringOffsets.computeIfAbsent(s, k -> {
            int off = strings.size();
            byte[] b = k.getBytes(StandardCharsets.US_ASCII);
            strings.write(b, 0, b.length);
            strings.write(0);
            return off;
        });
    }

    private int type(String name, int kind, int vlen, int sizeOrType) {
        types.putInt(string(name)).putInt(kind << 24 | vlen).putInt(sizeOrType);
        return nextId++;
    }

    /** An INT of {@code bytes} bytes (all bits used, offset 0); returns its type id. */
    public int addInt(String name, int bytes, boolean signed) {
        int id = type(name, KIND_INT, 0, bytes);
        types.putInt((signed ? INT_SIGNED : 0) << 24 | bytes * 8);
        return id;
    }

    /** An ARRAY of {@code nelems} elements of {@code elemType}, indexed by {@code indexType}; returns its id. */
    public int addArray(int elemType, int indexType, int nelems) {
        int id = type("", KIND_ARRAY, 0, 0);
        types.putInt(elemType).putInt(indexType).putInt(nelems);
        return id;
    }

    /** A STRUCT of {@code size} bytes with {@code members}; returns its id. */
    public int addStruct(String name, int size, List<Member> members) {
        int id = type(name, KIND_STRUCT, members.size(), size);
        for (Member m : members) {
            types.putInt(string(m.name())).putInt(m.typeId()).putInt(m.bitOffset());
        }
        return id;
    }

    /** The raw BTF. */
    public byte[] toBytes() {
        byte[] s = strings.toByteArray();
        int typeLen = types.position();
        ByteBuffer out = ByteBuffer.allocate(HEADER_LEN + typeLen + s.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) MAGIC).put((byte) 1).put((byte) 0).putInt(HEADER_LEN)
                .putInt(0).putInt(typeLen).putInt(typeLen).putInt(s.length);
        out.put(types.array(), 0, typeLen).put(s);
        return out.array();
    }

    /** Key and value type ids of {@link #forMap}. */
    public record KeyValue(byte[] btf, int keyTypeId, int valueTypeId) {
    }

    /**
     * BTF for a map whose key is a 4-byte {@code int} (type 1) and whose value is
     * {@code struct <valueName> { __u8 data[valueSize]; }} (type 4).
     */
    public static KeyValue forMap(String valueName, int valueSize) {
        if (valueSize <= 0) {
            throw new IllegalArgumentException("value size must be > 0, got " + valueSize);
        }
        BtfBlob b = new BtfBlob();
        int key = b.addInt("int", 4, true);
        int u8 = b.addInt("__u8", 1, false);
        int array = b.addArray(u8, key, valueSize);
        int value = b.addStruct(valueName, valueSize, List.of(new Member("data", array, 0)));
        return new KeyValue(b.toBytes(), key, value);
    }
}
