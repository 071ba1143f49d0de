/**
 * The conformance suite (scenarios, one property per rule, the report) and the {@code autolowat}
 * command line. The CLI's jar runs from the class path; this descriptor keeps the suite to the
 * backends' exported API (docs/architecture.md, D24).
 */
module dev.autolowat.conformance {
    requires dev.autolowat.sim;
    requires dev.autolowat.kernel;
    requires dev.autolowat.testkit.trace;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;

    exports dev.autolowat.conformance.cli;
    exports dev.autolowat.conformance.oracle;
    exports dev.autolowat.conformance.scenario;
    exports dev.autolowat.conformance.workload;

    // picocli reads the commands' annotated fields and methods by reflection.
    opens dev.autolowat.conformance.cli to info.picocli;
}
