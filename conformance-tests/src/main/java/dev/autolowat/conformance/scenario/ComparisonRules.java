package dev.autolowat.conformance.scenario;

import java.util.Set;

/**
 * What {@link TraceComparison} compares and how — the part of a property's regime that filters
 * observations rather than scenarios.
 *
 * @param comparedOps        the ops of the invocation logs that are compared: 5 and 21 by default,
 *                           the ops the simulator runs on the accepted socket (semantics.md H6); a
 *                           kernel also runs e.g. op 10 STATE_CB once a program set its flag
 * @param relativeSeq        compare op-21 {@code seq}/{@code end_seq} relative to the stream's first
 *                           byte (each backend picks its own ISN)
 * @param compareProgramView compare what the program wrote into its maps ({@link ProgramView})
 * @param compareInvocations compare the observations' invocation logs; off when a kernel is compared
 *                           on a program that does not log itself (the simulator logs every dispatch,
 *                           a kernel's log is what the program writes: the reference policy writes none)
 */
public record ComparisonRules(Set<Integer> comparedOps, boolean relativeSeq, boolean compareProgramView,
                              boolean compareInvocations) {
    /** Ops 5 and 21, relative sequence numbers, program views and invocation logs compared. */
    public static final ComparisonRules DEFAULT = new ComparisonRules(Set.of(5, 21), true, true, true);

    public ComparisonRules {
        comparedOps = Set.copyOf(comparedOps);
    }

    /**
     * The rules for comparing the simulator with a backend that is not a simulator on {@code scenario}:
     * {@link #DEFAULT}, without invocation logs when the scenario's program does not log itself.
     */
    public static ComparisonRules forKernel(Scenario scenario) {
        boolean logs = scenario.program().logsItself() || !scenario.hasSockOpsProgram();
        return new ComparisonRules(DEFAULT.comparedOps, true, true, logs);
    }
}
