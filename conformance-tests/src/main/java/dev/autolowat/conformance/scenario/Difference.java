package dev.autolowat.conformance.scenario;

/**
 * One field that differs between two traces of the same scenario at one step.
 *
 * @param step     the step index (0 = connect)
 * @param stepText the step's text ({@code connect}, {@code recv 100 nonblock}...)
 * @param field    the field ({@code result}, {@code rcvLowat}, {@code rcvBuf}, {@code readable},
 *                 {@code edgeWakeups}, {@code cbFlags}, {@code queuedBytes}, {@code invocations},
 *                 {@code inv_log}, {@code rets[i]}, {@code enableState}, {@code error}, {@code step})
 * @param a        the first trace's value (the simulator's, in a sim-vs-backend comparison), one word
 * @param b        the second trace's value, one word
 */
public record Difference(int step, String stepText, String field, String a, String b) {
    @Override
    public String toString() {
        return "step " + step + " (" + stepText + ") " + field + ": " + a + " vs " + b;
    }
}
