package dev.autolowat.jmh.results;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The results page writer touches only its generated section (temp files; never the real docs). */
class GeneratedSectionTest {
    static final String ABOVE = "# Performance\n\nHand-written: why the numbers look like this.\n\n";
    static final String BELOW = "\n## Notes\n\nHand-written, after the generated part.\n";

    @Test
    @DisplayName("a page with markers: the text above and below them is kept byte for byte, only the section changes")
    void replacesOnlyTheGeneratedSection(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("performance.md");
        Files.writeString(page, ABOVE + GeneratedSection.BEGIN + "\nold table\n" + GeneratedSection.END + "\n" + BELOW);

        GeneratedSection.rewrite(page, "new table\n");

        assertEquals(ABOVE + GeneratedSection.BEGIN + "\nnew table\n" + GeneratedSection.END + "\n" + BELOW,
                Files.readString(page));
    }

    @Test
    @DisplayName("running twice gives the same page as running once (the markers are found again, not duplicated)")
    void rewriteIsIdempotent(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("performance.md");
        Files.writeString(page, ABOVE);
        GeneratedSection.rewrite(page, "table");
        String once = Files.readString(page);
        GeneratedSection.rewrite(page, "table");
        assertEquals(once, Files.readString(page));
        assertEquals(1, once.split(GeneratedSection.BEGIN_PREFIX, -1).length - 1, once);
    }

    @Test
    @DisplayName("a page without markers: hand-written text kept, the section appended after a blank line")
    void appendsWhenThereAreNoMarkers(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("performance.md");
        Files.writeString(page, "# Title\ntext");
        GeneratedSection.rewrite(page, "generated");
        assertEquals("# Title\ntext\n\n" + GeneratedSection.BEGIN + "\ngenerated\n" + GeneratedSection.END + "\n",
                Files.readString(page));
    }

    @Test
    @DisplayName("a marker line whose comment text changed is still found by its prefix")
    void findsMarkersByPrefix() {
        String page = ABOVE + GeneratedSection.BEGIN_PREFIX + " (older wording) -->\nold\n"
                + GeneratedSection.END_PREFIX + " -->\n" + BELOW;
        String updated = GeneratedSection.replace(page, "new");
        assertTrue(updated.startsWith(ABOVE) && updated.endsWith(BELOW), updated);
        assertTrue(updated.contains(GeneratedSection.BEGIN + "\nnew\n" + GeneratedSection.END + "\n"), updated);
        assertTrue(!updated.contains("old"), updated);
    }

    @Test
    @DisplayName("ambiguous markers (two BEGINs, END without BEGIN, END before BEGIN): refused with a message, file unchanged")
    void refusesAmbiguousMarkers(@TempDir Path dir) throws Exception {
        String twoBegins = ABOVE + GeneratedSection.BEGIN + "\n" + GeneratedSection.BEGIN + "\nx\n" + GeneratedSection.END + "\n";
        String endOnly = ABOVE + GeneratedSection.END + "\n";
        String reversed = ABOVE + GeneratedSection.END + "\nx\n" + GeneratedSection.BEGIN + "\n";
        for (String text : new String[] {twoBegins, endOnly, reversed}) {
            Path page = dir.resolve("page.md");
            Files.writeString(page, text);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GeneratedSection.rewrite(page, "new"));
            assertTrue(e.getMessage().contains("fix the page by hand"), e.getMessage());
            assertEquals(text, Files.readString(page), "the page is left as it was");
        }
    }
}
