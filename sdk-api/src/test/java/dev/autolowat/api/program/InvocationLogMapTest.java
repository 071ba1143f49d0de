package dev.autolowat.api.program;

import dev.autolowat.api.spi.Invocation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inv_log layout, decoded from userspace (no kernel needed). */
class InvocationLogMapTest {

    /** A value of a {@code capacity}-entry ring in which entries {@code 0..count-1} were written (entry i: op i). */
    static byte[] ring(int capacity, int count) {
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * capacity).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, count);
        for (int i = Math.max(0, count - capacity); i < count; i++) {
            int at = 8 + 16 * Integer.remainderUnsigned(i, capacity);
            b.putInt(at, i).putInt(at + 4, 1000 + i).putInt(at + 8, 2000 + i).putInt(at + 12, i % 7);
        }
        return b.array();
    }

    @Test
    @DisplayName("the spec: SK_STORAGE, key 4, value 8 + 16 * capacity, max entries 0; capacity a power of two")
    void spec() {
        assertEquals(MapType.SK_STORAGE, InvocationLogMap.spec().type());
        assertEquals(8 + 16 * 64, InvocationLogMap.spec().valueSize());
        assertEquals(0, InvocationLogMap.spec().maxEntries());
        assertThrows(IllegalArgumentException.class, () -> InvocationLogMap.spec(3));
        assertThrows(IllegalArgumentException.class, () -> InvocationLogMap.spec(0));
        assertTrue(InvocationLogMap.follows(MapType.SK_STORAGE.value(), 4, 24));
        assertFalse(InvocationLogMap.follows(MapType.ARRAY.value(), 4, 24));
        assertFalse(InvocationLogMap.follows(MapType.SK_STORAGE.value(), 4, 25));
    }

    @Test
    @DisplayName("decode returns the entries written since the last count, oldest first")
    void newEntries() {
        InvocationLogMap.Decoded d = InvocationLogMap.decode(ring(8, 5), 2);
        assertEquals(List.of(new Invocation(2, 1002, 2002, 2), new Invocation(3, 1003, 2003, 3),
                new Invocation(4, 1004, 2004, 4)), d.entries());
        assertEquals(5, d.count());
        assertEquals(0, d.dropped());
        assertEquals(List.of(), InvocationLogMap.decode(ring(8, 5), 5).entries());
    }

    @Test
    @DisplayName("more entries than the ring holds: the newest capacity entries, the rest counted as dropped")
    void overflow() {
        InvocationLogMap.Decoded d = InvocationLogMap.decode(ring(4, 11), 1);
        assertEquals(List.of(7, 8, 9, 10), d.entries().stream().map(Invocation::op).toList());
        assertEquals(6, d.dropped());
    }

    @Test
    @DisplayName("the u32 count wraps")
    void wraparound() {
        int count = 2;          // 0xFFFFFFFE, 0xFFFFFFFF, 0, 1 were written after 0xFFFFFFFE
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, count);
        for (int i = -2; i < 2; i++) {
            int at = 8 + 16 * Integer.remainderUnsigned(i, 4);
            b.putInt(at, 100 + i);
        }
        InvocationLogMap.Decoded d = InvocationLogMap.decode(b.array(), -2);
        assertEquals(List.of(98, 99, 100, 101), d.entries().stream().map(Invocation::op).toList());
        assertEquals(0, d.dropped());
    }

    @Test
    @DisplayName("a value of the wrong size is refused")
    void badValue() {
        assertThrows(IllegalArgumentException.class, () -> InvocationLogMap.decode(new byte[20], 0));
    }
}
