package dev.autolowat.kernel.socket;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Test fixtures: pairs that skip visibly when the machine lacks what they need. */
final class Pairs {
    private Pairs() {
    }

    static void requireLinux() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/sys/net/ipv4")),
                "not supported by this machine: /proc/sys/net/ipv4 does not exist (not Linux, or procfs not mounted)");
    }

    /**
     * Opens a pair; when the machine refuses a socket call because it lacks the family, the loopback
     * address or the protocol, the test is aborted (reported as skipped) with
     * "not supported by this machine: ..." — never passed.
     */
    static NativeTcpPair open(ConnectOptions options) {
        requireLinux();
        try {
            return NativeTcpPair.open(options);
        } catch (NativeSocketException e) {
            if (e.notSupportedByMachine()) {
                return Assumptions.abort("not supported by this machine: " + e.getMessage());
            }
            throw e;
        }
    }

    static NativeTcpPair open(Family family) {
        return open(ConnectOptions.of(family));
    }

    /** The descriptors the SDK could leak ({@link dev.autolowat.kernel.bpf.BpfTestSupport#openFds()}). */
    static long openFds() {
        return dev.autolowat.kernel.bpf.BpfTestSupport.openFds();
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }
}
