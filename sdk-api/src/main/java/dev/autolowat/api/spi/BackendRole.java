package dev.autolowat.api.spi;

/**
 * What a backend is to a conformance suite, which compares every backend with a model of the
 * contract step by step (SEMANTICS.md "What agree means").
 */
public enum BackendRole {
    /**
     * An executable model of the contract (the simulator): the reference other backends are compared
     * with, never compared with itself. {@link Backend#referenceModel()} is the backend itself.
     */
    REFERENCE_MODEL,
    /**
     * A reference model with faults injected on purpose (a test-only mutant): it claims the model's
     * capabilities and is compared with {@link Backend#referenceModel()} like any other backend, so
     * that a suite can show it catches the fault.
     */
    MUTANT,
    /** An implementation under test (a kernel): the suite configures a model as its machine. */
    IMPLEMENTATION
}
