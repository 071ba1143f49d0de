package dev.autolowat.conformance.scenario;

/**
 * A property's failure on one scenario: two traces that should agree do not (or a trace broke an
 * oracle). Carries what a report needs: the scenario, the pair, the first unexplained difference and
 * both traces.
 */
public final class Disagreement extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final transient Scenario scenario;
    private final String pair;
    private final transient Difference first;
    private final transient Trace reference;
    private final transient Trace other;

    public Disagreement(Scenario scenario, String pair, Difference first, Verdict verdict, Trace reference, Trace other) {
        super(pair + " disagree" + (first != null ? " at " + first : "") + "\n" + (verdict != null ? verdict.describe() : "")
                + "scenario:\n" + scenario.toText() + sideBySide(reference, other, first));
        this.scenario = scenario;
        this.pair = pair;
        this.first = first;
        this.reference = reference;
        this.other = other;
    }

    public Scenario scenario() {
        return scenario;
    }

    public String pair() {
        return pair;
    }

    /** The first unexplained difference, or {@code null} when an oracle (not a comparison) failed. */
    public Difference first() {
        return first;
    }

    public Trace reference() {
        return reference;
    }

    public Trace other() {
        return other;
    }

    /** Both traces step by step up to (and including) the first difference's step. */
    static String sideBySide(Trace a, Trace b, Difference first) {
        if (a == null || b == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("step by step:\n");
        int last = first == null ? Math.max(a.steps().size(), b.steps().size()) - 1 : first.step();
        for (int i = 0; i <= last; i++) {
            StepRecord ra = i < a.steps().size() ? a.steps().get(i) : null;
            StepRecord rb = i < b.steps().size() ? b.steps().get(i) : null;
            sb.append("  ").append(a.backend()).append(' ').append(ra).append('\n');
            sb.append("  ").append(b.backend()).append(' ').append(rb).append('\n');
        }
        return sb.toString();
    }
}
