package dev.autolowat.jmh.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What other work took of the CPUs while the benchmarks ran, from {@code /proc}: the machine's busy
 * time ({@code /proc/stat}) minus this process's and its waited-for children's — the JMH forks —
 * ({@code /proc/self/stat}), and the hypervisor's steal time.
 *
 * <p>Why not the load average at the end: a JMH fork keeps one CPU busy, so the 1-minute load right
 * after the run is about 1 on a machine where nothing else ran — a rule "below 1 at the end" fails on
 * the benchmark's own load (the page's first runs all came out "busy" that way), while other work
 * that ran in the middle of the run and stopped would not show at all. The load average at the
 * start (below 1: nothing else was running) stays the rule's first half; this is the second: the
 * share of a CPU others used <em>during</em> the JMH run.
 *
 * @param seconds wall time between the two samples
 * @param others  CPUs other processes kept busy on average (1.0 = one CPU all the time)
 * @param steal   CPUs the hypervisor gave to other guests on average
 */
public record CpuShare(double seconds, double others, double steal) {
    /** At most this share of one CPU may go to other processes in a run whose ratios are claimed. */
    public static final double QUIET_OTHERS = 0.2;
    /** At most this share of one CPU may be stolen by the hypervisor in a run whose ratios are claimed. */
    public static final double QUIET_STEAL = 0.1;

    /**
     * One reading of the counters.
     *
     * @param wallNanos  {@link System#nanoTime()}
     * @param busyTicks  all CPUs' user, nice, system, irq and softirq time ({@code /proc/stat}, clock ticks)
     * @param stealTicks all CPUs' steal time
     * @param ownTicks   this process's user and system time and its waited-for children's
     */
    public record Sample(long wallNanos, long busyTicks, long stealTicks, long ownTicks) {
        /** Reads {@code /proc} now; empty where it cannot be read (not Linux). */
        public static Optional<Sample> now() {
            try {
                String stat = read("/proc/stat");
                String self = read("/proc/self/stat");
                long[] cpu = cpuLine(stat);
                return Optional.of(new Sample(System.nanoTime(), cpu[0], cpu[1], CpuShare.ownTicks(self)));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    /** Whether others and the hypervisor left the benchmarks the CPUs ({@link #QUIET_OTHERS}, {@link #QUIET_STEAL}). */
    public boolean quiet() {
        return others < QUIET_OTHERS && steal < QUIET_STEAL;
    }

    /** The share between two samples; {@code ticksPerSecond} is {@code getconf CLK_TCK}. */
    public static CpuShare between(Sample start, Sample end, double ticksPerSecond) {
        double seconds = (end.wallNanos() - start.wallNanos()) / 1e9;
        if (seconds <= 0) {
            throw new IllegalArgumentException("the end sample is not after the start sample");
        }
        double othersTicks = (end.busyTicks() - start.busyTicks()) - (end.ownTicks() - start.ownTicks());
        double others = Math.max(0, othersTicks) / ticksPerSecond / seconds;
        double steal = (end.stealTicks() - start.stealTicks()) / ticksPerSecond / seconds;
        return new CpuShare(seconds, others, steal);
    }

    /** For the page: e.g. "other processes 0.03 CPU, steal 0.01 CPU over 412 s". */
    public String describe() {
        return String.format(Locale.ROOT, "other processes %.2f CPU, steal %.2f CPU on average over %.0f s", others,
                steal, seconds);
    }

    /**
     * {@code /proc/stat}'s first line ({@code cpu user nice system idle iowait irq softirq steal ...}):
     * {busy, steal} in clock ticks. Guest time is part of user time already.
     */
    static long[] cpuLine(String procStat) {
        String first = procStat.lines().findFirst().orElse("");
        String[] f = first.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) {
            throw new IllegalArgumentException("not /proc/stat's cpu line: '" + first + "'");
        }
        long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
        return new long[] {busy, Long.parseLong(f[8])};
    }

    /**
     * {@code /proc/self/stat}'s utime, stime, cutime and cstime (fields 14–17), counted after the
     * command name's closing parenthesis (a name may contain spaces and parentheses).
     */
    static long ownTicks(String procSelfStat) {
        String rest = procSelfStat.substring(procSelfStat.lastIndexOf(')') + 1).trim();
        String[] f = rest.split("\\s+"); // f[0] is field 3 (state)
        if (f.length < 15) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: '" + procSelfStat + "'");
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** {@code getconf CLK_TCK}, or 100 (Linux's USER_HZ on every common architecture) when it cannot run. */
    static double ticksPerSecond() {
        String out = MachineDescription.command("getconf", "CLK_TCK");
        try {
            return Double.parseDouble(out.strip());
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    private static String read(String path) throws IOException {
        try (var in = Files.newInputStream(Path.of(path))) { // procfs reports size 0: read to the end
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
