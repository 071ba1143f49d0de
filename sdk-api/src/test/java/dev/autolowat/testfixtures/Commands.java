package dev.autolowat.testfixtures;

import dev.autolowat.api.object.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** Runs a command for a test (bpftool, build.sh): its exit code and merged output, within a time limit. */
public final class Commands {
    private Commands() {
    }

    /** A finished command. */
    public record Result(int exit, String output) {
    }

    /**
     * Runs {@code cmd}; a command still running after {@code seconds} is killed and reported as an
     * {@link AssertionError}. The pipes are closed at once: left to the garbage collector they would
     * close later, while another test counts this JVM's descriptors.
     */
    public static Result run(int seconds, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out;
            try (var stdout = p.getInputStream(); var stdin = p.getOutputStream(); var stderr = p.getErrorStream()) {
                out = new String(stdout.readAllBytes());
            }
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + seconds + " s");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", cmd), e);
        }
    }

    /** {@link #run}, requiring exit code 0 (the output is in the failure message); returns the output. */
    public static String runOk(String... cmd) {
        Result r = run(60, cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }
}
