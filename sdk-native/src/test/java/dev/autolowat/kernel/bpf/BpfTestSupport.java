package dev.autolowat.kernel.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.autolowat.kernel.cgroup.Cgroup2Mount;
import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Test fixtures shared by the bpf, link, cgroup and features tests: tests that need root report
 * "requires root" through an assumption (skipped: visible, neither failed nor passed).
 */
public final class BpfTestSupport {
    private BpfTestSupport() {
    }

    /** Aborts the test unless this is Linux and the effective uid is 0. */
    public static void requireRoot() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")),
                "requires root on Linux: /proc/self does not exist (not Linux)");
        int euid = LibC.geteuid();
        Assumptions.assumeTrue(euid == 0, "requires root: bpf(), cgroup moves and program attachment need euid 0"
                + " (this process runs as euid " + euid + ")");
    }

    /** {@link #requireRoot()} and a cgroup2 mount; returns the mount. */
    public static Path requireRootAndCgroup2() {
        requireRoot();
        var mount = Cgroup2Mount.find();
        Assumptions.assumeTrue(mount.isPresent(), "not supported by this machine: no cgroup2 mount in /proc/mounts");
        return mount.get();
    }

    /**
     * The number of open descriptors of this process of the kinds the SDK opens and could leak: BPF
     * objects and epoll instances ({@code anon_inode:}), sockets, pipes, and files under {@code /sys}
     * and {@code /proc/sys} (cgroup directories, BTF, sysctls). Other descriptors are the JVM's and the
     * test framework's, and they come and go on their own: a jar opened the first time a class is
     * loaded from it, a stream of an earlier test closed by the JVM's {@code Cleaner} when a GC finds
     * it unreachable — either made the plain count flaky in the middle of a check (11 → 10 once).
     */
    public static long openFds() {
        return sdkFds().size();
    }

    /** The descriptors {@link #openFds()} counts, number → target, for a failure's message. */
    public static java.util.SortedMap<Integer, String> sdkFds() {
        java.util.SortedMap<Integer, String> fds = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (sdkKind(target)) {
                        fds.put(Integer.parseInt(fd.getFileName().toString()), target);
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /** Whether a descriptor's {@code /proc/self/fd} target is of a kind the SDK opens (see {@link #openFds()}). */
    static boolean sdkKind(String target) {
        return target.startsWith("anon_inode:") || target.startsWith("socket:") || target.startsWith("pipe:")
                || (target.startsWith("/sys/") || target.startsWith("/proc/sys/")) && !target.endsWith(".jar");
    }

    /** {@code capset(2)} on x86-64. */
    private static final long SYS_CAPSET = 126;
    /** {@code _LINUX_CAPABILITY_VERSION_3}: two 32-bit words per set. */
    private static final int CAP_V3 = 0x20080522;

    /**
     * Runs {@code body} on a new thread that first drops every capability of its own
     * ({@code capset(2)} with empty sets; capabilities are per thread, so the rest of the JVM keeps
     * them): the kernel then treats that thread's {@code bpf()} calls as unprivileged although the
     * uid is 0. Rethrows what {@code body} threw.
     */
    public static void withoutCapabilities(Runnable body) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (Memory header = new Memory(8); Memory data = new Memory(24)) {
                header.setInt(0, CAP_V3);
                header.setInt(4, 0);
                data.clear();
                long r = LibC.syscall(SYS_CAPSET, Pointer.nativeValue(header), data, 0);
                if (r != 0) {
                    throw new IllegalStateException("capset() returned " + r);
                }
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "no-capabilities");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error er) {
            throw er;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
    }
}
