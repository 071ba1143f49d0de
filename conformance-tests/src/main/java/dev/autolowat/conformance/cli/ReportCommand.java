package dev.autolowat.conformance.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.conformance.scenario.Backends;
import dev.autolowat.conformance.scenario.CheckOutcome;
import dev.autolowat.conformance.scenario.ConformanceSuite;
import dev.autolowat.conformance.scenario.Corpus;
import dev.autolowat.conformance.scenario.Difference;
import dev.autolowat.conformance.scenario.RuleCheck;
import dev.autolowat.conformance.scenario.RuleProperty;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimFault;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code autolowat report}: runs every rule's property on every differential pair and writes the
 * conformance report — a table rule × pair on the terminal, {@code report.json}, a self-contained
 * {@code report.html}, and the shrunk scenario of every failed check as a {@code .scenario} file.
 * Exit code 0 when nothing differs, 1 when a check failed, 2 on bad options.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Run the conformance suite (every rule on every differential pair) and write report.json, "
                + "report.html and the shrunk scenario of each failed check. Exit code: 0 nothing differs, "
                + "1 a check failed, 2 bad options.")
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Backends to use, by name (default: every backend found, e.g. sim, native). "
                    + "'sim+<fault>' (e.g. sim+hook_after_wakeup) is the simulator with that fault injected, "
                    + "to check that the suite catches it.")
    List<String> backends;

    @Option(names = "--rules", split = ",", paramLabel = "ID", description = "Rules to check (default: all, F1 ... A6).")
    List<String> rules;

    @Option(names = "--tries", defaultValue = "50",
            description = "Generated scenarios per check, after the rule's examples (default: ${DEFAULT-VALUE}).")
    int tries;

    @Option(names = "--seed", description = "Seed of the generated scenarios (default: derived from each check's name).")
    Long seed;

    @Option(names = "--output-dir", defaultValue = "reports/conformance",
            description = "Where report.json, report.html and the .scenario files go (default: ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = "--quiet", description = "Print no progress lines, only the table.")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Backend> chosen;
        List<Rule> chosenRules;
        try {
            if (tries < 0) {
                throw new IllegalArgumentException("--tries must be 0 or more, got " + tries);
            }
            chosen = backends(backends);
            chosenRules = rules(rules);
        } catch (IllegalArgumentException e) {
            err.println("autolowat report: " + e.getMessage());
            err.flush();
            return 2;
        }
        ConformanceSuite suite = ConformanceSuite.of(chosen);
        Map<Rule, List<CheckOutcome>> outcomes = new LinkedHashMap<>();
        Map<CheckOutcome, Path> saved = new LinkedHashMap<>();
        try {
            Files.createDirectories(outputDir);
        } catch (IOException e) {
            err.println("autolowat report: cannot create " + outputDir + ": " + e.getMessage());
            err.flush();
            return 2;
        }
        for (Rule rule : chosenRules) {
            List<CheckOutcome> list = new ArrayList<>();
            for (RuleCheck check : suite.checks(rule)) {
                CheckOutcome o = check.run(tries, seed);
                list.add(o);
                if (o.status() == CheckOutcome.Status.FAILED && o.shrunk() != null) {
                    saved.put(o, Corpus.save(outputDir, fileName(o), o.shrunk(), comment(o)));
                }
                if (!quiet) {
                    out.printf("%-3s %-36s %-13s %6d ms%n", rule, o.pair(), status(o), o.millis());
                    out.flush();
                }
            }
            outcomes.put(rule, list);
        }
        List<String> pairs = outcomes.values().stream().flatMap(List::stream).map(CheckOutcome::pair).distinct().toList();
        printTable(out, suite, chosenRules, pairs, outcomes);
        long failed = count(outcomes, CheckOutcome.Status.FAILED);
        long passed = count(outcomes, CheckOutcome.Status.PASSED);
        long unsupported = count(outcomes, CheckOutcome.Status.NOT_SUPPORTED);
        out.printf("%d checks: %d agree, %d differ, %d not supported%n", passed + failed + unsupported, passed, failed,
                unsupported);
        try {
            Path json = outputDir.resolve("report.json");
            Path html = outputDir.resolve("report.html");
            Files.writeString(json, json(suite, chosen, chosenRules, outcomes, saved), StandardCharsets.UTF_8);
            Files.writeString(html, html(suite, chosen, chosenRules, pairs, outcomes, saved), StandardCharsets.UTF_8);
            out.println("Report: " + json + ", " + html + (saved.isEmpty() ? "" : "; shrunk scenarios: "
                    + saved.values().stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", "))));
        } catch (IOException e) {
            err.println("autolowat report: cannot write the report in " + outputDir + ": " + e.getMessage());
            err.flush();
            out.flush();
            return 2;
        }
        out.flush();
        return failed > 0 ? 1 : 0;
    }

    // ------------------------------------------------------------------ options

    /** The backends named (discovered ones, or {@code sim+<fault>} mutants), or every discovered one. */
    static List<Backend> backends(List<String> names) {
        List<Backend> discovered = Backends.discover();
        if (names == null || names.isEmpty()) {
            return discovered;
        }
        List<Backend> out = new ArrayList<>();
        for (String raw : names) {
            String name = raw.strip();
            Backend b = discovered.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
            if (b == null) {
                b = mutant(name);
            }
            if (b == null) {
                throw new IllegalArgumentException("unknown backend '" + name + "'; known: " + discovered.stream()
                        .map(Backend::name).collect(Collectors.joining(", ")) + ", or sim+<fault> with a fault of "
                        + EnumSet.allOf(SimFault.class).stream().map(f -> f.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
            }
            out.add(b);
        }
        return out;
    }

    /** {@code sim+hook_after_wakeup}: the simulator with that fault, or {@code null}. */
    private static Backend mutant(String name) {
        if (!name.startsWith("sim+")) {
            return null;
        }
        Set<SimFault> faults = EnumSet.noneOf(SimFault.class);
        for (String f : name.substring(4).split("\\+")) {
            try {
                faults.add(SimFault.valueOf(f.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return new SimBackend(SimConfig.DEFAULT.withFaults(faults));
    }

    static List<Rule> rules(List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            return ConformanceSuite.rules();
        }
        List<Rule> out = new ArrayList<>();
        for (String id : ids) {
            try {
                Rule r = Rule.valueOf(id.strip().toUpperCase(Locale.ROOT));
                if (!out.contains(r)) {
                    out.add(r);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown rule '" + id + "'; rules are " + ConformanceSuite.rules().stream()
                        .map(Rule::name).collect(Collectors.joining(", ")));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ cells

    private static String status(CheckOutcome o) {
        return switch (o.status()) {
            case PASSED -> "agree";
            case FAILED -> "DIFFERS";
            case NOT_SUPPORTED -> "not supported";
        };
    }

    /** The table cell: {@code agree}, {@code differs (step N: <step> <field> a≠b)}, {@code not supported: <reason>}. */
    static String cell(CheckOutcome o) {
        return switch (o.status()) {
            case PASSED -> "agree";
            case NOT_SUPPORTED -> "not supported: " + o.reason();
            case FAILED -> {
                Difference d = o.firstDifference();
                if (d != null) {
                    yield "differs (step " + d.step() + ": " + d.stepText() + " " + d.field() + " " + d.a() + "≠" + d.b() + ")";
                }
                String f = o.failure() == null ? "" : o.failure().lines().findFirst().orElse("");
                yield "differs (" + f + ")";
            }
        };
    }

    private static String fileName(CheckOutcome o) {
        return o.rule() + "-" + o.pair().replace("↔", "vs").replace("(", "").replace(")", "");
    }

    private static String comment(CheckOutcome o) {
        return o.summary() + "\nfound by 'autolowat report', seed " + o.seed() + "; to add it to the corpus, move it to "
                + "conformance-tests/src/test/resources/corpus and record the expected behaviour";
    }

    private static long count(Map<Rule, List<CheckOutcome>> outcomes, CheckOutcome.Status s) {
        return outcomes.values().stream().flatMap(List::stream).filter(o -> o.status() == s).count();
    }

    private static CheckOutcome find(List<CheckOutcome> list, String pair) {
        return list.stream().filter(o -> o.pair().equals(pair)).findFirst().orElse(null);
    }

    private static void printTable(PrintWriter out, ConformanceSuite suite, List<Rule> rules, List<String> pairs,
                                   Map<Rule, List<CheckOutcome>> outcomes) {
        out.println();
        out.println("Conformance report — backends: " + suite.backends().stream().map(Backend::name)
                .collect(Collectors.joining(", ")));
        for (Rule rule : rules) {
            List<CheckOutcome> list = outcomes.get(rule);
            out.println(rule + "  " + suite.property(rule).title());
            if (list.isEmpty()) {
                out.println("      (no pair runs this rule with these backends)");
            }
            for (String pair : pairs) {
                CheckOutcome o = find(list, pair);
                if (o != null) {
                    out.printf("      %-36s %s%n", pair, cell(o));
                }
            }
        }
        out.println();
    }

    // ------------------------------------------------------------------ JSON

    private static String json(ConformanceSuite suite, List<Backend> backends, List<Rule> rules,
                               Map<Rule, List<CheckOutcome>> outcomes, Map<CheckOutcome, Path> saved) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ArrayNode bs = root.putArray("backends");
        backends.forEach(b -> bs.add(b.name()));
        ObjectNode totals = root.putObject("totals");
        totals.put("agree", count(outcomes, CheckOutcome.Status.PASSED));
        totals.put("differs", count(outcomes, CheckOutcome.Status.FAILED));
        totals.put("notSupported", count(outcomes, CheckOutcome.Status.NOT_SUPPORTED));
        ArrayNode rs = root.putArray("rules");
        for (Rule rule : rules) {
            RuleProperty p = suite.property(rule);
            ObjectNode r = rs.addObject();
            r.put("id", rule.name());
            r.put("title", p.title());
            r.put("regime", p.fullRegime());
            ArrayNode cs = r.putArray("checks");
            for (CheckOutcome o : outcomes.get(rule)) {
                ObjectNode c = cs.addObject();
                c.put("pair", o.pair());
                c.put("status", o.status().name());
                c.put("cell", cell(o));
                c.put("tries", o.tries());
                c.put("skipped", o.skipped());
                c.put("seed", o.seed());
                c.put("millis", o.millis());
                if (o.reason() != null) {
                    c.put("reason", o.reason());
                }
                if (!o.documented().isEmpty()) {
                    ObjectNode d = c.putObject("documented");
                    o.documented().forEach(d::put);
                }
                if (o.status() == CheckOutcome.Status.FAILED) {
                    Difference d = o.firstDifference();
                    if (d != null) {
                        ObjectNode fd = c.putObject("firstDifference");
                        fd.put("step", d.step());
                        fd.put("stepText", d.stepText());
                        fd.put("field", d.field());
                        fd.put("a", d.a());
                        fd.put("b", d.b());
                    }
                    c.put("failure", o.failure());
                    if (o.shrunk() != null) {
                        c.put("shrunk", o.shrunk().toText());
                        c.put("shrunkSteps", o.shrunk().steps().size());
                    }
                    Path f = saved.get(o);
                    if (f != null) {
                        c.put("scenarioFile", f.getFileName().toString());
                    }
                }
            }
        }
        return mapper.writeValueAsString(root) + "\n";
    }

    // ------------------------------------------------------------------ HTML

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String html(ConformanceSuite suite, List<Backend> backends, List<Rule> rules, List<String> pairs,
                               Map<Rule, List<CheckOutcome>> outcomes, Map<CheckOutcome, Path> saved) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>AutoLOWAT conformance report</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse}\nth,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}\n")
                .append("th{background:#eee}\ntd.agree{background:#d9f2d9}\ntd.differs{background:#f8d0d0}\n")
                .append("td.unsupported{background:#eee;color:#555}\ntd.none{color:#999}\n")
                .append("pre{background:#f6f6f6;padding:8px;overflow:auto}\n</style>\n</head>\n<body>\n")
                .append("<h1>AutoLOWAT conformance report</h1>\n<p>Backends: ")
                .append(escape(backends.stream().map(Backend::name).collect(Collectors.joining(", "))))
                .append(". Checks: ").append(count(outcomes, CheckOutcome.Status.PASSED)).append(" agree, ")
                .append(count(outcomes, CheckOutcome.Status.FAILED)).append(" differ, ")
                .append(count(outcomes, CheckOutcome.Status.NOT_SUPPORTED))
                .append(" not supported (never counted as agreeing).</p>\n");
        h.append("<table id=\"report\">\n<thead><tr><th>rule</th>");
        for (String pair : pairs) {
            h.append("<th>").append(escape(pair)).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (Rule rule : rules) {
            RuleProperty p = suite.property(rule);
            h.append("<tr><th title=\"").append(escape(p.fullRegime())).append("\">").append(rule).append(" — ")
                    .append(escape(p.title())).append("</th>");
            for (String pair : pairs) {
                CheckOutcome o = find(outcomes.get(rule), pair);
                if (o == null) {
                    h.append("<td class=\"none\">—</td>");
                    continue;
                }
                String cls = switch (o.status()) {
                    case PASSED -> "agree";
                    case FAILED -> "differs";
                    case NOT_SUPPORTED -> "unsupported";
                };
                h.append("<td class=\"").append(cls).append("\">").append(escape(cell(o)));
                if (o.status() == CheckOutcome.Status.FAILED) {
                    h.append(" <a href=\"#").append(anchor(o)).append("\">details</a>");
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        List<CheckOutcome> failed = outcomes.values().stream().flatMap(List::stream)
                .filter(o -> o.status() == CheckOutcome.Status.FAILED).toList();
        if (!failed.isEmpty()) {
            h.append("<h2>Differences</h2>\n");
            for (CheckOutcome o : failed) {
                h.append("<h3 id=\"").append(anchor(o)).append("\">").append(escape(o.rule() + " " + o.pair()))
                        .append("</h3>\n<p>").append(escape(o.summary())).append(" (seed ").append(o.seed()).append(")");
                Path f = saved.get(o);
                if (f != null) {
                    h.append("; saved as <code>").append(escape(f.getFileName().toString())).append("</code>");
                }
                h.append("</p>\n");
                if (o.shrunk() != null) {
                    h.append("<p>Shrunk scenario:</p>\n<pre>").append(escape(o.shrunk().toText())).append("</pre>\n");
                }
                if (o.failure() != null) {
                    h.append("<pre>").append(escape(o.failure())).append("</pre>\n");
                }
            }
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static String anchor(CheckOutcome o) {
        return (o.rule() + "-" + o.pair()).replaceAll("[^A-Za-z0-9_-]+", "-");
    }
}
