package dev.autolowat.conformance.scenario;

/**
 * A backend cannot run a scenario: it lacks a feature the scenario needs (a Java handler, out-of-order
 * delivery, the AutoLOWAT series, MPTCP). The message is the reason a report shows, starting with
 * "not supported by this kernel", "not supported by this backend" or "not supported by this machine"
 * — never a pass.
 */
public final class NotRunnableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotRunnableException(String reason) {
        super(reason);
    }

    public NotRunnableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
