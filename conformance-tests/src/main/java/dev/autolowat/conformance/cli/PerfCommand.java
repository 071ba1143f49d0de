package dev.autolowat.conformance.cli;

import dev.autolowat.conformance.workload.ReaderMode;
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
 * and recv calls per frame by mode and frame size (hand-written SVG).
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
        Files.writeString(svg, svg(rows, frames, machine()), StandardCharsets.UTF_8);
        out.println("chart: " + svg);
        return 0;
    }

    static String machine() {
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

    private static final String[] COLORS = {"#d62728", "#ff7f0e", "#1f77b4", "#2ca02c"};

    /** Two panels (wakeups per frame, recv calls per frame); a group per frame size × segments, a bar per mode (sim), a black tick for native. */
    static String svg(List<WorkloadTable.Row> rows, int frames, String machine) {
        ReaderMode[] modes = ReaderMode.values();
        int groups = rows.size() / modes.length;
        int barW = 8;
        int groupW = modes.length * barW + 10;
        int left = 50;
        int panelH = 220;
        int width = left + groups * groupW + 20;
        int height = 70 + 2 * (panelH + 60) + 30;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"10\">%n", width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\">RPC workload, %d frames per cell:"
                + " bars = simulator, black ticks = native backend</text>%n", left, frames));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"30\">%s</text>%n", left, esc(machine)));
        for (int m = 0; m < modes.length; m++) {
            int x = left + m * 170;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"38\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"47\">%s</text>%n", x, COLORS[m], x + 14, esc(modes[m].label())));
        }
        String[] titles = {"wakeups per frame", "recv calls per frame"};
        for (int p = 0; p < 2; p++) {
            int top = 70 + p * (panelH + 60);
            double max = 1;
            for (WorkloadTable.Row r : rows) {
                max = Math.max(max, Math.max(value(r.sim(), p), value(r.nat(), p)));
            }
            max = Math.ceil(max);
            int base = top + panelH;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n", left, top - 4, titles[p]));
            int ticks = (int) max;
            int step = Math.max(1, ticks / 6);
            for (int t = 0; t <= ticks; t += step) {
                double y = base - t / max * panelH;
                s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                        + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
                        left, y, width - 20, y, left - 4, y + 3, t));
            }
            for (int g = 0; g < groups; g++) {
                int gx = left + g * groupW + 5;
                WorkloadTable.Row first = rows.get(g * modes.length);
                for (int m = 0; m < modes.length; m++) {
                    WorkloadTable.Row r = rows.get(g * modes.length + m);
                    int x = gx + m * barW;
                    if (r.sim() != null) {
                        double h = value(r.sim(), p) / max * panelH;
                        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                                + "<title>sim %s %.2f</title></rect>%n", x, base - h, barW - 1, h, COLORS[m],
                                esc(label(r) + " " + r.workload().mode().label()), value(r.sim(), p)));
                    } else {
                        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">x</text>%n",
                                x, base - 2, COLORS[m]));
                    }
                    if (r.nat() != null) {
                        double y = base - value(r.nat(), p) / max * panelH;
                        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\""
                                + " stroke-width=\"2\"><title>native %s %.2f</title></line>%n", x, y, x + barW - 1, y,
                                esc(label(r) + " " + r.workload().mode().label()), value(r.nat(), p)));
                    }
                }
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                        gx + modes.length * barW / 2, base + 12, esc(label(first))));
            }
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                    left, base, width - 20, base));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">x under a group: the simulator stalled or the"
                + " mode is not supported; groups are frame size / segments per frame</text>%n", left, height - 8));
        s.append("</svg>\n");
        return s.toString();
    }

    private static String counts(WorkloadResult r, String note) {
        return r == null ? note + " | |" : String.format(Locale.ROOT, "%.2f | %.2f | %.2f", r.wakeupsPerFrame(),
                r.recvCallsPerFrame(), r.setsockoptCallsPerFrame());
    }

    private static String label(WorkloadTable.Row r) {
        int b = r.workload().frameSize();
        String size = b >= 1 << 20 ? (b >> 20) + "M" : b >= 1024 ? (b >> 10) + "K" : b + "B";
        return size + "/" + r.workload().segmentsPerFrame();
    }

    private static double value(WorkloadResult r, int panel) {
        return r == null ? 0 : panel == 0 ? r.wakeupsPerFrame() : r.recvCallsPerFrame();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
