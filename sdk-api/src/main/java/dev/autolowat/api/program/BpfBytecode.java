package dev.autolowat.api.program;

import java.util.Arrays;

/**
 * eBPF instructions in the kernel's encoding: 8 bytes per instruction slot, little-endian
 * fields as {@code struct bpf_insn} ({@code LD_IMM64} takes two slots). Immutable.
 *
 * <p>Only the framing is checked here (non-empty, a whole number of slots, at most
 * {@link #MAX_INSNS}); what the instructions mean is checked by each backend at load time.
 */
public final class BpfBytecode {
    /** Size of one instruction slot in bytes. */
    public static final int INSN_SIZE = 8;
    /** {@code BPF_COMPLEXITY_LIMIT_INSNS}: the kernel's limit for a privileged program. */
    public static final int MAX_INSNS = 1_000_000;

    private final byte[] code;

    private BpfBytecode(byte[] code) {
        this.code = code;
    }

    /**
     * Wraps a copy of {@code code}.
     *
     * @throws IllegalArgumentException when the length is 0, not a multiple of 8, or too long
     */
    public static BpfBytecode of(byte[] code) {
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
        return new BpfBytecode(code.clone());
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
        return o instanceof BpfBytecode b && Arrays.equals(code, b.code);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(code);
    }

    @Override
    public String toString() {
        return "BpfBytecode[" + slots() + " slots]";
    }
}
