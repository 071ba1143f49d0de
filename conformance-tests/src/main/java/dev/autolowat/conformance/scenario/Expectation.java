package dev.autolowat.conformance.scenario;

import java.util.Objects;

/**
 * A documented disagreement a scenario file expects between the simulator and another backend:
 * {@code expect native step 6 queuedBytes sim=30 native=31 because <reason>}. Replaying the file
 * checks that the difference happens with exactly these values (a documented difference that stops
 * happening fails: the documentation is out of date) and that nothing else differs. With
 * {@code onward} every later difference of the scenario on that backend is accepted as a consequence
 * of this one ({@code expect native step 0 rcvLowat sim=100 native=1 onward because ...}). With
 * {@code sometimes} the difference need not happen: a kernel shows it depending on timing (it is
 * still accepted only with exactly these values, and {@code onward} then applies only when it did).
 * For the pair inside the simulator the backend is {@code bytecode} and {@code sim=} is the Java
 * handler's value.
 *
 * @param backend    the other backend's name ({@code native})
 * @param step       the step index (0 = connect, i = the i-th step)
 * @param field      the observed field ({@link TraceComparison} field names)
 * @param simValue   the simulator's value, as {@link Difference} renders it
 * @param otherValue the other backend's value
 * @param onward     whether later differences are this one's consequences
 * @param sometimes  whether the difference may not happen (timing on a kernel)
 * @param reason     why (a sentence, shown in reports)
 */
public record Expectation(String backend, int step, String field, String simValue, String otherValue,
                          boolean onward, boolean sometimes, String reason) {
    /** A required expectation ({@code sometimes} false). */
    public Expectation(String backend, int step, String field, String simValue, String otherValue, boolean onward,
                       String reason) {
        this(backend, step, field, simValue, otherValue, onward, false, reason);
    }

    public Expectation {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(simValue, "simValue");
        Objects.requireNonNull(otherValue, "otherValue");
        Objects.requireNonNull(reason, "reason");
        if (step < 0) {
            throw new IllegalArgumentException("step index must not be negative, got " + step);
        }
        for (String s : new String[] {backend, field, simValue, otherValue}) {
            if (s.isEmpty() || s.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("backend, field and values of an expectation are single words, got '"
                        + s + "'");
            }
        }
        if (reason.isBlank() || reason.contains("\n")) {
            throw new IllegalArgumentException("an expectation needs a one-line reason");
        }
    }

    /** Whether {@code d}, found against backend {@code other}, is exactly this expectation. */
    public boolean matches(String other, Difference d) {
        return backend.equals(other) && d.step() == step && d.field().equals(field) && d.a().equals(simValue)
                && d.b().equals(otherValue);
    }

    /**
     * Whether {@code d} is covered, given all the differences found: it matches, or it comes at or after
     * an {@code onward} expectation's step (for a {@code sometimes} one: only when it happened).
     */
    public boolean covers(String other, Difference d, java.util.List<Difference> all) {
        if (matches(other, d)) {
            return true;
        }
        if (!onward || !backend.equals(other) || d.step() < step) {
            return false;
        }
        return !sometimes || all.stream().anyMatch(x -> matches(other, x));
    }

    public String toText() {
        return "expect " + backend + " step " + step + " " + field + " sim=" + simValue + " " + backend + "="
                + otherValue + (onward ? " onward" : "") + (sometimes ? " sometimes" : "") + " because " + reason;
    }
}
