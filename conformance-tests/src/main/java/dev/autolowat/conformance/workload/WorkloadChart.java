package dev.autolowat.conformance.workload;

import java.util.List;
import java.util.Locale;

/**
 * The SVG chart of a {@link WorkloadTable} grid: two panels (wakeups per frame, recv calls per frame),
 * a group per frame size × segment count, a bar per reader mode for the simulator and a black tick for
 * the native backend. Hand-written SVG (no charting dependency), readable in a browser and on GitHub.
 * Used by {@code autolowat perf} and by the results page ({@code dev.autolowat.jmh.ResultsPage}).
 */
public final class WorkloadChart {
    /** One colour per {@link ReaderMode}, in declaration order. */
    private static final String[] COLORS = {"#d62728", "#ff7f0e", "#1f77b4", "#2ca02c"};

    private WorkloadChart() {
    }

    /**
     * The chart of {@code rows}, in {@link WorkloadTable#measure} order (the modes of one frame size ×
     * segment count next to each other): two panels (wakeups per frame, recv calls per frame); a group
     * per frame size × segments, a bar per mode (simulator), a black tick per mode (native backend).
     */
    public static String svg(List<WorkloadTable.Row> rows, int frames, String machine) {
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
