package dev.autolowat.api.btf;

import dev.autolowat.testfixtures.SampleBtf;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed blobs: each gives a {@link BtfFormatException} whose message names the byte offset and
 * what was wrong there — never an index-out-of-bounds or a silent misreading.
 */
class BtfMalformedTest {
    private final SampleBtf s = new SampleBtf();
    private final byte[] valid = s.bytes();
    private final int typeLen = s.w.typeSectionLength();
    private final int strStart = Btf.HEADER_SIZE + typeLen;
    private final int strLen = valid.length - strStart;

    /** A copy of the valid blob, edited through a little-endian view. */
    private byte[] edit(Consumer<ByteBuffer> change) {
        byte[] copy = valid.clone();
        change.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        return copy;
    }

    private static BtfFormatException assertMalformed(byte[] blob, long offset, String... phrases) {
        BtfFormatException e = assertThrows(BtfFormatException.class, () -> Btf.parse(blob));
        String m = e.getMessage();
        assertEquals(offset, e.offset(), m);
        assertTrue(m.startsWith("malformed BTF (a BTF blob of " + blob.length + " bytes) at byte " + offset + " (0x"
                + Long.toHexString(offset) + "): "), m);
        for (String p : phrases) {
            assertTrue(m.contains(p), "expected '" + p + "' in: " + m);
        }
        return e;
    }

    @Test
    @DisplayName("the valid sample parses (the cases below each break one thing)")
    void validParses() {
        assertEquals(s.w.nextId() - 1, Btf.parse(valid).typeCount());
    }

    @Test
    @DisplayName("bad magic: an ELF file, zeros, a blob too short for the magic")
    void badMagic() {
        byte[] elf = Arrays.copyOf(new byte[]{0x7f, 'E', 'L', 'F'}, 64);
        assertMalformed(elf, 0, "bad magic: bytes 7f 45", "this is not BTF");
        assertMalformed(new byte[64], 0, "bad magic: bytes 00 00");
        assertMalformed(new byte[0], 0, "0 bytes long, too short for the 2-byte magic");
        assertMalformed(new byte[]{(byte) 0x9f}, 0, "1 bytes long");
    }

    @Test
    @DisplayName("truncated header: every length from 2 to 23 bytes")
    void truncatedHeader() {
        for (int n = 2; n < Btf.HEADER_SIZE; n++) {
            assertMalformed(Arrays.copyOf(valid, n), n, "truncated header: the blob ends after " + n
                    + " bytes, but struct btf_header needs 24");
        }
    }

    @Test
    @DisplayName("unsupported version and flags")
    void versionAndFlags() {
        assertMalformed(edit(b -> b.put(2, (byte) 2)), 2, "unsupported version 2");
        assertMalformed(edit(b -> b.put(3, (byte) 1)), 3, "unsupported header flags 0x01");
    }

    @Test
    @DisplayName("hdr_len smaller than the header or past the end of the blob")
    void badHeaderLength() {
        assertMalformed(edit(b -> b.putInt(4, 16)), 4, "hdr_len 16 is smaller than struct btf_header (24 bytes)");
        assertMalformed(edit(b -> b.putInt(4, -1)), 4, "hdr_len 4294967295 is past the end");
    }

    @Test
    @DisplayName("type section out of range: type_len or type_off past the end of the blob")
    void typeSectionOutOfRange() {
        assertMalformed(edit(b -> b.putInt(12, valid.length)), 12, "type section out of range: type_off 0 + type_len "
                + valid.length + " ends at byte " + (valid.length + 24) + " of the blob, which has " + valid.length + " bytes");
        assertMalformed(edit(b -> b.putInt(8, 0x7ffffff0)), 8, "type section out of range");
        assertMalformed(edit(b -> b.putInt(12, -4)), 12, "type section out of range");
    }

    @Test
    @DisplayName("string section out of range, overlapping the types, empty, not NUL-framed")
    void stringSection() {
        assertMalformed(edit(b -> b.putInt(20, strLen + 1)), 20, "string section out of range");
        assertMalformed(edit(b -> b.putInt(16, -16)), 16, "string section out of range");
        assertMalformed(edit(b -> b.putInt(12, typeLen + 4)), 16, "overlaps the type section");
        assertMalformed(edit(b -> b.putInt(20, 0)), 20, "str_len is 0");
        assertMalformed(edit(b -> b.put(strStart, (byte) 'x')), strStart, "does not start with the empty name");
        assertMalformed(edit(b -> b.put(valid.length - 1, (byte) 'x')), valid.length - 1, "its last string is unterminated");
    }

    @Test
    @DisplayName("type_off not a multiple of 4")
    void misalignedTypes() {
        assertMalformed(edit(b -> b.putInt(8, 2).putInt(12, 0)), 8, "type_off 2 is not a multiple of 4");
    }

    @Test
    @DisplayName("string offset out of range in a type's name, a member's name, an enumerator's, a parameter's")
    void stringOffsetOutOfRange() {
        int first = s.w.recordOffset(1);
        assertMalformed(edit(b -> b.putInt(first, strLen)), first, "string offset out of range: type [1] name_off is "
                + strLen + ", but the string section has " + strLen + " bytes");
        int member1 = s.w.recordOffset(s.node) + 12 + 12;
        assertMalformed(edit(b -> b.putInt(member1, -1)), member1, "type [" + s.node + "] member 1 name_off is 4294967295");
        int enumerator = s.w.recordOffset(s.signedEnum) + 12 + 8;
        assertMalformed(edit(b -> b.putInt(enumerator, strLen + 100)), enumerator, "type [" + s.signedEnum + "] enumerator 1");
        int e64 = s.w.recordOffset(s.enum64Signed) + 12;
        assertMalformed(edit(b -> b.putInt(e64, strLen)), e64, "type [" + s.enum64Signed + "] enumerator 0");
        int param = s.w.recordOffset(s.proto) + 12;
        assertMalformed(edit(b -> b.putInt(param, strLen)), param, "type [" + s.proto + "] parameter 0");
    }

    @Test
    @DisplayName("unknown kinds: 0 (UNKN) and 20..31")
    void unknownKind() {
        int at = s.w.recordOffset(3) + 4;
        for (int kind : new int[]{0, 20, 31}) {
            assertMalformed(edit(b -> b.putInt(at, kind << 24)), at, "type [3] has unknown kind " + kind,
                    "this reader knows kinds 1 (INT) to 19 (ENUM64)");
        }
    }

    @Test
    @DisplayName("truncated type records: a header cut short, a record whose vlen runs past the section")
    void truncatedRecords() {
        assertMalformed(edit(b -> b.putInt(12, 8)), 24, "type [1] is truncated: struct btf_type needs 12 bytes, only 8 remain");
        int last = s.w.nextId() - 1;
        int lastAt = s.w.recordOffset(last);
        assertMalformed(edit(b -> b.putInt(12, typeLen - 4)), lastAt, "type [" + last + "] (ARRAY, vlen 0) needs 24 bytes, only 20 remain");
        int nodeAt = s.w.recordOffset(s.node);
        assertMalformed(edit(b -> b.putInt(nodeAt + 4, b.getInt(nodeAt + 4) | 0xffff)), nodeAt,
                "type [" + s.node + "] (STRUCT, vlen 65535) needs 786432 bytes");
    }

    @Test
    @DisplayName("a reference to a type that does not exist (as in split BTF without its base)")
    void danglingReference() {
        int at = s.w.recordOffset(s.nodePtr) + 8;
        int count = s.w.nextId() - 1;
        assertMalformed(edit(b -> b.putInt(at, 100000)), at, "type [" + s.nodePtr + "] (PTR) type refers to type [100000], "
                + "but the blob has only " + count + " types", "split BTF");
        int member = s.w.recordOffset(s.tcpSock) + 12 + 12 * 2 + 4;
        assertMalformed(edit(b -> b.putInt(member, count + 1)), member, "member 2 type refers to type [" + (count + 1) + "]");
        int element = s.w.recordOffset(s.char24) + 12;
        assertMalformed(edit(b -> b.putInt(element, -1)), element, "element type refers to type [4294967295]");
        int secinfo = s.w.recordOffset(s.datasec) + 12;
        assertMalformed(edit(b -> b.putInt(secinfo, count + 1)), secinfo, "variable 0 type");
        int param = s.w.recordOffset(s.proto) + 12 + 4;
        assertMalformed(edit(b -> b.putInt(param, count + 7)), param, "parameter 0 type");
    }

    @Test
    @DisplayName("big-endian blobs report the same offsets")
    void bigEndianOffsets() {
        byte[] be = s.bytes(ByteOrder.BIG_ENDIAN);
        int at = s.w.recordOffset(3) + 4;
        ByteBuffer.wrap(be).putInt(at, 25 << 24);
        assertMalformed(be, at, "unknown kind 25");
        byte[] be2 = s.bytes(ByteOrder.BIG_ENDIAN);
        ByteBuffer.wrap(be2).putInt(20, 0);
        assertMalformed(be2, 20, "str_len is 0");
    }
}
