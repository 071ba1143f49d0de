package dev.autolowat.api.object;

import dev.autolowat.testfixtures.Commands;
import dev.autolowat.api.btf.BtfProperties;
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
 * ({@link #edit()}) also drive the simulator's property over the same objects
 * ({@code ObjectSimulatorProperties}, sdk-sim).
 */
public class BpfObjectProperties {
    private static final List<String> OBJECTS = List.of("autolowat_policy", "feature_subprog", "feature_globals",
            "feature_maps", "feature_core", "feature_core_unsat", "feature_kfunc");

    /** Edits that aim at the structures a reader trusts: header fields, section headers, BTF lengths. */
    record Structural(int target, int which, int value) implements Edit {
        public byte[] apply(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (b.length < 64) {
                return b;
            }
            long shoff = buf.getLong(40);
            int shnum = buf.getShort(60) & 0xffff;
            switch (Math.floorMod(target, 3)) {
                case 0 -> { // an ELF header field
                    int[] fields = {16, 18, 40, 58, 60, 62};
                    int at = fields[Math.floorMod(which, fields.length)];
                    if (at == 40) {
                        buf.putLong(at, value);
                    } else {
                        buf.putShort(at, (short) value);
                    }
                }
                case 1 -> { // a section header's offset, size, link, info or entsize
                    if (shnum == 0 || shoff < 0 || shoff > b.length) {
                        return b;
                    }
                    int sec = Math.floorMod(which, shnum);
                    long at = shoff + 64L * sec;
                    int[] fields = {24, 32, 40, 44, 56};
                    long f = at + fields[Math.floorMod(value, fields.length)];
                    if (f + 8 <= b.length) {
                        buf.putLong((int) f, interesting(value, b.length));
                    }
                }
                default -> { // a word inside .BTF or .BTF.ext's headers: the (which mod 2)-th magic found
                    int skip = Math.floorMod(which, 2);
                    for (int i = 0; i + 32 < b.length; i += 4) {
                        if ((buf.getShort(i) & 0xffff) != 0xEB9F) {
                            continue;
                        }
                        if (skip-- == 0) {
                            buf.putInt(i + 4 * (1 + Math.floorMod(value, 7)), interesting(value >>> 3, b.length));
                            break;
                        }
                    }
                }
            }
            return b;
        }

        private static int interesting(int v, int length) {
            return switch (Math.floorMod(v, 6)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> length;
                case 3 -> length + 8;
                case 4 -> Integer.MAX_VALUE;
                default -> v;
            };
        }
    }

    /** Either a structural edit or one of the BTF properties' byte edits. */
    public interface Edit {
        byte[] apply(byte[] b);
    }

    record ByteEdit(BtfProperties.Mutation m) implements Edit {
        public byte[] apply(byte[] b) {
            return m.apply(b);
        }
    }

    /** A structural or byte edit of an object file. */
    public static Gen<Edit> edit() {
        return c -> c.chance(2)
                ? new Structural(c.intBetween(0, 2), c.intBetween(0, 64), c.intBetween(Integer.MIN_VALUE, Integer.MAX_VALUE))
                : new ByteEdit(byteEdit(c));
    }

    private static BtfProperties.Mutation byteEdit(Choices c) {
        return switch (c.intBetween(0, 3)) {
            case 0 -> new BtfProperties.SetByte(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(0, 255));
            case 1 -> new BtfProperties.FlipBit(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(0, 7));
            case 2 -> new BtfProperties.Truncate(c.intBetween(0, Integer.MAX_VALUE));
            default -> new BtfProperties.Delete(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(1, 16));
        };
    }

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
