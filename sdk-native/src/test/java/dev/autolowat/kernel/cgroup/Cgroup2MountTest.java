package dev.autolowat.kernel.cgroup;

import dev.autolowat.kernel.KernelEnvironmentException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link Cgroup2Mount} over fake {@code /proc/mounts} and {@code /proc/<pid>/cgroup} files (rule H6). */
class Cgroup2MountTest {

    /** The kernel-facts.md host: cgroup v1 hierarchies under a tmpfs, cgroup2 at /sys/fs/cgroup/unified. */
    static final String HYBRID = ""
            + "proc /proc proc rw,relatime 0 0\n"
            + "sysfs /sys sysfs rw,relatime 0 0\n"
            + "/dev/vda / ext4 rw,relatime,discard 0 0\n"
            + "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
            + "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
            + "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
            + "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
            + "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";

    /** A pure cgroup v2 system (systemd's unified layout). */
    static final String UNIFIED = ""
            + "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
            + "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
            + "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n"
            + "bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0\n";

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path f = Files.createTempFile(dir, "mounts", "");
        Files.writeString(f, content, StandardCharsets.ISO_8859_1);
        return f;
    }

    @Nested
    @DisplayName("find / require over /proc/mounts")
    class Find {

        @Test
        @DisplayName("H6: a hybrid system's cgroup2 at /sys/fs/cgroup/unified is found (not the tmpfs or v1 lines)")
        void hybrid() throws IOException {
            Path f = file(HYBRID);
            assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), Cgroup2Mount.find(f));
            assertEquals(Path.of("/sys/fs/cgroup/unified"), Cgroup2Mount.require(f));
        }

        @Test
        @DisplayName("H6: a unified system's cgroup2 at /sys/fs/cgroup is found")
        void unified() throws IOException {
            assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), Cgroup2Mount.find(file(UNIFIED)));
        }

        @Test
        @DisplayName("several cgroup2 lines: the first one is taken")
        void firstOfSeveral() throws IOException {
            Path f = file(HYBRID + "none /mnt/cg2 cgroup2 rw 0 0\n" + UNIFIED);
            assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), Cgroup2Mount.find(f));
        }

        @Test
        @DisplayName("no cgroup2 line (v1 only, a v1 device named 'cgroup2'): empty, and require() says how to mount one")
        void none() throws IOException {
            Path f = file("proc /proc proc rw 0 0\n"
                    + "cgroup2 /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
                    + "cgroup /sys/fs/cgroup/cgroup2 cgroup rw,memory 0 0\n");
            assertEquals(Optional.empty(), Cgroup2Mount.find(f));
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> Cgroup2Mount.require(f));
            String m = e.getMessage();
            assertTrue(m.startsWith("no cgroup2 mount in " + f + ": mount one with `mount -t cgroup2 none /sys/fs/cgroup`"), m);
            assertTrue(m.contains("/sys/fs/cgroup/unified"), m);
            assertTrue(m.contains("rule H6"), m);
        }

        @Test
        @DisplayName("an empty file or only blank lines: empty")
        void empty() throws IOException {
            assertEquals(Optional.empty(), Cgroup2Mount.find(file("")));
            assertEquals(Optional.empty(), Cgroup2Mount.find(file("\n\n   \n")));
        }

        @Test
        @DisplayName("blank lines and no trailing newline are tolerated")
        void blankLines() throws IOException {
            Path f = file("\nproc /proc proc rw 0 0\n\n  \ncgroup2 /cg cgroup2 rw 0 0");
            assertEquals(Optional.of(Path.of("/cg")), Cgroup2Mount.find(f));
        }

        @Test
        @DisplayName("a missing /proc/mounts: the exception names the file and says to mount procfs")
        void missingFile() {
            Path f = dir.resolve("no-mounts");
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> Cgroup2Mount.find(f));
            assertTrue(e.getMessage().contains(f + " does not exist"), e.getMessage());
            assertTrue(e.getMessage().contains("mount -t proc proc /proc"), e.getMessage());
            e = assertThrows(KernelEnvironmentException.class, () -> Cgroup2Mount.require(f));
            assertTrue(e.getMessage().contains(f + " does not exist"), e.getMessage());
        }

        @Test
        @DisplayName("an unreadable /proc/mounts (a directory): 'cannot read', with the cause")
        void unreadable() {
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> Cgroup2Mount.find(dir));
            assertTrue(e.getMessage().startsWith("cannot read the list of mounts"), e.getMessage());
            assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
        }

        @Test
        @DisplayName("a line with fewer than three fields: malformed, with its line number and content")
        void malformedLine() throws IOException {
            Path f = file("proc /proc proc rw 0 0\nsysfs /sys\ncgroup2 /cg cgroup2 rw 0 0\n");
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> Cgroup2Mount.find(f));
            assertTrue(e.getMessage().startsWith("malformed line 2 in " + f + ": expected \"device mount-point fstype"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("found \"sysfs /sys\""), e.getMessage());
        }

        @Test
        @DisplayName("a relative cgroup2 mount point: malformed")
        void relativeMountPoint() throws IOException {
            Path f = file("cgroup2 sys/fs/cgroup cgroup2 rw 0 0\n");
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> Cgroup2Mount.find(f));
            assertTrue(e.getMessage().contains("\"sys/fs/cgroup\" is not an absolute path"), e.getMessage());
        }

        @ParameterizedTest(name = "{0} -> \"{1}\"")
        @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
                "/mnt/my\\040cgroup          | '/mnt/my cgroup'",
                "/mnt/tab\\011here           | '/mnt/tab\there'",
                "/mnt/back\\134slash         | '/mnt/back\\slash'",
                "/mnt/a\\040b\\040\\040c     | '/mnt/a b  c'",
                "/mnt/lit\\134040            | '/mnt/lit\\040'",
                "/mnt/\\040lead              | '/mnt/ lead'",
        })
        @DisplayName("octal escapes in the mount point are decoded (\\040 space, \\011 tab, \\012 newline, \\134 backslash)")
        void octalEscapes(String escaped, String expected) throws IOException {
            Path f = file("cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\nnone " + escaped + " cgroup2 rw,relatime 0 0\n");
            assertEquals(Optional.of(Path.of(expected)), Cgroup2Mount.find(f));
        }

        @Test
        @DisplayName("an escaped newline (\\012) in the mount point is decoded; a raw newline would end the line")
        void escapedNewline() throws IOException {
            Path f = file("none /mnt/new\\012line cgroup2 rw 0 0\n");
            assertEquals(Optional.of(Path.of("/mnt/new\nline")), Cgroup2Mount.find(f));
        }

        @Test
        @DisplayName("octal-escaped UTF-8 bytes and raw UTF-8 bytes decode to the same path (needs a UTF-8 JVM)")
        void utf8() throws IOException {
            assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
                    "not supported here: the JVM's file name encoding is " + System.getProperty("sun.jnu.encoding")
                            + ", not UTF-8 (run with LANG=C.UTF-8)");
            Path escaped = file("none /mnt/caf\\303\\251 cgroup2 rw 0 0\n");
            Path raw = Files.createTempFile(dir, "mounts", "");
            Files.write(raw, "none /mnt/café cgroup2 rw 0 0\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(Optional.of(Path.of("/mnt/café")), Cgroup2Mount.find(escaped));
            assertEquals(Optional.of(Path.of("/mnt/café")), Cgroup2Mount.find(raw));
        }
    }

    @Nested
    @DisplayName("unescape")
    class Unescape {

        @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
        @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
                "'plain'          | 'plain'",
                "'a\\040b'        | 'a b'",
                "'\\040'          | ' '",
                "'end\\04'        | 'end\\04'",
                "'end\\0'         | 'end\\0'",
                "'end\\'          | 'end\\'",
                "'\\400'          | '\\400'",
                "'\\08a'          | '\\08a'",
                "'\\x41'          | '\\x41'",
                "'\\377'          | '\u00ff'",
                "'\\000'          | '\u0000'",
                "'\\134\\134'     | '\\\\'",
                "'\\1341'         | '\\1'",
        })
        @DisplayName("only a backslash with exactly three octal digits up to \\377 is an escape")
        void rules(String in, String out) {
            assertEquals(out, Cgroup2Mount.unescape(in));
        }
    }

    @Nested
    @DisplayName("cgroupOf / cgroupOfCurrentProcess over /proc/<pid>/cgroup")
    class CgroupOf {

        Path mount;

        @BeforeEach
        void mount() throws IOException {
            mount = Files.createDirectory(dir.resolve("cgroup2"));
        }

        @Test
        @DisplayName("H6: the 0:: line of a hybrid system is resolved under the mount, v1 lines ignored")
        void hybrid() throws IOException {
            Path expected = Files.createDirectories(mount.resolve("system.slice/app.service"));
            Path f = file("9:name=systemd:/user.slice\n4:memory:/process_api/68f6\n"
                    + "0::/system.slice/app.service\n");
            assertEquals(expected, Cgroup2Mount.cgroupOf(mount, f));
        }

        @Test
        @DisplayName("H6: 0::/ is the mount itself")
        void root() throws IOException {
            assertEquals(mount, Cgroup2Mount.cgroupOf(mount, file("0::/\n")));
        }

        @Test
        @DisplayName("a cgroup path with spaces and colons (not escaped in /proc/<pid>/cgroup)")
        void spacesAndColons() throws IOException {
            Path expected = Files.createDirectories(mount.resolve("a b/c:d"));
            assertEquals(expected, Cgroup2Mount.cgroupOf(mount, file("0::/a b/c:d\n")));
        }

        @Test
        @DisplayName("a relative mount path is made absolute")
        void relativeMount() throws IOException {
            Files.createDirectories(mount.resolve("x"));
            Path cwdRelativeMount = Path.of("").toAbsolutePath().relativize(mount);
            assertTrue(!cwdRelativeMount.isAbsolute(), cwdRelativeMount.toString());
            assertEquals(mount.resolve("x"), Cgroup2Mount.cgroupOf(cwdRelativeMount, file("0::/x\n")));
        }

        @Test
        @DisplayName("no 0:: line (cgroup v1 only): the exception says cgroup v2 is needed")
        void noV2Line() throws IOException {
            Path f = file("4:memory:/x\n1:cpu:/\n");
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                    () -> Cgroup2Mount.cgroupOf(mount, f));
            assertTrue(e.getMessage().startsWith("no cgroup v2 entry (a line \"0::/path\") in " + f), e.getMessage());
            assertTrue(e.getMessage().contains("rule H6"), e.getMessage());
        }

        @Test
        @DisplayName("a deleted cgroup: the exception says to move the process to a live cgroup")
        void deleted() throws IOException {
            Files.createDirectories(mount.resolve("gone"));
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                    () -> Cgroup2Mount.cgroupOf(mount, file("0::/gone (deleted)\n")));
            assertTrue(e.getMessage().contains("the cgroup was removed"), e.getMessage());
        }

        @Test
        @DisplayName("a path outside the mount (another cgroup namespace): refused")
        void outsideMount() throws IOException {
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                    () -> Cgroup2Mount.cgroupOf(mount, file("0::/../../etc\n")));
            assertTrue(e.getMessage().contains("lies outside the mount " + mount), e.getMessage());
            assertTrue(e.getMessage().contains("cgroup namespace"), e.getMessage());
        }

        @Test
        @DisplayName("a path that is not a directory under the mount: the exception names both")
        void notADirectory() throws IOException {
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                    () -> Cgroup2Mount.cgroupOf(mount, file("0::/missing\n")));
            assertTrue(e.getMessage().contains(mount.resolve("missing") + " does not exist"), e.getMessage());
            Files.writeString(mount.resolve("plain"), "");
            e = assertThrows(KernelEnvironmentException.class,
                    () -> Cgroup2Mount.cgroupOf(mount, file("0::/plain\n")));
            assertTrue(e.getMessage().contains(mount.resolve("plain") + " is not a directory"), e.getMessage());
        }

        @Test
        @DisplayName("a 0:: line without a leading '/': malformed")
        void malformed() throws IOException {
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                    () -> Cgroup2Mount.cgroupOf(mount, file("0::relative\n")));
            assertTrue(e.getMessage().startsWith("malformed cgroup v2 entry"), e.getMessage());
            assertTrue(e.getMessage().contains("found \"0::relative\""), e.getMessage());
        }

        @Test
        @DisplayName("a missing /proc/<pid>/cgroup: the exception names the file")
        void missingFile() {
            Path f = dir.resolve("no-cgroup-file");
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                    () -> Cgroup2Mount.cgroupOf(mount, f));
            assertTrue(e.getMessage().contains(f + " does not exist"), e.getMessage());
        }
    }
}
