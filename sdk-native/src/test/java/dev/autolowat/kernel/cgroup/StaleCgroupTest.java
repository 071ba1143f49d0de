package dev.autolowat.kernel.cgroup;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.OwnedFd;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.link.CgroupAttachType;
import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: {@link SessionCgroup#removeStale} removes the session directory of a dead process and,
 * with it, a program that process left attached with {@code BPF_PROG_ATTACH} (what earlier versions
 * of the SDK did) and that program's map; the directory of a live process stays.
 */
class StaleCgroupTest {

    @Test
    @DisplayName("issue 17: removeStale removes a dead process's autolowat-* cgroup and the program (and map) left attached"
            + " to it; a live process's directory stays [requires root]")
    void deadProcessLeftovers() throws Exception {
        Path mount = BpfTestSupport.requireRootAndCgroup2();
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        long deadPid = gone.pid();
        Path dead = mount.resolve(SessionCgroup.PREFIX + deadPid + "-1");
        Path live = mount.resolve(SessionCgroup.PREFIX + ProcessHandle.current().pid() + "-999999");
        assertEquals(0, LibC.mkdir(dead.toString(), 0755), "mkdir " + dead);
        assertEquals(0, LibC.mkdir(live.toString(), 0755), "mkdir " + live);
        int progId;
        int mapId;
        try {
            SockOpsProgram.Bytecode p = new Assembler().loadMap(R1, 0).mov64(R0, 1).exit()
                    .program("stale_prog", "GPL", List.of(new MapSpec("stale_map", MapType.HASH, 4, 4, 1)));
            // attached the way a process that died without detaching leaves it: only the kernel holds it
            try (LoadedProgram lp = new ProgramLoader().load(p);
                 OwnedFd dir = OwnedFd.open(dead.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY, "cgroup " + dead)) {
                BpfSyscall.progAttach(dir.get(), lp.program().fd(), CgroupAttachType.CGROUP_SOCK_OPS.value(),
                        BpfSyscall.BPF_F_ALLOW_MULTI);
                progId = lp.program().id();
                mapId = lp.map(0).info().id();
            }
            assertTrue(BpfSyscall.progInfoById(progId).isPresent(), "the attachment keeps the program");

            List<Path> removed = SessionCgroup.removeStale(mount);
            assertTrue(removed.contains(dead), "removed " + removed);
            assertFalse(removed.contains(live), "a live process's directory was removed");
            assertFalse(Files.exists(dead));
            assertTrue(Files.exists(live));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((BpfSyscall.progInfoById(progId).isPresent() || BpfSyscall.mapInfoById(mapId).isPresent())
                    && System.nanoTime() < deadline) {
                LockSupport.parkNanos(20_000_000); // released asynchronously (cgroup_bpf_release, RCU)
            }
            assertFalse(BpfSyscall.progInfoById(progId).isPresent(), "program " + progId + " is still loaded");
            assertFalse(BpfSyscall.mapInfoById(mapId).isPresent(), "map " + mapId + " still exists");
        } finally {
            LibC.rmdir(dead.toString());
            LibC.rmdir(live.toString());
        }
    }
}
