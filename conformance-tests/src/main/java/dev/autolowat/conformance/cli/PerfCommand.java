package dev.autolowat.conformance.cli;

import dev.autolowat.conformance.workload.WorkloadChart;
import dev.autolowat.conformance.workload.WorkloadResult;
import dev.autolowat.conformance.workload.WorkloadTable;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.kernel.sys.LibC;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code autolowat perf}: runs the RPC workload grid ({@link WorkloadTable}: frame sizes × segment
 * counts × reader modes) on the simulator and, as root, on the native backend — counts, not times —
 * prints the markdown table with the machine it ran on, and writes an SVG chart of wakeups per frame
 * and recv calls per frame by mode and frame size ({@link WorkloadChart}). The full results page
 * (this grid for 1..8 segments, the JMH benchmarks, docs/performance.md) is {@code dev.autolowat.jmh.ResultsPage}.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Runs the RPC workload grid (counts) on sim and native, prints the table, writes an SVG chart.")
public final class PerfCommand implements Callable<Integer> {
    @Option(names = "--frames", defaultValue = "20", description = "Frames per cell (default ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--svg", defaultValue = "docs/performance-chart.svg", description = "Chart output (default ${DEFAULT-VALUE}).")
    Path svg;

    @Option(names = "--no-native", description = "Simulator only.")
    boolean noNative;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        boolean root = Files.isDirectory(Path.of("/proc/self")) && LibC.geteuid() == 0;
        NativeBackend nat = !noNative && root ? new NativeBackend() : null;
        out.println("Machine: " + machine());
        if (!noNative && !root) {
            out.println("native: not run (requires root: the native backend loads BPF programs and moves the JVM into a cgroup)");
        }
        List<WorkloadTable.Row> rows = WorkloadTable.measure(frames, nat);
        out.printf("%d frames per cell, IPv4 loopback; per frame: wakeups / recv / setsockopt%n", frames);
        out.println("| frame | seg | mode | sim wakeups | sim recv | sim setsockopt | native wakeups | native recv | native setsockopt |");
        out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        for (WorkloadTable.Row r : rows) {
            out.printf("| %d | %d | %s | %s | %s |%n", r.workload().frameSize(), r.workload().segmentsPerFrame(),
                    r.workload().mode().label(), counts(r.sim(), r.simNote()), counts(r.nat(), r.natNote()));
        }
        Path parent = svg.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(svg, WorkloadChart.svg(rows, frames, machine()), StandardCharsets.UTF_8);
        out.println("chart: " + svg);
        return 0;
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
