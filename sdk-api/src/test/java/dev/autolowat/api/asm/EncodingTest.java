package dev.autolowat.api.asm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.BpfBytecode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one owner of the instruction encoding: what the loaders and the object reader share. */
class EncodingTest {
    @Test
    @DisplayName("fields read back what Instruction encodes, LD_IMM64's constant across both slots")
    void fieldsRoundTrip() {
        byte[] code = new Assembler().lddw(R1, 0x1234_5678_9abc_def0L).ldxw(R2, R1, -4).exit().build().toByteArray();
        assertEquals(4, Encoding.slotCount(code));
        assertEquals(Opcode.LD_IMM64, Encoding.opcode(code, 0));
        assertEquals(0x1234_5678_9abc_def0L, Encoding.imm64(code, 0));
        assertEquals(-4, Encoding.offset(code, 2));
        assertEquals(2, Encoding.dst(code, 2));
        assertEquals(1, Encoding.src(code, 2));
        boolean[] second = Encoding.secondSlots(code);
        assertTrue(second[1]);
        assertFalse(second[0] || second[2] || second[3]);
    }

    @Test
    @DisplayName("patches: map fd and map value, kfunc id with offset 0, call target, access size — decoded by Instruction")
    void patches() {
        byte[] code = new Assembler().loadMap(R1, 0).callKfunc("f").ldxw(R2, R1, 4).exit().build().toByteArray();
        Encoding.setMapFd(code, 0, 42);
        Instruction ld = Instruction.decode(code, 0);
        assertEquals(Opcode.PSEUDO_MAP_FD, ld.src());
        assertEquals(42L, ld.constant());
        assertEquals(1, ld.dst(), "the destination register is kept");
        Encoding.setMapValue(code, 0, 7, 16);
        assertEquals(Opcode.PSEUDO_MAP_VALUE, Instruction.decode(code, 0).src());
        assertEquals((16L << 32) | 7, Instruction.decode(code, 0).constant());
        Encoding.setKfunc(code, 2, 12345);
        assertEquals(new Instruction(Opcode.JMP | Opcode.CALL, 0, Opcode.PSEUDO_KFUNC_CALL, (short) 0, 12345),
                Instruction.decode(code, 2));
        Encoding.setAccessSize(code, 3, 2);
        assertEquals(2, Encoding.accessSize(Encoding.opcode(code, 3)));
        Encoding.setCallTarget(code, 2, 0);
        assertEquals(-3, Encoding.imm(code, 2));
    }

    @Test
    @DisplayName("the one relocation step: a map value keeps its offset, a field offset adds to the instruction's and "
            + "must fit 16 bits, a kfunc gets its id; misplaced ones are refused naming the program")
    void relocationStep() {
        BpfBytecode p = new Assembler().loadMap(R1, 0).callKfunc("f").ldxw(R2, R1, 4).mov64(R0, 0).exit().build();
        byte[] code = p.toByteArray();
        Encoding.setMapValue(code, 0, 0, 24);
        Relocations.apply("p", code, List.of(new Relocation.MapRef(0, 0), new Relocation.KfuncRef(2, "f"),
                new Relocation.FieldRef(3, "s", "f")), 1, new Relocations.Resolver() {
                    @Override
                    public int map(Relocation.MapRef r) {
                        return 9;
                    }

                    @Override
                    public int field(Relocation.FieldRef r) {
                        return 100;
                    }

                    @Override
                    public int kfunc(Relocation.KfuncRef r) {
                        return 777;
                    }
                });
        assertEquals((24L << 32) | 9, Encoding.imm64(code, 0));
        assertEquals(Opcode.PSEUDO_MAP_VALUE, Encoding.src(code, 0));
        assertEquals(777, Encoding.imm(code, 2));
        assertEquals(104, Encoding.offset(code, 3));
        assertTrue(Relocations.patch(code, new Relocation.FieldRef(3, "s", "f"), 40000).orElseThrow().contains("does not fit"));
        ProgramRejectedException e = org.junit.jupiter.api.Assertions.assertThrows(ProgramRejectedException.class,
                () -> Relocations.check("p", code, List.of(new Relocation.FieldRef(4, "s", "f")), 1));
        assertTrue(e.getMessage().startsWith("program 'p': cannot resolve field reference s.f at slot 4: "), e.getMessage());
    }

    @Test
    @DisplayName("loads and stores by the kernel's rule: LDX MEM/MEMSX (not 8-byte MEMSX), ST/STX MEM only")
    void loadStoreRule() {
        for (int size : new int[]{Opcode.B, Opcode.H, Opcode.W, Opcode.DW}) {
            assertTrue(Encoding.isLoadStore(Opcode.LDX | Opcode.MEM | size));
            assertTrue(Encoding.isLoadStore(Opcode.ST | Opcode.MEM | size));
            assertTrue(Encoding.isLoadStore(Opcode.STX | Opcode.MEM | size));
            assertFalse(Encoding.isLoadStore(Opcode.ST | Opcode.MEMSX | size), "ST|MEMSX is no kernel instruction");
            assertFalse(Encoding.isLoadStore(Opcode.STX | Opcode.MEMSX | size), "STX|MEMSX is no kernel instruction");
            assertFalse(Encoding.isLoadStore(Opcode.STX | Opcode.ATOMIC | size), "an atomic operation");
            assertEquals(size != Opcode.DW, Encoding.isLoadStore(Opcode.LDX | Opcode.MEMSX | size));
        }
        assertFalse(Encoding.isLoadStore(Opcode.LD_IMM64));
    }

    @Test
    @DisplayName("where relocations may sit: the same answer for every loader")
    void misplaced() {
        BpfBytecode p = new Assembler().loadMap(R1, 0).callKfunc("f").ldxw(R2, R1, 4).mov64(R0, 0).exit().build();
        byte[] code = p.toByteArray();
        boolean[] second = Encoding.secondSlots(code);
        assertEquals(Optional.empty(), Encoding.misplaced(new Relocation.MapRef(0, 0), code, second, 1));
        assertTrue(Encoding.misplaced(new Relocation.MapRef(0, 1), code, second, 1).orElseThrow().contains("map index 1"));
        assertTrue(Encoding.misplaced(new Relocation.MapRef(1, 0), code, second, 1).orElseThrow().contains("second slot"));
        assertTrue(Encoding.misplaced(new Relocation.MapRef(3, 0), code, second, 1).orElseThrow().contains("not LD_IMM64"));
        assertEquals(Optional.empty(), Encoding.misplaced(new Relocation.KfuncRef(2, "f"), code, second, 1));
        assertTrue(Encoding.misplaced(new Relocation.KfuncRef(4, "f"), code, second, 1).orElseThrow()
                .contains("not a kfunc call"));
        assertEquals(Optional.empty(), Encoding.misplaced(new Relocation.FieldRef(3, "s", "f"), code, second, 1));
        assertTrue(Encoding.misplaced(new Relocation.FieldRef(4, "s", "f"), code, second, 1).orElseThrow()
                .contains("not a load or store"));
        assertTrue(Encoding.misplaced(new Relocation.FieldRef(9, "s", "f"), code, second, 1).orElseThrow()
                .contains("outside"));
    }
}
