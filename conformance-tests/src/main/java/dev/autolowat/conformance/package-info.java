/**
 * The conformance suite's runnable side: scenarios, rule properties, differential pairs and the
 * regression corpus ({@code scenario}), the property runner they use ({@code prop}), workloads that
 * drive any {@link dev.autolowat.api.spi.Backend} ({@code workload}) and the command line ({@code cli}).
 * The tests run one property per rule on every backend found, and replay the corpus.
 */
package dev.autolowat.conformance;
