package dev.autolowat.conformance.scenario;

/**
 * Which sock_ops program (or policy) a scenario attaches, by its text name ({@code program k3-logger 100}).
 * The programs themselves are built by {@link ProgramSpec}: bytecode from {@link ScenarioPrograms}, the
 * reference policy as bytecode ({@code FramingPolicy.REFERENCE_RPC}) or as a Java handler
 * ({@code ReferenceAutoLowat}).
 */
public enum ProgramChoice {
    /** No program: the kernel alone (the simulator logs nothing either). */
    NONE("none", 0, false, false, ""),
    /** {@link ScenarioPrograms#logger()}: logs every invocation. */
    LOGGER("logger", 0, false, false, ""),
    /** {@link ScenarioPrograms#k3Logger(int)}: K3 on ops 4/5 with the argument, logs. */
    K3_LOGGER("k3-logger", 1, false, false, "<lowat>"),
    /** H6 attach order: {@link ScenarioPrograms#k3Setter(int)} (first argument) then {@link ScenarioPrograms#k3Logger(int)} (second). */
    K3_CHAIN("k3-chain", 2, false, false, "<first lowat> <second lowat>"),
    /** {@link ScenarioPrograms#flagsProbe(int, int)}: F1/F2 helper results on op 5, logs. */
    FLAGS_PROBE("flags-probe", 2, false, false, "<cb_flags_set value> <second bpf_setsockopt value>"),
    /** {@link ScenarioPrograms#kfuncSetter(int)}: K1's kfunc on op 21 (needs the series), logs. */
    KFUNC_SETTER("kfunc-setter", 1, true, false, "<lowat>"),
    /** The reference policy as a Java handler ({@code ReferenceAutoLowat.policy()}, simulator only), with its enable path. */
    REFERENCE_JAVA("reference-java", 0, true, true, ""),
    /** The reference policy as bytecode ({@code FramingPolicy.REFERENCE_RPC.compile()}), with its enable path. */
    REFERENCE_BYTECODE("reference-bytecode", 0, true, false, "");

    private final String text;
    private final int arity;
    private final boolean needsSeries;
    private final boolean javaHandler;
    private final String argsHelp;

    ProgramChoice(String text, int arity, boolean needsSeries, boolean javaHandler, String argsHelp) {
        this.text = text;
        this.arity = arity;
        this.needsSeries = needsSeries;
        this.javaHandler = javaHandler;
        this.argsHelp = argsHelp;
    }

    /** The name in the text form. */
    public String text() {
        return text;
    }

    /** How many int arguments follow the name. */
    public int arity() {
        return arity;
    }

    /** Whether the program needs a kernel with the series (op 21, the kfunc) to load. */
    public boolean needsSeries() {
        return needsSeries;
    }

    /** Whether the program is a Java handler (only backends with {@code javaHandlers()} run it). */
    public boolean javaHandler() {
        return javaHandler;
    }

    /** What the arguments are, for parse errors. */
    public String argsHelp() {
        return argsHelp;
    }

    /** Whether this is one of the reference policies (which bring their own enable path, A2). */
    public boolean isReferencePolicy() {
        return this == REFERENCE_JAVA || this == REFERENCE_BYTECODE;
    }

    /** The choice called {@code text}, or {@code null}. */
    public static ProgramChoice ofText(String text) {
        for (ProgramChoice c : values()) {
            if (c.text.equals(text)) {
                return c;
            }
        }
        return null;
    }
}
