package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.sim.SimBackend;

/**
 * The two differential pairs of the conformance suite, on one scenario:
 * <ul>
 *   <li>{@link #simVersus}: the simulator configured as a backend's machine ({@link Backends#simulatorFor})
 *       against that backend — for a kernel, everything the running kernel supports;</li>
 *   <li>{@link #javaVersusBytecode}: inside the simulator, the reference policy as a Java handler against
 *       the same policy as bytecode (A1–A6).</li>
 * </ul>
 */
public final class Differential {
    private Differential() {
    }

    /**
     * Both traces and their comparison.
     *
     * @param reference the first side, labelled {@code sim}: the simulator as the backend's machine, or
     *                  the Java handler in the simulator
     * @param other     the second side: the backend (labelled with its name), or the bytecode in the
     *                  simulator (labelled {@value KnownDifferences#BYTECODE})
     */
    public record Result(Trace reference, Trace other, TraceComparison comparison) {
        /** The verdict with the documented differences of {@link KnownDifferences} for this pair. */
        public Verdict verdictWithKnown() {
            return Verdict.withKnown(other.scenario(), other.backend(), comparison);
        }

        /** The verdict of a corpus file: its expectations for the other backend. */
        public Verdict verdictWithExpectations() {
            return Verdict.withExpectations(other.scenario(), other.backend(), comparison);
        }
    }

    /** The name of the pair "simulator ↔ {@code other}". */
    public static String pairName(Backend other) {
        return "sim ↔ " + other.name();
    }

    /** The name of the pair inside the simulator. */
    public static final String JAVA_VS_BYTECODE = "Java handler ↔ bytecode (sim)";

    /** The name of the pair inside the simulator for {@code policy}: {@code Java handler ↔ policy.o (sim)}. */
    public static String javaVersus(PolicyUnderTest policy) {
        return policy.isReference() ? JAVA_VS_BYTECODE : "Java handler ↔ " + policy.label() + " (sim)";
    }

    /**
     * Runs {@code s} on the simulator as {@code other}'s machine and on {@code other}, and compares.
     *
     * @throws NotRunnableException when {@code other} cannot run {@code s}
     */
    public static Result simVersus(Scenario s, Backend other) {
        return simVersus(s, other, PolicyUnderTest.REFERENCE);
    }

    /** {@link #simVersus(Scenario, Backend)} with {@code policy} as the scenario's {@code reference-bytecode}, on both sides. */
    public static Result simVersus(Scenario s, Backend other, PolicyUnderTest policy) {
        Backend sim = Backends.simulatorFor(other);
        ScenarioRunner.whyNotRunnable(s, other).ifPresent(why -> {
            throw new NotRunnableException(why);
        });
        Trace ref = ScenarioRunner.run(s, sim, policy);
        Trace oth = ScenarioRunner.run(s, other, policy);
        ComparisonRules rules = Backends.isSimulator(other) || Backends.isMutant(other) ? ComparisonRules.DEFAULT : ComparisonRules.forKernel(s);
        return new Result(new Trace("sim", s, ref.steps()), oth, TraceComparison.compare(ref, oth, rules));
    }

    /**
     * Runs {@code s} (which attaches the reference policy as bytecode, or its enable path) and its Java
     * twin on the simulator with the series, and compares.
     */
    public static Result javaVersusBytecode(Scenario s) {
        return javaVersusBytecode(s, PolicyUnderTest.REFERENCE);
    }

    /**
     * {@link #javaVersusBytecode(Scenario)} with {@code policy} as the bytecode side: the reference policy's
     * Java handler against a user's object ({@code autolowat report --policy}); its trace keeps the label
     * {@value KnownDifferences#BYTECODE}, so the documented differences of the pair apply to it too.
     */
    public static Result javaVersusBytecode(Scenario s, PolicyUnderTest policy) {
        Scenario java = javaTwin(s);
        SimBackend sim = new SimBackend();
        Trace a = ScenarioRunner.run(java, sim);
        Trace b = ScenarioRunner.run(s, sim, policy);
        return new Result(new Trace("sim", java, a.steps()), new Trace(KnownDifferences.BYTECODE, s, b.steps()),
                TraceComparison.compare(a, b, ComparisonRules.DEFAULT));
    }

    /** {@code s} with the reference policy (and enable path) as Java handlers instead of bytecode. */
    public static Scenario javaTwin(Scenario s) {
        Scenario out = s;
        if (s.program().choice() == ProgramChoice.REFERENCE_BYTECODE) {
            out = out.withProgram(ProgramSpec.of(ProgramChoice.REFERENCE_JAVA));
        }
        if (s.enablePath() == EnablePath.REFERENCE_BYTECODE) {
            out = out.withEnablePath(EnablePath.REFERENCE_JAVA);
        }
        return out;
    }
}
