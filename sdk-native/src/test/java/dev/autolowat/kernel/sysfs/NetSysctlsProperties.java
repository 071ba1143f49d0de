package dev.autolowat.kernel.sysfs;

import dev.autolowat.kernel.KernelEnvironmentException;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips of {@link NetSysctls} through fake {@code /proc/sys} trees (rules K1, K2), on the project's property runner. */
class NetSysctlsProperties {

    /** One generated {@code /proc/sys} tree: values, the separator between fields, and the file ending. */
    record Tree(int rmemMax, int min, int def, int max, boolean moderate,
                Optional<NetSysctls.TcpMem> tcpMem, String sep, boolean trailingNewline) {
    }

    static Gen<String> separators() {
        return Gen.oneOf(" ", "\t", "  ", " \t ");
    }

    static Gen<Optional<NetSysctls.TcpMem>> tcpMems() {
        Gen<Long> pages = Gen.longs(0, Long.MAX_VALUE);
        return c -> Gen.booleans().generate(c)
                ? Optional.of(new NetSysctls.TcpMem(pages.generate(c), pages.generate(c), pages.generate(c)))
                : Optional.empty();
    }

    static Gen<Tree> trees() {
        Gen<Integer> positive = Gen.ints(1, Integer.MAX_VALUE);
        return c -> new Tree(positive.generate(c), positive.generate(c), positive.generate(c), positive.generate(c),
                Gen.booleans().generate(c), tcpMems().generate(c), separators().generate(c), Gen.booleans().generate(c));
    }

    @Test
    @DisplayName("K1/K2: any positive values written in sysctl format read back; cap = tcp_rmem[2] / 2, default = tcp_rmem[1]")
    void roundTrip() {
        Property.forAll("NetSysctls round trip", trees()).tries(300).check(t -> withTree(root -> {
            String nl = t.trailingNewline() ? "\n" : "";
            write(root, NetSysctls.RMEM_MAX, t.rmemMax() + nl);
            write(root, NetSysctls.TCP_RMEM, t.min() + t.sep() + t.def() + t.sep() + t.max() + nl);
            write(root, NetSysctls.TCP_MODERATE_RCVBUF, (t.moderate() ? "1" : "0") + nl);
            t.tcpMem().ifPresent(m -> write(root, NetSysctls.TCP_MEM,
                    m.minPages() + t.sep() + m.pressurePages() + t.sep() + m.maxPages() + nl));
            NetSysctls s = NetSysctls.read(root);
            assertEquals(new NetSysctls(t.rmemMax(), t.min(), t.def(), t.max(), t.moderate(), t.tcpMem()), s);
            assertEquals(t.max() / 2, s.lowatCapWithoutRcvbuf());
            assertTrue(s.lowatCapWithoutRcvbuf() < t.max());
            assertEquals(t.def(), s.defaultRcvbuf());
        }));
    }

    @Test
    @DisplayName("a tcp_rmem value below 1 is malformed, and the message names the file and the content found")
    void nonPositiveRejected() {
        Gen<int[]> bad = c -> {
            int[] values = {4096, 131072, 33554432};
            values[c.intBetween(0, 2)] = c.intBetween(Integer.MIN_VALUE, 0);
            return values;
        };
        Property.forAll("non-positive tcp_rmem rejected", bad.map(v -> v[0] + "\t" + v[1] + "\t" + v[2]))
                .tries(200).check(content -> withTree(root -> {
                    write(root, NetSysctls.RMEM_MAX, "4194304\n");
                    write(root, NetSysctls.TCP_RMEM, content + "\n");
                    write(root, NetSysctls.TCP_MODERATE_RCVBUF, "1\n");
                    String m = assertThrows(KernelEnvironmentException.class, () -> NetSysctls.read(root)).getMessage();
                    assertTrue(m.contains(root.resolve("net/ipv4/tcp_rmem").toString()), m);
                    assertTrue(m.contains(content.replace("\t", "\\t")), m);
                }));
    }

    @Test
    @DisplayName("K1/K2: with a user SO_RCVBUF the cap is sk_rcvbuf / 2, whatever tcp_rmem says")
    void capWithUserRcvbuf() {
        Gen<int[]> pairs = c -> new int[]{c.intBetween(1, Integer.MAX_VALUE), c.intBetween(0, Integer.MAX_VALUE)};
        Property.forAll("lowat cap with and without SO_RCVBUF", pairs).check(p -> {
            NetSysctls s = new NetSysctls(4194304, 4096, 131072, p[0], true, Optional.empty());
            assertEquals(p[1] / 2, s.lowatCap(true, p[1]));
            assertEquals(p[0] / 2, s.lowatCap(false, p[1]));
        });
    }

    @FunctionalInterface
    interface TreeCheck {
        void accept(Path root) throws IOException;
    }

    /** Runs {@code check} on a fresh temporary directory, deleted afterwards. */
    static void withTree(TreeCheck check) {
        try {
            Path root = Files.createTempDirectory("proc-sys");
            try {
                check.accept(root);
            } finally {
                deleteTree(root);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path root, String sysctl, String content) {
        Path file = NetSysctls.fileOf(root, sysctl);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
