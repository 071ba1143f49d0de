package dev.autolowat.conformance.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where and with what a job ran — the metadata a saved report carries so that it can be compared
 * with another one later: when, on which host and kernel, with which Java, SDK version and (when
 * known) git commit.
 *
 * @param started   when the run started (UTC, seconds)
 * @param host      the host name ({@code /proc/sys/kernel/hostname}, else {@code HOSTNAME}), or {@code unknown}
 * @param kernel    {@code /proc/sys/kernel/osrelease}, or {@code unknown}
 * @param java      {@code java.version} and {@code java.vm.name}
 * @param sdk       the SDK version the jar was built as ({@code 0.1.0-SNAPSHOT}), or {@code unknown}
 * @param gitCommit the commit checked out in the source tree the SDK's classes were loaded from, with
 *                  its branch ({@code 416d262 (cli)}), or {@code null} when there is none (e.g. an
 *                  installed jar); it names the checkout at run time, which a stale build may not match
 */
public record RunInfo(Instant started, String host, String kernel, String java, String sdk, String gitCommit) {

    /** This run, now. */
    public static RunInfo now() {
        return new RunInfo(Instant.now().truncatedTo(ChronoUnit.SECONDS), hostName(), kernelRelease(),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")", sdkVersion(),
                gitCommit(codeLocation()));
    }

    /** The fields in order, for reports: {@code time, host, kernel, java, sdk, commit}. */
    public Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("time", started.toString());
        m.put("host", host);
        m.put("kernel", kernel);
        m.put("java", java);
        m.put("sdk", sdk);
        m.put("commit", gitCommit == null ? "unknown" : gitCommit);
        return m;
    }

    static String kernelRelease() {
        return readFirstLine(Path.of("/proc/sys/kernel/osrelease"), "unknown");
    }

    static String hostName() {
        String h = readFirstLine(Path.of("/proc/sys/kernel/hostname"), null);
        if (h == null) {
            h = System.getenv("HOSTNAME");
        }
        return h == null || h.isBlank() ? "unknown" : h;
    }

    /** The version Maven filtered into {@code build.properties}, or {@code unknown}. */
    static String sdkVersion() {
        try (InputStream in = RunInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.contains("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path codeLocation() {
        try {
            CodeSource cs = RunInfo.class.getProtectionDomain().getCodeSource();
            return cs == null ? null : Path.of(cs.getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The commit of the git checkout holding {@code from} (a directory or file), read from its
     * {@code .git} without running git: {@code <12 hex> (<branch>)}, or {@code null}. Handles a
     * worktree ({@code .git} a file naming the git directory), loose and packed refs.
     */
    static String gitCommit(Path from) {
        if (from == null) {
            return null;
        }
        try {
            for (Path dir = from.toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path dotGit = dir.resolve(".git");
                if (Files.isDirectory(dotGit)) {
                    return commitOf(dotGit);
                }
                if (Files.isRegularFile(dotGit)) {
                    String line = readFirstLine(dotGit, "");
                    if (line.startsWith("gitdir:")) {
                        return commitOf(dir.resolve(line.substring(7).strip()));
                    }
                    return null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no readable checkout: the commit is unknown
        }
        return null;
    }

    private static String commitOf(Path gitDir) throws IOException {
        String head = readFirstLine(gitDir.resolve("HEAD"), null);
        if (head == null) {
            return null;
        }
        if (!head.startsWith("ref:")) {
            return abbreviate(head) + " (detached)";
        }
        String ref = head.substring(4).strip();
        String branch = ref.startsWith("refs/heads/") ? ref.substring(11) : ref;
        // A worktree keeps HEAD in its own directory and the refs in the common one.
        Path common = gitDir;
        String commonDir = readFirstLine(gitDir.resolve("commondir"), null);
        if (commonDir != null) {
            common = gitDir.resolve(commonDir).normalize();
        }
        for (Path d : List.of(gitDir, common)) {
            String id = readFirstLine(d.resolve(ref), null);
            if (id != null) {
                return abbreviate(id) + " (" + branch + ")";
            }
        }
        Path packed = common.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                if (line.endsWith(" " + ref)) {
                    return abbreviate(line.substring(0, line.indexOf(' '))) + " (" + branch + ")";
                }
            }
        }
        return null;
    }

    private static String abbreviate(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private static String readFirstLine(Path file, String otherwise) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty() ? otherwise : lines.get(0).strip();
        } catch (IOException | RuntimeException e) {
            return otherwise;
        }
    }
}
