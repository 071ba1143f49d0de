package dev.autolowat.api.btf;

import dev.autolowat.testfixtures.SampleBtf;
import static dev.autolowat.testfixtures.SampleBtf.dump;
import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.btf.BtfWriter.M;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Btf} on the hand-built {@link SampleBtf}: every kind, and the SDK's queries (K1, H1, FieldRef). */
public class BtfTest {
    private final SampleBtf s = new SampleBtf();
    private final Btf btf = s.parse();

    @Test
    @DisplayName("every BTF kind parses, with ids in record order and id 0 = void")
    void everyKind() {
        assertEquals(s.w.nextId() - 1, btf.typeCount());
        assertEquals(ByteOrder.LITTLE_ENDIAN, btf.byteOrder());
        Set<BtfKind> seen = EnumSet.noneOf(BtfKind.class);
        for (int id = 1; id <= btf.typeCount(); id++) {
            seen.add(btf.kind(id));
        }
        Set<BtfKind> all = EnumSet.allOf(BtfKind.class);
        all.remove(BtfKind.VOID);
        assertEquals(all, seen);
        assertEquals(BtfKind.VOID, btf.kind(0));
        assertEquals("", btf.name(0));
        assertEquals(0, btf.resolve(0));
        assertTrue(btf.sizeOf(0).isEmpty());

        assertEquals(BtfKind.INT, btf.kind(s.intT));
        assertEquals("int", btf.name(s.intT));
        assertEquals(BtfKind.PTR, btf.kind(s.nodePtr));
        assertEquals(s.node, btf.referencedType(s.nodePtr));
        assertEquals(BtfKind.ARRAY, btf.kind(s.char24));
        assertEquals(BtfKind.STRUCT, btf.kind(s.tcpSock));
        assertEquals(BtfKind.UNION, btf.kind(s.anonUnion));
        assertEquals("", btf.name(s.anonUnion));
        assertEquals(BtfKind.ENUM, btf.kind(s.signedEnum));
        assertEquals(BtfKind.ENUM64, btf.kind(s.enum64Signed));
        assertEquals(BtfKind.FWD, btf.kind(s.fwdStruct));
        assertEquals(BtfKind.TYPEDEF, btf.kind(s.u32));
        assertEquals("u32", btf.name(s.u32));
        assertEquals(BtfKind.VOLATILE, btf.kind(s.volatileConstU32));
        assertEquals(BtfKind.CONST, btf.kind(s.constU32));
        assertEquals(BtfKind.RESTRICT, btf.kind(s.restrictPtr));
        assertEquals(BtfKind.FUNC, btf.kind(s.kfunc));
        assertEquals(BtfKind.FUNC_PROTO, btf.kind(s.proto));
        assertEquals(BtfKind.VAR, btf.kind(s.var));
        assertEquals(BtfKind.DATASEC, btf.kind(s.datasec));
        assertEquals(".data", btf.name(s.datasec));
        assertEquals(BtfKind.FLOAT, btf.kind(s.doubleT));
        assertEquals(BtfKind.DECL_TAG, btf.kind(s.kfuncTag));
        assertEquals("bpf_kfunc", btf.name(s.kfuncTag));
        assertEquals(BtfKind.TYPE_TAG, btf.kind(s.rcuNode));
        assertEquals("rcu", btf.name(s.rcuNode));
        for (BtfKind k : BtfKind.values()) {
            assertEquals(k, BtfKind.of(k.code()));
        }
        assertThrows(IllegalArgumentException.class, () -> BtfKind.of(20));
    }

    @Test
    @DisplayName("kind-specific data: int encodings, arrays, params, linkage, datasec, decl tags, kind_flag")
    void kindData() {
        assertTrue(btf.intInfo(s.intT).signed());
        assertFalse(btf.intInfo(s.uintT).signed());
        assertTrue(btf.intInfo(s.charT).isChar());
        assertTrue(btf.intInfo(s.boolT).isBool());
        assertEquals(new Btf.IntInfo(4, 0, 2, 4), btf.intInfo(s.u4at2));
        assertEquals(new Btf.ArrayInfo(s.charT, s.uintT, 24), btf.array(s.char24));
        assertEquals(List.of(new Btf.Param("ctx", s.voidPtr), new Btf.Param("val", s.intT), new Btf.Param("", 0)),
                btf.params(s.proto));
        assertEquals(s.proto, btf.referencedType(s.kfunc));
        assertEquals(s.intT, btf.referencedType(s.proto));
        assertEquals(0, btf.referencedType(s.voidPtr));
        assertEquals(1, btf.linkage(s.kfunc));
        assertEquals(0, btf.linkage(s.plainFunc));
        assertEquals(1, btf.linkage(s.var));
        assertEquals(List.of(new Btf.VarSecInfo(s.var, 0, 4)), btf.datasecVars(s.datasec));
        assertEquals(-1, btf.declTagComponent(s.kfuncTag));
        assertEquals(0, btf.declTagComponent(s.argTag));
        assertEquals(s.kfunc, btf.referencedType(s.argTag));
        assertEquals(List.of("bpf_kfunc"), btf.declTags(s.kfunc));
        assertEquals(List.of(), btf.declTags(s.plainFunc));
        assertTrue(btf.kindFlag(s.fwdUnion));
        assertFalse(btf.kindFlag(s.fwdStruct));
        assertTrue(btf.kindFlag(s.signedEnum));
        assertFalse(btf.kindFlag(s.unsignedEnum));
        assertTrue(btf.kindFlag(s.bits));
        assertFalse(btf.kindFlag(s.oldbits));
        assertEquals(7, btf.vlen(s.tcpSock));
        assertEquals(1, btf.vlen(s.kfunc));
    }

    @Test
    @DisplayName("modifiers resolve (typedef, const, volatile, restrict, type tag); sizes follow them")
    void resolveAndSizes() {
        assertEquals(s.uintT, btf.resolve(s.volatileConstU32));
        assertEquals(s.node, btf.resolve(s.rcuNode));
        assertEquals(s.rcuPtr, btf.resolve(s.restrictPtr));
        assertEquals(s.sock, btf.resolve(s.constSockT));
        assertEquals(s.intT, btf.resolve(s.intT));
        assertEquals(OptionalLong.of(4), btf.sizeOf(s.volatileConstU32));
        assertEquals(OptionalLong.of(8), btf.sizeOf(s.nodePtr));
        assertEquals(8, btf.pointerSize());
        assertEquals(OptionalLong.of(240), btf.sizeOf(s.bigArray));
        assertEquals(OptionalLong.of(0), btf.sizeOf(s.charFlex));
        assertEquals(OptionalLong.of(8), btf.sizeOf(s.doubleT));
        assertEquals(OptionalLong.of(4), btf.sizeOf(s.datasec));
        assertEquals(OptionalLong.of(8), btf.sizeOf(s.enum64Signed));
        assertEquals(OptionalLong.of(128), btf.sizeOf(s.tcpSock));
        for (int sizeless : new int[]{s.fwdStruct, s.proto, s.kfunc, s.var, s.kfuncTag}) {
            assertTrue(btf.sizeOf(sizeless).isEmpty(), btf.kind(sizeless).toString());
        }
    }

    @Test
    @DisplayName("members: bit offsets, bitfields with kind_flag and through INT bit counts (no kind_flag)")
    void members() {
        assertEquals(List.of(new Btf.Member("a", s.uintT, 0, 3), new Btf.Member("b", s.uintT, 3, 5),
                new Btf.Member("c", s.uintT, 8, 1), new Btf.Member("rest", s.uintT, 32, 0)), btf.members(s.bits));
        assertEquals(List.of(new Btf.Member("x", s.u3, 0, 3), new Btf.Member("y", s.u4at2, 10, 4)),
                btf.members(s.oldbits));
        List<Btf.Member> tcp = btf.members(s.tcpSock);
        assertEquals(new Btf.Member("", s.anonStruct, 640, 0), tcp.get(4));
        assertEquals(new Btf.Member("rcv_nxt", s.volatileConstU32, 512, 0), tcp.get(1));
    }

    @Test
    @DisplayName("enumerators: signed ENUM sign-extends, unsigned zero-extends, ENUM64 64-bit values")
    void enumerators() {
        assertEquals(List.of(new Btf.Enumerator("S_NEG", -1), new Btf.Enumerator("S_POS", 5)),
                btf.enumerators(s.signedEnum));
        assertEquals(List.of(new Btf.Enumerator("U_MAX", 0xFFFFFFFFL), new Btf.Enumerator("U_HIGH", 0x80000000L)),
                btf.enumerators(s.unsignedEnum));
        assertEquals(List.of(new Btf.Enumerator("E_NEG", -5_000_000_000L), new Btf.Enumerator("E_SMALL", 7)),
                btf.enumerators(s.enum64Signed));
        assertEquals(List.of(new Btf.Enumerator("U64_TOP", -1L), new Btf.Enumerator("U64_BIG", 1L << 40)),
                btf.enumerators(s.enum64Unsigned));
    }

    @Test
    @DisplayName("H1: enumValue finds enumerators in anonymous and named enums; absent is empty")
    void enumValue() {
        assertEquals(OptionalInt.of(20), btf.enumValue(null, "OPS_TSTAMP_SENDMSG_CB"));
        assertEquals(OptionalInt.of(0x7F), btf.enumValue(null, "OPS_ALL_CB_FLAGS"));
        assertEquals(OptionalInt.of(0), btf.enumValue(null, "OPS_VOID"));
        assertEquals(OptionalInt.empty(), btf.enumValue(null, "OPS_RCVQ_CB"));
        assertEquals(OptionalInt.of(-1), btf.enumValue("signed_e", "S_NEG"));
        assertEquals(OptionalInt.empty(), btf.enumValue("signed_e", "OPS_VOID"));
        assertEquals(OptionalInt.empty(), btf.enumValue("no_such_enum", "S_NEG"));
        // unsigned 32-bit values come back as their bit pattern, as an imm holds them
        assertEquals(OptionalInt.of(-1), btf.enumValue(null, "U_MAX"));
        assertEquals(OptionalLong.of(0xFFFFFFFFL), btf.enumValue64(null, "U_MAX"));
        assertEquals(OptionalInt.of(Integer.MIN_VALUE), btf.enumValue("unsigned_e", "U_HIGH"));
        assertEquals(OptionalInt.of(7), btf.enumValue("e64", "E_SMALL"));
        assertEquals(OptionalLong.of(-5_000_000_000L), btf.enumValue64(null, "E_NEG"));
        assertEquals(OptionalLong.of(-1L), btf.enumValue64("u64e", "U64_TOP"));
        BtfLookupException wide = assertThrows(BtfLookupException.class, () -> btf.enumValue(null, "E_NEG"));
        assertTrue(wide.getMessage().contains("does not fit in 32 bits"), wide.getMessage());
        assertThrows(BtfLookupException.class, () -> btf.enumValue(null, "U64_TOP"));
        assertThrows(BtfLookupException.class, () -> btf.enumValue(null, "U64_BIG"));
    }

    @Test
    @DisplayName("an enumerator in two enums: same value is fine, different values need the enum's name")
    void enumValueConflicts() {
        assertEquals(OptionalInt.of(3), btf.enumValue(null, "SAME"));
        assertEquals(OptionalInt.of(1), btf.enumValue("dup_a", "CLASH"));
        assertEquals(OptionalInt.of(2), btf.enumValue("dup_b", "CLASH"));
        BtfLookupException e = assertThrows(BtfLookupException.class, () -> btf.enumValue(null, "CLASH"));
        assertTrue(e.getMessage().contains("ENUM 'dup_a' [" + s.dupA + "] = 1"), e.getMessage());
        assertTrue(e.getMessage().contains("ENUM 'dup_b' [" + s.dupB + "] = 2"), e.getMessage());
        assertTrue(e.getMessage().contains("name the enum"), e.getMessage());
        assertEquals("CLASH", e.field());
    }

    @Test
    @DisplayName("K1: funcId finds FUNCs only; typeId finds the first type of a kind and name")
    void funcId() {
        assertEquals(OptionalInt.of(s.kfunc), btf.funcId("bpf_cast_to_kern_ctx"));
        assertEquals(OptionalInt.of(s.plainFunc), btf.funcId("tcp_set_rcvlowat"));
        assertEquals(OptionalInt.empty(), btf.funcId("bpf_sock_ops_tcp_set_rcvlowat"));
        assertEquals(OptionalInt.empty(), btf.funcId("my_var"));
        assertEquals(OptionalInt.of(s.var), btf.typeId(BtfKind.VAR, "my_var"));
        assertEquals(OptionalInt.of(s.sock), btf.typeId(BtfKind.STRUCT, "sock"));
        assertEquals(OptionalInt.empty(), btf.typeId(BtfKind.UNION, "sock"));
    }

    @Test
    @DisplayName("FieldRef: offsets of direct, nested (dotted), anonymous and bitfield members")
    void fields() {
        assertEquals(new FieldLocation("tcp_sock", "copied_seq", 68 * 8, 0, 4, s.uintT, BtfKind.INT),
                btf.field("tcp_sock", "copied_seq"));
        FieldLocation rcvNxt = btf.field("tcp_sock", "rcv_nxt");
        assertEquals(64, rcvNxt.byteOffset());
        assertEquals(4, rcvNxt.size());
        assertEquals(s.uintT, rcvNxt.typeId());
        assertFalse(rcvNxt.isBitfield());
        assertEquals(28, btf.field("tcp_sock", "sk.sk_rcvlowat").byteOffset());
        assertEquals(24, btf.field("sock", "sk_rcvbuf").byteOffset());
        // anonymous union > anonymous struct > member, reached as in C
        FieldLocation hi = btf.field("tcp_sock", "sk.__sk_common.skc_daddr_hi");
        assertEquals(2, hi.byteOffset());
        assertEquals(2, hi.size());
        assertEquals(0, btf.field("sock_common", "skc_addrpair").byteOffset());
        assertEquals(new FieldLocation("sock_common", "skc_state", 32, 0, 1, s.charT, BtfKind.INT),
                btf.field("sock_common", "skc_state"));
        assertEquals(84, btf.field("tcp_sock", "deep").byteOffset());
        assertEquals(80, btf.field("tcp_sock", "anon_a").byteOffset());
        // arrays, pointers (through restrict and a type tag), flexible arrays
        FieldLocation cb = btf.field("sock", "cb");
        assertEquals(new FieldLocation("sock", "cb", 40 * 8, 0, 24, s.char24, BtfKind.ARRAY), cb);
        assertEquals(new FieldLocation("tcp_sock", "head", 88 * 8, 0, 8, s.rcuPtr, BtfKind.PTR), btf.field("tcp_sock", "head"));
        assertEquals(new FieldLocation("tcp_sock", "tail", 96 * 8, 0, 0, s.charFlex, BtfKind.ARRAY), btf.field("tcp_sock", "tail"));
        assertEquals(new FieldLocation("node", "next", 0, 0, 8, s.nodePtr, BtfKind.PTR), btf.field("node", "next"));
        // bitfields, both encodings
        FieldLocation b = btf.field("sock", "sk_bits.b");
        assertEquals(new FieldLocation("sock", "sk_bits.b", 32 * 8 + 3, 5, 4, s.uintT, BtfKind.INT), b);
        assertTrue(b.isBitfield());
        assertEquals(32, b.byteOffset());
        FieldLocation y = btf.field("tcp_sock", "old.y");
        assertEquals(new FieldLocation("tcp_sock", "old.y", 72 * 8 + 10, 4, 4, s.u4at2, BtfKind.INT), y);
        assertEquals(73, y.byteOffset());
        // a struct member of struct type itself
        FieldLocation sk = btf.field("tcp_sock", "sk");
        assertEquals(64, sk.size());
        assertEquals(s.sock, sk.typeId());
        assertEquals(BtfKind.STRUCT, sk.kind());
    }

    @Test
    @DisplayName("structSize: structs, a union when no struct has the name, nothing for a forward declaration")
    void structSize() {
        assertEquals(OptionalInt.of(128), btf.structSize("tcp_sock"));
        assertEquals(OptionalInt.of(64), btf.structSize("sock"));
        assertEquals(OptionalInt.of(12), btf.structSize("only_union"));
        assertEquals(OptionalInt.empty(), btf.structSize("later_struct"));
        assertEquals(OptionalInt.empty(), btf.structSize("no_such_struct"));
        assertEquals(4, btf.field("only_union", "u_b").size());
    }

    @Test
    @DisplayName("a missing struct names it, the BTF, and similar structs")
    void missingStruct() {
        BtfLookupException e = assertThrows(BtfLookupException.class, () -> btf.field("tcp_sockk", "copied_seq"));
        assertTrue(e.getMessage().startsWith("no struct tcp_sockk in a BTF blob of "), e.getMessage());
        assertTrue(e.similar().contains("tcp_sock"), e.similar().toString());
        assertTrue(e.getMessage().contains("similar structs: tcp_sock"), e.getMessage());
        assertEquals("tcp_sockk", e.struct());
        assertEquals("copied_seq", e.field());
        assertTrue(e instanceof AutoLowatException);
    }

    @Test
    @DisplayName("a missing member names the struct, the member and similar members (anonymous ones' included)")
    void missingMember() {
        BtfLookupException e = assertThrows(BtfLookupException.class, () -> btf.field("tcp_sock", "copied_seqq"));
        assertTrue(e.getMessage().startsWith("struct tcp_sock has no member 'copied_seqq' in a BTF blob of"), e.getMessage());
        assertEquals("copied_seq", e.similar().get(0));
        BtfLookupException deep = assertThrows(BtfLookupException.class, () -> btf.field("tcp_sock", "dep"));
        assertTrue(deep.similar().contains("deep"), deep.similar().toString());
        BtfLookupException nested = assertThrows(BtfLookupException.class, () -> btf.field("tcp_sock", "sk.sk_rcvlowatt"));
        assertTrue(nested.getMessage().startsWith("struct tcp_sock member sk (STRUCT 'sock' [" + s.sock + "]) has no member "
                + "'sk_rcvlowatt' (looking for tcp_sock.sk.sk_rcvlowatt)"), nested.getMessage());
        assertEquals("sk_rcvlowat", nested.similar().get(0));
        BtfLookupException far = assertThrows(BtfLookupException.class, () -> btf.field("tcp_sock", "zzzzzzzzzzzz"));
        assertEquals(List.of(), far.similar());
    }

    @Test
    @DisplayName("a dotted path stops at members that are not structs, and never follows pointers")
    void pathThroughScalarOrPointer() {
        BtfLookupException e = assertThrows(BtfLookupException.class, () -> btf.field("tcp_sock", "rcv_nxt.x"));
        assertTrue(e.getMessage().contains("member rcv_nxt is INT 'unsigned int'"), e.getMessage());
        assertTrue(e.getMessage().contains("not a struct or union"), e.getMessage());
        BtfLookupException p = assertThrows(BtfLookupException.class, () -> btf.field("tcp_sock", "head.value"));
        assertTrue(p.getMessage().contains("PTR [" + s.rcuPtr + "] to STRUCT 'node'"), p.getMessage());
        assertTrue(p.getMessage().contains("does not follow pointers"), p.getMessage());
    }

    @Test
    @DisplayName("misuse: ids out of range, accessors of the wrong kind, empty path components")
    void misuse() {
        assertThrows(IllegalArgumentException.class, () -> btf.kind(-1));
        assertThrows(IllegalArgumentException.class, () -> btf.name(btf.typeCount() + 1));
        assertThrows(IllegalArgumentException.class, () -> btf.members(s.intT));
        assertThrows(IllegalArgumentException.class, () -> btf.enumerators(s.sock));
        assertThrows(IllegalArgumentException.class, () -> btf.intInfo(s.sock));
        assertThrows(IllegalArgumentException.class, () -> btf.params(s.kfunc));
        assertThrows(IllegalArgumentException.class, () -> btf.linkage(s.intT));
        assertThrows(IllegalArgumentException.class, () -> btf.referencedType(s.sock));
        assertThrows(IllegalArgumentException.class, () -> btf.array(s.intT));
        assertThrows(IllegalArgumentException.class, () -> btf.field("tcp_sock", "sk..sk_rcvbuf"));
        assertThrows(IllegalArgumentException.class, () -> btf.field("tcp_sock", ""));
        assertThrows(NullPointerException.class, () -> btf.field(null, "x"));
    }

    @Test
    @DisplayName("big-endian BTF (chosen by the magic) reads the same as little-endian")
    void bigEndian() {
        Btf be = Btf.parse(s.bytes(ByteOrder.BIG_ENDIAN));
        assertEquals(ByteOrder.BIG_ENDIAN, be.byteOrder());
        assertEquals(dump(btf), dump(be));
    }

    @Test
    @DisplayName("parse(ByteBuffer) reads the remaining bytes and leaves the buffer as it was")
    void parseByteBuffer() {
        byte[] bytes = s.bytes();
        ByteBuffer b = ByteBuffer.allocate(bytes.length + 3);
        b.put(new byte[3]).put(bytes).position(3);
        Btf parsed = Btf.parse(b);
        assertEquals(3, b.position());
        assertEquals(dump(btf), dump(parsed));
    }

    @Test
    @DisplayName("a longer header is accepted when its unknown bytes are zero, rejected otherwise")
    void longerHeader() {
        byte[] bytes = s.bytes();
        byte[] longer = new byte[bytes.length + 8];
        System.arraycopy(bytes, 0, longer, 0, Btf.HEADER_SIZE);
        System.arraycopy(bytes, Btf.HEADER_SIZE, longer, Btf.HEADER_SIZE + 8, bytes.length - Btf.HEADER_SIZE);
        ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN).putInt(4, Btf.HEADER_SIZE + 8);
        assertEquals(dump(btf), dump(Btf.parse(longer)));
        longer[29] = 1;
        BtfFormatException e = assertThrows(BtfFormatException.class, () -> Btf.parse(longer));
        assertEquals(29, e.offset());
        assertTrue(e.getMessage().contains("is not zero: a newer header format"), e.getMessage());
    }

    @Test
    @DisplayName("malformed chains seen by queries: typedef cycles, self-nesting anonymous members, huge arrays")
    void malformedChains() {
        BtfWriter w = new BtfWriter();
        int a = w.typedef("a", 2);
        w.typedef("b", a);
        w.struct("s", 4, M.of("m", a, 0));
        int selfId = w.nextId();
        w.struct("self", 4, M.of("", selfId, 0));
        int i = w.intType("int", 4, true);
        int huge = w.array(i, i, -1);
        w.struct("big", 4, M.of("h", huge, 0));
        w.struct("misaligned", 8, M.of("m", i, 3));
        int proto = w.funcProto(i);
        w.struct("fnmember", 8, M.of("f", proto, 0));
        Btf b = Btf.parse(w.build());
        BtfFormatException cycle = assertThrows(BtfFormatException.class, () -> b.field("s", "m"));
        assertTrue(cycle.getMessage().contains("more than 32 typedefs and qualifiers (a cycle?)"), cycle.getMessage());
        assertThrows(BtfFormatException.class, () -> b.resolve(a));
        BtfFormatException nest = assertThrows(BtfFormatException.class, () -> b.field("self", "x"));
        assertTrue(nest.getMessage().contains("nests anonymous members more than 32 deep"), nest.getMessage());
        BtfFormatException big = assertThrows(BtfFormatException.class, () -> b.field("big", "h"));
        assertTrue(big.getMessage().contains("larger than 4 GiB"), big.getMessage());
        assertThrows(BtfFormatException.class, () -> b.sizeOf(huge));
        BtfFormatException mis = assertThrows(BtfFormatException.class, () -> b.field("misaligned", "m"));
        assertTrue(mis.getMessage().contains("starts at bit 3, not on a byte, but is not a bitfield"), mis.getMessage());
        BtfFormatException fn = assertThrows(BtfFormatException.class, () -> b.field("fnmember", "f"));
        assertTrue(fn.getMessage().contains("which has no size"), fn.getMessage());
        assertEquals(w.recordOffset(w.nextId() - 1) + 12, fn.offset());
    }

    @Test
    @DisplayName("similar names: nearest first, containing names count as near, far names are left out")
    void similarNames() {
        assertEquals(List.of("copied_seq", "copied"), Btf.similar("copied_seqq",
                List.of("zzz", "copied", "copied_seq", "rcv_nxt")));
        assertEquals(List.of("sk_rcvlowat"), Btf.similar("rcvlowat", List.of("sk_rcvlowat", "sk_sndbuf")));
        assertEquals(3, Btf.editDistance("kitten", "sitting", 64));
    }

}
