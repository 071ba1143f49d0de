package dev.autolowat.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a test class's {@code main} in a child JVM with this JVM's test class path: for what may
 * crash a JVM (a regression of the close race would SIGSEGV the Surefire fork) or must be killed.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** The class path of the tests (Surefire runs them from a manifest-only jar and says the real one here). */
    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        String classes = cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
        // With module descriptors, Surefire puts the SDK's own modules on the module path: the child
        // gets both on its class path (it reproduces a process-level effect, no module boundary needed).
        String modules = System.getProperty("jdk.module.path");
        return modules == null || modules.isBlank() ? classes : modules + java.io.File.pathSeparator + classes;
    }

    /** {@code java -cp <tests> [jvmArgs] main args}, stdout and stderr merged. */
    static ProcessBuilder builder(Class<?> main, List<String> jvmArgs, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmArgs);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        // hs_err files of a crash land in the temporary directory, not in the module
        pb.directory(new File(System.getProperty("java.io.tmpdir")));
        return pb;
    }

    static Process start(Class<?> main, List<String> jvmArgs, String... args) {
        try {
            return builder(main, jvmArgs, args).start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("starting a child JVM for " + main.getName(), e);
        }
    }
}
