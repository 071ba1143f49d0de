package dev.autolowat.conformance.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link TraceComparison} judged: which differences are documented (with the reason) and which are
 * not. Properties use {@link #withKnown} (the general {@link KnownDifferences}); corpus files use
 * {@link #withExpectations} (their own {@link Expectation}s, each of which must happen);
 * comparisons inside the simulator use {@link #strict} (nothing is documented there).
 *
 * @param unexplained differences nothing documents: disagreements
 * @param documented  documented differences, with their reason
 * @param missing     expectations that did not happen (the documentation is out of date)
 */
public record Verdict(List<Difference> unexplained, Map<Difference, String> documented, List<Expectation> missing) {
    public Verdict {
        unexplained = List.copyOf(unexplained);
        documented = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(documented));
        missing = List.copyOf(missing);
    }

    /** Every difference counts. */
    public static Verdict strict(TraceComparison c) {
        return new Verdict(c.differences(), Map.of(), List.of());
    }

    /** Differences {@link KnownDifferences} explains for backend {@code backend} are documented. */
    public static Verdict withKnown(Scenario s, String backend, TraceComparison c) {
        List<Difference> unexplained = new ArrayList<>();
        Map<Difference, String> documented = new LinkedHashMap<>();
        for (Difference d : c.differences()) {
            Optional<KnownDifferences.Known> k = KnownDifferences.explain(s, backend, d);
            if (k.isPresent()) {
                documented.put(d, k.get().id() + ": " + k.get().reason());
            } else {
                unexplained.add(d);
            }
        }
        return new Verdict(unexplained, documented, List.of());
    }

    /**
     * The scenario's {@link Expectation}s for backend {@code backend} must each happen exactly; they
     * (and, with {@code onward}, what follows them) are documented; anything else is unexplained.
     */
    public static Verdict withExpectations(Scenario s, String backend, TraceComparison c) {
        List<Expectation> mine = s.expectations().stream().filter(e -> e.backend().equals(backend)).toList();
        List<Difference> unexplained = new ArrayList<>();
        Map<Difference, String> documented = new LinkedHashMap<>();
        for (Difference d : c.differences()) {
            Optional<Expectation> e = mine.stream().filter(x -> x.covers(backend, d, c.differences())).findFirst();
            if (e.isPresent()) {
                documented.put(d, e.get().reason());
            } else {
                unexplained.add(d);
            }
        }
        List<Expectation> missing = mine.stream().filter(e -> !e.sometimes())
                .filter(e -> c.differences().stream().noneMatch(d -> e.matches(backend, d))).toList();
        return new Verdict(unexplained, documented, missing);
    }

    /** No unexplained difference and no missing expectation. */
    public boolean ok() {
        return unexplained.isEmpty() && missing.isEmpty();
    }

    /** The first unexplained difference. */
    public Optional<Difference> firstUnexplained() {
        return unexplained.stream().findFirst();
    }

    /** Lines for a failure message. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Difference d : unexplained) {
            sb.append("  DISAGREE ").append(d).append('\n');
        }
        for (Expectation e : missing) {
            sb.append("  EXPECTED BUT DID NOT HAPPEN (update the scenario file and docs): ").append(e.toText()).append('\n');
        }
        documented.forEach((d, why) -> sb.append("  documented ").append(d).append(" — ").append(why).append('\n'));
        return sb.toString();
    }
}
