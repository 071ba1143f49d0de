package dev.autolowat.api;

import java.util.Optional;

/**
 * Base of the SDK's exceptions. Messages say what is wrong and what to do about it.
 * Kernel-level failures of a program's helper calls are not exceptions: they are
 * {@code -errno} return values, as in the kernel.
 */
public class AutoLowatException extends RuntimeException {
    public AutoLowatException(String message) {
        super(message);
    }

    public AutoLowatException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What lacks the feature when this exception means "the backend, here, cannot do what was asked"
     * rather than "the request is wrong": {@code kernel} for a kernel without what a program needs (the
     * AutoLOWAT series: rules K1, H1, H2, A1–A6), {@code machine} for what the machine does not offer
     * (MPTCP, an address family). Reports and tests then say "not supported by this kernel/machine",
     * never passed or failed (README, "Honest tests"). Empty by default: an ordinary error. Backend
     * exceptions override it, so callers need no backend's exception types (docs/architecture.md, the SPI).
     */
    public Optional<String> unsupportedBy() {
        return Optional.empty();
    }
}
