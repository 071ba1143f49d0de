package dev.autolowat.kernel.cgroup;

import dev.autolowat.kernel.KernelEnvironmentException;
import dev.autolowat.kernel.bpf.BpfException;
import dev.autolowat.kernel.bpf.BpfProgram;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.OwnedFd;
import dev.autolowat.kernel.bpf.QueryResult;
import dev.autolowat.kernel.link.CgroupAttachType;
import dev.autolowat.kernel.link.CgroupAttachment;
import dev.autolowat.kernel.link.CgroupLink;
import dev.autolowat.kernel.link.CgroupPrograms;
import dev.autolowat.kernel.link.ProgAttachment;
import dev.autolowat.kernel.sys.ErrnoNames;
import dev.autolowat.kernel.sys.LibC;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private cgroup v2 directory for one session, holding this whole JVM process while it is open:
 * programs attached to it run for the sockets the process creates meanwhile (rule H6), and for no
 * other process's.
 *
 * <p>{@link #open()} creates {@code <cgroup2 mount>/autolowat-<pid>-<n>}, remembers the process's
 * current cgroup ({@code /proc/self/cgroup}) and moves the process in by writing its pid to
 * {@code cgroup.procs} — which moves <em>every thread</em> of the JVM. A socket keeps the cgroup it
 * was created in (accepted sockets that of their listener), so only sockets created inside the
 * session are seen by its programs, also after the session closed.
 *
 * <p>Programs are attached through BPF links ({@code BPF_LINK_CREATE}, {@link CgroupLink}) where the
 * kernel has them (5.7 and later), so they are detached by the kernel when this process dies —
 * a SIGKILLed JVM leaves no program running and no map behind; on older kernels with
 * {@code BPF_PROG_ATTACH} ({@link ProgAttachment}).
 *
 * <p>{@link #close()} undoes everything, in order, and carries on past failures: detaches every
 * program attached through the session (newest first), moves the process back to its original
 * cgroup (to the mount root when that one is gone) — and with it any other process still in the
 * session's cgroup (a child started during the session inherited it) — closes the directory's
 * descriptor and removes the directory, retrying for up to {@link #RMDIR_RETRY_NANOS} while the
 * kernel says {@code EBUSY}; then throws one {@link KernelEnvironmentException} naming what could
 * not be undone (for {@code EBUSY}: the pids still in it). A failure half-way through {@code open}
 * undoes the steps done so far the same way.
 *
 * <p>What a killed process leaves — its directory, named {@code autolowat-<pid>-<n>} — is removed by
 * {@link #removeStale}, which every native session start runs: only directories of processes that
 * no longer exist, and only when no process is left in them (the kernel then releases whatever is
 * still attached to them).
 *
 * <p>One session per JVM at a time (the process can be in one cgroup only):
 * opening a second one while one is open is an {@link IllegalStateException}.
 */
public final class SessionCgroup implements AutoCloseable {
    /** The steps of {@link #open()}, in order; tests inject failures by name. */
    static final List<String> STEPS = List.of("mkdir", "open", "move in");
    /** How long {@link #close()} retries {@code rmdir} while it fails with {@code EBUSY}: 2 s. */
    public static final long RMDIR_RETRY_NANOS = 2_000_000_000L;
    /** The prefix of session directory names. */
    public static final String PREFIX = "autolowat-";

    private static final Pattern NAME = Pattern.compile("autolowat-(\\d+)-(\\d+)");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Object LOCK = new Object();
    private static SessionCgroup current;

    private static final int EEXIST = 17;
    private static final int EINVAL = 22;
    /** Set once BPF_LINK_CREATE failed where BPF_PROG_ATTACH worked: a kernel without cgroup links. */
    private static volatile boolean linksUnsupported;
    private static final int EBUSY = 16;
    private static final int ENOENT = 2;

    private final Path mount;
    private final Path path;
    private final Path original;
    private final long pid;
    private final OwnedFd dir;
    private final List<CgroupAttachment> attachments = new ArrayList<>();
    private boolean closed;
    private int rmdirAttempts;
    /** Other processes {@link #close()} moved out of the cgroup. */
    private final List<Long> movedOut = new ArrayList<>();

    private SessionCgroup(Path mount, Path path, Path original, long pid, OwnedFd dir) {
        this.mount = mount;
        this.path = path;
        this.original = original;
        this.pid = pid;
        this.dir = dir;
    }

    /**
     * Creates a session cgroup under the cgroup v2 mount ({@link Cgroup2Mount#require()}) and moves
     * this process into it.
     *
     * @throws KernelEnvironmentException when cgroup v2 is not mounted, or a step fails (the
     *                                    message names the file, the errno and what to do); what
     *                                    was done is undone
     * @throws IllegalStateException      when this JVM already has a session open
     */
    public static SessionCgroup open() {
        return open(Cgroup2Mount.require(), step -> { });
    }

    /** As {@link #open()} under {@code mount}; {@code beforeStep} runs before each of {@link #STEPS}. */
    static SessionCgroup open(Path mount, Consumer<String> beforeStep) {
        Objects.requireNonNull(mount, "mount");
        Objects.requireNonNull(beforeStep, "beforeStep");
        synchronized (LOCK) {
            if (current != null) {
                throw new IllegalStateException("a SessionCgroup is already open in this JVM (" + current.path
                        + "): the process can be in one cgroup only; close it first");
            }
            long pid = ProcessHandle.current().pid();
            Path original = Cgroup2Mount.cgroupOfCurrentProcess(mount);
            Path path = null;
            OwnedFd dir = null;
            boolean moved = false;
            try {
                beforeStep.accept(STEPS.get(0));
                while (true) {
                    Path candidate = mount.resolve(PREFIX + pid + "-" + COUNTER.incrementAndGet());
                    int r = LibC.mkdir(candidate.toString(), 0755);
                    if (r == 0) {
                        path = candidate;
                        break;
                    }
                    if (r != -EEXIST) {
                        throw fileError("mkdir(" + candidate + ")", r, "creating the session cgroup");
                    }
                }
                beforeStep.accept(STEPS.get(1));
                dir = OwnedFd.open(path.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY, "session cgroup " + path);
                beforeStep.accept(STEPS.get(2));
                moveProcess(path, pid);
                moved = true;
                SessionCgroup s = new SessionCgroup(mount, path, original, pid, dir);
                current = s;
                return s;
            } catch (RuntimeException | Error e) {
                if (moved) {
                    try {
                        moveProcess(Files.isDirectory(original) ? original : mount, pid);
                    } catch (RuntimeException x) {
                        e.addSuppressed(x);
                    }
                }
                if (dir != null) {
                    dir.close();
                }
                if (path != null) {
                    int r = removeDir(path, new int[1]);
                    if (r < 0) {
                        e.addSuppressed(fileError("rmdir(" + path + ")", r, "removing the session cgroup after a failed open"));
                    }
                }
                throw e;
            }
        }
    }

    /** The session's cgroup directory. */
    public Path path() {
        return path;
    }

    /** The cgroup2 mount it was created under (its parent). */
    public Path mount() {
        return mount;
    }

    /** The cgroup the process was in before, where {@link #close()} moves it back. */
    public Path originalCgroup() {
        return original;
    }

    /** The process moved in. */
    public long pid() {
        return pid;
    }

    /** The directory's descriptor (for {@code bpf(2)} target fds). */
    public int dirFd() {
        return dir.get();
    }

    // ---- attachments ----

    /**
     * Attaches {@code program} with {@code BPF_PROG_ATTACH} and {@code BPF_F_ALLOW_MULTI} as
     * {@code type} (SOCK_OPS = {@code BPF_CGROUP_SOCK_OPS} 3, CGROUP_SOCKOPT =
     * {@code BPF_CGROUP_SETSOCKOPT} 22). Closing the returned attachment detaches the program;
     * {@link #close()} detaches whatever is still attached.
     */
    public synchronized CgroupAttachment attach(BpfProgram program, CgroupAttachType type) {
        checkOpen();
        CgroupAttachment a = ProgAttachment.attach(path, program, type, BpfSyscall.BPF_F_ALLOW_MULTI);
        attachments.add(a);
        return a;
    }

    /**
     * Attaches a program loaded by {@link dev.autolowat.kernel.bpf.ProgramLoader} as its type says:
     * through a BPF link where the kernel has them (the program then dies with the process), else
     * with {@code BPF_PROG_ATTACH} and {@code BPF_F_ALLOW_MULTI}. Both run in attach order.
     */
    public CgroupAttachment attach(LoadedProgram program) {
        CgroupAttachType type = CgroupAttachType.of(program.type());
        if (linksUnsupported) {
            return attach(program.program(), type);
        }
        try {
            return link(program.program(), type);
        } catch (BpfException e) {
            // A kernel before 5.7 answers the unknown command BPF_LINK_CREATE with EINVAL. If the
            // attach below fails too, the EINVAL was about the program: its failure is thrown.
            if (e.errno() != EINVAL) {
                throw e;
            }
            CgroupAttachment a = attach(program.program(), type);
            linksUnsupported = true;
            return a;
        }
    }

    /** Whether {@link #attach(LoadedProgram)} uses BPF links on this kernel (false once it fell back). */
    public static boolean usesLinks() {
        return !linksUnsupported;
    }

    /** Attaches {@code program} through a BPF link ({@code BPF_LINK_CREATE}); closing the link detaches it. */
    public synchronized CgroupAttachment link(BpfProgram program, CgroupAttachType type) {
        checkOpen();
        CgroupAttachment a = CgroupLink.create(path, program, type);
        attachments.add(a);
        return a;
    }

    /** {@code BPF_PROG_QUERY}: the programs attached to this cgroup for {@code type}. */
    public QueryResult attachedPrograms(CgroupAttachType type) {
        checkOpen();
        return CgroupPrograms.attached(path, type);
    }

    // ---- closing ----

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** How many {@code rmdir} calls {@link #close()} needed (1 normally; more after {@code EBUSY}). */
    public synchronized int rmdirAttempts() {
        return rmdirAttempts;
    }

    /**
     * Detaches, moves the process back, removes the directory; see the class comment. Idempotent.
     *
     * @throws KernelEnvironmentException naming every step that failed (all steps are tried)
     */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = attachments.size() - 1; i >= 0; i--) {
                try {
                    attachments.get(i).close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            attachments.clear();
            Path home = Files.isDirectory(original) ? original : mount;
            try {
                moveProcess(home, pid);
            } catch (RuntimeException e) {
                failures.add(e);
            }
            // A process started during the session (a child of this JVM) inherited the cgroup and
            // would keep rmdir failing with EBUSY: it goes where this process went.
            for (long other : processes(path)) {
                try {
                    moveProcess(home, other);
                    movedOut.add(other);
                } catch (KernelEnvironmentException e) {
                    if (ProcessHandle.of(other).isPresent()) {
                        failures.add(e);
                    } // else it exited meanwhile (ESRCH)
                }
            }
            dir.close();
            int[] attempts = new int[1];
            int r = removeDir(path, attempts);
            rmdirAttempts = attempts[0];
            if (r < 0) {
                List<Long> holders = r == -EBUSY ? processes(path) : List.of();
                failures.add(fileError("rmdir(" + path + ")", r, "removing the session cgroup after "
                        + attempts[0] + " attempts over " + RMDIR_RETRY_NANOS / 1_000_000 + " ms"
                        + (r == -EBUSY ? " (it still has tasks or children" + (holders.isEmpty() ? "" : ": pid(s) "
                        + holders + " could not be moved out") + "; see " + path.resolve("cgroup.procs")
                        + "; remove it by hand with rmdir once empty)" : "")));
            }
        }
        synchronized (LOCK) {
            if (current == this) {
                current = null;
            }
        }
        if (!failures.isEmpty()) {
            KernelEnvironmentException e = new KernelEnvironmentException("closing session cgroup " + path + ": "
                    + failures.size() + " step(s) failed; first: " + failures.get(0).getMessage(), failures.get(0));
            for (int i = 1; i < failures.size(); i++) {
                e.addSuppressed(failures.get(i));
            }
            throw e;
        }
    }

    /** The pids of other processes {@link #close()} found in the cgroup and moved out with this one. */
    public synchronized List<Long> movedOut() {
        return List.copyOf(movedOut);
    }

    /** The pids in {@code cgroup/cgroup.procs} (empty when it cannot be read, e.g. the directory is gone). */
    public static List<Long> processes(Path cgroup) {
        try {
            List<Long> pids = new ArrayList<>();
            for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.strip()));
                }
            }
            return pids;
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    private void checkOpen() {
        if (isClosed()) {
            throw new IllegalStateException("session cgroup " + path + " is closed");
        }
    }

    // ---- helpers ----

    /** Writes {@code pid} to {@code cgroup/cgroup.procs}: moves every thread of the process. */
    static void moveProcess(Path cgroup, long pid) {
        Path procs = cgroup.resolve("cgroup.procs");
        int fd = LibC.open(procs.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw fileError("open(" + procs + ", O_WRONLY)", fd, "moving process " + pid + " into " + cgroup);
        }
        try {
            long r = LibC.writeString(fd, Long.toString(pid));
            if (r < 0) {
                throw fileError("write(" + procs + ", \"" + pid + "\")", r, "moving process " + pid + " into " + cgroup);
            }
        } finally {
            LibC.close(fd);
        }
    }

    /** {@code rmdir}, retried with growing pauses (1 ms to 100 ms) for {@link #RMDIR_RETRY_NANOS} while EBUSY. */
    static int removeDir(Path dir, int[] attempts) {
        long deadline = System.nanoTime() + RMDIR_RETRY_NANOS;
        long pause = 1_000_000;
        while (true) {
            attempts[0]++;
            int r = LibC.rmdir(dir.toString());
            if (r == 0 || r == -ENOENT) {
                return 0;
            }
            if (r != -EBUSY || System.nanoTime() > deadline) {
                return r;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 100_000_000);
        }
    }

    static KernelEnvironmentException fileError(String call, long result, String during) {
        int errno = (int) -result;
        String advice = switch (errno) {
            case 1, 13 -> "permission denied: managing cgroups needs root (or a delegated cgroup subtree)";
            case 2 -> "no such file or directory: is cgroup v2 mounted there?";
            case 95 -> "the cgroup does not allow it (a threaded cgroup, or controllers that forbid processes here)";
            case 22 -> "the kernel refused the value (a process in a cgroup with controllers enabled for its children?)";
            case 30 -> "the cgroup file system is mounted read-only";
            default -> "";
        };
        return new KernelEnvironmentException(call + " failed with " + ErrnoNames.name(errno) + " (" + errno + ") while "
                + during + (advice.isEmpty() ? "" : ": " + advice));
    }

    /**
     * Removes session directories left under {@code mount} by processes that no longer exist (a JVM
     * killed before closing its session): directories named {@code autolowat-<pid>-<n>} whose pid is
     * not a live process. A directory of a live process is never touched (other JVMs on the machine
     * run sessions at the same time), nor one that still holds a process (rmdir refuses it:
     * {@code EBUSY}). Removing the directory makes the kernel release what is attached to it
     * ({@code cgroup_bpf_release}: programs attached with {@code BPF_PROG_ATTACH}, and their maps when
     * nothing else holds them) — asynchronously, shortly after. Returns the directories removed.
     */
    public static List<Path> removeStale(Path mount) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(mount, PREFIX + "*")) {
            for (Path p : ds) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(p)) {
                    continue;
                }
                long owner = Long.parseLong(m.group(1));
                if (ProcessHandle.of(owner).isPresent()) {
                    continue; // alive (or its pid reused by a live process): not ours to judge
                }
                if (LibC.rmdir(p.toString()) == 0) {
                    removed.add(p);
                }
            }
        } catch (IOException e) {
            throw new KernelEnvironmentException("listing " + mount + " for stale session cgroups failed: " + e.getMessage(), e);
        }
        return removed;
    }

    @Override
    public String toString() {
        return "session cgroup " + path + (isClosed() ? " (closed)" : "");
    }
}
