package dev.autolowat.kernel.bpf;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.kernel.features.ProbeResult;
import dev.autolowat.kernel.features.Probes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EPERM/EACCES without the capabilities is a {@link PrivilegeException}: observed on a thread
 * that dropped all its capabilities (the uid stays 0; the kernel checks capabilities).
 */
@DisplayName("Without CAP_BPF/CAP_SYS_ADMIN: PrivilegeException saying what to do (needs root to drop them)")
class PrivilegeTest {
    private static boolean printed;

    @Test
    @DisplayName("map creation and program load on a thread without capabilities: PrivilegeException, EPERM, the advice, no fd left")
    void noCapabilities() {
        BpfTestSupport.requireRoot();
        BpfTestSupport.withoutCapabilities(PrivilegeTest::unprivileged); // warms up lazily opened files
        long fds = BpfTestSupport.openFds();
        BpfTestSupport.withoutCapabilities(PrivilegeTest::unprivileged);
        assertEquals(fds, BpfTestSupport.openFds());
        assertTrue(BpfPrivileges.sufficient(), "the other threads keep their capabilities");
    }

    private static void unprivileged() {
        assertFalse(BpfPrivileges.sufficient(), BpfPrivileges.describe());
        PrivilegeException map = assertThrows(PrivilegeException.class,
                () -> KernelMap.create(new MapSpec("p_map", MapType.ARRAY, 4, 4, 1)));
        if (!printed) {
            System.out.println("[no capabilities] " + map.getMessage());
            printed = true;
        }
        assertEquals(BpfCommand.MAP_CREATE, map.command());
        assertTrue(map.getMessage().contains(PrivilegeException.ADVICE), map.getMessage());
        assertTrue(map.getMessage().contains("no CAP_BPF"), map.getMessage());
        PrivilegeException prog = assertThrows(PrivilegeException.class, () -> new ProgramLoader()
                .load(new Assembler().mov64(R0, 1).exit().program("p_prog", "GPL", List.of())));
        assertEquals(BpfCommand.PROG_LOAD, prog.command());
        Probes.clearCache();
        ProbeResult r = Probes.privileges();
        assertEquals(ProbeResult.Status.NOT_SUPPORTED, r.status(), r.toString());
        Probes.clearCache();
    }
}
