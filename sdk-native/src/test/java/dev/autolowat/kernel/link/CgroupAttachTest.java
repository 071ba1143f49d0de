package dev.autolowat.kernel.link;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.kernel.bpf.BpfException;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.bpf.QueryResult;
import dev.autolowat.kernel.cgroup.SessionCgroup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attaching programs to a cgroup and verifying it with {@code BPF_PROG_QUERY} (needs root). */
@DisplayName("Cgroup attachments: PROG_ATTACH, LINK_CREATE, PROG_QUERY (needs root)")
class CgroupAttachTest {

    static SockOpsProgram.Bytecode prog(String name) {
        return new Assembler().mov64(R0, 1).exit().program(name, "GPL", List.of());
    }

    @Test
    @DisplayName("two SOCK_OPS programs with BPF_F_ALLOW_MULTI: listed in attach order with flags 2; closing one detaches only it")
    void multi() {
        Path mount = BpfTestSupport.requireRootAndCgroup2();
        try (LoadedProgram a = new ProgramLoader().load(prog("att_a"));
             LoadedProgram b = new ProgramLoader().load(prog("att_b"));
             SessionCgroup s = SessionCgroup.open()) {
            CgroupAttachment first = s.attach(a);
            CgroupAttachment second = s.attach(b);
            QueryResult q = s.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS);
            assertEquals(BpfSyscall.BPF_F_ALLOW_MULTI, q.attachFlags());
            assertArrayEquals(new int[]{a.program().id(), b.program().id()}, q.programIds());
            assertEquals(a.program().id(), first.programId());
            assertTrue(CgroupPrograms.effective(s.path(), CgroupAttachType.CGROUP_SOCK_OPS).contains(b.program().id()));
            assertFalse(CgroupPrograms.attached(mount, CgroupAttachType.CGROUP_SOCK_OPS).contains(a.program().id()),
                    "nothing is attached to the parent");
            first.close();
            first.close();
            assertArrayEquals(new int[]{b.program().id()}, s.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS).programIds());
            assertTrue(first.isClosed());
            assertFalse(second.isClosed());
        }
    }

    @Test
    @DisplayName("an attachment outlives its BpfProgram object and still detaches that exact program")
    void outlivesProgram() {
        BpfTestSupport.requireRootAndCgroup2();
        try (SessionCgroup s = SessionCgroup.open()) {
            LoadedProgram lp = new ProgramLoader().load(prog("att_outlive"));
            int id = lp.program().id();
            CgroupAttachment att = s.attach(lp);
            lp.close();
            assertTrue(s.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS).contains(id), "still attached");
            att.close();
            assertEquals(0, s.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS).count());
        }
    }

    @Test
    @DisplayName("a BPF link (LINK_CREATE) is listed while open and gone once closed; links and ALLOW_MULTI attachments coexist")
    void link() {
        BpfTestSupport.requireRootAndCgroup2();
        try (LoadedProgram a = new ProgramLoader().load(prog("lnk_a"));
             LoadedProgram b = new ProgramLoader().load(prog("lnk_b"));
             SessionCgroup s = SessionCgroup.open()) {
            CgroupAttachment l = s.link(a.program(), CgroupAttachType.CGROUP_SOCK_OPS);
            s.attach(b);
            QueryResult q = s.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS);
            assertTrue(q.contains(a.program().id()) && q.contains(b.program().id()), q.toString());
            l.close();
            assertArrayEquals(new int[]{b.program().id()}, s.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS).programIds());
        }
    }

    @Test
    @DisplayName("a CGROUP_SOCKOPT program attaches as BPF_CGROUP_SETSOCKOPT; attached as SOCK_OPS the kernel says EINVAL; no fd leaks")
    void wrongType() {
        BpfTestSupport.requireRootAndCgroup2();
        try (LoadedProgram opt = new ProgramLoader().load(new Assembler().mov64(R0, 1).exit()
                .sockoptProgram("att_sockopt", "GPL", List.of()));
             SessionCgroup s = SessionCgroup.open()) {
            long fds = BpfTestSupport.openFds();
            BpfException e = assertThrows(BpfException.class, () -> s.attach(opt.program(), CgroupAttachType.CGROUP_SOCK_OPS));
            System.out.println("[wrong attach type] " + e.getMessage());
            assertTrue(e.getMessage().startsWith("bpf(BPF_PROG_ATTACH) failed with EINVAL (22): attaching program fd"),
                    e.getMessage());
            assertEquals(fds, BpfTestSupport.openFds());
            s.attach(opt);
            assertTrue(s.attachedPrograms(CgroupAttachType.CGROUP_SETSOCKOPT).contains(opt.program().id()));
        }
    }

    @Test
    @DisplayName("the attach type of each program type")
    void attachTypes() {
        assertEquals(CgroupAttachType.CGROUP_SOCK_OPS, CgroupAttachType.of(dev.autolowat.api.program.ProgramType.SOCK_OPS));
        assertEquals(22, CgroupAttachType.of(dev.autolowat.api.program.ProgramType.CGROUP_SETSOCKOPT).value());
        assertEquals(3, CgroupAttachType.CGROUP_SOCK_OPS.value());
    }
}
