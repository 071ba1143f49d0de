package dev.autolowat.api.program;

import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Relocation;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * eBPF instructions in the kernel's encoding: 8 bytes per instruction slot, little-endian
 * fields as {@code struct bpf_insn} ({@code LD_IMM64} takes two slots). Immutable.
 *
 * <p>Only the framing is checked here (non-empty, a whole number of slots, at most
 * {@link #MAX_INSNS}, relocations inside the program); what the instructions mean is checked by
 * each backend at load time. {@link Relocation}s name what each backend resolves when it loads the
 * program: map references, kfunc calls by name, relocatable field offsets.
 */
public final class BpfBytecode {
    /** Size of one instruction slot in bytes. */
    public static final int INSN_SIZE = 8;
    /** {@code BPF_COMPLEXITY_LIMIT_INSNS}: the kernel's limit for a privileged program. */
    public static final int MAX_INSNS = 1_000_000;

    private final byte[] code;
    private final List<Relocation> relocations;

    private BpfBytecode(byte[] code, List<Relocation> relocations) {
        this.code = code;
        this.relocations = relocations;
    }

    /**
     * Wraps a copy of {@code code}.
     *
     * @throws IllegalArgumentException when the length is 0, not a multiple of 8, or too long
     */
    public static BpfBytecode of(byte[] code) {
        return of(code, List.of());
    }

    /**
     * Wraps a copy of {@code code} with its relocations.
     *
     * @throws IllegalArgumentException as {@link #of(byte[])}, or when a relocation points outside
     *         the program or two relocations name the same slot
     */
    public static BpfBytecode of(byte[] code, List<Relocation> relocations) {
        if (code == null) {
            throw new IllegalArgumentException("bytecode is null");
        }
        if (code.length == 0 || code.length % INSN_SIZE != 0) {
            throw new IllegalArgumentException("bytecode of " + code.length
                    + " bytes is not a non-empty whole number of 8-byte instructions");
        }
        if (code.length / INSN_SIZE > MAX_INSNS) {
            throw new IllegalArgumentException("bytecode has " + code.length / INSN_SIZE
                    + " instructions; the limit is " + MAX_INSNS);
        }
        List<Relocation> relocs = List.copyOf(relocations);
        java.util.Set<Integer> slots = new java.util.HashSet<>();
        for (Relocation r : relocs) {
            if (r.slot() >= code.length / INSN_SIZE) {
                throw new IllegalArgumentException("relocation " + r + " points outside the "
                        + code.length / INSN_SIZE + "-slot program");
            }
            if (!slots.add(r.slot())) {
                throw new IllegalArgumentException("two relocations for slot " + r.slot());
            }
        }
        return new BpfBytecode(code.clone(), relocs);
    }

    /** Encodes {@code instructions} with their relocations. */
    public static BpfBytecode of(List<Instruction> instructions, List<Relocation> relocations) {
        int slots = instructions.stream().mapToInt(Instruction::slots).sum();
        ByteBuffer out = ByteBuffer.allocate(slots * INSN_SIZE);
        instructions.forEach(i -> i.encode(out));
        return of(out.array(), relocations);
    }

    /** The relocations a backend resolves at load time. */
    public List<Relocation> relocations() {
        return relocations;
    }

    /**
     * Decodes every instruction, in order (an LD_IMM64 is one element covering two slots).
     *
     * @throws IllegalArgumentException when an LD_IMM64 is truncated or malformed
     */
    public List<Instruction> instructions() {
        List<Instruction> out = new ArrayList<>();
        for (int slot = 0; slot < slots(); ) {
            Instruction insn = Instruction.decode(code, slot);
            out.add(insn);
            slot += insn.slots();
        }
        return out;
    }

    /** Number of 8-byte instruction slots. */
    public int slots() {
        return code.length / INSN_SIZE;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return code.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfBytecode b && Arrays.equals(code, b.code) && relocations.equals(b.relocations);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(code) * 31 + relocations.hashCode();
    }

    @Override
    public String toString() {
        return "BpfBytecode[" + slots() + " slots]";
    }
}
