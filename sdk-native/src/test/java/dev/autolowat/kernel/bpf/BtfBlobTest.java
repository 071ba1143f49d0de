package dev.autolowat.kernel.bpf;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The BTF written for map keys and values. */
@DisplayName("BtfBlob: raw BTF for a map's key and value")
class BtfBlobTest {

    @Test
    @DisplayName("header, four types (int, __u8, array, struct) and the string section, little-endian")
    void layout() {
        BtfBlob.KeyValue kv = BtfBlob.forMap("v_value", 16);
        ByteBuffer b = ByteBuffer.wrap(kv.btf()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((short) 0xeB9F, b.getShort(0));
        assertEquals(1, b.get(2));
        assertEquals(24, b.getInt(4));
        int typeLen = b.getInt(12);
        assertEquals(16 + 16 + 24 + 24, typeLen, "int 16, __u8 16, array 12+12, struct 12+12 bytes");
        assertEquals(typeLen, b.getInt(16), "strings follow the types");
        assertEquals(kv.btf().length, 24 + typeLen + b.getInt(20));
        assertEquals(1, kv.keyTypeId());
        assertEquals(4, kv.valueTypeId());
        // the key: INT, 4 bytes, signed, 32 bits
        assertEquals(BtfBlob.KIND_INT << 24, b.getInt(24 + 4));
        assertEquals(4, b.getInt(24 + 8));
        assertEquals(1 << 24 | 32, b.getInt(24 + 12));
        // the struct: 16 bytes, one member
        int st = 24 + 16 + 16 + 24;
        assertEquals(BtfBlob.KIND_STRUCT << 24 | 1, b.getInt(st + 4));
        assertEquals(16, b.getInt(st + 8));
        assertThrows(IllegalArgumentException.class, () -> BtfBlob.forMap("x", 0));
    }

    @Test
    @DisplayName("the kernel accepts it (BPF_BTF_LOAD); a corrupted blob is refused with the BTF log in the message")
    void kernelAccepts() {
        BpfTestSupport.requireRoot();
        try (BpfBtf btf = BpfBtf.load(BtfBlob.forMap("v_value", 24).btf(), "test")) {
            assertEquals(true, btf.fd() > 0);
        }
        byte[] bad = BtfBlob.forMap("v_value", 24).btf();
        bad[24 + 7] = 0x1f; // kind 31 for the first type
        BpfException e = assertThrows(BpfException.class, () -> BpfBtf.load(bad, "a corrupted blob"));
        System.out.println("[BTF refused] " + e.getMessage().replace("\n", " | "));
        assertEquals(BpfCommand.BTF_LOAD, e.command());
        assertEquals(true, e.getMessage().contains("BTF log:"), e.getMessage());
    }
}
