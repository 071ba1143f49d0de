package dev.autolowat.api.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpfBytecodeTest {

    /** {@code r0 = 1; exit} */
    private static byte[] movR0OneExit() {
        return new byte[] {
            (byte) 0xb7, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            (byte) 0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        };
    }

    @Test
    @DisplayName("null is rejected with IllegalArgumentException")
    void rejectsNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpfBytecode.of(null));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
    }

    @Test
    @DisplayName("empty bytecode is rejected")
    void rejectsEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpfBytecode.of(new byte[0]));
        assertTrue(e.getMessage().contains("0 bytes"), e.getMessage());
    }

    @DisplayName("lengths that are not a multiple of 8 are rejected, naming the length")
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 7, 9, 12, 15, 17, 1001})
    void rejectsPartialSlot(int length) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpfBytecode.of(new byte[length]));
        assertTrue(e.getMessage().contains(length + " bytes"), e.getMessage());
    }

    @Test
    @DisplayName("MAX_INSNS (1,000,000) slots are accepted, one more is rejected")
    void maxInsns() {
        assertEquals(1_000_000, BpfBytecode.MAX_INSNS);
        assertEquals(BpfBytecode.MAX_INSNS, BpfBytecode.of(new byte[BpfBytecode.MAX_INSNS * 8]).slots());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpfBytecode.of(new byte[(BpfBytecode.MAX_INSNS + 1) * 8]));
        assertTrue(e.getMessage().contains("1000001"), e.getMessage());
    }

    @DisplayName("slots() is length / 8")
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {8, 16, 24, 800})
    void slots(int length) {
        assertEquals(length / 8, BpfBytecode.of(new byte[length]).slots());
        assertEquals(8, BpfBytecode.INSN_SIZE);
    }

    @Test
    @DisplayName("mutating the input array after of() does not change the bytecode")
    void defensiveCopyOfInput() {
        byte[] input = movR0OneExit();
        BpfBytecode code = BpfBytecode.of(input);
        input[4] = 0x7f;
        input[8] = 0;
        assertArrayEquals(movR0OneExit(), code.toByteArray());
    }

    @Test
    @DisplayName("mutating the array from toByteArray() does not change the bytecode")
    void defensiveCopyOfOutput() {
        BpfBytecode code = BpfBytecode.of(movR0OneExit());
        byte[] out = code.toByteArray();
        out[0] = 0;
        out[4] = 0x55;
        assertArrayEquals(movR0OneExit(), code.toByteArray());
        assertNotSame(code.toByteArray(), code.toByteArray());
    }

    @Test
    @DisplayName("equals/hashCode compare the bytes")
    void equalsAndHashCode() {
        BpfBytecode a = BpfBytecode.of(movR0OneExit());
        BpfBytecode b = BpfBytecode.of(movR0OneExit());
        byte[] other = movR0OneExit();
        other[4] = 0;
        BpfBytecode c = BpfBytecode.of(other);

        assertEquals(a, b);
        assertEquals(b, a);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertNotEquals(a, BpfBytecode.of(new byte[8]));
        assertNotEquals(a, null);
        assertNotEquals(a, (Object) movR0OneExit());
    }

    @Test
    @DisplayName("toString shows the number of slots")
    void toStringShowsSlots() {
        assertEquals("BpfBytecode[2 slots]", BpfBytecode.of(movR0OneExit()).toString());
    }
}
