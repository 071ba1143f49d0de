/**
 * Trace files and their runner: the series' selftest trace format ({@code spec/selftest-traces.json},
 * rule A6), extended with the peer's FIN, SO_RCVBUF, recv results and expectations about wakeups,
 * readiness and the RCVQ flag, with u32 frame lengths. {@link dev.autolowat.testkit.trace.TraceFile} reads
 * a file (a problem is one line: file, line, column, what), {@link dev.autolowat.testkit.trace.TraceRunner}
 * runs a case on any backend with any policy and reports every step against its expectation.
 * The command line runs them too: {@code autolowat trace FILE.json}. Format: docs/traces.md.
 */
package dev.autolowat.testkit.trace;
