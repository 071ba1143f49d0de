package dev.autolowat.kernel.sysfs;

import dev.autolowat.kernel.KernelEnvironmentException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The networking sysctls the RCVQ_CB contract depends on, read at run time from
 * {@code /proc/sys} (never hard-coded: {@code kernel-facts.md} measured a lowat cap of 16777216
 * on one host and 3145728 in a 2 GB guest). Immutable; compare with {@link #equals}.
 *
 * <ul>
 *   <li>{@code net.ipv4.tcp_rmem} ({@code min default max}): {@code max / 2} is the SO_RCVLOWAT
 *       cap when the user did not set SO_RCVBUF (rules K1, K2); {@code default} is the initial
 *       {@code sk_rcvbuf} of a TCP socket (what {@code getsockopt(SO_RCVBUF)} returns, rule K4,
 *       before any growth).</li>
 *   <li>{@code net.core.rmem_max}: the bound of a user {@code setsockopt(SO_RCVBUF)} value before
 *       the kernel doubles it (rule K4).</li>
 *   <li>{@code net.ipv4.tcp_moderate_rcvbuf}: whether the kernel auto-tunes {@code sk_rcvbuf}
 *       while data flows; observations of {@code sk_rcvbuf} must take it into account.</li>
 *   <li>{@code net.ipv4.tcp_mem} ({@code min pressure max}, in pages), optional: above
 *       {@code pressure} TCP is under memory pressure, which makes a socket readable below its
 *       lowat (rule H3). Absent in some network namespaces, so its absence is not an error.</li>
 * </ul>
 *
 * <p>Errors: a missing, unreadable or malformed file gives a {@link KernelEnvironmentException}
 * naming the sysctl, the file, what was found there and what to do.
 */
public final class NetSysctls {

    /** Where procfs exposes sysctls on a normal system. */
    public static final Path PROC_SYS = Path.of("/proc/sys");

    /** {@code net.core.rmem_max}: maximum user SO_RCVBUF value, before doubling (rule K4). */
    public static final String RMEM_MAX = "net.core.rmem_max";
    /** {@code net.ipv4.tcp_rmem}: TCP receive buffer {@code min default max} (rules K1, K2, K4). */
    public static final String TCP_RMEM = "net.ipv4.tcp_rmem";
    /** {@code net.ipv4.tcp_moderate_rcvbuf}: receive buffer auto-tuning on (1) or off (0). */
    public static final String TCP_MODERATE_RCVBUF = "net.ipv4.tcp_moderate_rcvbuf";
    /** {@code net.ipv4.tcp_mem}: TCP memory thresholds {@code min pressure max} in pages (rule H3). */
    public static final String TCP_MEM = "net.ipv4.tcp_mem";

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final int MAX_SHOWN = 80;

    /**
     * TCP's memory thresholds ({@code net.ipv4.tcp_mem}), in pages. Above {@code pressurePages}
     * pages allocated by all TCP sockets, TCP is under memory pressure (rule H3).
     *
     * @param minPages      below this, TCP does not regulate its memory
     * @param pressurePages above this, TCP is under memory pressure
     * @param maxPages      the hard limit
     */
    public record TcpMem(long minPages, long pressurePages, long maxPages) {
        public TcpMem {
            if (minPages < 0 || pressurePages < 0 || maxPages < 0) {
                throw new IllegalArgumentException("tcp_mem values are page counts >= 0, got "
                        + minPages + " " + pressurePages + " " + maxPages);
            }
        }

        @Override
        public String toString() {
            return minPages + " " + pressurePages + " " + maxPages;
        }
    }

    private final int rmemMax;
    private final int tcpRmemMin;
    private final int tcpRmemDefault;
    private final int tcpRmemMax;
    private final boolean tcpModerateRcvbuf;
    private final TcpMem tcpMem;

    /**
     * Values given directly, e.g. to describe another machine (a test guest) or to configure a
     * simulation with the same numbers as a kernel.
     *
     * @param rmemMax           {@code net.core.rmem_max}, at least 1
     * @param tcpRmemMin        {@code net.ipv4.tcp_rmem[0]}, at least 1
     * @param tcpRmemDefault    {@code net.ipv4.tcp_rmem[1]}, at least 1
     * @param tcpRmemMax        {@code net.ipv4.tcp_rmem[2]}, at least 1
     * @param tcpModerateRcvbuf {@code net.ipv4.tcp_moderate_rcvbuf != 0}
     * @param tcpMem            {@code net.ipv4.tcp_mem}, or empty when unknown
     * @throws IllegalArgumentException when a buffer size is below 1 (the kernel refuses those too)
     */
    public NetSysctls(int rmemMax, int tcpRmemMin, int tcpRmemDefault, int tcpRmemMax,
                      boolean tcpModerateRcvbuf, Optional<TcpMem> tcpMem) {
        requirePositive(RMEM_MAX, rmemMax);
        requirePositive(TCP_RMEM + "[0]", tcpRmemMin);
        requirePositive(TCP_RMEM + "[1]", tcpRmemDefault);
        requirePositive(TCP_RMEM + "[2]", tcpRmemMax);
        this.rmemMax = rmemMax;
        this.tcpRmemMin = tcpRmemMin;
        this.tcpRmemDefault = tcpRmemDefault;
        this.tcpRmemMax = tcpRmemMax;
        this.tcpModerateRcvbuf = tcpModerateRcvbuf;
        this.tcpMem = Objects.requireNonNull(tcpMem, "tcpMem").orElse(null);
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /**
     * Reads the sysctls of the running kernel from {@link #PROC_SYS}.
     *
     * @throws KernelEnvironmentException when a required sysctl file is missing, unreadable or malformed
     */
    public static NetSysctls read() {
        return read(PROC_SYS);
    }

    /**
     * Reads the sysctls from a tree laid out like {@code /proc/sys} ({@code net/core/rmem_max},
     * {@code net/ipv4/tcp_rmem}...): the real one, or a copy for tests.
     *
     * @param procSysRoot the directory standing for {@code /proc/sys}
     * @throws KernelEnvironmentException when a required sysctl file is missing, unreadable or
     *                                    malformed; {@code net.ipv4.tcp_mem} may be missing
     */
    public static NetSysctls read(Path procSysRoot) {
        Objects.requireNonNull(procSysRoot, "procSysRoot");
        int rmemMax = ints(procSysRoot, RMEM_MAX, 1, "one integer >= 1")[0];
        int[] rmem = ints(procSysRoot, TCP_RMEM, 3, "three integers >= 1 \"min default max\"");
        String moderate = content(procSysRoot, TCP_MODERATE_RCVBUF, true).orElseThrow();
        String[] fields = fields(moderate);
        if (fields.length != 1 || !INTEGER.matcher(fields[0]).matches()) {
            throw malformed(procSysRoot, TCP_MODERATE_RCVBUF, "one integer (0 = off, anything else = on)", moderate);
        }
        boolean moderateOn = !isZero(fields[0]);
        Optional<TcpMem> mem = content(procSysRoot, TCP_MEM, false).map(text -> tcpMem(procSysRoot, text));
        return new NetSysctls(rmemMax, rmem[0], rmem[1], rmem[2], moderateOn, mem);
    }

    private static boolean isZero(String integer) {
        return integer.chars().allMatch(c -> c == '0' || c == '-');
    }

    private static int[] ints(Path root, String name, int count, String expected) {
        String text = content(root, name, true).orElseThrow();
        String[] fields = fields(text);
        if (fields.length != count) {
            throw malformed(root, name, expected, text);
        }
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            if (!INTEGER.matcher(fields[i]).matches()) {
                throw malformed(root, name, expected, text);
            }
            try {
                values[i] = Integer.parseInt(fields[i]);
            } catch (NumberFormatException e) {
                throw malformed(root, name, expected + " (each fits a C int)", text);
            }
            if (values[i] < 1) {
                throw malformed(root, name, expected, text);
            }
        }
        return values;
    }

    private static TcpMem tcpMem(Path root, String text) {
        String expected = "three integers >= 0 \"min pressure max\" (pages)";
        String[] fields = fields(text);
        if (fields.length != 3) {
            throw malformed(root, TCP_MEM, expected, text);
        }
        long[] values = new long[3];
        for (int i = 0; i < 3; i++) {
            if (!INTEGER.matcher(fields[i]).matches() || fields[i].startsWith("-")) {
                throw malformed(root, TCP_MEM, expected, text);
            }
            try {
                values[i] = Long.parseLong(fields[i]);
            } catch (NumberFormatException e) {
                throw malformed(root, TCP_MEM, expected, text);
            }
        }
        return new TcpMem(values[0], values[1], values[2]);
    }

    private static String[] fields(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? new String[0] : WHITESPACE.split(trimmed);
    }

    /** The file of sysctl {@code name} under {@code root}: dots become directory separators. */
    static Path fileOf(Path root, String name) {
        return root.resolve(name.replace('.', '/'));
    }

    private static Optional<String> content(Path root, String name, boolean required) {
        Path file = fileOf(root, name);
        try {
            return Optional.of(new String(readFully(file), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            if (!required) {
                return Optional.empty();
            }
            throw new KernelEnvironmentException("sysctl " + name + " not found: " + file
                    + " does not exist. The native backend reads it at run time (" + why(name) + "). "
                    + "Check that procfs is mounted at /proc and that `sysctl " + name + "` works"
                    + (name.startsWith("net.core.")
                    ? "; some kernels show net.core sysctls only in the initial network namespace, so run"
                    + " in the host's network namespace rather than a container's"
                    : "")
                    + (root.equals(PROC_SYS) ? "." : "; for a copied tree, copy the file from /proc/sys."), e);
        } catch (IOException e) {
            throw new KernelEnvironmentException("cannot read sysctl " + name + " from " + file + ": " + e
                    + ". The native backend reads it at run time (" + why(name) + "); run with permission"
                    + " to read " + file + ".", e);
        }
    }

    /**
     * Reads a whole file with reads of 8 KiB from offset 0. Not {@code Files.readAllBytes}: procfs
     * reports a size of 0, so that reads one byte first, and a sysctl read that does not start at
     * offset 0 returns end-of-file (the kernel's {@code proc_dointvec}) — it would see "4" of "4096 ...".
     */
    static byte[] readFully(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        }
    }

    private static String why(String name) {
        switch (name) {
            case RMEM_MAX:
                return "it bounds a user SO_RCVBUF value, rule K4";
            case TCP_RMEM:
                return "tcp_rmem[2] / 2 is the SO_RCVLOWAT cap of rules K1/K2, tcp_rmem[1] the default SO_RCVBUF";
            case TCP_MODERATE_RCVBUF:
                return "it says whether the kernel auto-tunes SO_RCVBUF while data flows";
            default:
                return "it sets when TCP is under memory pressure, rule H3";
        }
    }

    private static KernelEnvironmentException malformed(Path root, String name, String expected, String found) {
        return new KernelEnvironmentException("malformed sysctl " + name + " in " + fileOf(root, name)
                + ": expected " + expected + ", found " + shown(found) + ". Check the value with `sysctl "
                + name + "`" + (root.equals(PROC_SYS) ? "" : "; for a copied tree, copy the file from /proc/sys"
                + " unchanged") + ".");
    }

    /** Quotes {@code text} for a message: control characters escaped, long text cut. */
    private static String shown(String text) {
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(text.length(), MAX_SHOWN);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n': b.append("\\n"); break;
                case '\t': b.append("\\t"); break;
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                default:
                    if (c < 0x20 || c == 0x7F) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
        if (text.length() > MAX_SHOWN) {
            b.append("... (").append(text.length()).append(" chars)");
        }
        if (text.isEmpty()) {
            b.append(" (empty file)");
        }
        return b.toString();
    }

    /** {@code net.core.rmem_max}: the largest user SO_RCVBUF value before the kernel doubles it (rule K4). */
    public int rmemMax() {
        return rmemMax;
    }

    /** {@code net.ipv4.tcp_rmem[0]}: the smallest receive buffer TCP shrinks a socket to. */
    public int tcpRmemMin() {
        return tcpRmemMin;
    }

    /** {@code net.ipv4.tcp_rmem[1]}: the initial {@code sk_rcvbuf} of a TCP socket. */
    public int tcpRmemDefault() {
        return tcpRmemDefault;
    }

    /** {@code net.ipv4.tcp_rmem[2]}: the largest receive buffer without a user SO_RCVBUF. */
    public int tcpRmemMax() {
        return tcpRmemMax;
    }

    /** {@code net.ipv4.tcp_moderate_rcvbuf != 0}: the kernel auto-tunes {@code sk_rcvbuf}. */
    public boolean tcpModerateRcvbuf() {
        return tcpModerateRcvbuf;
    }

    /** {@code net.ipv4.tcp_mem}, or empty when the file is absent (rule H3's memory pressure). */
    public Optional<TcpMem> tcpMem() {
        return Optional.ofNullable(tcpMem);
    }

    /**
     * The SO_RCVLOWAT cap of a socket whose SO_RCVBUF the user did not set:
     * {@code tcp_rmem[2] / 2} (rules K1, K2; 16777216 with the {@code kernel-facts.md} host's
     * {@code tcp_rmem[2] = 33554432}).
     */
    public int lowatCapWithoutRcvbuf() {
        return tcpRmemMax / 2;
    }

    /**
     * The SO_RCVLOWAT cap of rules K1/K2: {@code sk_rcvbuf / 2} when the user set SO_RCVBUF
     * (the buffer is locked), else {@link #lowatCapWithoutRcvbuf()}.
     *
     * @param userSetRcvbuf whether SO_RCVBUF was set by the user ({@code SOCK_RCVBUF_LOCK})
     * @param skRcvbuf      the socket's {@code sk_rcvbuf} (what {@code getsockopt(SO_RCVBUF)} returns, K4)
     */
    public int lowatCap(boolean userSetRcvbuf, int skRcvbuf) {
        if (!userSetRcvbuf) {
            return lowatCapWithoutRcvbuf();
        }
        if (skRcvbuf < 0) {
            throw new IllegalArgumentException("sk_rcvbuf must be >= 0, got " + skRcvbuf);
        }
        return skRcvbuf / 2;
    }

    /**
     * The initial {@code sk_rcvbuf} of a TCP socket, {@code tcp_rmem[1]}: what
     * {@code getsockopt(SO_RCVBUF)} returns before any growth (rule K4; 131072 in {@code kernel-facts.md}).
     */
    public int defaultRcvbuf() {
        return tcpRmemDefault;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NetSysctls)) {
            return false;
        }
        NetSysctls that = (NetSysctls) o;
        return rmemMax == that.rmemMax && tcpRmemMin == that.tcpRmemMin && tcpRmemDefault == that.tcpRmemDefault
                && tcpRmemMax == that.tcpRmemMax && tcpModerateRcvbuf == that.tcpModerateRcvbuf
                && Objects.equals(tcpMem, that.tcpMem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rmemMax, tcpRmemMin, tcpRmemDefault, tcpRmemMax, tcpModerateRcvbuf, tcpMem);
    }

    /** The values in {@code sysctl} notation, e.g. {@code net.core.rmem_max = 4194304, net.ipv4.tcp_rmem = ...}. */
    @Override
    public String toString() {
        return RMEM_MAX + " = " + rmemMax + ", " + TCP_RMEM + " = " + tcpRmemMin + " " + tcpRmemDefault + " "
                + tcpRmemMax + ", " + TCP_MODERATE_RCVBUF + " = " + (tcpModerateRcvbuf ? 1 : 0) + ", " + TCP_MEM
                + " = " + (tcpMem == null ? "(absent)" : tcpMem.toString());
    }
}
