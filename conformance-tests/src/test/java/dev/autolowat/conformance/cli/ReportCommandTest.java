package dev.autolowat.conformance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autolowat.api.Rule;
import dev.autolowat.conformance.scenario.Corpus;
import dev.autolowat.conformance.scenario.Scenario;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code autolowat report}: the conformance report on the terminal, as JSON and as HTML. */
class ReportCommandTest {
    @Test
    @DisplayName("on the simulator only: exit 0, report.json lists all 20 rules, report.html holds the table")
    void simulatorOnly(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("report", "--backends", "sim", "--tries", "3", "--seed", "7", "--output-dir", dir.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("Java handler ↔ bytecode (sim)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("A1\\s+Java handler ↔ bytecode \\(sim\\)\\s+agree\\s+\\d+ ms")),
                "a progress line per check: " + r.out());

        JsonNode root = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals("sim", root.get("backends").get(0).asText());
        List<String> ids = new ArrayList<>();
        root.get("rules").forEach(n -> ids.add(n.get("id").asText()));
        assertEquals(Stream.of(Rule.values()).map(Rule::name).toList(), ids);
        assertEquals(20, ids.size());
        assertEquals(0, root.get("totals").get("differs").asInt());
        for (JsonNode rule : root.get("rules")) {
            for (JsonNode c : rule.get("checks")) {
                assertEquals("PASSED", c.get("status").asText(), c.toString());
                assertEquals("agree", c.get("cell").asText(), c.toString());
            }
        }
        assertEquals(6, root.get("totals").get("agree").asInt(), "A1–A6 on the pair inside the simulator");

        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<table id=\"report\">"), html);
        assertTrue(html.contains("<th>Java handler ↔ bytecode (sim)</th>"), html);
        assertTrue(html.contains("<td class=\"agree\">agree</td>"), html);
        assertFalse(html.contains("<link") || html.contains("<script") || html.contains("src=\""), "self-contained");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(Corpus.EXTENSION)), "nothing failed, nothing saved");
        }
    }

    @Test
    @DisplayName("a broken backend (sim+hook_after_wakeup): exit 1, a 'differs' cell, the shrunk scenario saved and replayable")
    void mutantDiffers(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("report", "--backends", "sim+hook_after_wakeup", "--rules", "H1,A4", "--tries", "50", "--seed", "1",
                "--quiet", "--output-dir", dir.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("differs (step "), r.out());
        assertFalse(r.out().lines().anyMatch(l -> l.matches("H1\\s+sim ↔ .*\\d+ ms")), "--quiet: no progress lines");
        JsonNode root = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertTrue(root.get("totals").get("differs").asInt() >= 1, root.toString());
        List<Path> saved;
        try (Stream<Path> files = Files.list(dir)) {
            saved = files.filter(p -> p.toString().endsWith(Corpus.EXTENSION)).toList();
        }
        assertFalse(saved.isEmpty(), "the shrunk scenario of each failed check is saved");
        for (Path p : saved) {
            Scenario s = Corpus.load(p);
            assertTrue(s.steps().size() <= 6, s.toText());
        }
        assertTrue(Files.readString(dir.resolve("report.html")).contains("<td class=\"differs\">"));
    }

    @Test
    @DisplayName("bad options exit 2: an unknown backend, an unknown rule, a non-numeric --tries")
    void badOptions(@TempDir Path dir) {
        CliRun backend = CliRun.of("report", "--backends", "nosuch", "--output-dir", dir.toString());
        assertEquals(2, backend.exit());
        assertTrue(backend.err().contains("unknown backend 'nosuch'"), backend.err());
        CliRun rule = CliRun.of("report", "--backends", "sim", "--rules", "Z9", "--output-dir", dir.toString());
        assertEquals(2, rule.exit());
        assertTrue(rule.err().contains("unknown rule 'Z9'"), rule.err());
        assertEquals(2, CliRun.of("report", "--tries", "many", "--output-dir", dir.toString()).exit());
        assertEquals(2, CliRun.of("report", "--no-such-option").exit());
    }
}
