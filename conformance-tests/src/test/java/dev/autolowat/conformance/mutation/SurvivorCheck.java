package dev.autolowat.conformance.mutation;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads PIT's {@code mutations.xml} after a mutation run (profile {@code mutation}, docs/conformance.md)
 * and compares its survivors with the checked-in list of equivalent mutants, so that a new survivor
 * shows as new instead of hiding in a percentage.
 *
 * <p>The list ({@code conformance-tests/src/test/mutation/equivalent-mutants.txt}) has one mutant a line:
 * <pre>run | class | method | mutator | description | reason</pre>
 * {@code mutator} is PIT's short name (the part after the last dot), {@code description} PIT's text
 * ("negated conditional"). Line numbers are left out on purpose: an edit above a method must not
 * make its equivalent mutants new. Several mutants of a method can share the same key; the list then
 * holds the line as many times as there are such equivalent mutants.
 *
 * <p>A survivor is a mutant PIT did not detect ({@code detected='false'}: SURVIVED or NO_COVERAGE).
 * It fails (an exception, so that {@code exec:java} fails the build without ending Maven's JVM) when
 * there is a new survivor or the input is malformed.
 * Listed entries that no longer survive are reported as stale (not an error: a stronger suite may kill
 * a mutant once thought equivalent, and the entry should then be removed).
 */
public final class SurvivorCheck {
    /** The key of a mutant, as the list names it. */
    record Key(String run, String mutatedClass, String method, String mutator, String description) {
        @Override
        public String toString() {
            return run + " | " + mutatedClass + " | " + method + " | " + mutator + " | " + description;
        }
    }

    /** One mutation of the report. */
    record Mutant(Key key, int line, String status, boolean detected) {
    }

    /** One line of the list of equivalent mutants. */
    record Equivalent(Key key, String reason, int lineNumber) {
    }

    /** What the comparison found. */
    record Result(List<Mutant> mutants, List<Mutant> equivalentSurvivors, List<Mutant> newSurvivors,
                  List<Equivalent> stale) {
        long detected() {
            return mutants.stream().filter(Mutant::detected).count();
        }

        long count(String status) {
            return mutants.stream().filter(m -> m.status().equals(status)).count();
        }

        /** Detected out of the mutants not listed as equivalent. */
        double scoreOfNonEquivalent() {
            long nonEquivalent = mutants.size() - equivalentSurvivors.size();
            return nonEquivalent == 0 ? 1.0 : (double) detected() / nonEquivalent;
        }

        String summary(String run) {
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT, "PIT run %s: %d mutants, %d detected (%d killed, %d timed out, %d other),"
                            + " %d survived, %d not covered; %d listed as equivalent; %d new survivors;"
                            + " %.1f%% of non-equivalent mutants detected%n",
                    run, mutants.size(), detected(), count("KILLED"), count("TIMED_OUT"),
                    detected() - count("KILLED") - count("TIMED_OUT"), count("SURVIVED"), count("NO_COVERAGE"),
                    equivalentSurvivors.size(), newSurvivors.size(), 100 * scoreOfNonEquivalent()));
            Map<String, Integer> perClass = new TreeMap<>();
            for (Mutant m : mutants) {
                perClass.merge(m.key().mutatedClass(), 1, Integer::sum);
            }
            for (Map.Entry<String, Integer> e : perClass.entrySet()) {
                String cls = e.getKey();
                long det = mutants.stream().filter(m -> m.key().mutatedClass().equals(cls) && m.detected()).count();
                long eq = equivalentSurvivors.stream().filter(m -> m.key().mutatedClass().equals(cls)).count();
                long fresh = newSurvivors.stream().filter(m -> m.key().mutatedClass().equals(cls)).count();
                s.append(String.format(Locale.ROOT, "  %-60s %4d mutants %4d detected %3d equivalent %3d new survivors%n",
                        cls, e.getValue(), det, eq, fresh));
            }
            for (Mutant m : newSurvivors) {
                s.append("NEW SURVIVOR (line ").append(m.line()).append(", ").append(m.status()).append("): ")
                        .append(m.key()).append('\n');
            }
            for (Equivalent e : stale) {
                s.append("stale entry (list line ").append(e.lineNumber()).append(", no longer survives): ")
                        .append(e.key()).append('\n');
            }
            return s.toString();
        }
    }

    private SurvivorCheck() {
    }

    /**
     * {@code SurvivorCheck <mutations.xml> <equivalent-mutants.txt> <run> [summary-file]}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length > 4) {
            throw new IllegalArgumentException(
                    "usage: SurvivorCheck <mutations.xml> <equivalent-mutants.txt> <run> [summary-file]");
        }
        Path report = Path.of(args[0]);
        Path list = Path.of(args[1]);
        String run = args[2];
        Result result;
        try (InputStream in = Files.newInputStream(report)) {
            result = compare(readReport(in, run), readList(Files.readAllLines(list, StandardCharsets.UTF_8)), run);
        }
        String summary = result.summary(run);
        System.out.print(summary);
        if (args.length == 4) {
            Files.writeString(Path.of(args[3]), summary, StandardCharsets.UTF_8);
        }
        if (!result.newSurvivors().isEmpty()) {
            throw new IllegalStateException(result.newSurvivors().size() + " surviving mutants are not in " + list
                    + ": kill them with a test that cites the rule, or list them with the reason they are equivalent");
        }
    }

    /** Parses PIT's XML report; every mutation gets {@code run} in its key. */
    static List<Mutant> readReport(InputStream xml, String run) throws IOException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder b = f.newDocumentBuilder();
            doc = b.parse(xml);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalArgumentException("not a PIT mutations.xml: " + e.getMessage(), e);
        }
        List<Mutant> out = new ArrayList<>();
        NodeList nodes = doc.getElementsByTagName("mutation");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element m = (Element) nodes.item(i);
            String mutator = text(m, "mutator");
            Key key = new Key(run, text(m, "mutatedClass"), text(m, "mutatedMethod"),
                    mutator.substring(mutator.lastIndexOf('.') + 1), text(m, "description"));
            int line = Integer.parseInt(text(m, "lineNumber"));
            out.add(new Mutant(key, line, m.getAttribute("status"), Boolean.parseBoolean(m.getAttribute("detected"))));
        }
        return out;
    }

    private static String text(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        if (l.getLength() == 0) {
            throw new IllegalArgumentException("a <mutation> without <" + tag + ">");
        }
        return l.item(0).getTextContent().trim();
    }

    /** Parses the list: {@code #} comments and blank lines ignored, six {@code |}-separated fields a line. */
    static List<Equivalent> readList(List<String> lines) {
        List<Equivalent> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\|", 6);
            if (f.length != 6 || f[5].isBlank()) {
                throw new IllegalArgumentException("equivalent-mutants list line " + (i + 1)
                        + ": expected 'run | class | method | mutator | description | reason', got: " + line);
            }
            out.add(new Equivalent(new Key(f[0].strip(), f[1].strip(), f[2].strip(), f[3].strip(), f[4].strip()),
                    f[5].strip(), i + 1));
        }
        return out;
    }

    /** Sorts the survivors of {@code run} into listed and new ones; entries of other runs are ignored. */
    static Result compare(List<Mutant> mutants, List<Equivalent> list, String run) {
        Map<Key, List<Equivalent>> available = new LinkedHashMap<>();
        for (Equivalent e : list) {
            if (e.key().run().equals(run)) {
                available.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
            }
        }
        List<Mutant> equivalent = new ArrayList<>();
        List<Mutant> fresh = new ArrayList<>();
        for (Mutant m : mutants) {
            if (m.detected()) {
                continue;
            }
            List<Equivalent> slots = available.get(m.key());
            if (slots != null && !slots.isEmpty()) {
                slots.remove(0);
                equivalent.add(m);
            } else {
                fresh.add(m);
            }
        }
        List<Equivalent> stale = new ArrayList<>();
        available.values().forEach(stale::addAll);
        return new Result(mutants, equivalent, fresh, stale);
    }
}
