package dev.autolowat.kernel.cgroup;

import dev.autolowat.kernel.KernelEnvironmentException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where cgroup v2 is mounted, and which cgroup v2 directory holds the current process.
 *
 * <p>The native backend attaches SOCK_OPS and CGROUP_SOCKOPT programs to a cgroup v2 directory;
 * they then run for the sockets of every process in that cgroup and its descendants, with normal
 * cgroup sock_ops semantics (rule H6). The mount point is not fixed: {@code /sys/fs/cgroup} on a
 * pure cgroup v2 system, {@code /sys/fs/cgroup/unified} on a hybrid one (as on the
 * {@code kernel-facts.md} host). So it is looked up in {@code /proc/mounts}, as the first line
 * whose file system type is exactly {@code cgroup2}.
 *
 * <p>{@code /proc/mounts} escapes space, tab, newline and backslash in paths as three-digit octal
 * ({@code \040}, {@code \011}, {@code \012}, {@code \134}); they are decoded here, and the bytes
 * are turned into a path with the JVM's file name encoding.
 *
 * <p>All methods are static; errors are {@link KernelEnvironmentException}s naming the file read,
 * what was found and what to do.
 */
public final class Cgroup2Mount {

    /** The kernel's table of mounts of the current mount namespace. */
    public static final Path PROC_MOUNTS = Path.of("/proc/mounts");
    /** The cgroups of the current process, one line per hierarchy; {@code 0::/path} is cgroup v2. */
    public static final Path PROC_SELF_CGROUP = Path.of("/proc/self/cgroup");
    /** The file system type of the cgroup v2 hierarchy. */
    public static final String FSTYPE = "cgroup2";

    private static final String DELETED = " (deleted)";

    private Cgroup2Mount() {
    }

    /**
     * The mount point of the first cgroup2 file system in {@link #PROC_MOUNTS}, or empty when
     * cgroup v2 is not mounted.
     *
     * @throws KernelEnvironmentException when {@code /proc/mounts} cannot be read or is malformed
     */
    public static Optional<Path> find() {
        return find(PROC_MOUNTS);
    }

    /**
     * The mount point of the first line of {@code procMounts} whose file system type (third
     * field) is {@code cgroup2}, octal escapes decoded; empty when there is none.
     *
     * @param procMounts a file in the format of {@code /proc/mounts}
     * @throws KernelEnvironmentException when the file cannot be read, or a line has fewer than three
     *                                    fields or a cgroup2 mount point that is not an absolute path
     */
    public static Optional<Path> find(Path procMounts) {
        Objects.requireNonNull(procMounts, "procMounts");
        String text = read(procMounts, "the list of mounts (is procfs mounted at /proc?)");
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.strip().split("[ \t]+");
            if (fields.length < 3) {
                throw new KernelEnvironmentException("malformed line " + (i + 1) + " in " + procMounts
                        + ": expected \"device mount-point fstype options dump pass\", found " + quoted(line)
                        + ". Pass the kernel's /proc/mounts (or an unchanged copy of it).");
            }
            if (!FSTYPE.equals(fields[2])) {
                continue;
            }
            String mountPoint = unescape(fields[1]);
            Path path = toPath(mountPoint, procMounts, i + 1);
            if (!path.isAbsolute()) {
                throw new KernelEnvironmentException("malformed line " + (i + 1) + " in " + procMounts
                        + ": the cgroup2 mount point " + quoted(mountPoint) + " is not an absolute path"
                        + ". Pass the kernel's /proc/mounts (or an unchanged copy of it).");
            }
            return Optional.of(path);
        }
        return Optional.empty();
    }

    /**
     * The cgroup v2 mount point, which must exist.
     *
     * @throws KernelEnvironmentException when {@code /proc/mounts} has no cgroup2 line, cannot be
     *                                    read or is malformed
     */
    public static Path require() {
        return require(PROC_MOUNTS);
    }

    /**
     * The first cgroup2 mount point of {@code procMounts}, which must exist.
     *
     * @param procMounts a file in the format of {@code /proc/mounts}
     * @throws KernelEnvironmentException when the file has no cgroup2 line, cannot be read or is malformed
     */
    public static Path require(Path procMounts) {
        return find(procMounts).orElseThrow(() -> new KernelEnvironmentException(
                "no cgroup2 mount in " + procMounts + ": mount one with `mount -t cgroup2 none /sys/fs/cgroup`"
                        + " (on a hybrid system where /sys/fs/cgroup holds cgroup v1 hierarchies, on an empty"
                        + " directory such as /sys/fs/cgroup/unified instead). The native backend attaches its"
                        + " programs to a cgroup v2 directory (rule H6); the kernel needs CONFIG_CGROUPS and"
                        + " CONFIG_CGROUP_BPF."));
    }

    /**
     * The cgroup v2 directory of the current process: the {@code 0::/path} line of
     * {@link #PROC_SELF_CGROUP} resolved under {@code mount}. Programs attached there (or to an
     * ancestor) run for this process's sockets (rule H6).
     *
     * @param mount the cgroup v2 mount point, e.g. from {@link #require()}
     * @return an existing directory under {@code mount} (normalized; {@code mount} itself for {@code 0::/})
     * @throws KernelEnvironmentException when there is no cgroup v2 line, the cgroup was deleted, or
     *                                    the path does not name a directory under {@code mount}
     */
    public static Path cgroupOfCurrentProcess(Path mount) {
        return cgroupOf(mount, PROC_SELF_CGROUP);
    }

    /**
     * The cgroup v2 directory named by the {@code 0::/path} line of {@code procPidCgroup} (a file
     * in the format of {@code /proc/<pid>/cgroup}), resolved under {@code mount}.
     *
     * @param mount         the cgroup v2 mount point
     * @param procPidCgroup a file in the format of {@code /proc/<pid>/cgroup}
     * @return an existing directory under {@code mount} (normalized)
     * @throws KernelEnvironmentException when the file cannot be read, has no {@code 0::} line, the
     *                                    cgroup was deleted, or the path does not name a directory under {@code mount}
     */
    public static Path cgroupOf(Path mount, Path procPidCgroup) {
        Objects.requireNonNull(mount, "mount");
        Objects.requireNonNull(procPidCgroup, "procPidCgroup");
        String text = read(procPidCgroup, "the process's cgroups (is procfs mounted at /proc?)");
        String relative = null;
        for (String line : text.split("\n")) {
            // hierarchy-ID:controller-list:cgroup-path; the path itself may contain ':'.
            if (line.startsWith("0::")) {
                relative = line.substring(3);
                break;
            }
        }
        if (relative == null) {
            throw new KernelEnvironmentException("no cgroup v2 entry (a line \"0::/path\") in " + procPidCgroup
                    + ", found " + quoted(text) + ". The process is only in cgroup v1 hierarchies: boot with"
                    + " cgroup v2 enabled (systemd.unified_cgroup_hierarchy=1, or a hybrid setup with cgroup2"
                    + " mounted) so programs can be attached to its cgroup (rule H6).");
        }
        if (relative.endsWith(DELETED)) {
            throw new KernelEnvironmentException("the cgroup v2 entry in " + procPidCgroup + " is "
                    + quoted("0::" + relative) + ": the cgroup was removed. Move the process into a live"
                    + " cgroup (write its pid to <cgroup>/cgroup.procs) before attaching programs.");
        }
        if (!relative.startsWith("/")) {
            throw new KernelEnvironmentException("malformed cgroup v2 entry in " + procPidCgroup + ": expected"
                    + " \"0::/path\", found " + quoted("0::" + relative) + ". Pass the kernel's /proc/<pid>/cgroup"
                    + " (or an unchanged copy of it).");
        }
        String decoded = new String(relative.getBytes(StandardCharsets.ISO_8859_1), filenameCharset());
        Path root = mount.toAbsolutePath().normalize();
        Path dir;
        try {
            dir = root.resolve(decoded.substring(1)).normalize();
        } catch (InvalidPathException e) {
            throw new KernelEnvironmentException("the cgroup v2 path " + quoted(relative) + " in " + procPidCgroup
                    + " is not a valid path here: " + e.getMessage()
                    + ". Run the JVM with a UTF-8 locale (LANG=C.UTF-8).", e);
        }
        if (!dir.startsWith(root)) {
            throw new KernelEnvironmentException("the cgroup v2 path " + quoted(relative) + " in " + procPidCgroup
                    + " lies outside the mount " + root + " (the process runs in another cgroup namespace)."
                    + " Run in the cgroup namespace that mounted " + root + ", or mount cgroup2 inside this one.");
        }
        if (!Files.isDirectory(dir)) {
            throw new KernelEnvironmentException("the cgroup of " + procPidCgroup + ", " + quoted(relative)
                    + ", is not a directory under the cgroup2 mount " + root + " (" + dir + " "
                    + (Files.exists(dir) ? "is not a directory" : "does not exist") + "). Check that " + root
                    + " is the cgroup2 mount of this mount and cgroup namespace (see /proc/mounts).");
        }
        return dir;
    }

    /**
     * Decodes the octal escapes the kernel writes in {@code /proc/mounts} fields: a backslash
     * followed by exactly three octal digits (value at most 0377) is that byte; any other
     * backslash is kept. Works on "byte strings": each char of {@code field} and of the result
     * is one byte (ISO-8859-1).
     */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder b = new StringBuilder(field.length());
        int i = 0;
        while (i < field.length()) {
            char c = field.charAt(i);
            if (c == '\\' && isOctalEscape(field, i)) {
                b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 4;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    private static boolean isOctalEscape(String s, int backslash) {
        if (backslash + 3 >= s.length()) {
            return false;
        }
        for (int k = 1; k <= 3; k++) {
            char d = s.charAt(backslash + k);
            if (d < '0' || d > '7') {
                return false;
            }
        }
        return s.charAt(backslash + 1) <= '3'; // at most \377: one byte
    }

    private static Path toPath(String byteString, Path file, int lineNo) {
        String name = new String(byteString.getBytes(StandardCharsets.ISO_8859_1), filenameCharset());
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new KernelEnvironmentException("the cgroup2 mount point on line " + lineNo + " of " + file
                    + ", " + quoted(byteString) + ", is not a valid path here: " + e.getMessage()
                    + ". Run the JVM with a UTF-8 locale (LANG=C.UTF-8).", e);
        }
    }

    /** The charset the JVM uses for file names (sun.jnu.encoding), UTF-8 if unknown. */
    private static Charset filenameCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        if (name != null) {
            try {
                return Charset.forName(name);
            } catch (RuntimeException e) {
                // unsupported or illegal name: fall through
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** Reads {@code file} as bytes, one char per byte (ISO-8859-1). */
    private static String read(Path file, String what) {
        try {
            // Not Files.readAllBytes: procfs reports a size of 0 (see NetSysctls.readFully).
            try (InputStream in = Files.newInputStream(file)) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        } catch (NoSuchFileException e) {
            throw new KernelEnvironmentException("cannot read " + what + ": " + file + " does not exist."
                    + " The native backend needs it to find cgroup v2 (rule H6); mount procfs with"
                    + " `mount -t proc proc /proc`.", e);
        } catch (IOException e) {
            throw new KernelEnvironmentException("cannot read " + what + " from " + file + ": " + e
                    + ". Run with permission to read it.", e);
        }
    }

    /** Quotes a byte string for a message, control characters escaped, long text cut. */
    private static String quoted(String text) {
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(text.length(), 120);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
        if (text.length() > n) {
            b.append("... (").append(text.length()).append(" chars)");
        }
        return b.toString();
    }
}
