package dev.autolowat.api.policy;

import dev.autolowat.api.asm.Disassembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.Policy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FramingPolicy}: validation, the built-ins' frame lengths (A1 generalised), the compiled programs' shape. */
class FramingPolicyTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static Stream<FramingPolicy> builtIns() {
        return Stream.of(FramingPolicy.REFERENCE_RPC, FramingPolicy.GRPC, FramingPolicy.HTTP2,
                FramingPolicy.LENGTH_PREFIX_U32_BE);
    }

    // ------------------------------------------------------------------ validation

    static Stream<Arguments> invalidDescriptions() {
        return Stream.of(
                Arguments.of("name too long", (Supplier<?>) () -> FramingPolicy.builder("thirteen_char"), "1-12"),
                Arguments.of("empty name", (Supplier<?>) () -> FramingPolicy.builder(""), "1-12"),
                Arguments.of("name with a dash", (Supplier<?>) () -> FramingPolicy.builder("my-rpc"), "[A-Za-z0-9_.]"),
                Arguments.of("descriptor size 0", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(0), "1..16"),
                Arguments.of("descriptor size 17", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(17), "1..16"),
                Arguments.of("width 0", (Supplier<?>) () -> FramingPolicy.builder("x").lengthField(0, 0, BIG_ENDIAN), "1, 2, 3 or 4"),
                Arguments.of("width 5", (Supplier<?>) () -> FramingPolicy.builder("x").lengthField(0, 5, BIG_ENDIAN), "1, 2, 3 or 4"),
                Arguments.of("width 8", (Supplier<?>) () -> FramingPolicy.builder("x").lengthField(0, 8, LITTLE_ENDIAN), "1, 2, 3 or 4"),
                Arguments.of("negative offset", (Supplier<?>) () -> FramingPolicy.builder("x").lengthField(-1, 2, BIG_ENDIAN), "offset"),
                Arguments.of("offset 16", (Supplier<?>) () -> FramingPolicy.builder("x").lengthField(16, 1, BIG_ENDIAN), "offset"),
                Arguments.of("negative constant", (Supplier<?>) () -> FramingPolicy.builder("x").constant(-1), "negative"),
                Arguments.of("no descriptor size", (Supplier<?>) () -> FramingPolicy.builder("x")
                        .lengthField(0, 4, BIG_ENDIAN).constant(4).build(), "descriptor size was not given"),
                Arguments.of("no constant", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(4)
                        .lengthField(0, 4, BIG_ENDIAN).build(), "constant was not given"),
                Arguments.of("no length field", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(4)
                        .constant(4).build(), "at least one length field"),
                Arguments.of("field past the descriptor", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(4)
                        .lengthField(1, 4, BIG_ENDIAN).constant(4).build(), "(bytes 1..4) does not fit inside the 4-byte descriptor"),
                Arguments.of("field after the descriptor", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(4)
                        .lengthField(4, 1, BIG_ENDIAN).constant(4).build(), "does not fit inside"),
                Arguments.of("overlapping fields", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(8)
                        .lengthField(0, 4, LITTLE_ENDIAN).lengthField(3, 2, LITTLE_ENDIAN).constant(8).build(), "overlap"),
                Arguments.of("the same field twice", (Supplier<?>) () -> FramingPolicy.builder("x").descriptorSize(8)
                        .lengthField(2, 2, BIG_ENDIAN).lengthField(2, 2, BIG_ENDIAN).constant(8).build(), "overlap"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDescriptions")
    @DisplayName("an invalid description fails with an IllegalArgumentException that says what is wrong")
    void invalidDescriptionsAreRefused(String what, Supplier<?> build, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(message), "message '" + e.getMessage() + "' should mention '" + message + "'");
    }

    @Test
    @DisplayName("null name and null byte order are NullPointerExceptions")
    void nulls() {
        assertThrows(NullPointerException.class, () -> FramingPolicy.builder(null));
        assertThrows(NullPointerException.class, () -> FramingPolicy.builder("x").lengthField(0, 1, null));
        assertThrows(NullPointerException.class, () -> FramingPolicy.GRPC.frameLength(null));
    }

    @Test
    @DisplayName("the longest name (12 characters) gives program names of at most 15 characters")
    void longestName() {
        FramingPolicy p = FramingPolicy.builder("abcdefghijkl").descriptorSize(2).lengthField(0, 2, BIG_ENDIAN)
                .constant(2).build();
        assertEquals("abcdefghijkl", p.sockOpsProgram().name());
        assertEquals("abcdefghijkl_en", p.enableProgram().name());
        assertEquals("abcdefghijkl_st", p.stateMap().name());
    }

    @Test
    @DisplayName("frameLength and descriptor refuse short descriptors, wrong value counts and values that do not fit")
    void frameLengthAndDescriptorArguments() {
        assertThrows(IllegalArgumentException.class, () -> FramingPolicy.REFERENCE_RPC.frameLength(new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> FramingPolicy.REFERENCE_RPC.descriptor(1));
        assertThrows(IllegalArgumentException.class, () -> FramingPolicy.HTTP2.descriptor(1L << 24));
        assertThrows(IllegalArgumentException.class, () -> FramingPolicy.GRPC.descriptor(-1));
        // A longer array (a whole frame) is fine: only the descriptor is read.
        assertEquals(261, FramingPolicy.GRPC.frameLength(hex("00 00000100 ffff")));
    }

    @Test
    @DisplayName("a valid description keeps its fields sorted by offset; equal descriptions are equal")
    void fieldsSortedAndEquality() {
        FramingPolicy p = FramingPolicy.builder("two").descriptorSize(6).lengthField(4, 2, BIG_ENDIAN)
                .lengthField(0, 1, LITTLE_ENDIAN).constant(6).build();
        assertEquals(List.of(new FramingPolicy.LengthField(0, 1, LITTLE_ENDIAN), new FramingPolicy.LengthField(4, 2, BIG_ENDIAN)),
                p.lengthFields());
        FramingPolicy q = FramingPolicy.builder("two").descriptorSize(6).lengthField(0, 1, LITTLE_ENDIAN)
                .lengthField(4, 2, BIG_ENDIAN).constant(6).build();
        assertEquals(p, q);
        assertEquals(p.hashCode(), q.hashCode());
        assertEquals(p.sockOpsProgram(), q.sockOpsProgram(), "same description, same bytes");
        assertNotEquals(FramingPolicy.GRPC, FramingPolicy.HTTP2);
        assertEquals("FramingPolicy[two: descriptor 6 bytes, frame length = 6 + u8le@0 + u16be@4]", p.toString());
    }

    // ------------------------------------------------------------------ frame lengths (golden values)

    static Stream<Arguments> goldenFrameLengths() {
        return Stream.of(
                // A1: {u32 header_len, u32 payload_len} little-endian, + 8. The selftest's 258-byte frame is {100, 150}.
                Arguments.of(FramingPolicy.REFERENCE_RPC, "64000000 96000000", 258L),
                Arguments.of(FramingPolicy.REFERENCE_RPC, "00000000 00000000", 8L),
                Arguments.of(FramingPolicy.REFERENCE_RPC, "01020304 00000000", 8L + 0x04030201L),
                Arguments.of(FramingPolicy.REFERENCE_RPC, "ffffffff ffffffff", 8L + 2 * 0xffffffffL),
                Arguments.of(FramingPolicy.REFERENCE_RPC, "f7ffff7f 00000000", (long) Integer.MAX_VALUE),
                Arguments.of(FramingPolicy.REFERENCE_RPC, "f8ffff7f 00000000", (long) Integer.MAX_VALUE + 1),
                // gRPC: flag byte, u32 big-endian length, + 5.
                Arguments.of(FramingPolicy.GRPC, "00 00000100", 261L),
                Arguments.of(FramingPolicy.GRPC, "01 0000000a", 15L),
                Arguments.of(FramingPolicy.GRPC, "00 00000000", 5L),
                Arguments.of(FramingPolicy.GRPC, "ff 7ffffffa", (long) Integer.MAX_VALUE),
                Arguments.of(FramingPolicy.GRPC, "00 ffffffff", 5L + 0xffffffffL),
                // HTTP/2: u24 big-endian length, type, flags, stream id, + 9. The SETTINGS frame of a client preface.
                Arguments.of(FramingPolicy.HTTP2, "000012 04 00 00000000", 27L),
                Arguments.of(FramingPolicy.HTTP2, "004000 00 01 00000001", 9L + 16384),
                Arguments.of(FramingPolicy.HTTP2, "ffffff 00 00 ffffffff", 9L + 0xffffff),
                // Thrift framed / Kafka: u32 big-endian, + 4.
                Arguments.of(FramingPolicy.LENGTH_PREFIX_U32_BE, "00000102", 4L + 258),
                Arguments.of(FramingPolicy.LENGTH_PREFIX_U32_BE, "7ffffffb", (long) Integer.MAX_VALUE),
                Arguments.of(FramingPolicy.LENGTH_PREFIX_U32_BE, "ffffffff", 4L + 0xffffffffL));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("goldenFrameLengths")
    @DisplayName("A1 generalised: frame length = constant + the length fields, in 64 bits")
    void goldenFrameLength(FramingPolicy p, String descriptor, long expected) {
        assertEquals(expected, p.frameLength(hex(descriptor)));
        assertEquals(expected <= Integer.MAX_VALUE, p.acceptsFrameLength(expected));
    }

    @Test
    @DisplayName("descriptor() encodes the fields in their byte order and zeroes the other bytes")
    void descriptorEncoding() {
        assertArrayEquals(hex("64000000 96000000"), FramingPolicy.REFERENCE_RPC.descriptor(100, 150));
        assertArrayEquals(hex("00 00000100"), FramingPolicy.GRPC.descriptor(256));
        assertArrayEquals(hex("004000 00 00 00000000"), FramingPolicy.HTTP2.descriptor(16384));
        assertArrayEquals(hex("01020304"), FramingPolicy.LENGTH_PREFIX_U32_BE.descriptor(0x01020304));
    }

    @Test
    @DisplayName("a constant below the descriptor size is allowed: frames shorter than their descriptor disable")
    void constantBelowDescriptorSize() {
        // PostgreSQL messages: a type byte, then an int32 length that counts itself but not the type byte.
        FramingPolicy pg = FramingPolicy.builder("pg").descriptorSize(5).lengthField(1, 4, BIG_ENDIAN).constant(1).build();
        assertEquals(1 + 4 + 6, pg.frameLength(hex("51 0000000a")));
        assertFalse(pg.acceptsFrameLength(pg.frameLength(hex("51 00000003"))));
        assertTrue(pg.acceptsFrameLength(5));
        ProgramChecks.check(pg.sockOpsProgram().code(), ProgramChecks.SOCK_OPS_HELPERS, ProgramChecks.SOCK_OPS_KFUNCS,
                ProgramChecks.SOCK_OPS_FIELDS);
        // One more compare than the same framing with constant 5.
        FramingPolicy five = FramingPolicy.builder("pg").descriptorSize(5).lengthField(1, 4, BIG_ENDIAN).constant(5).build();
        assertEquals(five.sockOpsProgram().code().slots() + 1, pg.sockOpsProgram().code().slots());
    }

    // ------------------------------------------------------------------ the compiled policy

    @Test
    @DisplayName("REFERENCE_RPC compiles to the reference policy's names: autolowat, autolowat_en, map autolowat_st")
    void referenceNames() {
        Policy policy = FramingPolicy.REFERENCE_RPC.compile();
        assertEquals("autolowat", policy.name());
        assertEquals("autolowat", policy.sockOps().name());
        assertEquals("autolowat_en", policy.enablePath().orElseThrow().name());
        assertEquals("autolowat_st", FramingPolicy.REFERENCE_RPC.stateMap().name());
        assertEquals(32, FramingPolicy.REFERENCE_RPC.stateMap().valueSize());
        assertSame(policy.sockOps(), FramingPolicy.REFERENCE_RPC.sockOpsProgram(), "compiled once");
        assertEquals("GPL", FramingPolicy.REFERENCE_RPC.sockOpsProgram().license());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    @DisplayName("the sock_ops program decodes, disassembles, jumps inside itself, ends in exit, calls only what A3–A5 need")
    void sockOpsProgramShape(FramingPolicy p) {
        ProgramChecks.Summary s = ProgramChecks.check(p.sockOpsProgram().code(), ProgramChecks.SOCK_OPS_HELPERS,
                ProgramChecks.SOCK_OPS_KFUNCS, ProgramChecks.SOCK_OPS_FIELDS);
        assertEquals(ProgramChecks.SOCK_OPS_HELPERS, s.helpers(), "every allowed helper is used");
        assertEquals(ProgramChecks.SOCK_OPS_KFUNCS, s.kfuncs());
        assertEquals(ProgramChecks.SOCK_OPS_FIELDS, s.fields());
        assertEquals(2, s.mapLoads(), "storage get and storage delete");
        assertTrue(s.hasBackEdge(), "the A3 walk is a loop");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    @DisplayName("the enable program decodes, disassembles, jumps inside itself, ends in exit, uses no kfunc")
    void enableProgramShape(FramingPolicy p) {
        ProgramChecks.Summary s = ProgramChecks.check(p.enableProgram().code(), ProgramChecks.ENABLE_HELPERS, Set.of(),
                ProgramChecks.ENABLE_FIELDS);
        assertEquals(ProgramChecks.ENABLE_HELPERS, s.helpers());
        assertEquals(Set.of(), s.kfuncs());
        assertEquals(3, s.mapLoads(), "storage get (lookup), storage get (create), storage delete (undo)");
        assertFalse(s.hasBackEdge(), "A2 has no loop");
        assertFalse(s.helpers().contains(Helper.SOCK_OPS_CB_FLAGS_SET), "cb_flags_set is a sock_ops helper");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    @DisplayName("a policy declares exactly one map: SK_STORAGE, shared by both programs")
    void oneStateMap(FramingPolicy p) {
        ProgramChecks.checkOneStateMap(p);
    }

    @Test
    @DisplayName("disassembly() shows both programs, the map, and one line per instruction")
    void disassembly() {
        FramingPolicy p = FramingPolicy.REFERENCE_RPC;
        String text = p.disassembly();
        assertTrue(text.contains("sock_ops program 'autolowat' (" + p.sockOpsProgram().code().instructions().size()
                + " instructions, " + p.sockOpsProgram().code().slots() + " slots)"), text);
        assertTrue(text.contains("cgroup/setsockopt program 'autolowat_en'"), text);
        assertTrue(text.contains("map[id:0] = autolowat_st (SK_STORAGE, key 4, value 32)"), text);
        assertTrue(text.contains("call bpf_sock_ops_tcp_set_rcvlowat (kfunc)"), text);
        assertTrue(text.contains("; tcp_sock.copied_seq"), text);
        assertTrue(text.contains("call bpf_tcp_sock#96"), text);
        assertTrue(text.contains(Disassembler.disassemble(p.sockOpsProgram().code())));
        assertTrue(text.contains(Disassembler.disassemble(p.enableProgram().code())));
        assertEquals(MapType.SK_STORAGE, p.stateMap().type());
    }

    @Test
    @DisplayName("the frame length code reads each length byte once, at the state's descriptor offset")
    void frameLengthCodeReadsEveryLengthByte() {
        for (FramingPolicy p : builtIns().toList()) {
            long byteLoads = p.sockOpsProgram().code().instructions().stream()
                    .filter(i -> i.opcode() == (Opcode.LDX | Opcode.B | Opcode.MEM))
                    .count();
            int widths = p.lengthFields().stream().mapToInt(FramingPolicy.LengthField::width).sum();
            assertEquals(widths, byteLoads, p.toString());
        }
    }

    @Test
    @DisplayName("docs/programs.md shows the reference policy's current disassembly")
    void docsListingIsCurrent() throws java.io.IOException {
        String specDir = System.getProperty("autolowat.spec.dir");
        java.nio.file.Path docs = (specDir != null ? java.nio.file.Path.of(specDir, "..") : java.nio.file.Path.of(".."))
                .resolve("docs").resolve("programs.md");
        String text = java.nio.file.Files.readString(docs);
        assertTrue(text.contains("## Writing a policy with FramingPolicy"), "the FramingPolicy section of " + docs);
        assertTrue(text.contains(FramingPolicy.REFERENCE_RPC.disassembly()),
                docs + " must show FramingPolicy.REFERENCE_RPC.disassembly() as it is now; paste the new listing"
                        + " under \"The reference policy as bytecode\"");
    }
}
