package dev.autolowat.api.policy;

import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of {@link FramingPolicy} over generated framings (A1 generalised; program shape for every framing). */
class FramingPolicyProperties {

    /** A field as generated, before validation. */
    record RawField(int offset, int width, ByteOrder order) {
    }

    /** A description as generated, maybe invalid. */
    record RawDescription(int descriptorSize, List<RawField> fields, int constant) {
        boolean valid() {
            if (descriptorSize < 1 || descriptorSize > 16 || constant < 0 || fields.isEmpty()) {
                return false;
            }
            boolean[] used = new boolean[32];
            for (RawField f : fields) {
                if (f.offset() < 0 || f.width() < 1 || f.width() > 4 || f.offset() + f.width() > descriptorSize) {
                    return false;
                }
                for (int i = f.offset(); i < f.offset() + f.width(); i++) {
                    if (used[i]) {
                        return false;
                    }
                    used[i] = true;
                }
            }
            return true;
        }

        FramingPolicy build() {
            FramingPolicy.Builder b = FramingPolicy.builder("gen").descriptorSize(descriptorSize);
            fields.forEach(f -> b.lengthField(f.offset(), f.width(), f.order()));
            return b.constant(constant).build();
        }
    }

    static Gen<ByteOrder> orders() {
        return Gen.oneOf(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    /** Valid framings: non-overlapping fields of 1–4 bytes inside a 1–16 byte descriptor, any constant. */
    static Gen<FramingPolicy> framings() {
        return c -> {
            int d = c.intBetween(1, 16);
            List<RawField> fields = new ArrayList<>();
            int pos = c.intBetween(0, d - 1);
            do {
                int width = c.intBetween(1, Math.min(4, d - pos));
                fields.add(new RawField(pos, width, orders().generate(c)));
                pos += width + c.intBetween(0, 3);
            } while (pos < d && c.between(0, 2) != 0);
            int constant = c.chance(8) ? c.intBetween(0, Integer.MAX_VALUE) : c.intBetween(0, 2 * d);
            return new RawDescription(d, fields, constant).build();
        };
    }

    /** Descriptions with values around and outside every bound. */
    static Gen<RawDescription> rawDescriptions() {
        Gen<RawField> field = Gen.zip(Gen.ints(-2, 18), Gen.ints(-1, 6), (o, w) -> new int[] {o, w})
                .flatMap(ow -> orders().map(order -> new RawField(ow[0], ow[1], order)));
        return Gen.zip(Gen.ints(-1, 18), field.listOf(0, 5), (d, f) -> new Object[] {d, f})
                .flatMap(df -> Gen.ints(-3, 40).map(k -> {
                    @SuppressWarnings("unchecked")
                    List<RawField> fields = (List<RawField>) df[1];
                    return new RawDescription((Integer) df[0], fields, k);
                }));
    }

    @Test
    @DisplayName("a description builds exactly when it is valid, and otherwise fails with IllegalArgumentException only")
    void buildsIffValid() {
        Property.forAll("a description builds exactly when it is valid", rawDescriptions()).check(raw -> {
            if (raw.valid()) {
                FramingPolicy p = raw.build();
                assertEquals(raw.descriptorSize(), p.descriptorSize());
                assertEquals(raw.fields().size(), p.lengthFields().size());
            } else {
                assertThrows(IllegalArgumentException.class, raw::build, raw.toString());
            }
        });
    }

    @Test
    @DisplayName("frameLength = constant + Σ fields, for every framing and every field value (64-bit, never wraps)")
    void frameLengthIsConstantPlusFields() {
        Gen<Object[]> framingAndValues = framings().flatMap(p -> c -> {
            long[] values = new long[p.lengthFields().size()];
            for (int i = 0; i < values.length; i++) {
                long max = p.lengthFields().get(i).maxValue();
                values[i] = c.chance(4) ? max : c.between(0, max);
            }
            return new Object[] {p, values};
        });
        Property.forAll("frameLength = constant + sum of the fields", framingAndValues).check(pv -> {
            FramingPolicy p = (FramingPolicy) pv[0];
            long[] values = (long[]) pv[1];
            byte[] descriptor = p.descriptor(values);
            long expected = p.constant();
            for (long v : values) {
                expected += v;
            }
            assertEquals(expected, p.frameLength(descriptor), p.toString());
            assertTrue(expected >= 0);
            assertEquals(expected >= p.descriptorSize() && expected <= Integer.MAX_VALUE, p.acceptsFrameLength(expected));
            // Bytes outside the fields do not matter.
            byte[] noisy = descriptor.clone();
            boolean[] inField = new boolean[p.descriptorSize()];
            p.lengthFields().forEach(f -> {
                for (int i = f.offset(); i < f.end(); i++) {
                    inField[i] = true;
                }
            });
            for (int i = 0; i < noisy.length; i++) {
                if (!inField[i]) {
                    noisy[i] = (byte) (0xA5 ^ i);
                }
            }
            assertEquals(expected, p.frameLength(noisy));
            // A whole frame may be passed.
            byte[] longer = java.util.Arrays.copyOf(descriptor, descriptor.length + 3);
            assertArrayEquals(descriptor, java.util.Arrays.copyOf(longer, descriptor.length));
            assertEquals(expected, p.frameLength(longer));
        });
    }

    @Test
    @DisplayName("every framing compiles to well-formed programs with one shared SK_STORAGE map")
    void everyFramingCompilesWellFormed() {
        Property.forAll("every framing compiles to well-formed programs", framings()).tries(300).check(p -> {
            ProgramChecks.Summary s = ProgramChecks.check(p.sockOpsProgram().code(), ProgramChecks.SOCK_OPS_HELPERS,
                    ProgramChecks.SOCK_OPS_KFUNCS, ProgramChecks.SOCK_OPS_FIELDS);
            assertEquals(ProgramChecks.SOCK_OPS_HELPERS, s.helpers());
            ProgramChecks.Summary e = ProgramChecks.check(p.enableProgram().code(), ProgramChecks.ENABLE_HELPERS,
                    Set.of(), ProgramChecks.ENABLE_FIELDS);
            assertEquals(ProgramChecks.ENABLE_HELPERS, e.helpers());
            ProgramChecks.checkOneStateMap(p);
            int widths = p.lengthFields().stream().mapToInt(FramingPolicy.LengthField::width).sum();
            assertTrue(s.instructions() < 120 + 3 * widths, "sock_ops program of " + s.instructions() + " instructions");
            assertEquals(p.compile().sockOps(), p.sockOpsProgram());
        });
    }
}
