package dev.autolowat.conformance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code autolowat probe}: a report a user can print, as text and as JSON. */
class ProbeCommandTest {

    private static String run(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    @Test
    @DisplayName("F1/K1: the probe report names the RCVQ flag, the op and the kfunc, each with a status and a reason")
    void textReport() {
        String text = run("probe");
        assertTrue(text.contains("RCVQ callback flag 0x80 (F1)"), text);
        assertTrue(text.contains("kfunc bpf_sock_ops_tcp_set_rcvlowat"), text);
        assertTrue(text.lines().skip(1).filter(l -> !l.isBlank())
                .allMatch(l -> l.matches("\\s+(supported|not supported|error)\\s+.*: .+")), text);
    }

    @Test
    @DisplayName("the JSON report parses and lists every feature with a status")
    void jsonReport() throws Exception {
        JsonNode root = new ObjectMapper().readTree(run("probe", "--json"));
        assertTrue(root.get("features").size() >= 20, root.toString());
        for (JsonNode f : root.get("features")) {
            assertTrue(f.get("status").asText().matches("supported|not supported|error"), f.toString());
            assertTrue(!f.get("reason").asText().isBlank(), f.toString());
        }
    }
}
