package dev.autolowat.kernel.bpf;

import dev.autolowat.kernel.sys.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process may use {@code bpf(2)} for what the SDK does: root, or the effective
 * capabilities {@code CAP_BPF} (39) and {@code CAP_NET_ADMIN} (12) — {@code CAP_SYS_ADMIN} (21)
 * covers both — plus {@code CAP_PERFMON} (38) for helpers that read kernel memory. Read from
 * {@code /proc/thread-self/status} ({@code CapEff}; capabilities belong to threads) and
 * {@code geteuid()}.
 */
public final class BpfPrivileges {
    public static final int CAP_NET_ADMIN = 12;
    public static final int CAP_SYS_ADMIN = 21;
    public static final int CAP_PERFMON = 38;
    public static final int CAP_BPF = 39;

    private BpfPrivileges() {
    }

    /** The effective uid. */
    public static int euid() {
        return LibC.geteuid();
    }

    /** Whether the effective uid is 0. */
    public static boolean isRoot() {
        return euid() == 0;
    }

    /**
     * The calling thread's effective capability set ({@code CapEff} of
     * {@code /proc/thread-self/status}), or -1 when unreadable.
     */
    public static long effectiveCapabilities() {
        try {
            // capabilities are per thread: ask for the calling thread's (Linux 3.17+), else the process's
            Path status = Files.exists(Path.of("/proc/thread-self/status"))
                    ? Path.of("/proc/thread-self/status") : Path.of("/proc/self/status");
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Whether {@code caps} holds capability {@code cap}. */
    public static boolean has(long caps, int cap) {
        return caps != -1 && (caps & (1L << cap)) != 0;
    }

    /**
     * Whether the effective capabilities allow loading and attaching sock_ops / cgroup sockopt
     * programs: {@code CAP_SYS_ADMIN}, or {@code CAP_BPF} and {@code CAP_NET_ADMIN}. The kernel checks
     * the capabilities of the calling thread, not its uid.
     */
    public static boolean sufficient() {
        long caps = effectiveCapabilities();
        return has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_NET_ADMIN));
    }

    /** E.g. {@code "euid 1000, CapEff 0000000000000000: no CAP_BPF, no CAP_NET_ADMIN, no CAP_PERFMON, no CAP_SYS_ADMIN"}. */
    public static String describe() {
        long caps = effectiveCapabilities();
        StringBuilder b = new StringBuilder("euid ").append(euid()).append(", CapEff ");
        if (caps == -1) {
            return b.append("unreadable").toString();
        }
        b.append(String.format("%016x", caps)).append(':');
        b.append(has(caps, CAP_BPF) ? " CAP_BPF" : " no CAP_BPF");
        b.append(has(caps, CAP_NET_ADMIN) ? ", CAP_NET_ADMIN" : ", no CAP_NET_ADMIN");
        b.append(has(caps, CAP_PERFMON) ? ", CAP_PERFMON" : ", no CAP_PERFMON");
        b.append(has(caps, CAP_SYS_ADMIN) ? ", CAP_SYS_ADMIN" : ", no CAP_SYS_ADMIN");
        return b.toString();
    }
}
