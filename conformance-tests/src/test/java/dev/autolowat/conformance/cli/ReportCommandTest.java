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
        assertTrue(r.out().lines().anyMatch(l -> l.matches("A1\\s+agree\\s+frame = .*")), "one row per rule: " + r.out());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("A1\\s+Java handler ↔ bytecode \\(sim\\)\\s+agree\\s+\\d+ ms")),
                "a progress line per check, on stderr: " + r.err());
        assertFalse(r.out().contains(" ms"), "progress is not repeated on stdout: " + r.out());
        List<Integer> statusColumns = r.err().lines().filter(l -> l.endsWith(" ms"))
                .map(l -> l.indexOf(" agree ") >= 0 ? l.indexOf(" agree ") : l.indexOf(" not supported")).distinct().toList();
        assertEquals(1, statusColumns.size(), "the status column lines up whatever the pair name: " + r.err());

        JsonNode root = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals("sim", root.get("backends").get(0).asText());
        JsonNode run = root.get("run");
        for (String field : List.of("time", "host", "kernel", "java", "sdk", "commit", "millis")) {
            assertTrue(run.hasNonNull(field), "run metadata has " + field + ": " + run);
        }
        assertEquals(3, run.get("options").get("tries").asInt(), run.toString());
        assertEquals("7", run.get("options").get("seed").asText(), run.toString());
        List<String> ids = new ArrayList<>();
        root.get("rules").forEach(n -> ids.add(n.get("id").asText()));
        assertEquals(Stream.of(Rule.values()).map(Rule::name).toList(), ids);
        assertEquals(20, ids.size());
        assertEquals(0, root.get("totals").get("differs").asInt());
        for (JsonNode rule : root.get("rules")) {
            for (JsonNode c : rule.get("checks")) {
                assertEquals("PASSED", c.get("status").asText(), c.toString());
                assertEquals("agree", c.get("cell").asText(), c.toString());
                assertTrue(c.get("seed").isNumber() && c.get("tries").asInt() > 0, "seed and tries per check: " + c);
            }
        }
        assertEquals(6, root.get("totals").get("agree").asInt(), "A1–A6 on the pair inside the simulator");

        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<table id=\"report\">"), html);
        assertTrue(html.contains("<th>Java handler ↔ bytecode (sim)</th>"), html);
        assertTrue(html.contains("<td class=\"agree\">agree<br><small>"), html);
        assertTrue(html.contains("<div class=\"regime\">regime: "), "the regime is shown, not only a tooltip");
        assertTrue(html.contains("<table class=\"run\" id=\"run\">") && html.contains("<th>kernel</th>"), "run metadata");
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
        assertFalse((r.out() + r.err()).lines().anyMatch(l -> l.matches("H1\\s+sim ↔ .*\\d+ ms")), "--quiet: no progress lines");
        assertEquals("", r.err(), "--quiet: nothing on stderr");
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

    /** The C reference policy, from the module's directory (as the other CLI tests name example objects). */
    private static final String C_POLICY = "../examples/bpf/autolowat_policy.o";

    @Test
    @DisplayName("report --policy FILE.o: the object runs A1–A6 in the simulator against the Java handler; "
            + "a kernel side is never counted as agreeing without running")
    void policyObject(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("report", "--policy", C_POLICY, "--backends", "sim", "--tries", "5", "--seed", "3",
                "--output-dir", dir.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("Java handler ↔ autolowat_policy.o (sim)"), r.out());
        assertTrue(r.out().contains("policy " + C_POLICY), "the header names the object: " + r.out());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        List<String> ids = new ArrayList<>();
        root.get("rules").forEach(n -> ids.add(n.get("id").asText()));
        assertEquals(List.of("A1", "A2", "A3", "A4", "A5", "A6"), ids, "only the rules that attach a policy");
        assertEquals(6, root.get("totals").get("agree").asInt(), root.toString());
        assertEquals(C_POLICY, root.get("run").get("options").get("policy").asText());
    }

    @Test
    @DisplayName("report --policy FILE.o against a broken backend: the object on both sides, exit 1, the shrunk "
            + "scenario of the difference saved")
    void policyObjectDiffers(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("report", "--policy", C_POLICY, "--backends", "sim+hook_after_wakeup", "--rules", "A4",
                "--tries", "50", "--seed", "1", "--quiet", "--output-dir", dir.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("A4 sim ↔ sim+hook_after_wakeup: differs (step "), r.out());
        List<Path> saved;
        try (Stream<Path> files = Files.list(dir)) {
            saved = files.filter(p -> p.toString().endsWith(Corpus.EXTENSION)).toList();
        }
        assertEquals(1, saved.size(), "the shrunk scenario: " + r.out());
        Scenario s = Corpus.load(saved.get(0));
        assertTrue(s.steps().size() <= 6, s.toText());
    }

    @Test
    @DisplayName("report --policy FILE.o on the running kernel: without the series its side is 'not supported by "
            + "this kernel', never agree")
    void policyObjectOnThisKernel(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.autolowat.conformance.scenario.Backends.discover().stream()
                .anyMatch(b -> b.name().equals("native")), "the native backend is on the class path");
        CliRun r = CliRun.of("report", "--policy", C_POLICY, "--backends", "native", "--rules", "A4", "--tries", "2",
                "--output-dir", dir.toString());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        JsonNode check = root.get("rules").get(0).get("checks").get(0);
        assertEquals("sim ↔ native", check.get("pair").asText(), check.toString());
        boolean series = new dev.autolowat.kernel.NativeBackend().capabilities().kernelHasSeries();
        if (!series) {
            assertEquals("NOT_SUPPORTED", check.get("status").asText(), check.toString());
            assertTrue(check.get("reason").asText().startsWith("not supported by this kernel"), check.toString());
            assertEquals(0, r.exit(), r.out() + r.err());
        } else {
            assertTrue(check.get("status").asText().equals("PASSED") || check.get("status").asText().equals("NOT_SUPPORTED"),
                    "the object agrees with the simulator on this kernel: " + check);
        }
    }

    @Test
    @DisplayName("scenario files an earlier report saved are removed before the run; files saved by hand stay")
    void staleScenariosAreRemoved(@TempDir Path dir) throws Exception {
        Path stale = dir.resolve("H1-sim-vs-old.scenario");
        Files.writeString(stale, "# H1 ...: FAILED\n# " + ReportCommand.REPORT_MARK + ", seed 1; ...\nconnect ipv4\n");
        Path mine = dir.resolve("mine.scenario");
        Files.writeString(mine, "# written by hand\nconnect ipv4\n");
        CliRun r = CliRun.of("report", "--backends", "sim", "--rules", "A1", "--tries", "1", "--output-dir", dir.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertFalse(Files.exists(stale), "the earlier run's scenario is gone");
        assertTrue(Files.exists(mine), "a scenario saved by hand stays");
        assertTrue(r.err().contains("removed 1 scenario file of an earlier run"), r.err());
    }

    @Test
    @DisplayName("the report on every backend found: at most 40 lines on stdout, each 'not supported' reason stated once")
    void fitsOnOneScreen(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("report", "--tries", "1", "--output-dir", dir.toString());
        assertTrue(r.exit() == 0 || r.exit() == 1, r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.size() <= 40, lines.size() + " lines:\n" + r.out());
        assertFalse(r.out().contains("not supported: not supported"), r.out());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        for (JsonNode pair : root.get("notSupported")) {
            for (JsonNode reason : pair.get("reasons")) {
                String text = reason.asText();
                int at = r.out().indexOf(text);
                assertTrue(at >= 0 && r.out().indexOf(text, at + 1) < 0, "stated once: " + text + "\n" + r.out());
            }
        }
        for (JsonNode rule : root.get("rules")) {
            for (JsonNode c : rule.get("checks")) {
                if (c.get("status").asText().equals("NOT_SUPPORTED")) {
                    assertEquals("not supported", c.get("cell").asText(), "the JSON cell does not repeat the reason");
                    String row = lines.stream().filter(l -> l.startsWith(rule.get("id").asText() + " ")).findFirst()
                            .orElseThrow();
                    assertTrue(row.contains("not supported (see above)") || row.matches(".*not supported \\[\\d+].*"), row);
                }
            }
        }
    }

    @Test
    @DisplayName("an unusable --output-dir is refused before any check runs, with the system's reason")
    void outputDirCheckedFirst(@TempDir Path dir) throws Exception {
        CliRun proc = CliRun.of("report", "--backends", "sim", "--output-dir", "/proc/autolowat-no/such");
        assertEquals(2, proc.exit());
        assertEquals(1, proc.err().lines().count(), proc.err());
        assertTrue(proc.err().contains("/proc/autolowat-no/such") && proc.err().contains("No such file or directory"),
                proc.err());
        assertEquals("", proc.out(), "nothing ran");
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        CliRun notDir = CliRun.of("report", "--backends", "sim", "--output-dir", file.resolve("sub").toString());
        assertEquals(2, notDir.exit());
        assertEquals(1, notDir.err().lines().count(), notDir.err());
        assertTrue(notDir.err().contains("cannot create it"), notDir.err());
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
        CliRun notPolicy = CliRun.of("report", "--policy", C_POLICY, "--rules", "K1", "--output-dir", dir.toString());
        assertEquals(2, notPolicy.exit());
        assertTrue(notPolicy.err().contains("rule K1 attaches no policy"), notPolicy.err());
        CliRun noSockops = CliRun.of("report", "--policy", "src/test/resources/objects/sk_msg_only.o", "--output-dir", dir.toString());
        assertEquals(2, noSockops.exit(), noSockops.err());
        assertEquals(1, noSockops.err().lines().count(), noSockops.err());
    }
}
