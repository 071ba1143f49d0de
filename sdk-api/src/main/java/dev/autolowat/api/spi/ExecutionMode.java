package dev.autolowat.api.spi;

/**
 * How a backend runs bytecode programs, the value of {@link SessionOption#EXECUTION_MODE}.
 * Results are the same in both modes (a program's semantics do not depend on how it runs); the
 * option exists to compare them and to measure each.
 */
public enum ExecutionMode {
    /** Translated to machine (or JVM) code before it runs: the default. */
    JIT,
    /** Interpreted instruction by instruction. */
    INTERPRETER
}
