package dev.autolowat.kernel;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.cgroup.SessionCgroup;
import dev.autolowat.kernel.link.CgroupAttachType;
import dev.autolowat.kernel.link.CgroupPrograms;
import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: what a native session leaves behind when it is not closed — dropped without
 * {@code close()}, holding a child process, or its JVM SIGKILLed. Checks are scoped to the objects
 * this test's own sessions and children created (other test runs on the machine create sessions,
 * programs and maps at the same time).
 */
class LeftoversTest {
    static final int KILLS = 20;
    /** Children alive at once (each is a JVM: the machine has few cores). */
    static final int PARALLEL = 4;

    @Test
    @DisplayName("issue 17: a session dropped without close() does not block the next one; its cgroup is released"
            + " (6 times) [requires root]")
    void leakedSessionIsReclaimed() {
        BpfTestSupport.requireRootAndCgroup2();
        NativeBackend backend = new NativeBackend();
        Path leakedPath = leak(backend);
        // the leaked session still holds the process; opening another reclaims it (a GC tells it is unreachable)
        try (NativeSession s = backend.openSession()) {
            assertFalse(Files.exists(leakedPath), "the leaked session's cgroup " + leakedPath + " is still there");
            s.connect(ConnectOptions.IPV4).close();
        }
        for (int i = 0; i < 5; i++) {
            Path again = leak(backend);
            try (NativeSession s = backend.openSession()) {
                assertFalse(Files.exists(again), again.toString());
            }
        }
    }

    /** Opens a session with a program and a connection and drops it; returns its cgroup. */
    private static Path leak(NativeBackend backend) {
        NativeSession s = backend.openSession();
        s.attach(NativeTestPrograms.logger("leak_log", 8));
        s.connect(ConnectOptions.IPV4).send(new byte[1]);
        return s.cgroupPath();
    }

    @Test
    @DisplayName("issue 17: close() moves a child process started during the session out of its cgroup and removes"
            + " the cgroup [requires root]")
    void childProcessIsMovedOut() throws Exception {
        BpfTestSupport.requireRootAndCgroup2();
        Process child;
        Path path;
        try (NativeSession s = new NativeBackend().openSession()) {
            path = s.cgroupPath();
            child = new ProcessBuilder("sleep", "60").start();
            assertTrue(SessionCgroup.processes(path).contains(child.pid()), "the child inherited the session cgroup");
        }
        try {
            assertFalse(Files.exists(path), "the session cgroup " + path + " is still there");
            String cg = Files.readString(Path.of("/proc/" + child.pid() + "/cgroup"));
            assertFalse(cg.contains(path.getFileName().toString()), cg);
            assertTrue(child.isAlive(), "the child was moved, not killed");
        } finally {
            child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("issue 17: a JVM that exits normally without closing its session leaves no cgroup, program or map"
            + " [requires root]")
    void normalExitWithoutClose() throws Exception {
        BpfTestSupport.requireRootAndCgroup2();
        Process p = ChildJvm.start(ExitWithoutCloseMain.class, List.of());
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done && p.exitValue() == 0 && out.contains("exiting"), out);
        List<String> left = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        int objects = 0;
        do {
            left.clear();
            objects = 0;
            for (String line : out.split("\n")) {
                String[] w = line.strip().split(" ");
                if (w.length != 2) {
                    continue;
                }
                objects++;
                switch (w[0]) {
                    case "cgroup" -> {
                        if (Files.exists(Path.of(w[1]))) {
                            left.add(line);
                        }
                    }
                    case "prog" -> BpfSyscall.progInfoById(Integer.parseInt(w[1])).ifPresent(i -> left.add(line));
                    case "map" -> BpfSyscall.mapInfoById(Integer.parseInt(w[1])).ifPresent(i -> left.add(line));
                    default -> objects--;
                }
            }
            if (left.isEmpty()) {
                break;
            }
            LockSupport.parkNanos(50_000_000);
        } while (System.nanoTime() < deadline);
        assertTrue(objects >= 4, "the child made a cgroup, two programs and their maps: " + out);
        assertEquals(List.of(), left, "left behind by a normal exit without close()");
    }

    /** What one killed child had created, read from /proc while it was stopped. */
    record Inventory(long pid, List<Path> cgroups, TreeSet<Integer> programs, TreeSet<Integer> maps) {
    }

    @Test
    @DisplayName("issue 17: 20 JVMs SIGKILLed at random points in their session loop; after one new session none of"
            + " their cgroups, programs or maps is left (checked by id through bpf(2)) [requires root]")
    void killedJvmsLeaveNothing() throws Exception {
        Path mount = BpfTestSupport.requireRootAndCgroup2();
        SplittableRandom random = new SplittableRandom(1717);
        // every fifth child is killed while it starts (probes, its first session); the others in their session loop
        long[] delays = new long[KILLS];
        boolean[] inLoop = new boolean[KILLS];
        for (int i = 0; i < KILLS; i++) {
            inLoop[i] = i % 5 != 0;
            delays[i] = inLoop[i] ? random.nextLong(0, 400) : random.nextLong(0, 1_500);
        }
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        List<Inventory> killed = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            List<Future<Inventory>> runs = new ArrayList<>();
            for (int i = 0; i < KILLS; i++) {
                long delay = delays[i];
                boolean loop = inLoop[i];
                runs.add(pool.submit(() -> killAfter(mount, loop, delay)));
            }
            for (Future<Inventory> f : runs) {
                killed.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        long objects = killed.stream().mapToLong(k -> k.programs().size() + k.maps().size() + k.cgroups().size()).sum();
        assertTrue(objects > 0, "the children were killed before they created anything: " + killed);

        // one new session: it removes the stale cgroups; the kernel has released the rest (links, fds)
        try (NativeSession s = new NativeBackend().openSession()) {
            s.connect(ConnectOptions.IPV4).close();
        }
        List<String> left = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        do {
            left.clear();
            for (Inventory k : killed) {
                for (Path p : k.cgroups()) {
                    if (Files.exists(p)) {
                        left.add("cgroup " + p);
                    }
                }
                for (Path p : sessionDirsOf(mount, k.pid())) {
                    left.add("cgroup " + p);
                }
                for (int id : k.programs()) {
                    BpfSyscall.progInfoById(id).ifPresent(info -> left.add("program " + id + " " + info.name()));
                }
                for (int id : k.maps()) {
                    BpfSyscall.mapInfoById(id).ifPresent(info -> left.add("map " + id + " " + info.name()));
                }
            }
            if (left.isEmpty()) {
                break;
            }
            LockSupport.parkNanos(50_000_000); // the kernel frees programs and maps asynchronously (RCU)
        } while (System.nanoTime() < deadline);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[kill] " + KILLS + " JVMs SIGKILLed in " + ms + " ms; they had "
                + killed.stream().mapToInt(k -> k.cgroups().size()).sum() + " cgroup(s), "
                + killed.stream().mapToInt(k -> k.programs().size()).sum() + " program(s), "
                + killed.stream().mapToInt(k -> k.maps().size()).sum() + " map(s); left: " + left.size()
                + " (BPF links: " + SessionCgroup.usesLinks() + ")");
        assertEquals(List.of(), left, "objects of killed JVMs still exist after a new session");
    }

    /**
     * Starts a child, waits until it is up (or, {@code inLoop}, has finished its first session), lets
     * it run {@code delayMillis}, stops it, takes its inventory, kills it.
     */
    private static Inventory killAfter(Path mount, boolean inLoop, long delayMillis) throws Exception {
        Process p = ChildJvm.start(KillTargetMain.class, List.of());
        long pid = p.pid();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (!"up".equals(first)) {
                throw new AssertionError("child " + pid + " did not start: " + first);
            }
            if (inLoop) {
                String second = out.readLine();
                if (!"looping".equals(second)) {
                    throw new AssertionError("child " + pid + " did not finish its first session: " + second);
                }
            }
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    // the child is gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            Thread.sleep(delayMillis);
            assertEquals(0, LibC.kill(pid, LibC.SIGSTOP), "SIGSTOP " + pid);
            waitStopped(pid);
            Inventory inv = inventory(mount, pid);
            assertEquals(0, LibC.kill(pid, LibC.SIGKILL), "SIGKILL " + pid);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child " + pid + " did not die");
            return inv;
        } finally {
            p.destroyForcibly();
        }
    }

    private static void waitStopped(long pid) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("State:") && line.contains("T")) {
                    return;
                }
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The child's programs, maps and links (their programs) from /proc/pid/fdinfo, and its cgroups with their programs. */
    private static Inventory inventory(Path mount, long pid) throws IOException {
        TreeSet<Integer> programs = new TreeSet<>();
        TreeSet<Integer> maps = new TreeSet<>();
        Path fdinfo = Path.of("/proc/" + pid + "/fdinfo");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(fdinfo)) {
            for (Path f : ds) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(f);
                } catch (IOException e) {
                    continue; // closed between listing and reading (cannot happen while stopped; harmless)
                }
                for (String line : lines) {
                    if (line.startsWith("prog_id:")) {
                        programs.add(Integer.parseInt(line.substring(8).strip()));
                    } else if (line.startsWith("map_id:")) {
                        maps.add(Integer.parseInt(line.substring(7).strip()));
                    }
                }
            }
        }
        for (int id : List.copyOf(programs)) {
            BpfSyscall.progInfoById(id).ifPresent(info -> {
                for (int m : info.mapIds()) {
                    maps.add(m);
                }
            });
        }
        List<Path> cgroups = sessionDirsOf(mount, pid);
        for (Path cg : cgroups) {
            for (CgroupAttachType type : CgroupAttachType.values()) {
                try {
                    for (int id : CgroupPrograms.attached(cg, type).programIds()) {
                        programs.add(id);
                        BpfSyscall.progInfoById(id).ifPresent(info -> {
                            for (int m : info.mapIds()) {
                                maps.add(m);
                            }
                        });
                    }
                } catch (RuntimeException e) {
                    // the directory went away meanwhile
                }
            }
        }
        return new Inventory(pid, cgroups, programs, maps);
    }

    private static List<Path> sessionDirsOf(Path mount, long pid) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(mount, SessionCgroup.PREFIX + pid + "-*")) {
            ds.forEach(dirs::add);
        }
        return dirs;
    }
}
