package dev.autolowat.conformance.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's main job, run in-process. */
class DemoCommandTest {

    @Test
    @DisplayName("demo prints 3.00 wakeups per frame at lowat 1 and 1.00 with the policy, Java handler and bytecode alike")
    void demoPrintsTheComparison() {
        CliRun r = CliRun.of("demo", "--frames", "1000");
        assertEquals(0, r.exit(), r.err());
        String lowat1 = r.out().lines().filter(l -> l.startsWith("lowat 1")).findFirst().orElseThrow();
        assertTrue(lowat1.matches(".*\\s3\\.00\\s+3\\.00\\s+86\\.0"), lowat1);
        for (String form : new String[] {"(Java)", "(bytecode)"}) {
            String policy = r.out().lines().filter(l -> l.startsWith("AutoLOWAT reference policy " + form))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + form + " row in\n" + r.out()));
            assertTrue(policy.matches(".*\\s1\\.00\\s+1\\.00\\s+258\\.0"), policy);
        }
    }

    @Test
    @DisplayName("demo refuses impossible parameters with exit code 2 and a message")
    void demoRejectsBadInput() {
        CliRun r = CliRun.of("demo", "--frame-size", "4");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("descriptor"), r.err());
        CliRun unknown = CliRun.of("demo", "--family", "INET9");
        assertEquals(2, unknown.exit());
    }

    @Test
    @DisplayName("demo --policy FILE.o: the C reference policy compiled by clang wakes once per frame too (A1-A5)")
    void demoRunsAClangObject() {
        CliRun r = CliRun.of("demo", "--frames", "500", "--policy", "../examples/bpf/autolowat_policy.o");
        assertEquals(0, r.exit(), r.err());
        String c = r.out().lines().filter(l -> l.startsWith("autolowat_policy.o (clang object)")).findFirst().orElseThrow();
        assertTrue(c.matches(".*\\s1\\.00\\s+1\\.00\\s+258\\.0"), c);
    }
}
