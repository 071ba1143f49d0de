package dev.autolowat.sim.policy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramesTest {

    @Test
    @DisplayName("A1: a 258-byte frame is the selftest's {100, 150} descriptor, little-endian, then zeros")
    void selftestFrame() {
        byte[] f = Frames.frame(258);
        assertEquals(258, f.length);
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(100, b.getInt());
        assertEquals(150, b.getInt());
        for (int i = 8; i < f.length; i++) {
            assertEquals(0, f[i]);
        }
    }

    @Test
    @DisplayName("A1: small frames put everything after the descriptor into the header")
    void smallFrames() {
        byte[] f = Frames.frame(50);
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(42, b.getInt());
        assertEquals(0, b.getInt());
        assertEquals(8, Frames.frame(8).length);
    }

    @Test
    @DisplayName("bad frame sizes and cuts are refused with a message")
    void badInput() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Frames.frame(7)).getMessage().contains("descriptor"));
        assertThrows(IllegalArgumentException.class, () -> Frames.frame(-1, 5));
        assertThrows(IllegalArgumentException.class, () -> Frames.evenCuts(3, 4));
        assertThrows(IllegalArgumentException.class, () -> Frames.evenCuts(3, 0));
    }

    @Test
    @DisplayName("even cuts cover the frame, longest first, each at least one byte")
    void evenCuts() {
        assertArrayEquals(new int[] {86, 86, 86}, Frames.evenCuts(258, 3));
        assertArrayEquals(new int[] {4, 3, 3}, Frames.evenCuts(10, 3));
        assertArrayEquals(new int[] {1, 1}, Frames.evenCuts(2, 2));
    }
}
