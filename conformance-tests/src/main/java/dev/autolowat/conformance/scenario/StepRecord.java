package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Observation;

/**
 * One step of a {@link Trace}: the call's return value and what was observed after it.
 *
 * @param index       0 for the connect, {@code i} for the scenario's i-th step
 * @param step        the step, or {@code null} for the connect
 * @param result      the call's return value (a result or {@code -errno}; 0 for the connect)
 * @param observation the observation of the accepted socket after the call ({@code null} when it failed)
 * @param program     what the program wrote into its maps
 * @param error       an exception the call threw (class and message), or {@code null}; a trace ends
 *                    at its first error
 * @param sentBefore  stream bytes the peer had sent before this step (to relate sequence numbers to
 *                    the stream: {@link TraceComparison} compares them relative to the first byte)
 */
public record StepRecord(int index, Step step, int result, Observation observation, ProgramView program, String error,
                         long sentBefore) {
    /** The step's text ({@code connect} for index 0). */
    public String stepText() {
        return step == null ? "connect" : step.toText();
    }

    @Override
    public String toString() {
        return "#" + index + " " + stepText() + " -> " + result + (error != null ? " ERROR " + error : "") + " " + observation;
    }
}
