package dev.autolowat.kernel;

import dev.autolowat.api.program.InvocationLogMap;
import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.bpf.MapInfo;
import dev.autolowat.kernel.bpf.ProgramInfo;
import dev.autolowat.kernel.bpf.VerifierRejectedException;
import dev.autolowat.kernel.cgroup.Cgroup2Mount;
import dev.autolowat.kernel.cgroup.SessionCgroup;
import dev.autolowat.kernel.link.CgroupAttachType;
import dev.autolowat.kernel.link.CgroupPrograms;
import dev.autolowat.kernel.socket.MptcpUnavailableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hygiene of the native backend: 1,000 sessions opened and closed — with programs, connections left
 * open for {@code close()}, refused programs (missing kfunc, verifier, duplicate, Java handler),
 * failures injected into {@code openSession} at every step, MPTCP connections — and afterwards open
 * descriptors, programs effective on the cgroup2 mount and this JVM's {@code autolowat-*} cgroup
 * directories are back at baseline, none of the programs and maps the sessions held (their ids, read
 * from {@code /proc/self/fdinfo} before each close) exists any more, and the process is back in its
 * cgroup. Programs and maps are checked by id, not counted by name kernel-wide: other JVMs on the
 * machine run native sessions, with the same names, at the same time.
 */
class NativeHygieneTest {
    static final Set<String> PROGRAM_NAMES = Set.of(FlagObserver.PROGRAM_NAME, "hyg_log", "hyg_bad", "hyg_flags",
            "autolowat", "autolowat_en");
    static final Set<String> MAP_NAMES = Set.of(FlagObserver.MAP_NAME, InvocationLogMap.NAME, "al_sockhash", "hyg_bad_m",
            FramingPolicy.REFERENCE_RPC.stateMap().name());
    /** Ids of the programs and maps the sessions held just before they closed. */
    static final Set<Integer> HELD_PROGRAMS = new java.util.TreeSet<>();
    static final Set<Integer> HELD_MAPS = new java.util.TreeSet<>();

    @Test
    @DisplayName("1,000 sessions (some failing mid-way): descriptors and cgroup directories back at baseline, every program"
            + " and map the sessions held gone")
    void thousandSessions() {
        Path mount = BpfTestSupport.requireRootAndCgroup2();
        NativeBackend backend = new NativeBackend();
        Path home = Cgroup2Mount.cgroupOfCurrentProcess(mount);
        // warm up what the JVM opens lazily (JNA, BTF, probes, classes from jars): every kind once
        List<Path> paths = new ArrayList<>();
        for (int kind = 0; kind < 10; kind++) {
            session(backend, kind, kind, paths);
        }
        try (NativeSession s = backend.openSession()) { // the counts below do see a session's objects
            s.attach(LOGGER);
            assertTrue(ourPrograms() >= 2, "the observer and hyg_log are loaded: " + ourPrograms());
            assertTrue(ourMaps() >= 2, "al_flags_obs and inv_log exist: " + ourMaps());
        }
        long fds = BpfTestSupport.openFds();
        List<String> fdList = fdTargets();
        long dirs = sessionDirs(mount);
        int rootOps = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SOCK_OPS).count();
        int rootOpt = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SETSOCKOPT).count();

        int[] counts = new int[10];
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            counts[i % 10]++;
            session(backend, i % 10, i, paths);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long fdsAfter = BpfTestSupport.openFds();
        long dirsAfter = sessionDirs(mount);
        // programs are freed after an RCU grace period, and the maps they hold with them: wait (bounded)
        List<String> left = heldStillExisting();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            left = heldStillExisting();
        }
        int rootOpsAfter = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SOCK_OPS).count();
        int rootOptAfter = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SETSOCKOPT).count();
        System.out.println("[native hygiene] 1000 sessions in " + ms + " ms (kinds " + Arrays.toString(counts)
                + "); open fds " + fds + " -> " + fdsAfter + ", autolowat-* dirs " + dirs + " -> " + dirsAfter
                + ", programs/maps held by the sessions " + HELD_PROGRAMS.size() + "/" + HELD_MAPS.size() + ", still existing "
                + left.size() + ", effective on " + mount + " SOCK_OPS/SETSOCKOPT " + rootOps + "/" + rootOpt + " -> "
                + rootOpsAfter + "/" + rootOptAfter);
        assertEquals(fds, fdsAfter, () -> "open descriptors: before " + fdList + ", after " + fdTargets());
        assertEquals(dirs, dirsAfter, "session directories");
        assertTrue(HELD_PROGRAMS.size() > 100 && HELD_MAPS.size() > 100, "the sessions held few objects: "
                + HELD_PROGRAMS.size() + " programs, " + HELD_MAPS.size() + " maps");
        assertEquals(List.of(), left, "programs and maps the closed sessions held");
        assertEquals(rootOps, rootOpsAfter);
        assertEquals(rootOpt, rootOptAfter);
        assertEquals(home, Cgroup2Mount.cgroupOfCurrentProcess(mount));
        assertTrue(paths.stream().noneMatch(Files::exists), "every session directory is gone");
    }

    static final SockOpsProgram.Bytecode LOGGER = NativeTestPrograms.k3Logger("hyg_log", 50);
    static final SockOpsProgram.Bytecode FLAGS = NativeTestPrograms.setFlags("hyg_flags", 0x4);
    static final SockOpsProgram.Bytecode BAD = NativeTestPrograms.verifierReject("hyg_bad");
    static final SockOpsProgram HANDLER = SockOpsProgram.of("hyg_java", (SockOpsHandler) (ev, ctx) -> 1);

    /** One session of kind {@code kind} (0-9, see the cases); {@code i} picks the injected step of kind 6. */
    static void session(NativeBackend backend, int kind, int i, List<Path> paths) {
        byte[] buf = new byte[256];
        if (kind == 6) { // a failure injected into openSession, at each of its steps in turn
            String failing = NativeSession.STEPS.get(i / 10 % NativeSession.STEPS.size());
            NativeBackend failingBackend = new NativeBackend(Cgroup2Mount.PROC_MOUNTS,
                    dev.autolowat.api.btf.Btf.VMLINUX, step -> {
                        if (step.equals(failing)) {
                            throw new IllegalStateException("injected before " + step);
                        }
                    });
            assertThrows(IllegalStateException.class, failingBackend::openSession);
            return;
        }
        try (NativeSession s = backend.openSession()) {
            paths.add(s.cgroupPath());
            switch (kind) {
                case 0 -> { // a program, a connection driven and closed
                    s.attach(LOGGER);
                    try (NativeConnection c = s.connect(ConnectOptions.IPV4)) {
                        c.send(new byte[60], 30, 30);
                        Observation o = c.observe();
                        assertEquals(60, o.queuedBytes());
                        assertEquals(60, c.recv(buf, 0, 100, RecvMode.NON_BLOCKING));
                    }
                }
                case 1 -> { // connections left open for close()
                    s.attach(LOGGER);
                    s.attach(FLAGS);
                    s.connect(ConnectOptions.IPV6).send(new byte[10], 10);
                    s.connect(ConnectOptions.IPV4).addToSockmap();
                }
                case 2 -> { // refused for a missing kfunc, then a program that loads
                    assertThrows(MissingKernelFeatureException.class,
                            () -> s.attach(FramingPolicy.REFERENCE_RPC.compile()));
                    s.attach(LOGGER);
                    s.connect(ConnectOptions.IPV4);
                }
                case 3 -> { // the verifier refuses, the session goes on
                    assertThrows(VerifierRejectedException.class, () -> s.attach(BAD));
                    s.connect(ConnectOptions.IPV4).observe();
                }
                case 4 -> { // attached twice
                    s.attach(LOGGER);
                    assertThrows(ProgramRejectedException.class, () -> s.attach(LOGGER));
                }
                case 5 -> { // the enable path (A2), which fails without the series, left attached
                    s.attach(FramingPolicy.REFERENCE_RPC.enableProgram());
                    NativeConnection c = s.connect(ConnectOptions.IPV6);
                    c.enableAutoLowat(1);
                    c.cbFlags();
                }
                case 7 -> { // MPTCP, left open
                    try {
                        s.connect(ConnectOptions.IPV4.withMptcp(true)).addToSockmap();
                    } catch (MptcpUnavailableException e) {
                        s.connect(ConnectOptions.IPV4);
                    }
                }
                case 8 -> { // a Java handler refused
                    assertThrows(ProgramRejectedException.class, () -> s.attach(HANDLER));
                    s.connect(ConnectOptions.IPV6).close();
                }
                default -> { // nothing
                }
            }
            noteHeldObjects();
        }
    }

    /** Adds the program and map ids of this process's descriptors ({@code /proc/self/fdinfo}) to the held sets. */
    static void noteHeldObjects() {
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
            for (Path f : ds) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(f);
                } catch (IOException e) {
                    continue; // the directory stream's own descriptor, or one closed meanwhile
                }
                for (String line : lines) {
                    if (line.startsWith("prog_id:")) {
                        HELD_PROGRAMS.add(Integer.parseInt(line.substring(8).strip()));
                    } else if (line.startsWith("map_id:")) {
                        HELD_MAPS.add(Integer.parseInt(line.substring(7).strip()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The held programs and maps that still exist (by id, through bpf(2)). */
    static List<String> heldStillExisting() {
        List<String> left = new ArrayList<>();
        for (int id : HELD_PROGRAMS) {
            BpfSyscall.progInfoById(id).ifPresent(i -> left.add("program " + id + " '" + i.name() + "'"));
        }
        for (int id : HELD_MAPS) {
            BpfSyscall.mapInfoById(id).ifPresent(i -> left.add("map " + id + " '" + i.name() + "'"));
        }
        return left;
    }

    /** What each open descriptor refers to ({@code /proc/self/fd} links), for a failure message. */
    static List<String> fdTargets() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return p.getFileName() + "->" + Files.readSymbolicLink(p);
                } catch (IOException e) {
                    return p.getFileName() + "->?";
                }
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * This JVM's session directories ({@code autolowat-<pid>-*}): other JVMs on the machine open
     * sessions meanwhile, and every session start removes the directories dead ones left.
     */
    static long sessionDirs(Path mount) {
        String mine = SessionCgroup.PREFIX + ProcessHandle.current().pid() + "-";
        try (Stream<Path> s = Files.list(mount)) {
            return s.filter(p -> p.getFileName().toString().startsWith(mine)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Programs loaded in the kernel now (any process) whose names this test or the backend use. */
    static long ourPrograms() {
        return Arrays.stream(BpfSyscall.programIds()).mapToObj(BpfSyscall::progInfoById)
                .filter(o -> o.map(ProgramInfo::name).map(PROGRAM_NAMES::contains).orElse(false)).count();
    }

    /** Maps in the kernel now whose names this test or the backend use. */
    static long ourMaps() {
        return Arrays.stream(BpfSyscall.mapIds()).mapToObj(BpfSyscall::mapInfoById)
                .filter(o -> o.map(MapInfo::name).map(MAP_NAMES::contains).orElse(false)).count();
    }
}
