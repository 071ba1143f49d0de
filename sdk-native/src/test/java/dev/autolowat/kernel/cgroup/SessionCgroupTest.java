package dev.autolowat.kernel.cgroup;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.Family;
import dev.autolowat.kernel.KernelEnvironmentException;
import dev.autolowat.kernel.bpf.BpfException;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.bpf.VerifierRejectedException;
import dev.autolowat.kernel.link.CgroupAttachType;
import dev.autolowat.kernel.link.CgroupAttachment;
import dev.autolowat.kernel.link.CgroupPrograms;
import dev.autolowat.kernel.socket.NativeTcpPair;
import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SessionCgroup} on this machine (needs root and cgroup v2). */
@DisplayName("SessionCgroup: a private cgroup holding this JVM (needs root)")
class SessionCgroupTest {

    static Path cgroupOfThisProcess(Path mount) {
        return Cgroup2Mount.cgroupOfCurrentProcess(mount);
    }

    /** This JVM's session directories: other JVMs on the machine create and remove theirs meanwhile. */
    static long sessionDirs(Path mount) {
        String mine = SessionCgroup.PREFIX + ProcessHandle.current().pid() + "-";
        try (Stream<Path> s = Files.list(mount)) {
            return s.filter(p -> p.getFileName().toString().startsWith(mine)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SockOpsProgram.Bytecode sockOps() {
        return new Assembler().mov64(R0, 1).exit().program("hyg_ops", "GPL", List.of());
    }

    static SockoptProgram.Bytecode sockopt() {
        return new Assembler().mov64(R0, 1).exit().sockoptProgram("hyg_sockopt", "GPL", List.of());
    }

    @Test
    @DisplayName("open moves every thread of the process in; close detaches, moves it back and removes the directory")
    void moveInAndBack() throws Exception {
        Path mount = BpfTestSupport.requireRootAndCgroup2();
        Path before = cgroupOfThisProcess(mount);
        SessionCgroup s = SessionCgroup.open();
        try {
            assertEquals(s.path(), cgroupOfThisProcess(mount));
            assertEquals(mount, s.path().getParent());
            assertTrue(s.path().getFileName().toString().startsWith("autolowat-" + ProcessHandle.current().pid() + "-"));
            assertEquals(before, s.originalCgroup());
            AtomicReference<Path> other = new AtomicReference<>();
            Thread t = new Thread(() -> other.set(cgroupOfThisProcess(mount)));
            t.start();
            t.join();
            assertEquals(s.path(), other.get(), "a thread sees the same cgroup");
            String procs = Files.readString(s.path().resolve("cgroup.procs"));
            assertTrue(procs.lines().anyMatch(l -> l.equals(Long.toString(ProcessHandle.current().pid()))), procs);
        } finally {
            s.close();
        }
        assertEquals(before, cgroupOfThisProcess(mount));
        assertFalse(Files.exists(s.path()));
        assertTrue(s.isClosed());
        assertEquals(1, s.rmdirAttempts());
        s.close();
    }

    @Test
    @DisplayName("one session per JVM: a second open while one is open is an IllegalStateException")
    void onlyOne() {
        BpfTestSupport.requireRootAndCgroup2();
        try (SessionCgroup s = SessionCgroup.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, SessionCgroup::open);
            assertTrue(e.getMessage().contains(s.path().toString()), e.getMessage());
        }
        SessionCgroup.open().close();
    }

    @Test
    @DisplayName("a failure before any step of open undoes the steps done: no directory, no descriptor, the process back home")
    void failureAtEveryStep() {
        Path mount = BpfTestSupport.requireRootAndCgroup2();
        Path before = cgroupOfThisProcess(mount);
        long fds = BpfTestSupport.openFds();
        long dirs = sessionDirs(mount);
        for (String failing : SessionCgroup.STEPS) {
            RuntimeException injected = new IllegalStateException("injected before " + failing);
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> SessionCgroup.open(mount, step -> {
                if (step.equals(failing)) {
                    throw injected;
                }
            }));
            assertSame(injected, thrown);
            assertEquals(before, cgroupOfThisProcess(mount), "after a failure before " + failing);
            assertEquals(fds, BpfTestSupport.openFds(), "descriptors after a failure before " + failing);
            assertEquals(dirs, sessionDirs(mount), "session directories after a failure before " + failing);
        }
        SessionCgroup.open().close();
    }

    @Test
    @DisplayName("rmdir EBUSY is retried: a child cgroup removed 50 ms later lets close succeed after several attempts")
    void ebusyRetried() throws Exception {
        BpfTestSupport.requireRootAndCgroup2();
        SessionCgroup s = SessionCgroup.open();
        Path child = s.path().resolve("child");
        assertEquals(0, LibC.mkdir(child.toString(), 0755));
        Thread remover = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LibC.rmdir(child.toString());
        });
        remover.start();
        s.close();
        remover.join();
        System.out.println("[EBUSY retry] close needed " + s.rmdirAttempts() + " rmdir attempts");
        assertTrue(s.rmdirAttempts() > 1, "attempts " + s.rmdirAttempts());
        assertFalse(Files.exists(s.path()));
    }

    @Test
    @DisplayName("rmdir EBUSY that persists is reported: the message names rmdir, EBUSY (16), the attempts and what to do")
    void ebusyReported() {
        BpfTestSupport.requireRootAndCgroup2();
        SessionCgroup s = SessionCgroup.open();
        Path child = s.path().resolve("child");
        assertEquals(0, LibC.mkdir(child.toString(), 0755));
        try {
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, s::close);
            System.out.println("[EBUSY report] " + e.getMessage());
            assertTrue(e.getMessage().contains("rmdir(" + s.path() + ") failed with EBUSY (16)"), e.getMessage());
            assertTrue(e.getMessage().contains("remove it by hand"), e.getMessage());
            assertTrue(s.isClosed());
        } finally {
            LibC.rmdir(child.toString());
            LibC.rmdir(s.path().toString());
        }
        assertFalse(Files.exists(s.path()));
        SessionCgroup.open().close();
    }

    @Test
    @DisplayName("hygiene: 1,000 sessions (attachments left open, failed loads, failed attaches, failed opens):"
            + " descriptors, attached programs and cgroup directories back at baseline")
    void thousandSessions() {
        Path mount = BpfTestSupport.requireRootAndCgroup2();
        Path home = cgroupOfThisProcess(mount);
        try (LoadedProgram ops = new ProgramLoader().load(sockOps());
             LoadedProgram opt = new ProgramLoader().load(sockopt())) {
            // warm up what the JVM opens lazily (JNA, sockets)
            try (SessionCgroup s = SessionCgroup.open(); NativeTcpPair p = NativeTcpPair.open(Family.INET)) {
                s.attach(ops).close();
            }
            long fds = BpfTestSupport.openFds();
            long dirs = sessionDirs(mount);
            int parentOps = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SOCK_OPS).count();
            int parentOpt = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SETSOCKOPT).count();
            int counts[] = new int[6];
            List<Path> paths = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                if (i % 10 == 9) {
                    String failing = SessionCgroup.STEPS.get(i / 10 % SessionCgroup.STEPS.size());
                    assertThrows(IllegalStateException.class, () -> SessionCgroup.open(mount, step -> {
                        if (step.equals(failing)) {
                            throw new IllegalStateException("injected");
                        }
                    }));
                    counts[0]++;
                    continue;
                }
                try (SessionCgroup s = SessionCgroup.open()) {
                    paths.add(s.path());
                    switch (i % 5) {
                        case 0 -> { // attach both kinds, leave them for close() to detach
                            s.attach(ops);
                            s.attach(opt);
                            assertEquals(1, s.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS).count());
                            counts[1]++;
                        }
                        case 1 -> { // a program that fails to load inside the session
                            SockOpsProgram.Bytecode bad = new Assembler().mov64(R0, R2).exit()
                                    .program("hyg_bad", "GPL", List.of(new MapSpec("m", MapType.HASH, 4, 4, 1)));
                            assertThrows(VerifierRejectedException.class, () -> new ProgramLoader().load(bad));
                            counts[2]++;
                        }
                        case 2 -> { // an attach the kernel refuses (a sockopt program as SOCK_OPS)
                            assertThrows(BpfException.class,
                                    () -> s.attach(opt.program(), CgroupAttachType.CGROUP_SOCK_OPS));
                            s.link(ops.program(), CgroupAttachType.CGROUP_SOCK_OPS);
                            counts[3]++;
                        }
                        case 3 -> { // attach and detach explicitly
                            CgroupAttachment a = s.attach(ops);
                            a.close();
                            counts[4]++;
                        }
                        default -> counts[5]++; // nothing
                    }
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long fdsAfter = BpfTestSupport.openFds();
            long dirsAfter = sessionDirs(mount);
            int parentOpsAfter = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SOCK_OPS).count();
            int parentOptAfter = CgroupPrograms.effective(mount, CgroupAttachType.CGROUP_SETSOCKOPT).count();
            System.out.println("[hygiene] 1000 sessions in " + ms + " ms (" + counts[0] + " failed opens, " + counts[1]
                    + " with attachments left to close(), " + counts[2] + " failed loads, " + counts[3]
                    + " failed attaches + a link, " + counts[4] + " attach/detach, " + counts[5] + " empty); open fds "
                    + fds + " -> " + fdsAfter + ", autolowat-* dirs " + dirs + " -> " + dirsAfter
                    + ", programs on " + mount + " (effective SOCK_OPS/SETSOCKOPT) " + parentOps + "/" + parentOpt
                    + " -> " + parentOpsAfter + "/" + parentOptAfter + ", process cgroup " + cgroupOfThisProcess(mount));
            assertEquals(fds, fdsAfter, "open descriptors");
            assertEquals(dirs, dirsAfter, "session directories");
            assertEquals(parentOps, parentOpsAfter);
            assertEquals(parentOpt, parentOptAfter);
            assertEquals(home, cgroupOfThisProcess(mount));
            assertTrue(paths.stream().noneMatch(Files::exists), "every session directory is gone");
        }
    }
}
