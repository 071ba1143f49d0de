package dev.autolowat.conformance.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code autolowat objdump} on the committed example objects (examples/bpf/, docs/objects.md). */
class ObjdumpCommandTest {
    private static final String POLICY = "../examples/bpf/autolowat_policy.o";

    @Test
    @DisplayName("the C reference policy (A1-A5): both programs with their types, the SK_STORAGE map, kfuncs and CO-RE sites")
    void referencePolicy() {
        CliRun r = CliRun.of("objdump", POLICY);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("program autolowat_rcvq  SEC(\"sockops\"): BPF_PROG_TYPE_SOCK_OPS (13)"), r.out());
        assertTrue(r.out().contains("program autolowat_enable  SEC(\"cgroup/setsockopt\"): BPF_PROG_TYPE_CGROUP_SOCKOPT (25)"),
                r.out());
        assertTrue(r.out().contains("autolowat_state    sk_storage"), r.out());
        assertTrue(r.out().contains("<- kfunc bpf_sock_ops_tcp_set_rcvlowat"), r.out());
        assertTrue(r.out().contains("<- CO-RE <byte_off> struct tcp_sock::copied_seq (0:2)"), r.out());
        assertTrue(r.out().contains("; if (skops->op != BPF_SOCK_OPS_RCVQ_CB)  [./autolowat_policy.c:"), r.out());
    }

    @Test
    @DisplayName("--program shows one program; --no-source leaves out the source lines")
    void oneProgramWithoutSource() {
        CliRun r = CliRun.of("objdump", POLICY, "--program", "autolowat_enable", "--no-source");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("program autolowat_rcvq"), r.out());
        assertFalse(r.out().contains("  ; "), r.out());
        assertTrue(r.out().contains("<- CO-RE <target_type_id> struct tcp_sock"), r.out());
    }

    @Test
    @DisplayName("a file that is not a BPF object, a missing program: exit 2 and one line on stderr")
    void badInput() {
        CliRun r = CliRun.of("objdump", "../README.md");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("autolowat objdump: cannot read BPF object ../README.md: not an ELF file"), r.err());
        r = CliRun.of("objdump", POLICY, "--program", "nope");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no program named 'nope'; it has [autolowat_rcvq (sockops)"), r.err());
    }

    @Test
    @DisplayName("--load-and-pin: the object loads into the running kernel and its programs are pinned (as bpftool loadall) [requires root]")
    void loadAndPin() throws java.io.IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "requires root (bpf(2) program loads)");
        java.nio.file.Path dir = java.nio.file.Path.of("/sys/fs/bpf/autolowat-objdump-test-" + ProcessHandle.current().pid());
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(dir.getParent()),
                "no BPF file system at /sys/fs/bpf");
        java.nio.file.Files.createDirectories(dir);
        try {
            CliRun r = CliRun.of("objdump", "../examples/bpf/feature_subprog.o", "--load-and-pin", dir.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("pinned subprog_calls (id "), r.out());
            assertTrue(java.nio.file.Files.exists(dir.resolve("subprog_calls")), "pinned file");
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }
}
