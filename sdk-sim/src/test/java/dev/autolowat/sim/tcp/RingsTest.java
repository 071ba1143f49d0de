package dev.autolowat.sim.tcp;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model's FIFOs keep their order across wrap-around and growth: the receive queue's bytes (H5 reads
 * them in order) and the per-skb bookkeeping. Growth with the head in the middle of the array is the
 * case a mutation test showed untested.
 */
class RingsTest {
    @Test
    @DisplayName("IntRing: FIFO order survives wrap-around and growth with the head mid-array; peekLast/setLast address the tail")
    void intRingOrderAcrossGrowth() {
        IntRing r = new IntRing();
        for (int i = 0; i < 16; i++) {
            r.add(i);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(i, r.removeFirst());
        }
        // head 5, size 11: the tail is at index 15
        assertEquals(15, r.peekLast());
        r.setLast(115);
        r.add(16);
        r.add(17); // wraps: the tail (index 1) is now before the head in the array
        assertEquals(13, r.size());
        assertEquals(5, r.peekFirst());
        assertEquals(17, r.peekLast());
        r.setLast(99);
        assertEquals(99, r.peekLast());
        for (int i = 18; i <= 21; i++) {
            r.add(i); // the last one grows the array with head = 5
        }
        r.setFirst(-5);
        List<Integer> out = new ArrayList<>();
        while (!r.isEmpty()) {
            out.add(r.removeFirst());
        }
        List<Integer> expected = new ArrayList<>();
        expected.add(-5);
        for (int i = 6; i <= 14; i++) {
            expected.add(i);
        }
        expected.addAll(List.of(115, 16, 99, 18, 19, 20, 21));
        assertEquals(expected, out);
        assertThrows(IllegalStateException.class, r::peekLast);
        assertThrows(IllegalStateException.class, r::peekFirst);
    }

    @Test
    @DisplayName("ByteRing: bytes come out in order across wrap-around, growth and transfers between rings")
    void byteRingOrder() {
        ByteRing source = new ByteRing(16);
        ByteRing ring = new ByteRing(16);
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        ring.append(data, 0, 12);
        byte[] out = new byte[100];
        ring.take(out, 0, 10);
        source.append(data, 12, 88);
        ring.transferFrom(source, 88); // wraps, then grows with the head mid-array
        assertEquals(0, source.size());
        assertEquals(90, ring.size());
        ring.peek(5, out, 10, 3);
        assertArrayEquals(new byte[] {15, 16, 17}, java.util.Arrays.copyOfRange(out, 10, 13));
        ring.take(out, 10, 90);
        assertArrayEquals(data, out);
        assertTrue(ring.size() == 0);
    }
}
