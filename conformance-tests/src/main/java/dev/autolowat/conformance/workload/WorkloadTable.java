package dev.autolowat.conformance.workload;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.conformance.scenario.Backends;
import dev.autolowat.kernel.NativeBackend;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The RPC workload grid: every frame size × segment count × reader mode on the simulator configured as
 * this machine ({@link Backends#simulatorFor}: its sysctls, without the series) and on the native backend (this
 * kernel; needs root), side by side. BPF AutoLOWAT runs on the simulator with the series (the
 * reference machine's sysctls replaced by this machine's) and on the native backend only where the
 * kernel has the series; elsewhere its cell says "not supported by this kernel". The results page
 * ({@code dev.autolowat.jmh.results.ResultsPage}) measures it for 1..8 segments into docs/performance.md;
 * {@link #main} prints the 1/3/8-segment table.
 *
 * <pre>java -cp ... dev.autolowat.conformance.workload.WorkloadTable [frames] [--no-native]</pre>
 */
public final class WorkloadTable {
    /** The frame sizes of the issue: 258 B, 4 KiB, 64 KiB, 1 MiB. */
    public static final int[] SIZES = {258, 4096, 65536, 1 << 20};
    /** The segment counts of the table. */
    public static final int[] SEGMENTS = {1, 3, 8};

    private WorkloadTable() {
    }

    public static void main(String[] args) {
        int frames = 50;
        boolean runNative = true;
        for (String a : args) {
            if (a.equals("--no-native")) {
                runNative = false;
            } else {
                frames = Integer.parseInt(a);
            }
        }
        print(System.out, frames, runNative ? new NativeBackend() : null);
    }

    /** One row: a workload's results on both backends (native {@code null} when not run). */
    public record Row(RpcWorkload workload, WorkloadResult sim, String simNote, WorkloadResult nat, String natNote) {
    }

    /** Runs one cell: its result, or {@code null} with the reason in {@code note[0]}. */
    public static WorkloadResult cell(RpcWorkload w, Backend backend, String[] note) {
        try {
            return w.run(backend, FramingPolicy.REFERENCE_RPC.compile());
        } catch (ModeNotSupportedException e) {
            note[0] = "not supported by this kernel";
        } catch (dev.autolowat.api.AutoLowatException e) {
            String m = e.getMessage();
            note[0] = m.contains("liveness failure") ? "stall: " + m.replaceAll(".*; (\\d+) bytes stayed queued.*", "$1")
                    + " B never woken" : m;
        }
        return null;
    }

    /** Runs every cell of {@link #SIZES} × {@link #SEGMENTS}; {@code nativeBackend} may be {@code null} (simulator only). */
    public static List<Row> measure(int frames, Backend nativeBackend) {
        return measure(frames, nativeBackend, SIZES, SEGMENTS);
    }

    /**
     * Runs every cell of {@code sizes} × {@code segmentCounts} × {@link ReaderMode}, in that nesting
     * order; {@code nativeBackend} may be {@code null} (simulator only).
     */
    public static List<Row> measure(int frames, Backend nativeBackend, int[] sizes, int[] segmentCounts) {
        Backend simStock = nativeBackend != null ? Backends.simulatorFor(nativeBackend)
                : new dev.autolowat.sim.SimBackend(Backends.thisMachine().withSeries(false));
        Backend simSeries = new dev.autolowat.sim.SimBackend(Backends.thisMachine().withSeries(true));
        List<Row> rows = new ArrayList<>();
        for (int size : sizes) {
            for (int seg : segmentCounts) {
                for (ReaderMode mode : ReaderMode.values()) {
                    RpcWorkload w = new RpcWorkload(frames, size, seg, mode, ConnectOptions.IPV4);
                    Backend sim = mode.needsPolicy() ? simSeries : simStock;
                    String[] simNote = {""};
                    WorkloadResult s = cell(w, sim, simNote);
                    String[] natNote = {"not run"};
                    WorkloadResult n = nativeBackend == null ? null : cell(w, nativeBackend, natNote);
                    rows.add(new Row(w, s, simNote[0], n, natNote[0]));
                }
            }
        }
        return rows;
    }

    public static void print(PrintStream out, int frames, Backend nativeBackend) {
        List<Row> rows = measure(frames, nativeBackend);
        out.printf("%d frames per cell, IPv4 loopback; per frame: wakeups / recv / setsockopt, bytes per recv%n", frames);
        out.println("| frame | seg | mode | sim wakeups | sim recv | sim setsockopt | sim B/recv"
                + " | native wakeups | native recv | native setsockopt | native B/recv | agree |");
        out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Row r : rows) {
            WorkloadResult s = r.sim();
            WorkloadResult n = r.nat();
            String agree = agreement(r);
            out.printf("| %s | %d | %s %s %s | %s |%n", size(r.workload().frameSize()),
                    r.workload().segmentsPerFrame(), r.workload().mode().label(), cells(s, r.simNote()),
                    cells(n, r.natNote()), agree);
        }
    }

    /** Whether the row's two backends agree: "yes", "**no**", "n/a" (native not run or not supported), or "–" (both failed alike). */
    public static String agreement(Row r) {
        WorkloadResult s = r.sim();
        WorkloadResult n = r.nat();
        return n == null && r.natNote().startsWith("not") ? "n/a"
                : n == null || s == null ? (r.simNote().equals(r.natNote()) ? "–" : "**no**")
                : s.counts().equals(n.counts()) ? "yes" : "**no**";
    }

    /** One backend's four table cells (wakeups, recv, setsockopt per frame; bytes per recv), or its note. */
    public static String cells(WorkloadResult r, String note) {
        return r == null ? "| " + note + " | | |"
                : String.format("| %.2f | %.2f | %.2f | %.0f", r.wakeupsPerFrame(), r.recvCallsPerFrame(),
                        r.setsockoptCallsPerFrame(), r.bytesPerRecv());
    }

    /** A frame size as the tables print it: "258 B", "4 KiB", "1 MiB". */
    public static String size(int bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }
}
