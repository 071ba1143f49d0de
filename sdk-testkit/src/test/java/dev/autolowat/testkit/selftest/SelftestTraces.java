package dev.autolowat.testkit.selftest;

import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Family;
import dev.autolowat.testkit.trace.TraceFile;
import dev.autolowat.testkit.trace.TraceRunner;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The series' selftest trace cases (rule A6), read at test time from {@code spec/selftest-traces.json},
 * for the modules' tests: a thin layer over the public trace reader and runner
 * ({@link dev.autolowat.testkit.trace.TraceFile}, {@link dev.autolowat.testkit.trace.TraceRunner}) that turns a
 * failed trace into an {@link AssertionError} with the step-by-step diff, and a backend that cannot
 * run it into an aborted (skipped) test with the backend's reason.
 */
public final class SelftestTraces {
    private SelftestTraces() {
    }

    /** One trace case of the spec file (its name is its {@code toString}, for test names). */
    public record TraceCase(dev.autolowat.testkit.trace.TraceCase trace) {
        public String name() {
            return trace.name();
        }

        @Override
        public String toString() {
            return trace.name();
        }
    }

    /** Where the spec data lives: {@code -Dautolowat.spec.dir}, set by the build to the repository's {@code spec/}. */
    public static Path specDir() {
        String dir = System.getProperty("autolowat.spec.dir");
        Path path = dir != null ? Path.of(dir) : Path.of("..", "spec");
        if (!Files.isRegularFile(path.resolve("selftest-traces.json"))) {
            throw new IllegalStateException("spec/selftest-traces.json not found under " + path.toAbsolutePath()
                    + "; run the tests through Maven from the repository, or set -Dautolowat.spec.dir");
        }
        return path;
    }

    /** All cases of {@code spec/selftest-traces.json}. */
    public static List<TraceCase> load() {
        return TraceFile.read(specDir().resolve("selftest-traces.json")).cases().stream().map(TraceCase::new).toList();
    }

    /**
     * Replays {@code trace} on a fresh session of {@code backend} with {@code policy} attached.
     *
     * @throws AssertionError with every step, expected and actual, when a step disagrees
     */
    public static void run(TraceCase trace, Backend backend, Policy policy, Family family) {
        TraceRunner.Result r = TraceRunner.run(trace.trace(), family, backend, policy);
        if (r.status() == TraceRunner.Status.NOT_SUPPORTED) {
            Assumptions.abort(r.describe());
        }
        if (!r.passed()) {
            throw new AssertionError(r.describe());
        }
    }
}
