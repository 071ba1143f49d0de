package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Disassembler;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;

/**
 * The text of one instruction for the VM's error messages, e.g. {@code (61) r2 = *(u32 *)(r6 +0)}:
 * the API's {@link Disassembler} (the style of {@code bpftool prog dump xlated}) renders it, so a
 * message names an instruction exactly as a disassembly of the program does. The one thing only the
 * simulator knows is which kernel function a kfunc call's BTF id names ({@link Kfunc}); it is passed
 * to the disassembler as a relocation. It never throws: an opcode outside the instruction set reads
 * {@code (xx) unknown opcode}.
 */
final class InsnText {
    private InsnText() {
    }

    /** Formats the fields of an instruction ({@code imm} is the 64-bit constant for LD_IMM64). */
    static String format(int code, int dst, int src, int off, long imm) {
        // The fields come from decoded slots (a byte, two nibbles, 16 and 32 bits; 64 only for LD_IMM64),
        // so they always make a valid Instruction.
        Instruction insn = new Instruction(code, dst, src, (short) off, imm);
        Kfunc kfunc = code == (Opcode.JMP | Opcode.CALL) && src == Opcode.PSEUDO_KFUNC_CALL ? Kfunc.ofId((int) imm) : null;
        return Disassembler.format(insn, kfunc == null ? null : new Relocation.KfuncRef(0, kfunc.kernelName()));
    }
}
