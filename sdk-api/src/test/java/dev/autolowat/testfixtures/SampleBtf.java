package dev.autolowat.testfixtures;

import dev.autolowat.api.btf.*;

import dev.autolowat.api.btf.BtfWriter.M;
import dev.autolowat.api.btf.BtfWriter.P;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A small hand-built BTF with every kind, shaped like the kernel structs the SDK relocates
 * against (a {@code sock_common} with anonymous unions, a {@code sock}, a {@code tcp_sock} that
 * embeds a typedef'd, const {@code sock}), bitfields in both encodings, signed and unsigned enums,
 * ENUM64, a kfunc with its {@code bpf_kfunc} tag. Field ids are the types' BTF ids.
 *
 * <pre>
 * struct sock_common {                       // 24 bytes
 *     union { u32 skc_addrpair;                // @0, anonymous union of an anonymous struct
 *             struct { unsigned short skc_daddr_lo, skc_daddr_hi; }; };
 *     volatile unsigned char skc_state;        // @4
 *     char skc_pad[19];                        // @5
 * };
 * struct bits { unsigned int a:3, b:5, c:1; unsigned int rest; };        // kind_flag, 8 bytes
 * struct oldbits { u3 x; u4at2 y; };  // no kind_flag: INT types with bits 3 / offset 2 bits 4
 * struct sock {                              // 64 bytes
 *     struct sock_common __sk_common;        // @0
 *     int sk_rcvbuf;                         // @24
 *     int sk_rcvlowat;                       // @28
 *     struct bits sk_bits;                   // @32
 *     char cb[24];                           // @40
 * };
 * typedef struct sock sock_t;
 * struct tcp_sock {                          // 128 bytes
 *     const sock_t sk;                       // @0
 *     volatile const u32 rcv_nxt;            // @64
 *     u32 copied_seq;                        // @68
 *     struct oldbits old;                    // @72
 *     struct { int anon_a; union { int deep; }; };   // @80
 *     struct node *__rcu head;               // @88 (type tag, restrict)
 *     char tail[];                           // @96, flexible
 * };
 * </pre>
 */
public final class SampleBtf {
    public final BtfWriter w = new BtfWriter();
    public final int intT;
    public final int uintT;
    public final int charT;
    public final int longT;
    public final int boolT;
    public final int ushortT;
    public final int nodePtr;
    public final int node;
    public final int u32;
    public final int constU32;
    public final int volatileConstU32;
    public final int char19;
    public final int char24;
    public final int anonHalves;
    public final int anonUnion;
    public final int sockCommon;
    public final int volatileUchar;
    public final int bits;
    public final int u3;
    public final int u4at2;
    public final int oldbits;
    public final int sock;
    public final int sockT;
    public final int constSockT;
    public final int deepUnion;
    public final int anonStruct;
    public final int rcuNode;
    public final int rcuPtr;
    public final int restrictPtr;
    public final int charFlex;
    public final int tcpSock;
    public final int opsEnum;
    public final int signedEnum;
    public final int unsignedEnum;
    public final int enum64Signed;
    public final int enum64Unsigned;
    public final int dupA;
    public final int dupB;
    public final int fwdStruct;
    public final int fwdUnion;
    public final int voidPtr;
    public final int proto;
    public final int kfunc;
    public final int plainFunc;
    public final int kfuncTag;
    public final int argTag;
    public final int var;
    public final int datasec;
    public final int doubleT;
    public final int onlyUnion;
    public final int bigArray;

    public SampleBtf() {
        intT = w.intType("int", 4, true);
        uintT = w.intType("unsigned int", 4, false);
        charT = w.intType("char", 1, 2, 0, 8);
        longT = w.intType("long", 8, true);
        boolT = w.intType("_Bool", 1, 4, 0, 8);
        ushortT = w.intType("unsigned short", 2, false);
        nodePtr = w.ptr(w.nextId() + 1);                        // forward reference to node
        node = w.struct("node", 16, M.of("next", nodePtr, 0), M.of("value", intT, 64));
        u32 = w.typedef("u32", uintT);
        constU32 = w.constOf(u32);
        volatileConstU32 = w.volatileOf(constU32);
        char19 = w.array(charT, uintT, 19);
        char24 = w.array(charT, uintT, 24);
        anonHalves = w.struct("", 4, M.of("skc_daddr_lo", ushortT, 0), M.of("skc_daddr_hi", ushortT, 16));
        anonUnion = w.union("", 4, M.of("skc_addrpair", u32, 0), M.of("", anonHalves, 0));
        volatileUchar = w.volatileOf(charT);
        sockCommon = w.struct("sock_common", 24, M.of("", anonUnion, 0), M.of("skc_state", volatileUchar, 32),
                M.of("skc_pad", char19, 40));
        bits = w.struct("bits", 8, new M("a", uintT, 0, 3), new M("b", uintT, 3, 5), new M("c", uintT, 8, 1),
                new M("rest", uintT, 32, 0));
        u3 = w.intType("u3", 4, 0, 0, 3);
        u4at2 = w.intType("u4at2", 4, 0, 2, 4);
        oldbits = w.struct("oldbits", 4, M.of("x", u3, 0), M.of("y", u4at2, 8));
        sock = w.struct("sock", 64, M.of("__sk_common", sockCommon, 0), M.of("sk_rcvbuf", intT, 24 * 8),
                M.of("sk_rcvlowat", intT, 28 * 8), M.of("sk_bits", bits, 32 * 8), M.of("cb", char24, 40 * 8));
        sockT = w.typedef("sock_t", sock);
        constSockT = w.constOf(sockT);
        deepUnion = w.union("", 4, M.of("deep", intT, 0));
        anonStruct = w.struct("", 8, M.of("anon_a", intT, 0), M.of("", deepUnion, 32));
        rcuNode = w.typeTag("rcu", node);
        rcuPtr = w.ptr(rcuNode);
        restrictPtr = w.restrictOf(rcuPtr);
        charFlex = w.array(charT, uintT, 0);
        tcpSock = w.struct("tcp_sock", 128, M.of("sk", constSockT, 0), M.of("rcv_nxt", volatileConstU32, 64 * 8),
                M.of("copied_seq", u32, 68 * 8), M.of("old", oldbits, 72 * 8), M.of("", anonStruct, 80 * 8),
                M.of("head", restrictPtr, 88 * 8), M.of("tail", charFlex, 96 * 8));
        opsEnum = w.enum32("", 4, false, List.of("OPS_VOID", "OPS_TSTAMP_SENDMSG_CB", "OPS_ALL_CB_FLAGS"),
                List.of(0, 20, 0x7F));
        signedEnum = w.enum32("signed_e", 4, true, List.of("S_NEG", "S_POS"), List.of(-1, 5));
        unsignedEnum = w.enum32("unsigned_e", 4, false, List.of("U_MAX", "U_HIGH"), List.of(-1, 0x80000000));
        enum64Signed = w.enum64("e64", 8, true, List.of("E_NEG", "E_SMALL"), List.of(-5_000_000_000L, 7L));
        enum64Unsigned = w.enum64("u64e", 8, false, List.of("U64_TOP", "U64_BIG"), List.of(-1L, 1L << 40));
        dupA = w.enum32("dup_a", 4, false, List.of("SAME", "CLASH"), List.of(3, 1));
        dupB = w.enum32("dup_b", 4, false, List.of("SAME", "CLASH"), List.of(3, 2));
        fwdStruct = w.fwd("later_struct", false);
        fwdUnion = w.fwd("later_union", true);
        voidPtr = w.ptr(0);
        proto = w.funcProto(intT, new P("ctx", voidPtr), new P("val", intT), new P("", 0));
        kfunc = w.func("bpf_cast_to_kern_ctx", proto, 1);
        plainFunc = w.func("tcp_set_rcvlowat", proto, 0);
        kfuncTag = w.declTag("bpf_kfunc", kfunc, -1);
        argTag = w.declTag("arg_ctx", kfunc, 0);
        var = w.var("my_var", intT, 1);
        datasec = w.datasec(".data", 4, var, 0, 4);
        doubleT = w.floatType("double", 8);
        onlyUnion = w.union("only_union", 12, M.of("u_a", longT, 0), M.of("u_b", intT, 0));
        bigArray = w.array(char24, uintT, 10);
    }

    public byte[] bytes() {
        return w.build();
    }

    public byte[] bytes(ByteOrder order) {
        return w.build(order);
    }

    public Btf parse() {
        return Btf.parse(bytes());
    }

    /** The struct/member names that queries on the sample use (for properties). */
    public static final List<String[]> FIELDS = List.of(
            new String[]{"tcp_sock", "copied_seq"}, new String[]{"tcp_sock", "rcv_nxt"},
            new String[]{"tcp_sock", "sk.sk_rcvlowat"}, new String[]{"tcp_sock", "sk.__sk_common.skc_daddr_hi"},
            new String[]{"tcp_sock", "deep"}, new String[]{"tcp_sock", "old.y"}, new String[]{"sock", "sk_bits.b"},
            new String[]{"sock", "cb"}, new String[]{"sock_common", "skc_state"}, new String[]{"node", "next"},
            new String[]{"tcp_sock", "tail"}, new String[]{"tcp_sock", "head"});

    /** Everything the accessors say about every type, plus the queries, as text. */
    public static String dump(Btf b) {
        StringBuilder out = new StringBuilder();
        for (int id = 0; id <= b.typeCount(); id++) {
            BtfKind k = b.kind(id);
            out.append(id).append(' ').append(k).append(' ').append(b.name(id)).append(' ').append(b.kindFlag(id))
                    .append(' ').append(b.vlen(id)).append(' ').append(b.resolve(id)).append(' ').append(b.sizeOf(id));
            switch (k) {
                case INT -> out.append(b.intInfo(id));
                case ARRAY -> out.append(b.array(id));
                case STRUCT, UNION -> out.append(b.members(id));
                case ENUM, ENUM64 -> out.append(b.enumerators(id));
                case FUNC_PROTO -> out.append(b.params(id)).append(b.referencedType(id));
                case FUNC -> out.append(b.linkage(id)).append(b.referencedType(id)).append(b.declTags(id));
                case VAR -> out.append(b.linkage(id)).append(b.referencedType(id));
                case DATASEC -> out.append(b.datasecVars(id));
                case DECL_TAG -> out.append(b.declTagComponent(id)).append(b.referencedType(id));
                case PTR, TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG -> out.append(b.referencedType(id));
                default -> { }
            }
            out.append('\n');
        }
        List<String> queries = new ArrayList<>();
        for (String[] f : SampleBtf.FIELDS) {
            queries.add(b.field(f[0], f[1]).toString());
        }
        queries.add(b.enumValue(null, "OPS_TSTAMP_SENDMSG_CB") + " " + b.enumValue64(null, "E_NEG") + " "
                + b.funcId("bpf_cast_to_kern_ctx") + " " + b.structSize("tcp_sock"));
        return out + String.join("\n", queries);
    }
}
