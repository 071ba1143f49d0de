package dev.autolowat.conformance.scenario;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a backend did with a scenario: one {@link StepRecord} for the connect and one per step (fewer
 * when a step threw: the trace ends at the error).
 *
 * @param backend  the backend's name
 * @param scenario the scenario
 * @param steps    the records, connect first
 */
public record Trace(String backend, Scenario scenario, List<StepRecord> steps) {
    public Trace {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(scenario, "scenario");
        steps = List.copyOf(steps);
    }

    /** Whether every step ran (no error). */
    public boolean complete() {
        return steps.size() == scenario.steps().size() + 1 && steps.stream().noneMatch(s -> s.error() != null);
    }

    /** One line per step. */
    public String describe() {
        return backend + ":\n" + steps.stream().map(s -> "  " + s).collect(Collectors.joining("\n"));
    }
}
