package dev.autolowat.jmh.results;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The results page command on temp files, simulator only and without JMH (both are slow and covered
 * elsewhere): the page keeps its hand-written text, gets the machine, the 1..8-segment table and the chart
 * link; the chart is well-formed SVG.
 */
class ResultsPageTest {
    @Test
    @DisplayName("--no-jmh --no-native on a temp page: hand-written text kept; machine, table, chart written")
    void writesThePageAroundHandWrittenText(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("docs/performance.md");
        Files.createDirectories(page.getParent());
        String hand = "# Performance\n\nHand-written explanation.\n";
        Files.writeString(page, hand);
        Path svg = dir.resolve("docs/chart.svg");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int rc = ResultsPage.run(new String[] {"--no-jmh", "--no-native", "--frames", "2", "--page", page.toString(),
            "--svg", svg.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        String text = Files.readString(page);
        assertTrue(text.startsWith(hand), text);
        assertTrue(text.contains("- `uname -r`: ") && text.contains("- `nproc`: ") && text.contains("`java -version`"), text);
        assertTrue(text.contains("JMH: not run (--no-jmh)"), text);
        assertTrue(text.contains("- load average (1, 5, 15 min, `/proc/loadavg`): "), text);
        assertTrue(!text.contains("Warning: the machine was busy"), "no JMH times, no warning about them: " + text);
        assertTrue(text.contains("| 64 KiB | 8 | static lowat |"), "every segment count 1..8: " + text);
        assertTrue(text.contains("**Agreement:** not measured (native backend not run)."), text);
        assertTrue(text.contains("](chart.svg)"), "the chart is linked relative to the page: " + text);
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
    }

    @Test
    @DisplayName("a 1-minute load above the processors counts as busy (the page then warns that JMH times are unreliable)")
    void busyMeansLoadAboveProcessors() {
        MachineDescription m = new MachineDescription("d", "2", "cpu", "java", "kernel", true, "r", "m", "0.5 0.5 0.5");
        assertTrue(m.busy("2.50 1.00 0.50"));
        assertTrue(!m.busy("1.99 3.00 3.00"), "only the 1-minute average counts");
        assertTrue(!m.busy("unavailable: no /proc"), "an unreadable load is not a warning");
    }

    @Test
    @DisplayName("bad arguments: exit status 2 and a message naming the option, nothing written")
    void badArguments(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("performance.md");
        for (String[] args : new String[][] {{"--frames", "0"}, {"--frames", "x"}, {"--bogus"}, {"--page"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] all = new String[args.length + 4];
            all[0] = "--page";
            all[1] = page.toString();
            all[2] = "--svg";
            all[3] = dir.resolve("chart.svg").toString();
            System.arraycopy(args, 0, all, 4, args.length);
            int rc = ResultsPage.run(all, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, rc, String.join(" ", args));
            String message = err.toString(StandardCharsets.UTF_8);
            assertTrue(message.contains(args[0]) && message.contains("usage:"), message);
        }
        assertTrue(!Files.exists(page) && !Files.exists(dir.resolve("chart.svg")), "nothing written");
    }
}
