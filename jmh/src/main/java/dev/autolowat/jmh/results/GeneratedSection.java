package dev.autolowat.jmh.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * The machine-written part of a hand-written markdown page: everything between {@link #BEGIN} and
 * {@link #END} (marker lines included) belongs to the generator, everything outside them to people.
 * {@link #replace} swaps only that part, so explanations written around it survive every run; a page
 * without markers gets the section appended at its end, so that sections others add at the top of the
 * page (docs/performance.md) never collide with it.
 */
public final class GeneratedSection {
    /** Opens the generated section; a marker line must start with this text (the rest may change). */
    public static final String BEGIN_PREFIX = "<!-- BEGIN GENERATED: results page";
    /** Closes the generated section; a marker line must start with this text. */
    public static final String END_PREFIX = "<!-- END GENERATED: results page";
    /** The opening marker line written by this class. */
    public static final String BEGIN = BEGIN_PREFIX + " (rewritten by dev.autolowat.jmh.results.ResultsPage;"
            + " edit outside the markers) -->";
    /** The closing marker line written by this class. */
    public static final String END = END_PREFIX + " -->";

    private GeneratedSection() {
    }

    /**
     * {@code page} with its generated section replaced by {@code body} (between fresh marker lines), or
     * with the section appended after a blank line when the page has no markers yet.
     *
     * @throws IllegalArgumentException when the markers are not exactly one BEGIN followed by one END
     *         (a page edited by hand into an ambiguous state is not guessed at)
     */
    public static String replace(String page, String body) {
        Objects.requireNonNull(page, "page");
        Objects.requireNonNull(body, "body");
        String section = BEGIN + "\n" + (body.endsWith("\n") ? body : body + "\n") + END + "\n";
        int begins = countLines(page, BEGIN_PREFIX);
        int ends = countLines(page, END_PREFIX);
        if (begins == 0 && ends == 0) {
            if (page.isEmpty()) {
                return section;
            }
            String separated = page.endsWith("\n\n") ? page : page.endsWith("\n") ? page + "\n" : page + "\n\n";
            return separated + section;
        }
        if (begins != 1 || ends != 1) {
            throw new IllegalArgumentException("expected one '" + BEGIN_PREFIX + "' line followed by one '" + END_PREFIX
                    + "' line, found " + begins + " and " + ends + "; fix the page by hand");
        }
        int begin = lineStart(page, BEGIN_PREFIX);
        int endLine = lineStart(page, END_PREFIX);
        if (endLine < begin) {
            throw new IllegalArgumentException("the '" + END_PREFIX + "' line comes before the '" + BEGIN_PREFIX
                    + "' line; fix the page by hand");
        }
        int newline = page.indexOf('\n', endLine);
        int after = newline < 0 ? page.length() : newline + 1;
        return page.substring(0, begin) + section + page.substring(after);
    }

    /**
     * Rewrites the generated section of the file {@code page} (created when missing). The new text is
     * written to a temporary file next to it and moved over it, so a failure leaves the old page intact.
     */
    public static void rewrite(Path page, String body) throws IOException {
        String old = Files.exists(page) ? Files.readString(page, StandardCharsets.UTF_8) : "";
        String updated = replace(old, body);
        Path dir = page.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, page.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, updated, StandardCharsets.UTF_8);
            Files.move(tmp, page, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static int countLines(String page, String prefix) {
        int n = 0;
        for (String line : page.split("\n", -1)) {
            if (line.startsWith(prefix)) {
                n++;
            }
        }
        return n;
    }

    private static int lineStart(String page, String prefix) {
        if (page.startsWith(prefix)) {
            return 0;
        }
        return page.indexOf("\n" + prefix) + 1;
    }
}
