package dev.autolowat.conformance.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerfCommandTest {
    @Test
    void simulatorOnlyWritesAnSvgChart(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("chart.svg");
        int rc = AutoLowatCli.commandLine().execute("perf", "--no-native", "--frames", "2", "--svg", svg.toString());
        assertEquals(0, rc);
        String text = Files.readString(svg);
        assertTrue(text.startsWith("<svg") && text.strip().endsWith("</svg>"), text);
        assertTrue(text.contains("wakeups per frame") && text.contains("recv calls per frame"), text);
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
    }
}
