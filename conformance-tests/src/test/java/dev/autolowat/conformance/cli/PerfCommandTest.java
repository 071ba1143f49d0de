package dev.autolowat.conformance.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerfCommandTest {
    @Test
    @DisplayName("perf on the simulator: the table with its sim = native column, and an SVG chart where --svg says")
    void simulatorOnlyWritesAnSvgChart(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("sub/chart.svg");
        CliRun r = CliRun.of("perf", "--no-native", "--frames", "2", "--svg", svg.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| sim = native |"), r.out());
        assertTrue(r.out().contains("chart: " + svg), r.out());
        String text = Files.readString(svg);
        assertTrue(text.startsWith("<svg") && text.strip().endsWith("</svg>"), text);
        assertTrue(text.contains("wakeups per frame") && text.contains("recv calls per frame"), text);
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
    }

    @Test
    @DisplayName("perf writes under reports/ by default and rewrites docs/ only with --update-docs")
    void defaultsStayOutOfDocs() {
        assertTrue(PerfCommand.DEFAULT_SVG.startsWith("reports/"), PerfCommand.DEFAULT_SVG);
        // Run from a directory without docs/performance.md (the module's directory in a test run):
        // --update-docs is refused before any work, and no ./docs is created.
        CliRun r = CliRun.of("perf", "--no-native", "--update-docs");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("run it from the repository root"), r.err());
        assertTrue(!Files.exists(Path.of("docs")) || Files.isRegularFile(Path.of("docs", "performance.md")));
    }
}
