/**
 * The conformance suite's runnable side: workloads that drive any {@link dev.autolowat.api.spi.Backend}
 * ({@code workload}) and the command line ({@code cli}). The rule-by-rule conformance report grows
 * here; the properties live in this module's tests.
 */
package dev.autolowat.conformance;
