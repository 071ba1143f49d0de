package dev.autolowat.kernel.sysfs;

import dev.autolowat.kernel.KernelEnvironmentException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NetSysctls} over fake {@code /proc/sys} trees (rules K1, K2, K4; H3 for tcp_mem). */
class NetSysctlsTest {

    @TempDir
    Path root;

    /** Writes the sysctls of the kernel-facts.md host, in the kernel's own format (tabs, newline). */
    private void writeHost() throws IOException {
        write("net.core.rmem_max", "4194304\n");
        write("net.ipv4.tcp_rmem", "4096\t131072\t33554432\n");
        write("net.ipv4.tcp_moderate_rcvbuf", "1\n");
        write("net.ipv4.tcp_mem", "287901\t383869\t575802\n");
    }

    private Path write(String sysctl, String content) throws IOException {
        Path file = root.resolve(sysctl.replace('.', '/'));
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    @Test
    @DisplayName("K1/K2/K4: the kernel-facts.md host's sysctls are read, cap 16777216, default rcvbuf 131072")
    void hostValues() throws IOException {
        writeHost();
        NetSysctls s = NetSysctls.read(root);
        assertEquals(4194304, s.rmemMax());
        assertEquals(4096, s.tcpRmemMin());
        assertEquals(131072, s.tcpRmemDefault());
        assertEquals(33554432, s.tcpRmemMax());
        assertTrue(s.tcpModerateRcvbuf());
        assertEquals(Optional.of(new NetSysctls.TcpMem(287901, 383869, 575802)), s.tcpMem());
        // kernel-facts.md: SO_RCVLOWAT 16777217, 2^30, INT_MAX, -1 all read back 16777216 = tcp_rmem[2]/2.
        assertEquals(16777216, s.lowatCapWithoutRcvbuf());
        assertEquals(131072, s.defaultRcvbuf());
        assertEquals("net.core.rmem_max = 4194304, net.ipv4.tcp_rmem = 4096 131072 33554432, "
                + "net.ipv4.tcp_moderate_rcvbuf = 1, net.ipv4.tcp_mem = 287901 383869 575802", s.toString());
    }

    @Test
    @DisplayName("K1/K2: the test guest's tcp_rmem[2] = 6291456 gives the cap 3145728 (kernel-facts.md)")
    void guestCap() throws IOException {
        writeHost();
        write("net.ipv4.tcp_rmem", "4096\t131072\t6291456\n");
        assertEquals(3145728, NetSysctls.read(root).lowatCapWithoutRcvbuf());
    }

    @Test
    @DisplayName("K1/K2: with a user SO_RCVBUF the cap is sk_rcvbuf / 2 (SO_RCVBUF 65536 -> 131072 -> cap 65536)")
    void capWithUserRcvbuf() throws IOException {
        writeHost();
        NetSysctls s = NetSysctls.read(root);
        assertEquals(65536, s.lowatCap(true, 131072));
        assertEquals(16777216, s.lowatCap(false, 131072));
        assertEquals(0, s.lowatCap(true, 1));
        assertThrows(IllegalArgumentException.class, () -> s.lowatCap(true, -1));
    }

    @Test
    @DisplayName("a value with spaces, no trailing newline, tcp_moderate_rcvbuf 0: accepted")
    void lenientWhitespace() throws IOException {
        writeHost();
        write("net.core.rmem_max", "  212992");
        write("net.ipv4.tcp_rmem", "4096 87380   6291456");
        write("net.ipv4.tcp_moderate_rcvbuf", "0");
        NetSysctls s = NetSysctls.read(root);
        assertEquals(new NetSysctls(212992, 4096, 87380, 6291456, false,
                Optional.of(new NetSysctls.TcpMem(287901, 383869, 575802))), s);
    }

    @Test
    @DisplayName("H3: a missing net.ipv4.tcp_mem is not an error: tcpMem() is empty")
    void tcpMemOptional() throws IOException {
        writeHost();
        Files.delete(root.resolve("net/ipv4/tcp_mem"));
        NetSysctls s = NetSysctls.read(root);
        assertEquals(Optional.empty(), s.tcpMem());
        assertEquals(16777216, s.lowatCapWithoutRcvbuf());
        assertTrue(s.toString().endsWith("net.ipv4.tcp_mem = (absent)"), s.toString());
    }

    @ParameterizedTest(name = "missing {0}")
    @ValueSource(strings = {"net.core.rmem_max", "net.ipv4.tcp_rmem", "net.ipv4.tcp_moderate_rcvbuf"})
    @DisplayName("a missing required sysctl file: the exception names the sysctl, the file and what to do")
    void missingRequired(String sysctl) throws IOException {
        writeHost();
        Path file = root.resolve(sysctl.replace('.', '/'));
        Files.delete(file);
        KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> NetSysctls.read(root));
        String m = e.getMessage();
        assertTrue(m.contains("sysctl " + sysctl + " not found"), m);
        assertTrue(m.contains(file + " does not exist"), m);
        assertTrue(m.contains("`sysctl " + sysctl + "`"), m);
        assertTrue(m.contains("copy the file from /proc/sys"), m);
        assertEquals(sysctl.startsWith("net.core."), m.contains("network namespace"), m);
    }

    @Test
    @DisplayName("K1/K2: a missing tcp_rmem says it holds the lowat cap")
    void missingTcpRmemSaysWhy() throws IOException {
        writeHost();
        Files.delete(root.resolve("net/ipv4/tcp_rmem"));
        String m = assertThrows(KernelEnvironmentException.class, () -> NetSysctls.read(root)).getMessage();
        assertTrue(m.contains("SO_RCVLOWAT cap of rules K1/K2"), m);
    }

    @Test
    @DisplayName("an empty or absent tree: the first sysctl read (rmem_max) is reported")
    void emptyTree() {
        KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                () -> NetSysctls.read(root.resolve("no-such-dir")));
        assertTrue(e.getMessage().contains("net.core.rmem_max"), e.getMessage());
    }

    @Test
    @DisplayName("an unreadable sysctl (a directory instead of a file): 'cannot read', with the cause")
    void unreadable() throws IOException {
        writeHost();
        Path file = root.resolve("net/ipv4/tcp_rmem");
        Files.delete(file);
        Files.createDirectory(file);
        KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> NetSysctls.read(root));
        assertTrue(e.getMessage().startsWith("cannot read sysctl net.ipv4.tcp_rmem from " + file), e.getMessage());
        assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
    }

    @ParameterizedTest(name = "{0} = \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "net.core.rmem_max            | ''                         | one integer >= 1",
            "net.core.rmem_max            | abc                        | one integer >= 1",
            "net.core.rmem_max            | 0                          | one integer >= 1",
            "net.core.rmem_max            | 4194304 1                  | one integer >= 1",
            "net.core.rmem_max            | +4194304                   | one integer >= 1",
            "net.ipv4.tcp_rmem            | 4096 131072                | three integers >= 1",
            "net.ipv4.tcp_rmem            | 4096 131072 33554432 1     | three integers >= 1",
            "net.ipv4.tcp_rmem            | 4096 abc 33554432          | three integers >= 1",
            "net.ipv4.tcp_rmem            | 4096 0 33554432            | three integers >= 1",
            "net.ipv4.tcp_rmem            | -4096 131072 33554432      | three integers >= 1",
            "net.ipv4.tcp_rmem            | 4096 131072 2147483648     | each fits a C int",
            "net.ipv4.tcp_rmem            | 4096,131072,33554432       | three integers >= 1",
            "net.ipv4.tcp_moderate_rcvbuf | ''                         | one integer (0 = off",
            "net.ipv4.tcp_moderate_rcvbuf | yes                        | one integer (0 = off",
            "net.ipv4.tcp_moderate_rcvbuf | 1 1                        | one integer (0 = off",
            "net.ipv4.tcp_mem             | 287901 383869              | three integers >= 0",
            "net.ipv4.tcp_mem             | 287901 -383869 575802      | three integers >= 0",
            "net.ipv4.tcp_mem             | 287901 383869 x            | three integers >= 0",
            "net.ipv4.tcp_mem             | 1 2 99999999999999999999   | three integers >= 0",
    })
    @DisplayName("malformed content: the exception names the sysctl, the file, what was expected and found")
    void malformed(String sysctl, String content, String expected) throws IOException {
        writeHost();
        Path file = write(sysctl, content + "\n");
        KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> NetSysctls.read(root));
        String m = e.getMessage();
        assertTrue(m.startsWith("malformed sysctl " + sysctl + " in " + file + ": expected "), m);
        assertTrue(m.contains(expected), m);
        String shown = content.isEmpty() ? "found \"\\n\"" : "found \"" + content + "\\n\"";
        assertTrue(m.contains(shown), m);
        assertTrue(m.contains("`sysctl " + sysctl + "`"), m);
    }

    @Test
    @DisplayName("an empty file is shown as empty; control characters and long content are escaped and cut")
    void shownContent() throws IOException {
        writeHost();
        write("net.core.rmem_max", "");
        String m = assertThrows(KernelEnvironmentException.class, () -> NetSysctls.read(root)).getMessage();
        assertTrue(m.contains("found \"\" (empty file)"), m);

        write("net.core.rmem_max", "12\u0001" + "9".repeat(200));
        m = assertThrows(KernelEnvironmentException.class, () -> NetSysctls.read(root)).getMessage();
        assertTrue(m.contains("found \"12\\x01999"), m);
        assertTrue(m.contains("... (203 chars)"), m);
    }

    @Test
    @DisplayName("values given directly: buffer sizes below 1 are refused; equals/hashCode by value")
    void constructor() {
        Optional<NetSysctls.TcpMem> mem = Optional.of(new NetSysctls.TcpMem(1, 2, 3));
        NetSysctls a = new NetSysctls(4194304, 4096, 131072, 33554432, true, mem);
        NetSysctls b = new NetSysctls(4194304, 4096, 131072, 33554432, true, mem);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new NetSysctls(4194304, 4096, 131072, 33554432, false, mem));
        assertNotEquals(a, new NetSysctls(4194304, 4096, 131072, 33554432, true, Optional.empty()));
        assertFalse(a.equals(null));
        assertThrows(IllegalArgumentException.class, () -> new NetSysctls(0, 4096, 131072, 33554432, true, mem));
        assertThrows(IllegalArgumentException.class, () -> new NetSysctls(1, 0, 131072, 33554432, true, mem));
        assertThrows(IllegalArgumentException.class, () -> new NetSysctls(1, 1, -1, 33554432, true, mem));
        assertThrows(IllegalArgumentException.class, () -> new NetSysctls(1, 1, 1, 0, true, mem));
        assertThrows(IllegalArgumentException.class, () -> new NetSysctls.TcpMem(-1, 0, 0));
        assertThrows(NullPointerException.class, () -> new NetSysctls(1, 1, 1, 1, true, null));
    }

    @Test
    @DisplayName("sysctl names map to files under the root: dots become directories")
    void fileOf() {
        assertEquals(root.resolve("net/ipv4/tcp_rmem"), NetSysctls.fileOf(root, NetSysctls.TCP_RMEM));
        assertEquals(Path.of("/proc/sys/net/core/rmem_max"), NetSysctls.fileOf(NetSysctls.PROC_SYS, NetSysctls.RMEM_MAX));
    }
}
