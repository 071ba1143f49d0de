package dev.autolowat.api.btf;

import dev.autolowat.testfixtures.BlobMutations.Delete;
import dev.autolowat.testfixtures.BlobMutations.FlipBit;
import dev.autolowat.testfixtures.BlobMutations.Mutation;
import dev.autolowat.testfixtures.BlobMutations.SetByte;
import dev.autolowat.testfixtures.BlobMutations.SetWord;
import dev.autolowat.testfixtures.BlobMutations.Truncate;
import dev.autolowat.testfixtures.SampleBtf;
import dev.autolowat.api.btf.BtfWriter.M;
import dev.autolowat.testkit.Choices;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of {@link Btf} on the project's own runner ({@code dev.autolowat.testkit}). */
public class BtfProperties {

    // ------------------------------------------------------------------------------------------
    // Mutations of a valid blob never give anything but the typed exceptions

    /** Mostly in-place edits (which often leave a blob that still parses), sometimes a cut. */
    static Gen<Mutation> mutation() {
        return c -> switch (c.intBetween(0, 9)) {
            case 0, 1, 2 -> new SetWord(c.intBetween(0, Integer.MAX_VALUE), interestingWord(c), c.chance(8));
            case 3, 4, 5 -> new SetByte(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(0, 255));
            case 6, 7 -> new FlipBit(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(0, 7));
            case 8 -> new Truncate(c.intBetween(0, Integer.MAX_VALUE));
            default -> new Delete(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(1, 16));
        };
    }

    /** One to four mutations. */
    static Gen<List<Mutation>> mutations() {
        return c -> {
            int n = c.intBetween(1, 4);
            List<Mutation> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(mutation().generate(c));
            }
            return out;
        };
    }

    /** The sample's string section length and type count: values next to them find off-by-one bounds. */
    private static final SampleBtf SAMPLE = new SampleBtf();
    private static final int SAMPLE_STR_LEN = SAMPLE.bytes().length - Btf.HEADER_SIZE - SAMPLE.w.typeSectionLength();
    private static final int SAMPLE_TYPES = SAMPLE.w.nextId() - 1;

    static int interestingWord(Choices c) {
        return switch (c.intBetween(0, 9)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> Integer.MAX_VALUE;
            case 4 -> c.intBetween(0, 64);
            case 5 -> c.intBetween(0, 4096);
            case 6 -> c.intBetween(0, 0x1f) << 24 | c.intBetween(0, 3);               // an info word: kind, vlen
            case 7 -> SAMPLE_STR_LEN + c.intBetween(-2, 2);                          // a name offset at the edge
            case 8 -> SAMPLE_TYPES + c.intBetween(-1, 2);                            // a type id at the edge
            default -> c.intBetween(Integer.MIN_VALUE, Integer.MAX_VALUE);
        };
    }

    @Test
    @DisplayName("random mutations of a valid blob: parse throws only BtfFormatException; queries only BtfFormatException or BtfLookupException")
    void mutationsGiveOnlyTypedExceptions() {
        byte[] valid = new SampleBtf().bytes();
        int[] outcomes = new int[2];
        Property.forAll("BTF mutations", mutations()).tries(5000).check(list -> {
            byte[] blob = valid.clone();
            for (Mutation m : list) {
                blob = m.apply(blob);
            }
            Btf btf;
            try {
                btf = Btf.parse(blob);
            } catch (BtfFormatException e) {
                assertTrue(e.offset() >= 0 && e.offset() <= blob.length, e.getMessage());
                assertTrue(e.getMessage().startsWith("malformed BTF (a BTF blob of " + blob.length + " bytes) at byte "),
                        e.getMessage());
                outcomes[0]++;
                return;
            }
            outcomes[1]++;
            exercise(btf);
        });
        System.out.println("[BtfProperties] mutated blobs: " + outcomes[0] + " rejected by parse, " + outcomes[1]
                + " parsed and queried");
        assertTrue(outcomes[0] > 0 && outcomes[1] > 0, Arrays.toString(outcomes));
    }

    /** Every accessor on every type, and the SDK's queries; typed exceptions only. */
    private static void exercise(Btf btf) {
        for (int id = 0; id <= btf.typeCount(); id++) {
            int i = id;
            typed(() -> exerciseOne(btf, i));
        }
        typed(() -> SampleBtf.dump(btf));
        for (String[] f : SampleBtf.FIELDS) {
            typed(() -> btf.field(f[0], f[1]));
            typed(() -> btf.structSize(f[0]));
        }
        for (String e : List.of("OPS_TSTAMP_SENDMSG_CB", "S_NEG", "U_MAX", "E_NEG", "U64_TOP", "SAME", "CLASH")) {
            typed(() -> btf.enumValue(null, e));
            typed(() -> btf.enumValue64("dup_a", e));
        }
        typed(() -> btf.funcId("bpf_cast_to_kern_ctx"));
        typed(btf::pointerSize);
    }

    /** Runs {@code r}; a BtfFormatException or BtfLookupException is fine, anything else fails the property. */
    private static void typed(ThrowingRunnable r) {
        try {
            r.run();
        } catch (BtfFormatException | BtfLookupException expected) {
            // the typed outcomes
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run();
    }

    /** Every accessor that applies to type {@code id}'s kind, and field queries on its members. */
    private static void exerciseOne(Btf btf, int id) {
        BtfKind k = btf.kind(id);
        btf.name(id);
        btf.kindFlag(id);
        btf.vlen(id);
        btf.sizeOf(id);
        btf.resolve(id);
        switch (k) {
            case INT -> btf.intInfo(id);
            case ARRAY -> btf.array(id);
            case STRUCT, UNION -> {
                btf.members(id);
                for (Btf.Member m : btf.members(id)) {
                    if (!m.name().isEmpty() && !btf.name(id).isEmpty()) {
                        typed(() -> btf.field(btf.name(id), m.name()));
                    }
                }
            }
            case ENUM, ENUM64 -> btf.enumerators(id);
            case FUNC_PROTO -> {
                btf.params(id);
                btf.referencedType(id);
            }
            case FUNC -> {
                btf.linkage(id);
                btf.declTags(id);
                typed(() -> btf.funcId(btf.name(id)));
            }
            case VAR -> btf.linkage(id);
            case DATASEC -> btf.datasecVars(id);
            case DECL_TAG -> btf.declTagComponent(id);
            case PTR, TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG -> btf.referencedType(id);
            default -> { }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Round trips: struct layouts and enum values written by BtfWriter read back

    /** A scalar or bitfield member, or an anonymous struct/union of scalars, in a generated struct. */
    record Part(int kind, int size, int bits, int bitShift, boolean union, List<Integer> innerSizes) {
    }

    static Gen<Part> parts() {
        Gen<Integer> sizes = Gen.oneOf(1, 2, 4, 8);
        return c -> switch (c.intBetween(0, 2)) {
            case 0 -> new Part(0, sizes.generate(c), 0, 0, false, List.of());
            case 1 -> new Part(1, 4, c.intBetween(1, 24), c.intBetween(0, 7), false, List.of());
            default -> new Part(2, 0, 0, 0, Gen.booleans().generate(c), sizes.listOf(1, 4).generate(c));
        };
    }

    record Layout(List<Part> parts, int pad, boolean bigEndian) {
    }

    static Gen<Layout> layouts() {
        return c -> new Layout(parts().listOf(1, 10).generate(c), c.intBetween(0, 40), Gen.booleans().generate(c));
    }

    /** Expected location of a named member: bit offset, bitfield size, byte size. */
    record Expect(long bitOffset, int bitfieldSize, int size) {
    }

    @Test
    @DisplayName("FieldRef: random struct layouts (scalars, bitfields, anonymous structs and unions, nested) read back exactly")
    void layoutsRoundTrip() {
        Property.forAll("struct layouts round trip", layouts()).tries(500).check(layout -> {
            BtfWriter w = new BtfWriter();
            int[] ints = new int[9];
            for (int size : new int[]{1, 2, 4, 8}) {
                ints[size] = w.intType("u" + size * 8, size, false);
            }
            Map<String, Expect> expected = new LinkedHashMap<>();
            List<M> members = new ArrayList<>();
            int cursor = 0;
            int n = 0;
            for (Part p : layout.parts()) {
                switch (p.kind()) {
                    case 0 -> {
                        cursor = align(cursor, p.size());
                        String name = "f" + n++;
                        members.add(M.of(name, ints[p.size()], cursor * 8L));
                        expected.put(name, new Expect(cursor * 8L, 0, p.size()));
                        cursor += p.size();
                    }
                    case 1 -> {
                        cursor = align(cursor, 4);
                        String name = "b" + n++;
                        long bit = cursor * 8L + p.bitShift();
                        members.add(new M(name, ints[4], bit, p.bits()));
                        expected.put(name, new Expect(bit, p.bits(), 4));
                        cursor += 4;
                    }
                    default -> {
                        cursor = align(cursor, 8);
                        List<M> inner = new ArrayList<>();
                        int innerCursor = 0;
                        int innerSize = 0;
                        for (int size : p.innerSizes()) {
                            int at = p.union() ? 0 : align(innerCursor, size);
                            String name = "i" + n++;
                            inner.add(M.of(name, ints[size], at * 8L));
                            expected.put(name, new Expect((cursor + at) * 8L, 0, size));
                            innerCursor = at + size;
                            innerSize = Math.max(innerSize, innerCursor);
                        }
                        innerSize = align(innerSize, 8);
                        int anon = p.union() ? w.union("", innerSize, inner.toArray(new M[0]))
                                : w.struct("", innerSize, inner.toArray(new M[0]));
                        members.add(M.of("", anon, cursor * 8L));
                        cursor += innerSize;
                    }
                }
            }
            int size = align(cursor, 8);
            int s = w.struct("s", size, members.toArray(new M[0]));
            int pad = w.array(ints[1], ints[4], layout.pad());
            int innerAt = align(layout.pad(), 8);
            w.struct("outer", innerAt + size, M.of("pad", pad, 0), M.of("inner", w.constOf(w.typedef("s_t", s)), innerAt * 8L));
            Btf btf = Btf.parse(w.build(layout.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN));
            assertEquals(OptionalInt.of(size), btf.structSize("s"));
            for (Map.Entry<String, Expect> e : expected.entrySet()) {
                Expect x = e.getValue();
                FieldLocation loc = btf.field("s", e.getKey());
                assertEquals(x, new Expect(loc.bitOffset(), loc.bitfieldSize(), loc.size()), e.getKey());
                FieldLocation nested = btf.field("outer", "inner." + e.getKey());
                assertEquals(x.bitOffset() + innerAt * 8L, nested.bitOffset(), e.getKey());
                assertEquals(innerAt + loc.byteOffset(), nested.byteOffset(), e.getKey());
            }
        });
    }

    private static int align(int v, int a) {
        return (v + a - 1) / a * a;
    }

    /** An enum to write: 32 or 64 bits, signed or not, with values. */
    record EnumCase(boolean is64, boolean signed, List<Long> values) {
    }

    static Gen<EnumCase> enumCases() {
        return c -> {
            boolean is64 = Gen.booleans().generate(c);
            Gen<Long> values = is64 ? Gen.longs(Long.MIN_VALUE, Long.MAX_VALUE)
                    : Gen.longs(Integer.MIN_VALUE, Integer.MAX_VALUE);
            return new EnumCase(is64, Gen.booleans().generate(c), values.listOf(1, 8).generate(c));
        };
    }

    @Test
    @DisplayName("H1: random ENUM/ENUM64 values read back sign- or zero-extended; enumValue gives 32 bits or refuses")
    void enumsRoundTrip() {
        Property.forAll("enum values round trip", enumCases()).check(ec -> {
            BtfWriter w = new BtfWriter();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < ec.values().size(); i++) {
                names.add("E" + i);
            }
            if (ec.is64()) {
                w.enum64("e", 8, ec.signed(), names, ec.values());
            } else {
                List<Integer> ints = new ArrayList<>();
                ec.values().forEach(v -> ints.add((int) (long) v));
                w.enum32(ec.signed() ? "" : "e", 4, ec.signed(), names, ints);
            }
            Btf btf = Btf.parse(w.build());
            for (int i = 0; i < names.size(); i++) {
                long written = ec.values().get(i);
                long expected = ec.is64() || ec.signed() ? written : written & 0xFFFFFFFFL;
                assertEquals(OptionalLong.of(expected), btf.enumValue64(null, names.get(i)));
                boolean fits = ec.is64() && !ec.signed() ? expected >= 0 && expected <= 0xFFFFFFFFL
                        : expected >= Integer.MIN_VALUE && expected <= 0xFFFFFFFFL;
                if (fits) {
                    assertEquals(OptionalInt.of((int) expected), btf.enumValue(null, names.get(i)));
                } else {
                    String name = names.get(i);
                    assertThrows(BtfLookupException.class, () -> btf.enumValue(null, name));
                }
            }
            assertEquals(OptionalInt.empty(), btf.enumValue(null, "E_ABSENT"));
        });
    }
}
