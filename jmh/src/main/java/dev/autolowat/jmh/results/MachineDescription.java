package dev.autolowat.jmh.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The machine a results page was measured on, as the commands a reader would type to check it: date,
 * {@code nproc}, the CPU model ({@code /proc/cpuinfo}), {@code java -version}, {@code uname -r}, the user,
 * and the TCP receive sysctls the workload depends on. A value that cannot be read says so
 * ("unavailable: ...") rather than being left out.
 *
 * @param date       UTC, RFC 1123
 * @param nproc      the output of {@code nproc}
 * @param cpuModel   the first {@code model name} of {@code /proc/cpuinfo}
 * @param javaVersion the output of {@code java -version} of the running JVM, lines joined by "; "
 * @param kernel     the output of {@code uname -r}
 * @param root       whether the process runs as root (the native backend needs it)
 * @param tcpRmem    {@code net.ipv4.tcp_rmem}
 * @param rmemMax    {@code net.core.rmem_max}
 * @param loadAverage {@code /proc/loadavg}'s 1, 5 and 15 minute load averages when the run started: other
 *                   work on the machine makes the times of a short JMH run unreliable, so the page says so
 */
public record MachineDescription(String date, String nproc, String cpuModel, String javaVersion, String kernel,
                                 boolean root, String tcpRmem, String rmemMax, String loadAverage) {
    /** Reads this machine. */
    public static MachineDescription current(boolean root) {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new MachineDescription(
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.RFC_1123_DATE_TIME),
                command("nproc"),
                readCpuModel(),
                command(javaBin, "-version"),
                command("uname", "-r"),
                root,
                file("/proc/sys/net/ipv4/tcp_rmem"),
                file("/proc/sys/net/core/rmem_max"),
                currentLoadAverage());
    }

    /** The 1, 5 and 15 minute load averages of {@code /proc/loadavg} now, e.g. "0.12 0.30 0.25". */
    public static String currentLoadAverage() {
        String all = file("/proc/loadavg");
        if (all.startsWith("unavailable")) {
            return all;
        }
        String[] fields = all.split(" ");
        return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : all;
    }

    /**
     * Whether a 1-minute load average (the first field of {@link #currentLoadAverage}) exceeds the processors: other
     * work competed for the CPUs while the benchmarks ran.
     */
    public boolean busy(String load) {
        try {
            return Double.parseDouble(load.split(" ")[0]) > Integer.parseInt(nproc.strip());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Whether a load average (as {@link #currentLoadAverage}) is quiet enough to claim a performance
     * target: the 1-minute figure below 1, the project's rule (load changes ratios, not only times).
     * An unreadable load is not quiet.
     */
    public static boolean quiet(String load) {
        try {
            return Double.parseDouble(load.split(" ")[0]) < 1.0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The markdown bullet list of the page's "Machine" part. */
    public String markdown() {
        return String.format(Locale.ROOT, "- date: %s%n- `nproc`: %s; CPU (`/proc/cpuinfo` model name): %s%n"
                        + "- `java -version`: %s%n- `uname -r`: %s; run as %s%n"
                        + "- `net.ipv4.tcp_rmem` = %s, `net.core.rmem_max` = %s%n",
                date, nproc, cpuModel, javaVersion, kernel,
                root ? "root (native backend included)" : "a user other than root (native backend not run)",
                tcpRmem, rmemMax);
    }

    /** One line for the chart: CPU, processors, Java, kernel, date. */
    public String oneLine() {
        return cpuModel + ", " + nproc + " CPUs, Java " + System.getProperty("java.version") + ", kernel " + kernel
                + ", " + date;
    }

    private static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
            return "unavailable: no 'model name' in /proc/cpuinfo";
        } catch (IOException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    private static String file(String path) {
        // Through a stream: procfs files report size 0, and a read sized by it may stop short.
        try (var in = Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /** Runs a command (stderr merged, 10 s at most) and returns its output, lines joined by "; ". */
    static String command(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unavailable: " + String.join(" ", argv) + " did not finish in 10 s";
            }
            List<String> lines = new ArrayList<>();
            for (String line : new String(output, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
            if (p.exitValue() != 0) {
                return "unavailable: " + String.join(" ", argv) + " exited with " + p.exitValue();
            }
            return String.join("; ", lines);
        } catch (IOException e) {
            return "unavailable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unavailable: interrupted";
        }
    }
}
