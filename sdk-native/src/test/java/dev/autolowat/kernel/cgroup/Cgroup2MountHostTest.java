package dev.autolowat.kernel.cgroup;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link Cgroup2Mount} on this machine's {@code /proc/mounts} and {@code /proc/self/cgroup} (rule H6). */
@DisplayName("Cgroup2Mount on this machine (needs Linux with cgroup v2 mounted)")
class Cgroup2MountHostTest {

    private static List<String> procMountsLines;

    @BeforeAll
    static void readProcMounts() throws IOException {
        assumeTrue(Files.isReadable(Cgroup2Mount.PROC_MOUNTS),
                "not supported here: /proc/mounts is not readable (not Linux, or procfs not mounted)");
        procMountsLines = Files.readAllLines(Cgroup2Mount.PROC_MOUNTS);
    }

    /** The first cgroup2 line of /proc/mounts, found independently of the code under test. */
    private static Optional<String> firstCgroup2Line() {
        return procMountsLines.stream().filter(l -> {
            String[] f = l.split(" ");
            return f.length >= 3 && f[2].equals("cgroup2");
        }).findFirst();
    }

    private static Path requireCgroup2OnThisMachine() {
        Optional<String> line = firstCgroup2Line();
        assumeTrue(line.isPresent(), "not supported by this machine: /proc/mounts has no cgroup2 line, so the"
                + " native backend cannot attach programs here (mount one with `mount -t cgroup2 none /sys/fs/cgroup`)");
        Optional<Path> found = Cgroup2Mount.find();
        assertTrue(found.isPresent(), "/proc/mounts has " + line.get() + " but find() returned empty");
        return found.get();
    }

    @Test
    @DisplayName("on this machine: find() returns the first cgroup2 mount of /proc/mounts, a cgroup v2 root")
    void findsRealMount() {
        Path mount = requireCgroup2OnThisMachine();
        String line = firstCgroup2Line().orElseThrow();
        assertEquals(Path.of(Cgroup2Mount.unescape(line.split(" ")[1])), mount, line);
        assertEquals(mount, Cgroup2Mount.require());
        assertTrue(Files.isDirectory(mount), mount + " is not a directory");
        assertTrue(Files.exists(mount.resolve("cgroup.procs")), mount + " has no cgroup.procs: not a cgroup v2 root");
        assertTrue(Files.exists(mount.resolve("cgroup.subtree_control")),
                mount + " has no cgroup.subtree_control: not a cgroup v2 root");
        System.out.println("[Cgroup2MountHostTest] cgroup2 is mounted at " + mount);
    }

    @Test
    @DisplayName("on this machine: cgroupOfCurrentProcess() is an existing directory listing this JVM in cgroup.procs")
    void currentProcessCgroup() throws IOException {
        Path mount = requireCgroup2OnThisMachine();
        Path cgroup = Cgroup2Mount.cgroupOfCurrentProcess(mount);
        assertTrue(Files.isDirectory(cgroup), cgroup + " is not a directory");
        assertTrue(cgroup.startsWith(mount), cgroup + " is not under " + mount);
        String pid = Long.toString(ProcessHandle.current().pid());
        List<String> procs = Arrays.asList(Files.readString(cgroup.resolve("cgroup.procs")).split("\n"));
        assertTrue(procs.contains(pid), "pid " + pid + " is not in " + cgroup.resolve("cgroup.procs") + ": " + procs);
        System.out.println("[Cgroup2MountHostTest] this JVM (pid " + pid + ") is in " + cgroup);
    }
}
