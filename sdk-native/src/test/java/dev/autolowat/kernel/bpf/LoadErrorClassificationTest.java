package dev.autolowat.kernel.bpf;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17: a program load that runs out of a resource is not a verifier rejection. */
class LoadErrorClassificationTest {

    @Test
    @DisplayName("issue 17: EMFILE, ENFILE, ENOMEM, EINTR, EAGAIN, EBUSY are resource failures; EACCES, EINVAL, E2BIG are verdicts")
    void classification() {
        for (int errno : new int[]{24, 23, 12, 4, 11, 16}) {
            assertTrue(BpfProgram.isResourceFailure(errno), "errno " + errno);
        }
        for (int errno : new int[]{13, 22, 7, 14, 1, 524}) {
            assertFalse(BpfProgram.isResourceFailure(errno), "errno " + errno);
        }
        String m = BpfSyscall.failure(BpfCommand.PROG_LOAD, -24, "loading program 'p'").getMessage();
        assertTrue(m.contains("EMFILE") && m.contains("ulimit -n"), m);
    }

    @Test
    @DisplayName("issue 17: a valid program loaded with the descriptor table full fails with BpfException EMFILE, not"
            + " VerifierRejectedException (in a child JVM) [requires root]")
    void emfileAfterPassingVerifier() throws Exception {
        BpfTestSupport.requireRoot();
        String cp = dev.autolowat.kernel.ChildJvm.classPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // a small descriptor limit, kept by the JVM (-XX:-MaxFDLimit), so the table fills quickly
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "ulimit -n 512 && exec \"$0\" \"$@\"", java,
                "-XX:-MaxFDLimit", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, EmfileLoadMain.class.getName());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("[EMFILE load] " + out.strip());
        assertTrue(done, out);
        assertTrue(out.contains("RESULT dev.autolowat.kernel.bpf.BpfException"), out);
        assertTrue(out.contains("EMFILE (24)"), out);
        assertTrue(out.contains("not a verdict on the program"), out);
        assertFalse(out.contains("Fix the program"), out);
    }
}
