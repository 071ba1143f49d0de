package dev.autolowat.conformance.scenario;

/**
 * The A2 enable program a scenario attaches on its own (without the reference sock_ops program), e.g.
 * to check the enable path on a kernel without the series. The reference policies
 * ({@link ProgramChoice#REFERENCE_JAVA}, {@link ProgramChoice#REFERENCE_BYTECODE}) bring theirs.
 */
public enum EnablePath {
    NONE("none"),
    /** {@code FramingPolicy.REFERENCE_RPC.enableProgram()}. */
    REFERENCE_BYTECODE("reference-bytecode"),
    /** {@code ReferenceAutoLowat.enableProgram()} (Java handler, simulator only). */
    REFERENCE_JAVA("reference-java");

    private final String text;

    EnablePath(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The path called {@code text}, or {@code null}. */
    public static EnablePath ofText(String text) {
        for (EnablePath p : values()) {
            if (p.text.equals(text)) {
                return p;
            }
        }
        return null;
    }
}
