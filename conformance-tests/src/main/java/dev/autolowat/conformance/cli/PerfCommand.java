package dev.autolowat.conformance.cli;

import dev.autolowat.conformance.workload.WorkloadChart;
import dev.autolowat.conformance.workload.WorkloadResult;
import dev.autolowat.conformance.workload.WorkloadTable;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.kernel.sys.LibC;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code autolowat perf}: runs the RPC workload grid ({@link WorkloadTable}: frame sizes × segment
 * counts × reader modes) on the simulator and, as root, on the native backend — counts, not times —
 * prints the markdown table with the machine it ran on, and writes an SVG chart of wakeups per frame
 * and recv calls per frame by mode and frame size ({@link WorkloadChart}). Rows where the simulator and
 * the kernel disagree are marked in the table's last column and counted below it. The chart goes under
 * {@code reports/} unless {@code --svg} says otherwise; the tracked {@code docs/performance-chart.svg}
 * is rewritten only with {@code --update-docs}, run from the repository root. The full results page
 * (this grid for 1..8 segments, the JMH benchmarks, docs/performance.md) is {@code dev.autolowat.jmh.results.ResultsPage}.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Runs the RPC workload grid (counts) on sim and native, prints the table (rows where sim and "
                + "kernel differ marked), writes an SVG chart.")
public final class PerfCommand implements Callable<Integer> {
    /** The most frames per cell {@code --frames} accepts (a cell may carry 1 MiB frames). */
    static final int MAX_FRAMES = 10_000;
    /** The chart's default place. */
    static final String DEFAULT_SVG = "reports/perf/performance-chart.svg";
    /** The tracked chart {@code --update-docs} rewrites, relative to the repository root. */
    static final Path DOCS_SVG = Path.of("docs", "performance-chart.svg");

    @Option(names = "--frames", defaultValue = "20",
            description = "Frames per cell, 1.." + MAX_FRAMES + " (default ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--svg", description = "Chart output (default " + DEFAULT_SVG + ").")
    Path svg;

    @Option(names = "--update-docs", description = "Write the chart to the repository's tracked "
            + "docs/performance-chart.svg instead (run from the repository root; not with --svg).")
    boolean updateDocs;

    @Option(names = "--no-native", description = "Simulator only.")
    boolean noNative;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // Every value and the chart's path are checked before the grid (minutes with 1 MiB frames) runs.
        CliErrors.range(spec, "--frames", frames, 1, MAX_FRAMES);
        Path chart = chartPath();
        PrintWriter out = spec.commandLine().getOut();
        boolean root = Files.isDirectory(Path.of("/proc/self")) && LibC.geteuid() == 0;
        NativeBackend nat = !noNative && root ? new NativeBackend() : null;
        out.println("Machine: " + machine());
        if (!noNative && !root) {
            out.println("native: not run (requires root: the native backend loads BPF programs and moves the JVM into a cgroup)");
        }
        out.flush();
        List<WorkloadTable.Row> rows = WorkloadTable.measure(frames, nat);
        out.printf("%d frames per cell, IPv4 loopback; per frame: wakeups / recv / setsockopt%n", frames);
        out.println("| frame | seg | mode | sim wakeups | sim recv | sim setsockopt | native wakeups | native recv "
                + "| native setsockopt | sim = native |");
        out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
        List<WorkloadTable.Row> differ = new ArrayList<>();
        for (WorkloadTable.Row r : rows) {
            String agree = WorkloadTable.agreement(r);
            if (agree.equals("**no**")) {
                differ.add(r);
            }
            out.printf("| %s | %d | %s | %s | %s | %s |%n", WorkloadTable.size(r.workload().frameSize()),
                    r.workload().segmentsPerFrame(), r.workload().mode().label(), counts(r.sim(), r.simNote()),
                    counts(r.nat(), r.natNote()), agree);
        }
        if (!differ.isEmpty()) {
            out.println(differ.size() + " row" + (differ.size() == 1 ? "" : "s") + " where simulator and kernel differ ("
                    + differ.stream().map(r -> WorkloadTable.size(r.workload().frameSize())).distinct()
                    .collect(Collectors.joining(", ")) + "), marked **no**: the model's known limits are in "
                    + "docs/performance.md (1 MiB frames: receive-buffer autotuning is not modelled)");
        }
        Files.writeString(chart, WorkloadChart.svg(rows, frames, machine()), StandardCharsets.UTF_8);
        out.println("chart: " + chart);
        out.flush();
        return 0;
    }

    /** The chart's path, checked: {@code --svg}, the tracked docs chart with {@code --update-docs}, or the default. */
    private Path chartPath() {
        if (updateDocs && svg != null) {
            throw CliErrors.bad(spec, "--update-docs writes " + DOCS_SVG + "; give it or --svg, not both");
        }
        if (updateDocs) {
            // Only in a checkout: never create ./docs in whatever directory perf runs from.
            if (!Files.isRegularFile(Path.of("docs", "performance.md"))) {
                throw CliErrors.bad(spec, "--update-docs rewrites " + DOCS_SVG + " of the repository: run it from the "
                        + "repository root (no docs/performance.md in " + Path.of("").toAbsolutePath() + ")");
            }
            return CliErrors.writableFile(spec, "--update-docs", DOCS_SVG);
        }
        return CliErrors.writableFile(spec, "--svg", svg != null ? svg : Path.of(DEFAULT_SVG));
    }

    /** One line: CPU model, processors, Java version, kernel release. */
    public static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        String kernel = "unknown";
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            // not Linux
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + System.getProperty("java.version") + ", kernel " + kernel;
    }

    private static String counts(WorkloadResult r, String note) {
        return r == null ? note + " | |" : String.format(Locale.ROOT, "%.2f | %.2f | %.2f", r.wakeupsPerFrame(),
                r.recvCallsPerFrame(), r.setsockoptCallsPerFrame());
    }
}
