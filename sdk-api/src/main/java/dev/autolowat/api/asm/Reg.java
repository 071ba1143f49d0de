package dev.autolowat.api.asm;

/**
 * The eleven eBPF registers. R0 holds return values, R1–R5 are arguments (clobbered by calls),
 * R6–R9 are callee-saved, R10 is the read-only frame pointer.
 */
public enum Reg {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    private static final Reg[] BY_NUMBER = values();

    /** The register number (0–10) as encoded in an instruction. */
    public int number() {
        return ordinal();
    }

    /**
     * The register for an encoded number.
     *
     * @throws IllegalArgumentException for numbers outside 0–10
     */
    public static Reg of(int number) {
        if (number < 0 || number >= BY_NUMBER.length) {
            throw new IllegalArgumentException("invalid register r" + number + ": eBPF has r0..r10");
        }
        return BY_NUMBER[number];
    }

    /** The frame pointer. */
    public static final Reg FP = R10;

    @Override
    public String toString() {
        return "r" + ordinal();
    }
}
