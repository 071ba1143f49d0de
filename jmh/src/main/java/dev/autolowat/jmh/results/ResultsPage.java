package dev.autolowat.jmh.results;

import dev.autolowat.conformance.workload.ReaderMode;
import dev.autolowat.conformance.workload.WorkloadChart;
import dev.autolowat.conformance.workload.WorkloadResult;
import dev.autolowat.conformance.workload.WorkloadTable;
import dev.autolowat.jmh.PolicyInvocationBenchmark;
import dev.autolowat.jmh.RpcWorkloadBenchmark;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.kernel.sys.LibC;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Version;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The results page of issue 6, in one command: runs the RPC workload grid (frame sizes × 1..8 segments ×
 * reader modes, counts) on the simulator and, as root, on the native backend; runs the JMH benchmarks of
 * this module with short settings through the JMH Runner API (one fork); rewrites the generated section
 * of {@code docs/performance.md} ({@link GeneratedSection}: the hand-written text around it stays) with the
 * tables, the simulator/native speed ratio of {@link RpcWorkloadBenchmark}, the VM's targets ({@link Targets}:
 * VM JIT / kernel JIT, bytecode policy / Java handler, bytes allocated per invocation — JMH runs with its GC
 * profiler) and the machine; and writes the
 * SVG chart ({@link WorkloadChart}).
 *
 * <pre>
 * mvn -q -B -DskipTests package
 * java -cp jmh/target/benchmarks.jar dev.autolowat.jmh.results.ResultsPage
 * </pre>
 * Run from the repository root (the default paths are relative to it). {@code --help} lists the options.
 */
public final class ResultsPage {
    /** Segment counts of the grid: every count of the acceptance. */
    static final int[] SEGMENT_COUNTS = {1, 2, 3, 4, 5, 6, 7, 8};
    /** JMH: forks per benchmark. */
    static final int FORKS = 1;
    /** JMH: warm-up iterations × seconds. */
    static final int WARMUP_ITERATIONS = 1;
    static final int WARMUP_SECONDS = 1;
    /** JMH: measurement iterations × seconds. */
    static final int MEASUREMENT_ITERATIONS = 3;
    static final int MEASUREMENT_SECONDS = 1;
    /**
     * JMH for the VM's speed targets ({@link Targets}: {@code KernelJitBenchmark.run} and
     * {@code PolicyInvocationBenchmark.rpcFrame}, only the parameter sets the ratios compare), run
     * again after the others with longer settings and without the GC profiler: with 1 × 1 s of
     * warm-up the translated policy is not yet at full speed, and three 1-second iterations leave
     * errors as large as the margins to the targets (docs/performance.md, "The policy gap").
     */
    static final int TARGET_FORKS = 2;
    static final int TARGET_WARMUP_ITERATIONS = 8;
    static final int TARGET_WARMUP_SECONDS = 2;
    static final int TARGET_MEASUREMENT_ITERATIONS = 5;
    static final int TARGET_MEASUREMENT_SECONDS = 2;
    /** The RpcWorkloadBenchmark's benchmark method, for the speed ratio. */
    static final String RPC_WORKLOAD = RpcWorkloadBenchmark.class.getName() + ".run";

    static final String USAGE = """
            usage: java -cp jmh/target/benchmarks.jar dev.autolowat.jmh.results.ResultsPage [options]
              --page PATH      markdown page whose generated section is rewritten (default docs/performance.md)
              --svg PATH       chart to write (default docs/performance-chart.svg; linked from the page)
              --frames N       frames per workload cell (default 50)
              --include REGEX  JMH benchmarks to run (default: every benchmark of dev.autolowat.jmh)
              --no-jmh         skip the JMH benchmarks (the page says so)
              --no-native      simulator only, even as root
              --help           this text
            """;

    /** What one run does. */
    record Settings(Path page, Path svg, int frames, String include, boolean jmh, boolean nativeBackend) {
        static Settings parse(String[] args) {
            Path page = Path.of("docs/performance.md");
            Path svg = Path.of("docs/performance-chart.svg");
            int frames = 50;
            String include = "dev\\.autolowat\\.jmh\\..*";
            boolean jmh = true;
            boolean nativeBackend = true;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--page" -> page = Path.of(value(args, ++i, "--page"));
                    case "--svg" -> svg = Path.of(value(args, ++i, "--svg"));
                    case "--frames" -> {
                        String v = value(args, ++i, "--frames");
                        try {
                            frames = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--frames needs a whole number, got '" + v + "'");
                        }
                        if (frames < 1) {
                            throw new IllegalArgumentException("--frames must be at least 1, got " + frames);
                        }
                    }
                    case "--include" -> include = value(args, ++i, "--include");
                    case "--no-jmh" -> jmh = false;
                    case "--no-native" -> nativeBackend = false;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            return new Settings(page, svg, frames, include, jmh, nativeBackend);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }

    private ResultsPage() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the page; returns the exit status (0 done, 1 JMH could not run, 2 bad arguments). */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (List.of(args).contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("ResultsPage: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        boolean root = Files.isDirectory(Path.of("/proc/self")) && LibC.geteuid() == 0;
        boolean runNative = settings.nativeBackend() && root;
        MachineDescription machine = MachineDescription.current(root);
        out.println("Machine: " + machine.oneLine());

        out.println("RPC workload grid: " + settings.frames() + " frames per cell, simulator"
                + (runNative ? " and native backend" : " only"));
        List<WorkloadTable.Row> rows = WorkloadTable.measure(settings.frames(), runNative ? new NativeBackend() : null,
                WorkloadTable.SIZES, SEGMENT_COUNTS);

        Collection<RunResult> jmh = List.of();
        Optional<CpuShare> share = Optional.empty();
        if (settings.jmh()) {
            out.println("JMH: " + settings.include() + ", " + jmhSettings());
            Options options = new OptionsBuilder()
                    .include(settings.include())
                    .forks(FORKS)
                    .warmupIterations(WARMUP_ITERATIONS)
                    .warmupTime(TimeValue.seconds(WARMUP_SECONDS))
                    .measurementIterations(MEASUREMENT_ITERATIONS)
                    .measurementTime(TimeValue.seconds(MEASUREMENT_SECONDS))
                    // bytes allocated per operation (gc.alloc.rate.norm): the VM target "0 B per invocation"
                    .addProfiler(GCProfiler.class)
                    .shouldFailOnError(false)
                    .build();
            Optional<CpuShare.Sample> before = CpuShare.Sample.now();
            try {
                List<RunResult> all = new ArrayList<>(new Runner(options).run());
                Optional<Options> targetRun = targetOptions(settings.include());
                if (targetRun.isPresent()) {
                    out.println("JMH, the VM targets' figures again: " + targetSettings());
                    // first, so that Targets reads the ratios from this run (and the allocation from the other)
                    all.addAll(0, new Runner(targetRun.get()).run());
                }
                jmh = all;
                Optional<CpuShare.Sample> after = CpuShare.Sample.now();
                if (before.isPresent() && after.isPresent()) {
                    share = Optional.of(CpuShare.between(before.get(), after.get(), CpuShare.ticksPerSecond()));
                }
            } catch (RunnerException e) {
                // e.g. another JMH run holds /tmp/jmh.lock: a page without its benchmarks would misstate
                // what was measured, so nothing is written.
                err.println("ResultsPage: JMH could not run, nothing written: " + e.getMessage());
                return 1;
            }
        }

        String loadAtEnd = MachineDescription.currentLoadAverage();
        Files.createDirectories(settings.svg().toAbsolutePath().getParent());
        Files.writeString(settings.svg(), WorkloadChart.svg(rows, settings.frames(), machine.oneLine()),
                StandardCharsets.UTF_8);
        Path svgFromPage = settings.page().toAbsolutePath().getParent().relativize(settings.svg().toAbsolutePath());
        GeneratedSection.rewrite(settings.page(),
                markdown(settings, machine, loadAtEnd, share, runNative, rows, jmh, svgFromPage));
        out.println("written: " + settings.page() + " (generated section), " + settings.svg());
        return 0;
    }

    /**
     * Whether the VM targets' ratios may be claimed: the 1-minute load below 1 when the page started
     * (nothing else was running), and during the JMH run other processes and the hypervisor took
     * little CPU ({@link CpuShare#quiet}). Without {@code /proc}'s accounting, the load at the end
     * must be below 1 too (which the benchmark's own fork usually prevents: not claimable then).
     */
    static boolean quiet(String loadAtStart, String loadAtEnd, Optional<CpuShare> share) {
        return MachineDescription.quiet(loadAtStart)
                && share.map(CpuShare::quiet).orElse(MachineDescription.quiet(loadAtEnd));
    }

    /**
     * The second JMH run, for the VM targets' ratios: the benchmarks and parameter sets they compare
     * that {@code include} selects (JMH's include is a regular expression found in the name), or
     * empty when it selects none.
     */
    static Optional<Options> targetOptions(String include) {
        Pattern selected = Pattern.compile(include);
        boolean kernelJit = selected.matcher(Targets.KERNEL_JIT).find();
        boolean policy = selected.matcher(Targets.POLICY).find();
        if (!kernelJit && !policy) {
            return Optional.empty();
        }
        OptionsBuilder b = new OptionsBuilder();
        if (kernelJit) {
            b.include(Pattern.quote(Targets.KERNEL_JIT) + "$");
            b.param("engine", "KERNEL_JIT", "VM_JIT").param("program", "countedLoop", "stackLoop");
        }
        if (policy) {
            b.include(Pattern.quote(Targets.POLICY) + "$");
            b.param("policy", PolicyInvocationBenchmark.JAVA, PolicyInvocationBenchmark.BYTECODE);
        }
        return Optional.of(b.forks(TARGET_FORKS)
                .warmupIterations(TARGET_WARMUP_ITERATIONS)
                .warmupTime(TimeValue.seconds(TARGET_WARMUP_SECONDS))
                .measurementIterations(TARGET_MEASUREMENT_ITERATIONS)
                .measurementTime(TimeValue.seconds(TARGET_MEASUREMENT_SECONDS))
                .shouldFailOnError(false)
                .build());
    }

    static String targetSettings() {
        return String.format(Locale.ROOT, "%d forks, warm-up %d × %d s, measurement %d × %d s, no profiler",
                TARGET_FORKS, TARGET_WARMUP_ITERATIONS, TARGET_WARMUP_SECONDS, TARGET_MEASUREMENT_ITERATIONS,
                TARGET_MEASUREMENT_SECONDS);
    }

    static String jmhSettings() {
        return String.format(Locale.ROOT, "JMH %s, %d fork, warm-up %d × %d s, measurement %d × %d s per benchmark"
                        + " and parameter set, GC profiler; the VM targets' ratios from a second run (%s)",
                Version.getPlainVersion(), FORKS, WARMUP_ITERATIONS, WARMUP_SECONDS, MEASUREMENT_ITERATIONS,
                MEASUREMENT_SECONDS, targetSettings());
    }

    /** The generated section's markdown. */
    static String markdown(Settings settings, MachineDescription machine, String loadAtEnd, Optional<CpuShare> share,
                           boolean runNative, List<WorkloadTable.Row> rows, Collection<RunResult> jmh, Path svg) {
        StringBuilder md = new StringBuilder();
        md.append("# Results page (generated)\n\n");
        md.append("Everything from here to the end marker is written by\n\n```sh\n")
                .append("mvn -q -B -DskipTests package\n")
                .append("java -cp jmh/target/benchmarks.jar dev.autolowat.jmh.results.ResultsPage\n```\n\n")
                .append("(`--help` for its options; run it as root to include the native backend). Hand-written"
                        + " explanations are the sections above.\n\n");
        md.append("## Machine and run\n\n").append(machine.markdown());
        md.append("- workload: ").append(settings.frames()).append(" frames per cell, IPv4 loopback, frame sizes ")
                .append(Arrays.toString(WorkloadTable.SIZES)).append(" bytes × 1..8 segments × ")
                .append(ReaderMode.values().length).append(" reader modes; native backend ")
                .append(runNative ? "included" : "not run (" + (machine.root() ? "--no-native" : "requires root") + ")")
                .append("\n");
        md.append("- JMH: ").append(settings.jmh() ? jmhSettings() + "; benchmarks `" + settings.include() + "`"
                : "not run (--no-jmh)").append("\n");
        md.append("- load average (1, 5, 15 min, `/proc/loadavg`): ").append(machine.loadAverage())
                .append(" at the start, ").append(loadAtEnd).append(" at the end")
                .append(share.map(c -> "; during the JMH run: " + c.describe()).orElse("")).append("\n\n");
        if (settings.jmh() && (machine.busy(machine.loadAverage()) || machine.busy(loadAtEnd))) {
            md.append("**Warning: the machine was busy** (1-minute load above its ").append(machine.nproc())
                    .append(" processors): other work competed for the CPUs, so the JMH times and the speed ratio"
                            + " below are unreliable — rerun on a quiet machine. The counts are not affected.\n\n");
        }

        appendWorkload(md, rows, settings.frames(), runNative, svg);
        if (settings.jmh()) {
            appendSpeedRatio(md, jmh);
            boolean quiet = quiet(machine.loadAverage(), loadAtEnd, share);
            md.append(Targets.markdown(Targets.evaluate(jmh.stream().map(Targets.Score::of).toList(), quiet), quiet,
                    machine.loadAverage(), share.map(CpuShare::describe).orElse("1-minute load " + loadAtEnd
                            + " at the end (the CPU accounting of /proc was not available)")));
            appendJmh(md, jmh);
        }
        return md.toString();
    }

    private static void appendWorkload(StringBuilder md, List<WorkloadTable.Row> rows, int frames, boolean runNative,
                                       Path svg) {
        md.append("## RPC workload: wakeups and syscalls per frame, simulator vs native\n\n");
        md.append("Per frame: wakeups / recv calls / `setsockopt(SO_RCVLOWAT)` calls, and bytes per recv;"
                + " \"agree\" compares the raw counts (wakeups, recv, setsockopt, bytes) exactly. The simulator is"
                + " configured as this machine (its sysctls; BPF AutoLOWAT with the series, the other modes"
                + " without).\n\n");
        long compared = 0;
        long agreeing = 0;
        long comparedUpTo64K = 0;
        long agreeingUpTo64K = 0;
        List<String> differing = new ArrayList<>();
        md.append("| frame | seg | mode | sim wakeups | sim recv | sim setsockopt | sim B/recv"
                + " | native wakeups | native recv | native setsockopt | native B/recv | agree |\n");
        md.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (WorkloadTable.Row r : rows) {
            String agree = WorkloadTable.agreement(r);
            boolean small = r.workload().frameSize() <= 65536;
            if (!agree.equals("n/a")) {
                compared++;
                comparedUpTo64K += small ? 1 : 0;
                if (agree.equals("yes")) {
                    agreeing++;
                    agreeingUpTo64K += small ? 1 : 0;
                } else {
                    differing.add(WorkloadTable.size(r.workload().frameSize()) + " × " + r.workload().segmentsPerFrame()
                            + " " + r.workload().mode().label());
                }
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %s %s %s | %s |%n",
                    WorkloadTable.size(r.workload().frameSize()), r.workload().segmentsPerFrame(),
                    r.workload().mode().label(), WorkloadTable.cells(r.sim(), r.simNote()),
                    WorkloadTable.cells(r.nat(), r.natNote()), agree));
        }
        md.append("\n");
        if (runNative) {
            md.append(String.format(Locale.ROOT, "**Agreement:** %d of %d compared cells agree; frames up to 64 KiB:"
                    + " %d of %d.", agreeing, compared, agreeingUpTo64K, comparedUpTo64K));
            md.append(differing.isEmpty() ? " No cell differs.\n\n"
                    : " Differing: " + String.join("; ", differing) + ".\n\n");
        } else {
            md.append("**Agreement:** not measured (native backend not run).\n\n");
        }
        md.append("![wakeups and recv calls per frame by mode, frame size and segments](")
                .append(svg.toString().replace('\\', '/')).append(")\n\n");
        md.append("[`").append(svg.getFileName()).append("`](").append(svg.toString().replace('\\', '/'))
                .append("): bars = simulator, black ticks = native backend; a group per frame size / segment count,"
                        + " a bar per reader mode (").append(modeLegend()).append("). ").append(frames)
                .append(" frames per cell. Counts, not times.\n\n");
    }

    private static String modeLegend() {
        List<String> labels = new ArrayList<>();
        for (ReaderMode m : ReaderMode.values()) {
            labels.add(m.label());
        }
        return String.join(", ", labels);
    }

    private static void appendSpeedRatio(StringBuilder md, Collection<RunResult> jmh) {
        md.append("## Simulator vs native speed (`RpcWorkloadBenchmark`)\n\n");
        List<RunResult> runs = jmh.stream().filter(r -> r.getParams().getBenchmark().equals(RPC_WORKLOAD)).toList();
        RunResult sim = byBackend(runs, RpcWorkloadBenchmark.SIM);
        RunResult nat = byBackend(runs, RpcWorkloadBenchmark.NATIVE);
        if (sim == null) {
            md.append("Not measured: `RpcWorkloadBenchmark` did not run (not included, or it failed; see the"
                    + " command's output).\n\n");
            return;
        }
        BenchmarkParams p = sim.getParams();
        md.append("One operation = one whole `RpcWorkload` run (a fresh session and connection, ")
                .append(p.getParam("frames")).append(" frames of ").append(p.getParam("frameSize"))
                .append(" bytes in ").append(p.getParam("segments")).append(" segments, reader mode `")
                .append(p.getParam("mode")).append("`); the native time includes opening its session (BPF load,"
                        + " cgroup). Per-frame counts are the JMH auxiliary counters divided by `frames`.\n\n");
        md.append("| | sim | native |\n|---|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| time per operation (%s) | %s | %s |%n",
                sim.getPrimaryResult().getScoreUnit(), score(sim.getPrimaryResult()),
                nat == null ? "not run" : score(nat.getPrimaryResult())));
        for (String counter : List.of("wakeups", "recvCalls", "setsockoptCalls")) {
            md.append(String.format(Locale.ROOT, "| %s per frame | %s | %s |%n", counter, perFrame(sim, counter),
                    nat == null ? "not run" : perFrame(nat, counter)));
        }
        md.append("\n");
        if (nat == null) {
            md.append("**Ratio: not measured** — the native parameter did not run (it needs root: \"requires root\""
                    + " at trial setup).\n\n");
        } else {
            double ratio = nat.getPrimaryResult().getScore() / sim.getPrimaryResult().getScore();
            md.append(String.format(Locale.ROOT, "**Ratio: the simulator runs the scenario %.0f× faster than the native"
                            + " backend** (%.1f / %.2f %s per operation; short run, see the error columns below).%n%n",
                    ratio, nat.getPrimaryResult().getScore(), sim.getPrimaryResult().getScore(),
                    sim.getPrimaryResult().getScoreUnit()));
        }
    }

    private static RunResult byBackend(List<RunResult> runs, String backend) {
        return runs.stream().filter(r -> backend.equals(r.getParams().getParam("backend"))).findFirst().orElse(null);
    }

    private static String perFrame(RunResult run, String counter) {
        Map<String, Result> secondary = run.getSecondaryResults();
        Result n = secondary.get(counter);
        Result frames = secondary.get("frames");
        if (n == null || frames == null || frames.getScore() == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f", n.getScore() / frames.getScore());
    }

    private static void appendJmh(StringBuilder md, Collection<RunResult> jmh) {
        md.append("## JMH results\n\n");
        if (jmh.isEmpty()) {
            md.append("No benchmark produced a result (see the command's output for errors).\n\n");
            return;
        }
        md.append("Secondary rows (`:name`) are the benchmarks' auxiliary counters (see each benchmark's Javadoc"
                + " for what it counts); a parameter set that failed (for example `backend=native` without root)"
                + " has no row.\n\n");
        md.append("| benchmark | parameters | run | mode | score | error | units |\n|---|---|---|---|---:|---:|---|\n");
        for (RunResult run : jmh) {
            BenchmarkParams p = run.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1);
            String params = p.getParamsKeys().stream().map(k -> k + "=" + p.getParam(k)).collect(Collectors.joining(", "));
            Result primary = run.getPrimaryResult();
            String settings = p.getForks() + " × " + p.getMeasurement().getCount() + " × " + p.getMeasurement().getTime();
            md.append(row(name, params, settings, p.getMode().shortLabel(), primary));
            for (Map.Entry<String, Result> e : run.getSecondaryResults().entrySet()) {
                md.append(row(name + ":" + e.getKey(), "", "", "", e.getValue()));
            }
        }
        md.append("\n");
    }

    private static String row(String name, String params, String settings, String mode, Result r) {
        String error = Double.isNaN(r.getScoreError()) ? "" : "± " + number(r.getScoreError());
        return "| " + name + " | " + params + " | " + settings + " | " + mode + " | " + number(r.getScore()) + " | "
                + error + " | " + r.getScoreUnit() + " |\n";
    }

    private static String score(Result r) {
        String error = Double.isNaN(r.getScoreError()) ? "" : " ± " + number(r.getScoreError());
        return number(r.getScore()) + error;
    }

    /** Three significant decimals for small numbers, none for large ones. */
    static String number(double v) {
        double a = Math.abs(v);
        return a >= 1000 ? String.format(Locale.ROOT, "%,.0f", v)
                : a >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.4f", v);
    }
}
