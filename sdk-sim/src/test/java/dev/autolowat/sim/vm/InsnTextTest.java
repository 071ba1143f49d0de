package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Disassembler;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The VM's error messages name an instruction as the API's disassembler does (so a message can be
 * matched with {@code autolowat disasm} output), plus the kfunc names only the simulator's BTF knows.
 */
class InsnTextTest {
    @Test
    @DisplayName("an instruction's text is the disassembler's, for every class of instruction")
    void sameAsDisassembler() {
        Instruction[] samples = {
            new Instruction(Opcode.ALU64 | Opcode.MOV | Opcode.X, 6, 1, (short) 0, 0),
            new Instruction(Opcode.LDX | Opcode.MEM | Opcode.W, 2, 6, (short) 4, 0),
            new Instruction(Opcode.JMP | Opcode.JNE | Opcode.K, 2, 0, (short) 3, 21),
            new Instruction(Opcode.JMP | Opcode.CALL, 0, 0, (short) 0, 26),
            new Instruction(Opcode.JMP | Opcode.EXIT, 0, 0, (short) 0, 0),
        };
        for (Instruction insn : samples) {
            assertEquals(Disassembler.format(insn),
                    InsnText.format(insn.opcode(), insn.dst(), insn.src(), insn.offset(), insn.constant()));
        }
    }

    @Test
    @DisplayName("LD_IMM64 shows its whole 64-bit constant")
    void wideConstant() {
        assertEquals("(18) r3 = 0x123456789", InsnText.format(Opcode.LD_IMM64, 3, 0, 0, 0x1_2345_6789L));
    }

    @Test
    @DisplayName("a kfunc call names the kernel function its BTF id stands for in the simulator (K1)")
    void kfuncName() {
        int call = Opcode.JMP | Opcode.CALL;
        assertEquals("(85) call bpf_sock_ops_tcp_set_rcvlowat (kfunc)",
                InsnText.format(call, 0, Opcode.PSEUDO_KFUNC_CALL, 0, Kfunc.SOCK_OPS_TCP_SET_RCVLOWAT.id()));
        assertEquals("(85) call kernel-function#999", InsnText.format(call, 0, Opcode.PSEUDO_KFUNC_CALL, 0, 999));
        // A helper with the same number as a kfunc's id is still the helper.
        assertEquals(Disassembler.format(new Instruction(call, 0, 0, (short) 0, Kfunc.SOCK_OPS_TCP_SET_RCVLOWAT.id())),
                InsnText.format(call, 0, 0, 0, Kfunc.SOCK_OPS_TCP_SET_RCVLOWAT.id()));
        // A kfunc's id on another instruction is not a call.
        assertEquals("(b7) r0 = 2", InsnText.format(Opcode.ALU64 | Opcode.MOV | Opcode.K, 0, Opcode.PSEUDO_KFUNC_CALL, 0, 2));
    }

    @Test
    @DisplayName("an opcode outside the instruction set reads 'unknown opcode' instead of throwing")
    void unknownOpcode() {
        assertEquals("(ff) unknown opcode", InsnText.format(0xff, 0, 0, 0, 0));
    }
}
