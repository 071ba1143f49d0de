package dev.autolowat.sim.vm;

import dev.autolowat.api.AutoLowatException;

/**
 * A program invocation was aborted by the simulator's eBPF VM: a memory-safety violation (an
 * access outside its region, a write to a read-only field, a scalar used as a pointer...), a
 * register read before it was written, a return value outside the program type's range, or the
 * instruction budget ({@value Vm#INSTRUCTION_BUDGET} per invocation) ran out.
 *
 * <p>Most of these are what the kernel's verifier would have refused at load time; the VM finds
 * them when they happen instead (see {@code docs/programs.md}, "The simulator's eBPF VM"). The
 * message names the program, the program counter, the instruction and the reason.
 *
 * <p>An aborted invocation never leaves the model half-changed: every helper the program called
 * before the abort completed as a whole, and nothing after it ran.
 */
public class BpfVmException extends AutoLowatException {
    private final String program;
    private final int pc;
    private final String instruction;
    private final String reason;

    public BpfVmException(String program, int pc, String instruction, String reason) {
        super("program '" + program + "' aborted at pc " + pc + " (" + instruction + "): " + reason);
        this.program = program;
        this.pc = pc;
        this.instruction = instruction;
        this.reason = reason;
    }

    /** The program's name. */
    public String program() {
        return program;
    }

    /** The slot index of the instruction that was executing. */
    public int pc() {
        return pc;
    }

    /** The instruction's text as the API's {@code Disassembler} renders it, e.g. {@code (61) r2 = *(u32 *)(r6 +0)}. */
    public String instruction() {
        return instruction;
    }

    /** Why the invocation was aborted. */
    public String reason() {
        return reason;
    }
}
