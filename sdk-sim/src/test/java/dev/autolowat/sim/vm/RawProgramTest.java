package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Helper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.H;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw programs ({@link VmLoader#loadRaw}, what {@code autolowat vm-run} runs): r1 = a memory buffer, r2 = its length. */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class RawProgramTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    private VmProgram load(Asm a, int memory) {
        VmProgram p = VmLoader.loadRaw("raw", a.build(), memory, new VmOptions(true, () -> 77, false, mode));
        assertEquals(mode, p.executionMode(), () -> p.fallbackReason().orElse(""));
        assertTrue(p.isRaw());
        return p;
    }

    @Test
    @DisplayName("r1 points to the memory, r2 is its length; writes are copied back; r0 is returned as it is")
    void memory() {
        VmProgram p = load(new Asm().ldx(H, 3, 1, 0).raw(ALU | END | X, 3, 0, 0, 16).stx(DW, 1, 2, 8)
                .st(B, 1, 2, 0xab).mov64(0, -1).alu64x(ADD, 0, 3).exit(), 16);
        byte[] mem = new byte[16];
        mem[0] = 0x12;
        mem[1] = 0x34;
        assertEquals(0x1233, p.runRaw(mem));
        assertEquals(16, mem[8]);
        assertEquals((byte) 0xab, mem[2]);
        assertEquals(0x1233, p.runRaw(mem), "the same memory again: the same result");
        assertThrows(IllegalArgumentException.class, () -> p.runRaw(new byte[15]));
    }

    @Test
    @DisplayName("an access past the buffer aborts; the writes before it are kept; a pointer in r0 at exit aborts")
    void bounds() {
        VmProgram p = load(new Asm().st(B, 1, 0, 1).ldx(DW, 0, 1, 1).exit(), 8);
        byte[] mem = new byte[8];
        BpfVmException e = assertThrows(BpfVmException.class, () -> p.runRaw(mem));
        assertEquals(1, e.pc(), e.getMessage());
        assertEquals(1, mem[0]);
        VmProgram leak = load(new Asm().mov64x(0, 1).exit(), 0);
        e = assertThrows(BpfVmException.class, () -> leak.runRaw(new byte[0]));
        assertTrue(e.reason().contains("R0 leaks addr"), e.getMessage());
    }

    @Test
    @DisplayName("helpers that need no socket are allowed (bpf_ktime_get_ns); the socket helpers and kfuncs are not")
    void helpers() {
        VmProgram p = load(new Asm().mov64(1, -1).call(Helper.KTIME_GET_NS.id()).exit(), 0);
        assertEquals(77, p.runRaw(new byte[0]));
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> load(new Asm()
                .call(Helper.SOCK_OPS_CB_FLAGS_SET.id()).exit(), 0));
        assertTrue(e.getMessage().contains("program of this type raw cannot call helper"), e.getMessage());
        e = assertThrows(ProgramRejectedException.class, () -> load(new Asm().mov64(0, 1).alu64(LSH, 0, 64).exit(), 0));
        assertTrue(e.getMessage().contains("invalid shift 64"), e.getMessage());
    }

    @Test
    @DisplayName("control flow is checked as for every program type: a jump out of range, falling off the end, unreachable code")
    void controlFlow() {
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> load(new Asm()
                .mov64(0, 1).raw(0x05, 0, 0, 5, 0).exit(), 0));           // ja +5: past the last insn
        assertTrue(e.getMessage().contains("jump out of range"), e.getMessage());
        e = assertThrows(ProgramRejectedException.class, () -> load(new Asm().mov64(0, 1), 0));
        assertTrue(e.getMessage().contains("would fall off its end"), e.getMessage());
        e = assertThrows(ProgramRejectedException.class, () -> load(new Asm().mov64(0, 1).exit().mov64(0, 2).exit(), 0));
        assertTrue(e.getMessage().contains("unreachable insn 2"), e.getMessage());
    }

    @Test
    @DisplayName("a raw program's LD_IMM64 takes two slots and loads all 64 bits; its relocations are checked (no maps)")
    void wideConstantsAndRelocations() {
        VmProgram p = load(new Asm().ldImm64(0, 0x1234_5678_9abc_def0L).exit(), 0);
        assertEquals(0x1234_5678_9abc_def0L, p.runRaw(new byte[0]));
        // a raw program declares no maps, so a map reference names a map that does not exist
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> load(new Asm()
                .ldMap(1, 0).ret(0), 0));
        assertTrue(e.getMessage().contains("declares 0 map(s)"), e.getMessage());
    }
}
