package dev.autolowat.kernel.bpf;

import dev.autolowat.api.object.BpfObject;
import dev.autolowat.testfixtures.Commands;
import dev.autolowat.kernel.MissingKernelFeatureException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Clang objects (examples/bpf/, docs/objects.md) loaded into the running kernel by the SDK and by
 * libbpf (Debian's bpftool, {@code prog loadall}): the kernel's translated programs
 * ({@code bpftool prog dump xlated}) must be identical once map ids are replaced by map names.
 * Objects that need the AutoLOWAT series' kfunc are refused by name on a kernel without it.
 */
class ObjectLoaderTest {
    static final Path EXAMPLES = Path.of("..", "examples", "bpf");
    private static final Pattern MAP_ID = Pattern.compile("map\\[id:(\\d+)\\]");

    @BeforeAll
    static void requirements() {
        assumeTrue("root".equals(System.getProperty("user.name")), "requires root (bpf(2) program loads)");
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "no vmlinux BTF on this kernel");
    }

    @ParameterizedTest(name = "{0}.o: the SDK's program equals libbpf's, instruction by instruction and line by line")
    @ValueSource(strings = {"feature_subprog", "feature_globals", "feature_maps", "feature_core", "feature_core_unsat"})
    void sameProgramAsLibbpf(String object) {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/bpftool")), "bpftool not installed (apt-get install bpftool)");
        BpfObject obj = BpfObject.open(EXAMPLES.resolve(object + ".o"));
        Path pin = Path.of("/sys/fs/bpf/autolowat-objtest-" + ProcessHandle.current().pid() + "-" + object);
        try (ObjectLoader.Loaded ours = new ObjectLoader().load(obj)) {
            Commands.runOk("bpftool", "prog", "loadall", EXAMPLES.resolve(object + ".o").toString(), pin.toString());
            for (Map.Entry<String, BpfProgram> e : ours.programs().entrySet()) {
                String mine = withMapNames(Commands.runOk("bpftool", "prog", "dump", "xlated", "id", String.valueOf(e.getValue().id())));
                String libbpf = withMapNames(Commands.runOk("bpftool", "prog", "dump", "xlated", "pinned", pin.resolve(e.getKey()).toString()));
                assertEquals(libbpf, mine, object + ": " + e.getKey());
                assertTrue(mine.lines().count() > 3, mine);
            }
            if (object.equals("feature_core_unsat")) {
                assertEquals(1, ours.poisoned().get("core_unsatisfiable").size(), "the unsatisfiable site is poisoned");
            }
            if (object.equals("feature_globals")) {
                assertEquals(Optional.of(7), ours.maps().get("feature_.data").lookupInt(0), ".data initialised");
                assertEquals(Optional.of(5), ours.maps().get("feature_.rodata").lookupInt(0), ".rodata initialised");
                BpfException frozen = assertThrows(BpfException.class,
                        () -> ours.maps().get("feature_.rodata").putInt(0, 6));
                assertTrue(frozen.getMessage().contains("EPERM") || frozen.getMessage().contains("frozen")
                        || frozen.getMessage().contains("Operation not permitted"), frozen.getMessage());
            }
        } finally {
            Commands.runOk("rm", "-rf", pin.toString());
        }
    }

    @Test
    @DisplayName("K1: an object calling the series' kfunc, on a kernel without it: refused by name, nothing left loaded")
    void kfuncMissing() {
        Path btf = Path.of("/sys/kernel/btf/vmlinux");
        assumeTrue(Files.isReadable(btf));
        ObjectLoader loader = new ObjectLoader();
        BpfObject obj = BpfObject.open(EXAMPLES.resolve("feature_kfunc.o"));
        boolean kernelHasIt = dev.autolowat.kernel.btf.KernelBtf.vmlinux().funcId("bpf_sock_ops_tcp_set_rcvlowat").isPresent();
        if (kernelHasIt) {
            try (ObjectLoader.Loaded l = loader.load(obj)) {
                assertFalse(l.programs().isEmpty());
            }
            return;
        }
        MissingKernelFeatureException e = assertThrows(MissingKernelFeatureException.class, () -> loader.load(obj));
        assertTrue(e.getMessage().contains("calls the kfunc bpf_sock_ops_tcp_set_rcvlowat, which this kernel"), e.getMessage());
        assertTrue(e.getMessage().contains("not supported by this kernel"), e.getMessage());
    }

    /** Replaces {@code map[id:N]} by {@code map[NAME]}: ids differ between two loads, names do not. */
    private static String withMapNames(String xlated) {
        Matcher m = MAP_ID.matcher(xlated);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String show = Commands.runOk("bpftool", "map", "show", "id", m.group(1));
            Matcher name = Pattern.compile(" name (\\S+)").matcher(show);
            m.appendReplacement(out, Matcher.quoteReplacement("map[" + (name.find() ? name.group(1) : "?") + "]"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
