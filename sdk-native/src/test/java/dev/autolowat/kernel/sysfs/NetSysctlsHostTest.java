package dev.autolowat.kernel.sysfs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link NetSysctls#read()} on this machine's {@code /proc/sys} (rules K1, K2, K4). */
@DisplayName("NetSysctls on this machine (needs Linux procfs)")
class NetSysctlsHostTest {

    @BeforeAll
    static void linuxProcfs() {
        assumeTrue(Files.isDirectory(Path.of("/proc/sys/net/ipv4")),
                "not supported here: /proc/sys/net/ipv4 does not exist (not Linux, or procfs not mounted)");
    }

    @Test
    @DisplayName("on this machine: positive values, tcp_rmem min <= default <= max, rmem_max > 0")
    void realValues() {
        NetSysctls s = NetSysctls.read();
        assertTrue(s.rmemMax() > 0, s.toString());
        assertTrue(s.tcpRmemMin() > 0, s.toString());
        assertTrue(s.tcpRmemMin() <= s.tcpRmemDefault(), s.toString());
        assertTrue(s.tcpRmemDefault() <= s.tcpRmemMax(), s.toString());
        assertEquals(s.tcpRmemMax() / 2, s.lowatCapWithoutRcvbuf());
        assertTrue(s.lowatCapWithoutRcvbuf() > 0, s.toString());
        assertEquals(s.tcpRmemDefault(), s.defaultRcvbuf());
        s.tcpMem().ifPresent(m -> assertTrue(m.minPages() <= m.pressurePages() && m.pressurePages() <= m.maxPages(),
                s.toString()));
        System.out.println("[NetSysctlsHostTest] this machine: " + s);
    }

    /** Reads a sysctl with one 4 KiB read at offset 0, independently of the code under test. */
    private static String rawSysctl(String relative) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/sys", relative))) {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            int n = ch.read(buf, 0);
            return new String(buf.array(), 0, Math.max(n, 0), StandardCharsets.US_ASCII).strip();
        }
    }

    @Test
    @DisplayName("on this machine: read() agrees with read(/proc/sys) and with one raw read of each file")
    void agreesWithRawFile() throws IOException {
        NetSysctls s = NetSysctls.read();
        assertEquals(s, NetSysctls.read(NetSysctls.PROC_SYS));
        String[] raw = rawSysctl("net/ipv4/tcp_rmem").split("\\s+");
        assertEquals(3, raw.length);
        assertEquals(Integer.parseInt(raw[0]), s.tcpRmemMin());
        assertEquals(Integer.parseInt(raw[1]), s.tcpRmemDefault());
        assertEquals(Integer.parseInt(raw[2]), s.tcpRmemMax());
        assertEquals(Integer.parseInt(rawSysctl("net/core/rmem_max")), s.rmemMax());
        assertEquals(!rawSysctl("net/ipv4/tcp_moderate_rcvbuf").equals("0"), s.tcpModerateRcvbuf());
    }

    @Test
    @DisplayName("on this machine: readFully gets a whole sysctl (procfs reports size 0; reads past offset 0 see EOF)")
    void readFullyWholeSysctl() throws IOException {
        Path file = Path.of("/proc/sys/net/ipv4/tcp_rmem");
        assertEquals(rawSysctl("net/ipv4/tcp_rmem"),
                new String(NetSysctls.readFully(file), StandardCharsets.US_ASCII).strip());
    }
}
