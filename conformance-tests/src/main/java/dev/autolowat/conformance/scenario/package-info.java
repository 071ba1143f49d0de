/**
 * The conformance suite's core: scenarios, their execution on any backend, step-by-step comparison, one
 * property per rule of SEMANTICS.md, and the regression corpus (docs/conformance.md, "Scenarios and
 * properties").
 *
 * <ul>
 *   <li><b>Scenarios</b> — {@link dev.autolowat.conformance.scenario.Scenario}: a connection (family,
 *       MPTCP), a program ({@link dev.autolowat.conformance.scenario.ProgramSpec}), a byte stream and
 *       {@link dev.autolowat.conformance.scenario.Step}s, with a text form
 *       ({@link dev.autolowat.conformance.scenario.ScenarioText}) that round-trips.</li>
 *   <li><b>Running</b> — {@link dev.autolowat.conformance.scenario.ScenarioRunner} gives a
 *       {@link dev.autolowat.conformance.scenario.Trace} (per step: result and observation);
 *       {@link dev.autolowat.conformance.scenario.TraceComparison} finds the first differing step and
 *       field under {@link dev.autolowat.conformance.scenario.ComparisonRules};
 *       {@link dev.autolowat.conformance.scenario.Verdict} separates documented differences
 *       ({@link dev.autolowat.conformance.scenario.KnownDifferences},
 *       {@link dev.autolowat.conformance.scenario.Expectation}) from disagreements.</li>
 *   <li><b>Differential pairs</b> — {@link dev.autolowat.conformance.scenario.Differential}: the simulator
 *       as a backend's machine against that backend, and the reference policy's Java handler against its
 *       bytecode inside the simulator.</li>
 *   <li><b>Properties</b> — {@link dev.autolowat.conformance.scenario.RuleProperties} (one
 *       {@link dev.autolowat.conformance.scenario.RuleProperty} per rule: generators and regime),
 *       {@link dev.autolowat.conformance.scenario.RuleCheck} (a rule on one pair, giving a
 *       {@link dev.autolowat.conformance.scenario.CheckOutcome} with the shrunk scenario and first
 *       difference), {@link dev.autolowat.conformance.scenario.ConformanceSuite} (every rule × every
 *       pair over the discovered backends).</li>
 *   <li><b>Corpus</b> — {@link dev.autolowat.conformance.scenario.Corpus}: scenario files, replayed by
 *       the tests on every run.</li>
 * </ul>
 */
package dev.autolowat.conformance.scenario;
