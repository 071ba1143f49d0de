package dev.autolowat.conformance.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The regression corpus: every disagreement ever found, saved as a {@code .scenario} file (the text
 * form, {@link ScenarioText}) under {@code conformance-tests/src/test/resources/corpus/} and replayed on
 * every run on every available backend against the simulator. A file states the documented differences
 * it still shows as {@code expect} lines; anything else that differs fails the replay.
 */
public final class Corpus {
    private Corpus() {
    }

    /** The file extension. */
    public static final String EXTENSION = ".scenario";

    /** The {@code *.scenario} files of {@code dir}, sorted by name (empty when the directory does not exist). */
    public static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(EXTENSION)).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Reads one file; a parse error names the file and the line.
     *
     * @throws ScenarioParseException with the file name in the message
     */
    public static Scenario load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        try {
            return ScenarioText.parse(text);
        } catch (ScenarioParseException e) {
            throw new ScenarioParseException(e.line(), file.getFileName().toString(), e.getMessage());
        }
    }

    /**
     * Saves {@code s} as {@code dir/<name>.scenario}, with {@code comment} (several lines allowed) as
     * {@code #} lines on top.
     *
     * @return the file written
     */
    public static Path save(Path dir, String name, Scenario s, String comment) {
        String file = name.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        if (file.isEmpty()) {
            throw new IllegalArgumentException("a corpus file needs a name with letters or digits, got '" + name + "'");
        }
        StringBuilder sb = new StringBuilder();
        if (comment != null && !comment.isBlank()) {
            comment.lines().forEach(l -> sb.append("# ").append(l).append('\n'));
        }
        sb.append(s.toText());
        try {
            Files.createDirectories(dir);
            Path out = dir.resolve(file + EXTENSION);
            Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the corpus file " + file + " in " + dir, e);
        }
    }
}
