/**
 * What a policy author adds in test scope: the trace files and their runner over the SPI, and (through
 * {@code requires transitive}) the property runner (docs/decisions.md D23).
 */
module dev.autolowat.testkit.trace {
    requires transitive dev.autolowat.api;
    requires transitive dev.autolowat.testkit;

    exports dev.autolowat.testkit.trace;
}
