package dev.autolowat.jmh.results;

import dev.autolowat.jmh.KernelJitBenchmark;
import dev.autolowat.jmh.PolicyInvocationBenchmark;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The VM's performance targets of issue 13, evaluated from one JMH run so that every ratio compares
 * two figures measured side by side (load changes ratios, not only absolute times):
 * <ul>
 *   <li>VM JIT / kernel JIT ≤ {@value #JIT_RATIO_TARGET} per run of the counted ALU loop and of the
 *       stack loop ({@link KernelJitBenchmark}, average time; the kernel figure is the running kernel's
 *       x86-64 JIT through {@code BPF_PROG_TEST_RUN});</li>
 *   <li>bytecode policy / Java handler ≤ {@value #POLICY_RATIO_TARGET} per frame
 *       ({@link PolicyInvocationBenchmark#rpcFrame}, throughput: the ratio is JAVA's frames/s over
 *       BYTECODE's, i.e. time per frame of the bytecode form over the Java form);</li>
 *   <li>0 bytes allocated per invocation by the translated policy (JMH's GC profiler,
 *       {@code gc.alloc.rate.norm}, bytes per operation of the BYTECODE form).</li>
 * </ul>
 * A target is <b>met</b> only when the figure is within it <em>and</em> the machine was quiet for the
 * whole run (1-minute load average below 1 at start and end, the project's rule for claiming a
 * target); on a busy machine the figure is shown as "not claimable".
 */
public final class Targets {
    /** VM JIT over kernel JIT, per program run. */
    public static final double JIT_RATIO_TARGET = 1.15;
    /** Bytecode policy over Java handler, per frame. */
    public static final double POLICY_RATIO_TARGET = 1.3;
    /** JMH's GC profiler: allocated bytes per benchmark operation. */
    static final String ALLOC_NORM = "gc.alloc.rate.norm";

    static final String KERNEL_JIT = KernelJitBenchmark.class.getName() + ".run";
    static final String POLICY = PolicyInvocationBenchmark.class.getName() + ".rpcFrame";

    /** One JMH figure: a benchmark method, its parameters, the primary score and the secondary scores. */
    public record Score(String benchmark, Map<String, String> params, double value, Map<String, Double> secondary) {
        static Score of(RunResult run) {
            BenchmarkParams p = run.getParams();
            Map<String, String> params = new TreeMap<>();
            for (String k : p.getParamsKeys()) {
                params.put(k, p.getParam(k));
            }
            Map<String, Double> secondary = new TreeMap<>();
            for (Map.Entry<String, Result> e : run.getSecondaryResults().entrySet()) {
                secondary.put(e.getKey(), e.getValue().getScore());
            }
            return new Score(p.getBenchmark(), params, run.getPrimaryResult().getScore(), secondary);
        }
    }

    /** The verdict of one target. */
    public enum Verdict {
        MET("met"), MISSED("missed"), NOT_CLAIMABLE("not claimable: the machine was busy"),
        NOT_MEASURED("not measured");

        final String text;

        Verdict(String text) {
            this.text = text;
        }
    }

    /** One row of the table: what is compared, the measured figure (empty when not measured), the target. */
    public record Row(String what, Optional<Double> measured, String target, Verdict verdict, String how) {
    }

    private Targets() {
    }

    /** Evaluates every target from one run's figures; {@code quiet}: the machine was quiet for the whole run. */
    public static List<Row> evaluate(Collection<Score> scores, boolean quiet) {
        List<Row> rows = new ArrayList<>();
        for (String program : List.of("countedLoop", "stackLoop")) {
            Optional<Double> kernel = primary(scores, KERNEL_JIT, Map.of("engine", "KERNEL_JIT", "program", program));
            Optional<Double> vm = primary(scores, KERNEL_JIT, Map.of("engine", "VM_JIT", "program", program));
            Optional<Double> ratio = kernel.isPresent() && vm.isPresent() && kernel.get() > 0
                    ? Optional.of(vm.get() / kernel.get()) : Optional.empty();
            rows.add(atMost("VM JIT / kernel JIT, `" + program + "` (time per run)", ratio, JIT_RATIO_TARGET, quiet,
                    kernel.isEmpty() ? "the KERNEL_JIT engine did not run (it needs root)" : "KernelJitBenchmark.run"));
        }
        Optional<Double> java = primary(scores, POLICY, Map.of("policy", PolicyInvocationBenchmark.JAVA));
        Optional<Double> bytecode = primary(scores, POLICY, Map.of("policy", PolicyInvocationBenchmark.BYTECODE));
        Optional<Double> policyRatio = java.isPresent() && bytecode.isPresent() && bytecode.get() > 0
                ? Optional.of(java.get() / bytecode.get()) : Optional.empty();
        rows.add(atMost("bytecode policy / Java handler (time per frame)", policyRatio, POLICY_RATIO_TARGET, quiet,
                "PolicyInvocationBenchmark.rpcFrame, JAVA frames/s over BYTECODE frames/s"));
        Optional<Double> alloc = secondary(scores, POLICY, Map.of("policy", PolicyInvocationBenchmark.BYTECODE),
                ALLOC_NORM);
        // Allocation does not depend on load: a zero is a zero on a busy machine too. JMH reports the
        // normalised rate with tiny noise from its own infrastructure, hence the half-byte threshold.
        Verdict allocVerdict = alloc.isEmpty() ? Verdict.NOT_MEASURED
                : alloc.get() < 0.5 ? Verdict.MET : Verdict.MISSED;
        rows.add(new Row("bytes allocated per frame, bytecode policy", alloc, "0 B", allocVerdict,
                "GC profiler `" + ALLOC_NORM + "` of PolicyInvocationBenchmark.rpcFrame, BYTECODE"));
        return rows;
    }

    private static Row atMost(String what, Optional<Double> measured, double target, boolean quiet, String how) {
        Verdict v = measured.isEmpty() ? Verdict.NOT_MEASURED
                : !quiet ? Verdict.NOT_CLAIMABLE
                : measured.get() <= target ? Verdict.MET : Verdict.MISSED;
        return new Row(what, measured, "≤ " + target, v, how);
    }

    private static Optional<Score> find(Collection<Score> scores, String benchmark, Map<String, String> params) {
        return scores.stream()
                .filter(s -> s.benchmark().equals(benchmark))
                .filter(s -> params.entrySet().stream().allMatch(e -> e.getValue().equals(s.params().get(e.getKey()))))
                .findFirst();
    }

    private static Optional<Double> primary(Collection<Score> scores, String benchmark, Map<String, String> params) {
        return find(scores, benchmark, params).map(Score::value);
    }

    private static Optional<Double> secondary(Collection<Score> scores, String benchmark, Map<String, String> params,
                                              String name) {
        // the first score that has it: the targets' own run has no profiler (ResultsPage), the other run has
        return scores.stream()
                .filter(s -> s.benchmark().equals(benchmark) && s.secondary().containsKey(name))
                .filter(s -> params.entrySet().stream().allMatch(e -> e.getValue().equals(s.params().get(e.getKey()))))
                .findFirst()
                .map(s -> s.secondary().get(name));
    }

    /**
     * The page's markdown section for these rows; {@code loadStart}: the 1-minute load average when
     * the page started, {@code during}: what other work took during the JMH run ({@link CpuShare#describe}).
     */
    public static String markdown(List<Row> rows, boolean quiet, String loadStart, String during) {
        StringBuilder md = new StringBuilder("## VM targets (issue 13)\n\n");
        md.append("Ratios of two figures of this same run (the targets' own JMH run, see the settings above). A target"
                + " counts as met only on a quiet machine: 1-minute load average below 1 at the start, and during the"
                + " JMH run other processes below ").append(CpuShare.QUIET_OTHERS).append(" CPU and steal below ")
                .append(CpuShare.QUIET_STEAL).append(" CPU on average (docs/performance.md); here: load ")
                .append(loadStart).append("; ").append(during).append(quiet ? " — quiet" : " — **busy**")
                .append(".\n\n");
        md.append("| figure | measured | target | verdict | from |\n|---|---:|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.what(),
                    r.measured().map(v -> String.format(Locale.ROOT, "%.2f", v)).orElse("—"), r.target(),
                    r.verdict().text, r.how()));
        }
        md.append("\n");
        return md.toString();
    }
}
