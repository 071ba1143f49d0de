package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;

import java.util.Map;

/**
 * What running one {@link RuleCheck} (a rule × a differential pair) found.
 *
 * @param rule            the rule
 * @param pair            the pair ({@code sim ↔ native}, {@code Java handler ↔ bytecode (sim)})
 * @param status          passed, failed, or not supported (never counted as a pass)
 * @param reason          why it is not supported ("not supported by this kernel: ..."), or {@code null}
 * @param tries           scenarios checked (examples and generated; a failing one included)
 * @param skipped         scenarios the backend could not run (e.g. MPTCP unavailable)
 * @param seed            the seed of the generated part ({@code -Dautolowat.seed} reruns it)
 * @param shrunk          the shrunk failing scenario, or {@code null}
 * @param original        the first failing scenario as generated, or {@code null}
 * @param firstDifference the first unexplained difference of the shrunk scenario, or {@code null}
 *                        (also when an oracle or an exception failed it: see {@code failure})
 * @param failure         the failure's message on the shrunk scenario, or {@code null}
 * @param documented      documented differences seen (id and reason → how many times)
 * @param millis          wall time of the run
 */
public record CheckOutcome(Rule rule, String pair, Status status, String reason, int tries, int skipped, long seed,
                           Scenario shrunk, Scenario original, Difference firstDifference, String failure,
                           Map<String, Integer> documented, long millis) {
    /** The result of a check. */
    public enum Status {
        PASSED,
        FAILED,
        /** The pair cannot run the rule here: a report shows the reason, never a pass. */
        NOT_SUPPORTED
    }

    public CheckOutcome {
        documented = Map.copyOf(documented);
    }

    /** One line for a report. */
    public String summary() {
        return switch (status) {
            case PASSED -> rule + " " + pair + ": passed, " + tries + " scenarios" + (skipped > 0 ? " (" + skipped
                    + " not runnable)" : "") + (documented.isEmpty() ? "" : ", documented differences " + documented.values()
                    .stream().mapToInt(Integer::intValue).sum());
            case NOT_SUPPORTED -> rule + " " + pair + ": " + reason;
            case FAILED -> rule + " " + pair + ": FAILED after " + tries + " scenarios"
                    + (firstDifference != null ? " — first difference " + firstDifference : "");
        };
    }
}
