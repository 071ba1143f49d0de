package dev.autolowat.kernel.bpf;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading programs: {@link BpfProgram}, {@link ProgramLoader}, verifier rejections (needs root). */
@DisplayName("BPF programs: load, info, verifier rejections (needs root)")
class BpfProgramTest {

    static SockOpsProgram.Bytecode returnOne(String name) {
        return new Assembler().mov64(R0, 1).exit().program(name, "GPL", List.of());
    }

    @Test
    @DisplayName("a program reading uninitialized r2 is rejected: VerifierRejectedException whose message holds the verifier log")
    void verifierRejection() {
        BpfTestSupport.requireRoot();
        long base = BpfTestSupport.openFds();
        SockOpsProgram.Bytecode bad = new Assembler().mov64(R0, R2).exit().program("bad_r2", "GPL", List.of());
        VerifierRejectedException e = assertThrows(VerifierRejectedException.class, () -> new ProgramLoader().load(bad));
        System.out.println("[verifier rejection] " + e.getMessage().replace("\n", " | "));
        assertInstanceOf(ProgramRejectedException.class, e);
        assertEquals(13, e.errno(), "the verifier refuses an uninitialized read with EACCES");
        assertTrue(e.log().contains("R2 !read_ok"), e.log());
        assertTrue(e.getMessage().contains(e.log()), "the message carries the whole log");
        assertTrue(e.getMessage().startsWith("the verifier rejected program 'bad_r2' (bpf(BPF_PROG_LOAD) failed with EACCES (13)): R2 !read_ok"),
                e.getMessage());
        assertEquals(base, BpfTestSupport.openFds(), "no descriptor left behind");
    }

    @Test
    @DisplayName("a loaded sock_ops program's info: type 13, id, name, xlated length, its maps' ids")
    void info() {
        BpfTestSupport.requireRoot();
        SockOpsProgram.Bytecode p = new Assembler()
                .stw(R10, -4, 0).mov64(R2, R10).add64(R2, -4).loadMap(R1, 0).call(Helper.MAP_LOOKUP_ELEM)
                .mov64(R0, 1).exit()
                .program("info_prog", "GPL", List.of(new MapSpec("info_map", MapType.ARRAY, 4, 4, 1)));
        try (LoadedProgram lp = new ProgramLoader().load(p)) {
            ProgramInfo info = lp.program().info();
            System.out.println("[program info] " + info);
            assertEquals(13, info.type());
            assertEquals("info_prog", info.name());
            assertTrue(info.id() > 0);
            assertEquals(info.id(), lp.program().id());
            assertTrue(info.xlatedLength() > 0);
            assertTrue(info.gplCompatible());
            assertArrayEquals(new int[]{lp.map("info_map").info().id()}, info.mapIds());
            assertEquals(16, info.tag().length());
        }
    }

    @Test
    @DisplayName("a CGROUP_SOCKOPT program loads with expected_attach_type BPF_CGROUP_SETSOCKOPT (22)")
    void sockopt() {
        BpfTestSupport.requireRoot();
        try (LoadedProgram lp = new ProgramLoader().load(new Assembler().mov64(R0, 1).exit()
                .sockoptProgram("sockopt_prog", "GPL", List.of()))) {
            assertEquals(ProgramType.CGROUP_SETSOCKOPT, lp.type());
            assertEquals(25, lp.program().info().type());
            assertEquals(22, lp.program().expectedAttachType());
        }
    }

    @Test
    @DisplayName("an unknown program type: BpfException EINVAL saying the kernel refused before verifying")
    void unknownType() {
        BpfTestSupport.requireRoot();
        byte[] code = new Assembler().mov64(R0, 1).exit().build().toByteArray();
        BpfException e = assertThrows(BpfException.class,
                () -> BpfProgram.load(new ProgLoadAttributes(9999, 0, code, "GPL", "x", 0, 0, null)));
        assertEquals(22, e.errno());
        assertTrue(e.getMessage().contains("unknown program type"), e.getMessage());
    }

    @Test
    @DisplayName("when loading fails after the maps were created, the maps are closed: descriptors back at baseline")
    void mapsClosedOnFailure() {
        BpfTestSupport.requireRoot();
        long base = BpfTestSupport.openFds();
        for (int i = 0; i < 50; i++) {
            SockOpsProgram.Bytecode bad = new Assembler().loadMap(R1, 0).loadMap(R2, 1).mov64(R0, R1).exit()
                    .program("bad_maps", "GPL", List.of(new MapSpec("m0", MapType.ARRAY, 4, 4, 1),
                            new MapSpec("m1", MapType.SK_STORAGE, 4, 8, 0)));
            assertThrows(VerifierRejectedException.class, () -> new ProgramLoader().load(bad));
        }
        assertEquals(base, BpfTestSupport.openFds());
        // and a program that loads leaves nothing either once closed
        for (int i = 0; i < 50; i++) {
            new ProgramLoader().load(returnOne("ok")).close();
        }
        assertEquals(base, BpfTestSupport.openFds());
    }

    @Test
    @DisplayName("EPERM from a command while root has the capabilities is a BpfException, not a PrivilegeException")
    void privilegeDecision() {
        BpfTestSupport.requireRoot();
        BpfException e = BpfSyscall.failure(BpfCommand.PROG_ATTACH, -1, "attaching");
        assertEquals(BpfException.class, e.getClass());
        assertTrue(e.getMessage().contains("incompatible flags"), e.getMessage());
    }

    @Test
    @DisplayName("PrivilegeException's message names the command, the errno and what to do")
    void privilegeMessage() {
        PrivilegeException e = new PrivilegeException(BpfCommand.PROG_LOAD, 1, "euid 1000");
        assertEquals("bpf(BPF_PROG_LOAD) failed with EPERM (1): bpf() needs root or CAP_BPF+CAP_NET_ADMIN"
                + " (+CAP_PERFMON for some helpers); run as root or grant the capabilities (euid 1000)", e.getMessage());
    }
}
