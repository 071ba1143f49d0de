package dev.autolowat.conformance.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.Rule;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.conformance.scenario.Backends;
import dev.autolowat.conformance.scenario.CheckOutcome;
import dev.autolowat.conformance.scenario.ConformanceSuite;
import dev.autolowat.conformance.scenario.Corpus;
import dev.autolowat.conformance.scenario.Difference;
import dev.autolowat.conformance.scenario.PolicyUnderTest;
import dev.autolowat.conformance.scenario.RuleProperties;
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
 * conformance report — a table rule × pair on stdout (once; progress goes to stderr),
 * {@code report.json}, a self-contained {@code report.html}, and the shrunk scenario of every failed
 * check as a {@code .scenario} file. A pair's "not supported" reason is stated once above the table,
 * its rows say {@code not supported (see above)}. The saved reports carry the run's metadata
 * ({@link RunInfo}, the options, tries and seed of each check). Before any work the options are
 * checked and the output directory is created and tested for writing; the scenario files an earlier
 * run saved there are removed, so a report never sits next to another run's failures.
 * Exit code 0 when nothing differs, 1 when a check failed, 2 on bad options.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Run the conformance suite (every rule on every differential pair) and write report.json, "
                + "report.html and the shrunk scenario of each failed check. Progress goes to stderr, the table "
                + "to stdout. Exit code: 0 nothing differs, 1 a check failed, 2 bad options.")
public final class ReportCommand implements Callable<Integer> {
    /** The most generated scenarios per check {@code --tries} accepts. */
    static final int MAX_TRIES = 1_000_000;
    /** The cell of a pair whose one reason for not supporting rules is stated above the table. */
    static final String SEE_ABOVE = "not supported (see above)";

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Backends to use, by name (default: every backend found, e.g. sim, native). "
                    + "'sim+<fault>' (e.g. sim+hook_after_wakeup) is the simulator with that fault injected, "
                    + "to check that the suite catches it.")
    List<String> backends;

    @Option(names = "--rules", split = ",", paramLabel = "ID", description = "Rules to check (default: all, F1 ... A6).")
    List<String> rules;

    @Option(names = "--tries", defaultValue = "50",
            description = "Generated scenarios per check, after the rule's examples, 0.." + MAX_TRIES
                    + " (default: ${DEFAULT-VALUE}).")
    int tries;

    @Option(names = "--seed", description = "Seed of the generated scenarios (default: derived from each check's name).")
    Long seed;

    @Option(names = "--output-dir", defaultValue = "reports/conformance",
            description = "Where report.json, report.html and the .scenario files go; created if missing; "
                    + "scenario files of an earlier run there are removed (default: ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = "--quiet", description = "No progress on stderr, only the table on stdout.")
    boolean quiet;

    @Option(names = "--policy", paramLabel = "FILE.o",
            description = "Check this clang-compiled policy (a SEC(\"sockops\") program, and a SEC(\"cgroup/setsockopt\") "
                    + "program as its enable path) instead of the reference policy: the policy rules (A1-A6) run it in "
                    + "the simulator (CO-RE relocated against the simulated kernel) and in the running kernel (against "
                    + "its vmlinux BTF, where the kernel carries the series), and against the reference Java handler "
                    + "(docs/objects.md).")
    Path policyObject;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Everything a user can get wrong is checked before the first check runs.
        CliErrors.range(spec, "--tries", tries, 0, MAX_TRIES);
        List<Backend> chosen;
        List<Rule> chosenRules;
        PolicyUnderTest policy = PolicyUnderTest.REFERENCE;
        if (policyObject != null) {
            try {
                policy = PolicyUnderTest.of(BpfObject.open(policyObject));
            } catch (AutoLowatException e) { // no file, not an object, no sockops program, ...
                throw CliErrors.bad(spec, "--policy: " + CliErrors.oneLine(e.getMessage()));
            }
        }
        try {
            chosen = backends(backends);
            chosenRules = rules(rules, !policy.isReference());
        } catch (IllegalArgumentException e) {
            throw CliErrors.bad(spec, e.getMessage());
        }
        CliErrors.writableDirectory(spec, "--output-dir", outputDir);
        int stale = removeEarlierScenarios(outputDir);
        RunInfo run = RunInfo.now();
        Progress progress = new Progress(err, quiet);
        if (stale > 0) {
            progress.note("removed " + stale + " scenario file" + (stale == 1 ? "" : "s") + " of an earlier run from "
                    + outputDir);
        }
        ConformanceSuite suite = ConformanceSuite.of(chosen).withPolicy(policy);
        int total = chosenRules.stream().mapToInt(r -> suite.checks(r).size()).sum();
        // the pair column as wide as the longest pair name ("Java handler ↔ FILE.o (sim)" can be long)
        int pairWidth = chosenRules.stream().flatMap(r -> suite.checks(r).stream())
                .mapToInt(c -> c.pairName().length()).max().orElse(0);
        String progressLine = "%-3s %-" + Math.max(1, pairWidth) + "s %-13s %6d ms";
        Map<Rule, List<CheckOutcome>> outcomes = new LinkedHashMap<>();
        Map<CheckOutcome, Path> saved = new LinkedHashMap<>();
        long start = System.nanoTime();
        int done = 0;
        for (Rule rule : chosenRules) {
            List<CheckOutcome> list = new ArrayList<>();
            for (RuleCheck check : suite.checks(rule)) {
                progress.running(done, total, rule + " " + check.pairName());
                CheckOutcome o = check.run(tries, seed);
                list.add(o);
                done++;
                if (o.status() == CheckOutcome.Status.FAILED && o.shrunk() != null) {
                    saved.put(o, Corpus.save(outputDir, fileName(o), o.shrunk(), comment(o)));
                }
                progress.done(done, total, String.format(Locale.ROOT, progressLine, rule, o.pair(),
                        status(o), o.millis()));
            }
            outcomes.put(rule, list);
        }
        progress.finish();
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<String> pairs = outcomes.values().stream().flatMap(List::stream).map(CheckOutcome::pair).distinct().toList();
        Notes notes = Notes.of(pairs, outcomes);
        printTable(out, suite, chosenRules, pairs, outcomes, notes, saved);
        long failed = count(outcomes, CheckOutcome.Status.FAILED);
        long passed = count(outcomes, CheckOutcome.Status.PASSED);
        long unsupported = count(outcomes, CheckOutcome.Status.NOT_SUPPORTED);
        out.printf("%d checks: %d agree, %d differ, %d not supported%n", passed + failed + unsupported, passed, failed,
                unsupported);
        Map<String, Object> options = options();
        try {
            Path json = outputDir.resolve("report.json");
            Path html = outputDir.resolve("report.html");
            Files.writeString(json, json(run, millis, options, suite, chosen, chosenRules, outcomes, notes, saved),
                    StandardCharsets.UTF_8);
            Files.writeString(html, html(run, millis, options, suite, chosen, chosenRules, pairs, outcomes, notes, saved),
                    StandardCharsets.UTF_8);
            out.println("Report: " + json + ", " + html + (saved.isEmpty() ? "" : "; shrunk scenarios: "
                    + saved.values().stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", "))));
        } catch (IOException e) {
            out.flush();
            err.println("autolowat report: cannot write the report in " + outputDir + ": " + CliErrors.reason(e));
            err.flush();
            return 2;
        }
        out.flush();
        return failed > 0 ? 1 : 0;
    }

    /** The options of this run as given (defaults filled in), for the saved reports. */
    private Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backends", backends == null || backends.isEmpty() ? "all found" : String.join(",", backends));
        m.put("rules", rules == null || rules.isEmpty() ? "all" : String.join(",", rules));
        m.put("tries", tries);
        m.put("seed", seed == null ? "derived from each check's name" : seed.toString());
        m.put("outputDir", outputDir.toString());
        m.put("policy", policyObject == null ? "reference policy" : policyObject.toString());
        return m;
    }

    /**
     * Removes the {@code .scenario} files an earlier {@code report} saved in {@code dir} (recognised by
     * the comment {@link #comment} writes), so that a report never sits next to failures it did not find;
     * files saved by hand stay. Returns how many were removed.
     */
    static int removeEarlierScenarios(Path dir) {
        int n = 0;
        for (Path p : Corpus.files(dir)) {
            try {
                if (Files.readString(p, StandardCharsets.UTF_8).contains(REPORT_MARK)) {
                    Files.delete(p);
                    n++;
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable: not ours to remove
            }
        }
        return n;
    }

    /** Progress on stderr: one line per check, or a single rewritten line on a terminal; nothing with --quiet. */
    static final class Progress {
        private final PrintWriter err;
        private final boolean quiet;
        private final boolean terminal;
        private int width;

        Progress(PrintWriter err, boolean quiet) {
            this.err = err;
            this.quiet = quiet;
            // System.console() is non-null only when the JVM talks to a terminal (not a pipe or a file).
            this.terminal = System.console() != null;
        }

        void note(String line) {
            if (!quiet) {
                clear();
                err.println(line);
                err.flush();
            }
        }

        void running(int done, int total, String what) {
            if (!quiet && terminal) {
                rewrite(String.format(Locale.ROOT, "[%d/%d] %s ...", done, total, what));
            }
        }

        void done(int done, int total, String line) {
            if (quiet) {
                return;
            }
            if (terminal) {
                rewrite(String.format(Locale.ROOT, "[%d/%d] %s", done, total, line));
            } else {
                err.println(line);
                err.flush();
            }
        }

        void finish() {
            clear();
        }

        private void rewrite(String line) {
            err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
            err.flush();
            width = line.length();
        }

        private void clear() {
            if (terminal && width > 0) {
                err.print("\r" + " ".repeat(width) + "\r");
                err.flush();
                width = 0;
            }
        }
    }

    /**
     * The reasons pairs could not run rules, each stated once: per pair, its distinct reasons in order.
     * A pair with one reason has cells {@code not supported (see above)}; a pair with several numbers
     * them, {@code not supported [2]}.
     */
    record Notes(Map<String, List<String>> reasons, Map<String, Integer> counts) {
        static Notes of(List<String> pairs, Map<Rule, List<CheckOutcome>> outcomes) {
            Map<String, List<String>> reasons = new LinkedHashMap<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String pair : pairs) {
                for (List<CheckOutcome> list : outcomes.values()) {
                    for (CheckOutcome o : list) {
                        if (o.pair().equals(pair) && o.status() == CheckOutcome.Status.NOT_SUPPORTED) {
                            List<String> rs = reasons.computeIfAbsent(pair, k -> new ArrayList<>());
                            String r = reason(o);
                            if (!rs.contains(r)) {
                                rs.add(r);
                            }
                            counts.merge(pair, 1, Integer::sum);
                        }
                    }
                }
            }
            return new Notes(reasons, counts);
        }

        /** {@code not supported by this kernel (...)} as it is, any other reason as {@code not supported: <reason>}. */
        static String withVerdict(String reason) {
            return reason.startsWith("not supported") ? reason : "not supported: " + reason;
        }

        static String reason(CheckOutcome o) {
            return o.reason() == null || o.reason().isBlank() ? "no reason given" : o.reason();
        }

        /** The cell of a not-supported outcome. */
        String cell(CheckOutcome o) {
            List<String> rs = reasons.get(o.pair());
            return rs == null || rs.size() <= 1 ? SEE_ABOVE : "not supported [" + (rs.indexOf(reason(o)) + 1) + "]";
        }

        /** The lines stating each reason once. */
        List<String> lines() {
            List<String> out = new ArrayList<>();
            reasons.forEach((pair, rs) -> {
                int n = counts.get(pair);
                String head = pair + " (" + n + " check" + (n == 1 ? "" : "s") + ")";
                if (rs.size() == 1) {
                    out.add(head + " " + withVerdict(rs.get(0)));
                } else {
                    out.add(head + " not supported, " + rs.size() + " reasons:");
                    for (int i = 0; i < rs.size(); i++) {
                        out.add("  [" + (i + 1) + "] " + rs.get(i));
                    }
                }
            });
            return out;
        }
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

    /**
     * The rules named, or all of them; with {@code policyOnly} ({@code --policy}) only the policy rules,
     * and naming another is a mistake.
     */
    static List<Rule> rules(List<String> ids, boolean policyOnly) {
        if (ids == null || ids.isEmpty()) {
            return ConformanceSuite.rules().stream().filter(r -> !policyOnly || RuleProperties.of(r).policy()).toList();
        }
        List<Rule> out = new ArrayList<>();
        for (String id : ids) {
            Rule r;
            try {
                r = Rule.valueOf(id.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown rule '" + id + "'; rules are " + ConformanceSuite.rules().stream()
                        .map(Rule::name).collect(Collectors.joining(", ")));
            }
            if (policyOnly && !RuleProperties.of(r).policy()) {
                throw new IllegalArgumentException("rule " + r + " attaches no policy, so --policy does not apply to it;"
                        + " with --policy the rules are " + ConformanceSuite.rules().stream()
                        .filter(x -> RuleProperties.of(x).policy()).map(Rule::name).collect(Collectors.joining(", ")));
            }
            if (!out.contains(r)) {
                out.add(r);
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

    /**
     * The long form of a cell, as report.json's {@code cell}: {@code agree}, {@code differs (step N:
     * <step> <field> a≠b)}, {@code not supported} (the reason is the check's {@code reason}, not repeated).
     */
    static String cell(CheckOutcome o) {
        return switch (o.status()) {
            case PASSED -> "agree";
            case NOT_SUPPORTED -> "not supported";
            case FAILED -> differs(o);
        };
    }

    private static String differs(CheckOutcome o) {
        Difference d = o.firstDifference();
        if (d != null) {
            return "differs (step " + d.step() + ": " + d.stepText() + " " + d.field() + " " + d.a() + "≠" + d.b() + ")";
        }
        String f = o.failure() == null ? "" : o.failure().lines().findFirst().orElse("");
        return "differs (" + f + ")";
    }

    /** The short cell of the terminal table. */
    private static String shortCell(CheckOutcome o, Notes notes) {
        return switch (o.status()) {
            case PASSED -> "agree";
            case NOT_SUPPORTED -> notes.cell(o);
            case FAILED -> "DIFFERS (see below)";
        };
    }

    private static String fileName(CheckOutcome o) {
        return o.rule() + "-" + o.pair().replace("↔", "vs").replace("(", "").replace(")", "");
    }

    /** Marks the scenario files a report saves (so that the next run may remove them). */
    static final String REPORT_MARK = "found by 'autolowat report'";

    private static String comment(CheckOutcome o) {
        return o.summary() + "\n" + REPORT_MARK + ", seed " + o.seed() + "; to add it to the corpus, move it to "
                + "conformance-tests/src/test/resources/corpus and record the expected behaviour";
    }

    private static long count(Map<Rule, List<CheckOutcome>> outcomes, CheckOutcome.Status s) {
        return outcomes.values().stream().flatMap(List::stream).filter(o -> o.status() == s).count();
    }

    private static CheckOutcome find(List<CheckOutcome> list, String pair) {
        return list.stream().filter(o -> o.pair().equals(pair)).findFirst().orElse(null);
    }

    /**
     * The table, once: a line naming the backends, each pair's reasons for not supporting rules (once),
     * then one row per rule with a column per pair and the rule's title last, then the differences.
     */
    private void printTable(PrintWriter out, ConformanceSuite suite, List<Rule> rules, List<String> pairs,
                            Map<Rule, List<CheckOutcome>> outcomes, Notes notes, Map<CheckOutcome, Path> saved) {
        out.println("Conformance report — backends: " + suite.backends().stream().map(Backend::name)
                .collect(Collectors.joining(", ")) + (suite.policy().isReference() ? "" : "; policy " + policyObject)
                + "; " + tries + " generated scenarios per check after the rule's examples"
                + (seed == null ? "" : ", seed " + seed));
        notes.lines().forEach(out::println);
        out.println();
        int[] widths = new int[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            widths[i] = pairs.get(i).length();
            for (Rule rule : rules) {
                CheckOutcome o = find(outcomes.get(rule), pairs.get(i));
                if (o != null) {
                    widths[i] = Math.max(widths[i], shortCell(o, notes).length());
                }
            }
        }
        StringBuilder head = new StringBuilder("rule");
        for (int i = 0; i < pairs.size(); i++) {
            head.append("  ").append(pad(pairs.get(i), widths[i]));
        }
        out.println(head.append("  what is checked"));
        for (Rule rule : rules) {
            StringBuilder row = new StringBuilder(pad(rule.name(), 4));
            for (int i = 0; i < pairs.size(); i++) {
                CheckOutcome o = find(outcomes.get(rule), pairs.get(i));
                row.append("  ").append(pad(o == null ? "·" : shortCell(o, notes), widths[i]));
            }
            out.println(row.append("  ").append(suite.property(rule).title()));
        }
        List<CheckOutcome> failed = outcomes.values().stream().flatMap(List::stream)
                .filter(o -> o.status() == CheckOutcome.Status.FAILED).toList();
        if (!failed.isEmpty()) {
            out.println();
            out.println("Differences (first one of each shrunk scenario):");
            for (CheckOutcome o : failed) {
                Path f = saved.get(o);
                out.println("  " + o.rule() + " " + o.pair() + ": " + differs(o)
                        + (f == null ? "" : " — " + f.getFileName()));
            }
        }
        out.println();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    // ------------------------------------------------------------------ JSON

    private static String json(RunInfo run, long millis, Map<String, Object> options, ConformanceSuite suite,
                               List<Backend> backends, List<Rule> rules, Map<Rule, List<CheckOutcome>> outcomes,
                               Notes notes, Map<CheckOutcome, Path> saved) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ObjectNode r0 = root.putObject("run");
        run.fields().forEach(r0::put);
        r0.put("millis", millis);
        ObjectNode opts = r0.putObject("options");
        options.forEach((k, v) -> {
            if (v instanceof Integer i) {
                opts.put(k, i);
            } else {
                opts.put(k, String.valueOf(v));
            }
        });
        ArrayNode bs = root.putArray("backends");
        backends.forEach(b -> bs.add(b.name()));
        ObjectNode totals = root.putObject("totals");
        totals.put("agree", count(outcomes, CheckOutcome.Status.PASSED));
        totals.put("differs", count(outcomes, CheckOutcome.Status.FAILED));
        totals.put("notSupported", count(outcomes, CheckOutcome.Status.NOT_SUPPORTED));
        ArrayNode ns = root.putArray("notSupported");
        notes.reasons().forEach((pair, rs) -> {
            ObjectNode n = ns.addObject();
            n.put("pair", pair);
            n.put("checks", notes.counts().get(pair));
            ArrayNode a = n.putArray("reasons");
            rs.forEach(a::add);
        });
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
                if (o.status() == CheckOutcome.Status.NOT_SUPPORTED && o.tries() == 0) {
                    c.putNull("seed");   // nothing was generated
                } else {
                    c.put("seed", o.seed());
                }
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

    private static String html(RunInfo run, long millis, Map<String, Object> options, ConformanceSuite suite,
                               List<Backend> backends, List<Rule> rules, List<String> pairs,
                               Map<Rule, List<CheckOutcome>> outcomes, Notes notes, Map<CheckOutcome, Path> saved) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>AutoLOWAT conformance report</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse}\nth,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}\n")
                .append("th{background:#eee}\ntd.agree{background:#d9f2d9}\ntd.differs{background:#f8d0d0}\n")
                .append("td.unsupported{background:#eee;color:#555}\ntd.none{color:#999}\n")
                .append(".regime{font-weight:normal;font-size:85%;color:#444;margin-top:2px}\n")
                .append(".run{font-size:90%;color:#444}\n.run th{background:none;text-align:right}\n")
                .append("small{color:#666}\n")
                .append("pre{background:#f6f6f6;padding:8px;overflow:auto}\n</style>\n</head>\n<body>\n")
                .append("<h1>AutoLOWAT conformance report</h1>\n<p>Backends: ")
                .append(escape(backends.stream().map(Backend::name).collect(Collectors.joining(", "))))
                .append(". Checks: ").append(count(outcomes, CheckOutcome.Status.PASSED)).append(" agree, ")
                .append(count(outcomes, CheckOutcome.Status.FAILED)).append(" differ, ")
                .append(count(outcomes, CheckOutcome.Status.NOT_SUPPORTED))
                .append(" not supported (never counted as agreeing).</p>\n");
        h.append("<table class=\"run\" id=\"run\">\n");
        run.fields().forEach((k, v) -> h.append("<tr><th>").append(escape(k)).append("</th><td>").append(escape(v))
                .append("</td></tr>\n"));
        h.append("<tr><th>duration</th><td>").append(millis).append(" ms</td></tr>\n");
        h.append("<tr><th>options</th><td>").append(escape(options.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; ")))).append("</td></tr>\n");
        h.append("</table>\n");
        if (!notes.reasons().isEmpty()) {
            h.append("<h2>Not supported</h2>\n<ul id=\"not-supported\">\n");
            notes.reasons().forEach((pair, rs) -> {
                for (int i = 0; i < rs.size(); i++) {
                    h.append("<li><b>").append(escape(pair)).append("</b>")
                            .append(rs.size() > 1 ? " [" + (i + 1) + "]" : "").append(": ").append(escape(rs.get(i)))
                            .append("</li>\n");
                }
            });
            h.append("</ul>\n");
        }
        h.append("<table id=\"report\">\n<thead><tr><th>rule and regime</th>");
        for (String pair : pairs) {
            h.append("<th>").append(escape(pair)).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (Rule rule : rules) {
            RuleProperty p = suite.property(rule);
            h.append("<tr><th>").append(rule).append(" — ").append(escape(p.title()))
                    .append("<div class=\"regime\">regime: ").append(escape(p.fullRegime())).append("</div></th>");
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
                h.append("<td class=\"").append(cls).append("\">")
                        .append(escape(o.status() == CheckOutcome.Status.NOT_SUPPORTED ? notes.cell(o) : cell(o)));
                if (o.status() == CheckOutcome.Status.FAILED) {
                    h.append(" <a href=\"#").append(anchor(o)).append("\">details</a>");
                }
                if (o.tries() > 0) {
                    h.append("<br><small>").append(o.tries()).append(" scenarios, seed ").append(o.seed())
                            .append(", ").append(o.millis()).append(" ms</small>");
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
