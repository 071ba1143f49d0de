package dev.autolowat.kernel.bpf;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The descriptor count the leak checks use ({@link BpfTestSupport#openFds()}): it sees the kinds the SDK opens. */
class OpenFdsTest {
    @Test
    @DisplayName("a socket counts while open; the JVM's own files (a jar, a temporary file) do not")
    void countsWhatTheSdkOpens() throws IOException {
        long before = BpfTestSupport.openFds();
        try (SocketChannel socket = SocketChannel.open()) {
            assertTrue(socket.isOpen());
            assertEquals(before + 1, BpfTestSupport.openFds(), "an open socket is counted");
        }
        assertEquals(before, BpfTestSupport.openFds(), "and no longer once closed");
        Path tmp = Files.createTempFile("openfds", ".bin");
        try (FileChannel file = FileChannel.open(tmp)) {
            assertTrue(file.isOpen());
            assertEquals(before, BpfTestSupport.openFds(), "a file of the JVM or the test framework is not");
        } finally {
            Files.delete(tmp);
        }
    }

    @Test
    @DisplayName("the kinds: BPF objects, epoll, sockets, pipes, cgroup directories, BTF, sysctls")
    void kinds() {
        for (String t : new String[] {"anon_inode:bpf-prog", "anon_inode:bpf-map", "anon_inode:[eventpoll]",
                "socket:[123]", "pipe:[9]", "/sys/fs/cgroup/autolowat-1", "/sys/kernel/btf/vmlinux",
                "/proc/sys/net/core/rmem_max"}) {
            assertTrue(BpfTestSupport.sdkKind(t), t);
        }
        for (String t : new String[] {"/usr/lib/jvm/java-17/lib/modules", "/root/.m2/repository/x.jar", "/tmp/x",
                "/proc/1234/fd", "/dev/urandom"}) {
            assertFalse(BpfTestSupport.sdkKind(t), t);
        }
    }
}
