package dev.autolowat.api.object;

import dev.autolowat.testfixtures.Commands;
import dev.autolowat.testfixtures.ObjectEdits.Edit;
import static dev.autolowat.testfixtures.ObjectEdits.edit;
import dev.autolowat.testkit.Choices;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The object reader under corrupt input: mutations of the committed objects (bytes, section header
 * sizes and offsets, the BTF header's lengths, .BTF.ext record counts) give a parsed object or a
 * {@link BpfObjectFormatException}, never another exception, a hang or an allocation the file does
 * not justify (the JVM's heap for tests is small; a runaway allocation would fail the test). Its edits
 * ({@code ObjectEdits}, a shared fixture) also drive the simulator's property over the same objects
 * ({@code ObjectSimulatorProperties}, sdk-sim).
 */
public class BpfObjectProperties {
    private static final List<String> OBJECTS = List.of("autolowat_policy", "feature_subprog", "feature_globals",
            "feature_maps", "feature_core", "feature_core_unsat", "feature_kfunc");

    record Case(String object, List<Edit> edits) {
    }

    static Gen<Case> mutatedObjects() {
        return c -> {
            String object = OBJECTS.get(c.intBetween(0, OBJECTS.size() - 1));
            int n = c.intBetween(1, 3);
            List<Edit> edits = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                edits.add(edit().generate(c));
            }
            return new Case(object, edits);
        };
    }

    @Test
    @DisplayName("mutated objects (bytes, section sizes, BTF lengths): an object or BpfObjectFormatException, nothing else")
    void mutationsGiveOnlyTheDocumentedError() {
        int[] outcomes = new int[2];
        Property.forAll("object mutations", mutatedObjects()).tries(3000).check(k -> {
            byte[] b = BpfObjectTest.bytes(k.object());
            for (Edit e : k.edits()) {
                b = e.apply(b);
            }
            try {
                BpfObject o = BpfObject.open(b, k.object() + ".o");
                for (ObjectProgram p : o.programs()) {
                    p.bytecode().instructions();   // decodable, as the reader promised
                }
                outcomes[1]++;
            } catch (BpfObjectFormatException expected) {
                assertTrue(expected.getMessage().startsWith("cannot read BPF object " + k.object() + ".o: "));
                outcomes[0]++;
            }
        });
        System.out.printf("[BpfObjectProperties] mutated objects: %d refused, %d read%n", outcomes[0], outcomes[1]);
        assertTrue(outcomes[0] > 0 && outcomes[1] > 0, "both outcomes must occur, or the mutations miss the structure");
    }

    static boolean clangPresent() {
        return Files.isExecutable(Path.of("/usr/bin/clang-19")) && Files.isExecutable(Path.of("/usr/bin/llvm-strip-19"))
                && Files.exists(Path.of("/usr/include/bpf/bpf_helpers.h"));
    }

    @Test
    @EnabledIf(value = "clangPresent", disabledReason = "clang-19, llvm-19 or libbpf-dev not installed: the committed "
            + "objects' freshness is checked only where they can be rebuilt (examples/bpf/build.sh installs them)")
    @DisplayName("the committed objects are what examples/bpf/build.sh makes of their C sources today")
    void committedObjectsAreCurrent() {
        Commands.Result r = Commands.run(120, "bash", BpfObjectTest.EXAMPLES.resolve("build.sh").toString(), "--check");
        assertEquals(0, r.exit(), "objects out of date; run examples/bpf/build.sh and commit the .o files:\n" + r.output());
    }
}
