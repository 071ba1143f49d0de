package dev.autolowat.sim.vm;

import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run-time argument checks of helpers and kfuncs (the kernel verifier's check_helper_call /
 * check_kfunc_args: ARG_PTR_TO_CTX, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_CONST_MAP_PTR of an allowed
 * map type, memory arguments inside their region and writable when written) and the values the
 * helpers return, in both execution modes.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class HelperArgumentsTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    private BpfVmException abort(Asm asm, MapSpec... maps) {
        return VmHarness.raw(mode).abort(asm, maps);
    }

    private void assertAbort(Asm asm, String reason, MapSpec... maps) {
        VmHarness.raw(mode).assertAbortReason(asm, reason, maps);
    }

    @Test
    @DisplayName("ARG_PTR_TO_CTX: helpers and kfuncs that take the context refuse any other pointer (here r10)")
    void contextArguments() {
        assertAbort(new Asm().mov64x(1, 10).mov64(2, 0).call(Helper.SOCK_OPS_CB_FLAGS_SET.id()).exit(),
                "expected=ctx for bpf_sock_ops_cb_flags_set");
        assertAbort(new Asm().mov64x(1, 10).mov64(2, 0).mov64x(3, 10).add64(3, -8).mov64(4, 4)
                .call(Helper.SKB_LOAD_BYTES.id()).exit(), "expected=ctx for bpf_skb_load_bytes");
        for (Helper h : new Helper[] {Helper.SETSOCKOPT, Helper.GETSOCKOPT}) {
            assertAbort(new Asm().st(DW, 10, -8, 0).mov64x(1, 10).mov64(2, SockOpt.SOL_SOCKET)
                    .mov64(3, SockOpt.SO_RCVLOWAT).mov64x(4, 10).add64(4, -8).mov64(5, 4).call(h.id()).exit(),
                    "expected=ctx for " + h.kernelName());
        }
        assertAbort(new Asm().mov64x(1, 10).callKfunc("bpf_cast_to_kern_ctx").ret(0),
                "expected=ctx for bpf_cast_to_kern_ctx");
        assertAbort(new Asm().mov64x(1, 10).mov64(2, 1).callKfunc("bpf_sock_ops_tcp_set_rcvlowat").exit(),
                "expected=ctx for bpf_sock_ops_tcp_set_rcvlowat");
    }

    @Test
    @DisplayName("sock_common arguments: NULL is named as NULL (check it first), a scalar as a scalar")
    void socketArguments() {
        BpfVmException e = abort(new Asm().mov64(1, 0).call(Helper.SKC_TO_TCP_SOCK.id()).exit());
        assertTrue(e.reason().contains("type=NULL expected=btf_id sock_common for bpf_skc_to_tcp_sock")
                && e.reason().contains("check the pointer against NULL first"), e.getMessage());
        e = abort(new Asm().mov64(1, 5).call(Helper.SKC_TO_TCP_SOCK.id()).exit());
        assertTrue(e.reason().contains("type=scalar expected=btf_id sock_common")
                && !e.reason().contains("NULL"), e.getMessage());
        MapSpec st = new MapSpec("st", MapType.SK_STORAGE, 4, 8, 0);
        assertAbort(new Asm().ldMap(1, 0).mov64(2, 0).call(Helper.SK_STORAGE_DELETE.id()).exit(),
                "expected=btf_id sock_common for bpf_sk_storage_delete", st);
    }

    @Test
    @DisplayName("map helpers take ARRAY and HASH maps only: an sk_storage map is refused by lookup, update and delete")
    void mapKinds() {
        MapSpec st = new MapSpec("st", MapType.SK_STORAGE, 4, 8, 0);
        Asm key = new Asm().st(DW, 10, -8, 0).st(DW, 10, -16, 0);
        assertAbort(key.ldMap(1, 0).mov64x(2, 10).add64(2, -8).call(Helper.MAP_LOOKUP_ELEM.id()).ret(0),
                "into func bpf_map_lookup_elem", st);
        key = new Asm().st(DW, 10, -8, 0).st(DW, 10, -16, 0);
        assertAbort(key.ldMap(1, 0).mov64x(2, 10).add64(2, -8).mov64x(3, 10).add64(3, -16).mov64(4, 0)
                .call(Helper.MAP_UPDATE_ELEM.id()).ret(0), "into func bpf_map_update_elem", st);
        key = new Asm().st(DW, 10, -8, 0);
        assertAbort(key.ldMap(1, 0).mov64x(2, 10).add64(2, -8).call(Helper.MAP_DELETE_ELEM.id()).ret(0),
                "into func bpf_map_delete_elem", st);
    }

    @Test
    @DisplayName("map helpers return the kernel's errors: update with unknown flags -EINVAL, NOEXIST on an array -EEXIST, delete of an absent key -ENOENT")
    void mapHelperResults() {
        MapSpec array = new MapSpec("a", MapType.ARRAY, 4, 8, 2);
        MapSpec hash = new MapSpec("h", MapType.HASH, 4, 8, 2);
        VmHarness h = VmHarness.raw(mode);
        java.util.function.IntFunction<Asm> update = flags -> new Asm().st(DW, 10, -8, 0).st(DW, 10, -16, 7)
                .ldMap(1, 0).mov64x(2, 10).add64(2, -8).mov64x(3, 10).add64(3, -16).mov64(4, flags)
                .call(Helper.MAP_UPDATE_ELEM.id()).exit();
        assertEquals(0, h.run(update.apply(0), array));
        assertEquals(-22, h.run(update.apply(4), array), "unknown flags: -EINVAL");
        assertEquals(-17, h.run(update.apply(1), array), "BPF_NOEXIST on an array element: -EEXIST");
        Asm delete = new Asm().st(DW, 10, -8, 1).ldMap(1, 0).mov64x(2, 10).add64(2, -8)
                .call(Helper.MAP_DELETE_ELEM.id()).exit();
        assertEquals(-22, h.run(delete, array), "delete from an array: -EINVAL");
        assertEquals(-2, h.run(delete, hash), "delete of an absent key: -ENOENT");
    }

    @Test
    @DisplayName("memory arguments: a key running past its region aborts; get-type helpers may not write into read-only memory")
    void memoryArguments() {
        MapSpec array = new MapSpec("a", MapType.ARRAY, 4, 8, 2);
        // the 4-byte key at r10 - 2 runs 2 bytes past the frame
        assertAbort(new Asm().st(B, 10, -1, 0).st(B, 10, -2, 0).ldMap(1, 0).mov64x(2, 10).add64(2, -2)
                .call(Helper.MAP_LOOKUP_ELEM.id()).ret(0), "the key of bpf_map_lookup_elem", array);
        // bpf_getsockopt writes its optval: a frozen (.rodata) map value is refused; bpf_setsockopt reads it
        MapSpec ro = MapSpec.globalData("g.rodata", new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, true);
        assertAbort(new Asm().ldMapValue(4, 0, 0).mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT)
                .mov64(5, 4).call(Helper.GETSOCKOPT.id()).exit(), "cannot write", ro);
        assertEquals(0, VmHarness.raw(mode).run(new Asm().ldMapValue(4, 0, 0).mov64(2, SockOpt.SOL_SOCKET)
                .mov64(3, SockOpt.SO_RCVLOWAT).mov64(5, 4).call(Helper.SETSOCKOPT.id()).exit(), ro));
        // optlen must be positive
        assertAbort(new Asm().st(DW, 10, -8, 0).mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT)
                .mov64x(4, 10).add64(4, -8).mov64(5, 0).call(Helper.SETSOCKOPT.id()).exit(), "R5 invalid zero-sized optlen 0");
        assertAbort(new Asm().st(DW, 10, -8, 0).mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT)
                .mov64x(4, 10).add64(4, -8).mov64(5, -1).call(Helper.SETSOCKOPT.id()).exit(), "R5 invalid negative optlen -1");
    }

    @Test
    @DisplayName("bpf_getsockopt into a stack slot that held a spilled pointer leaves data there: reading it back is a scalar")
    void getsockoptClobbersSpilledPointer() {
        // spill r10 at r10 - 8, getsockopt(SO_RCVLOWAT) writes 4 bytes over it, the fill gives a scalar
        // (with the pointer kept, "exit" would abort: R0 leaks addr)
        long r0 = VmHarness.raw(mode).run(new Asm().stx(DW, 10, 10, -8).mov64(2, SockOpt.SOL_SOCKET)
                .mov64(3, SockOpt.SO_RCVLOWAT).mov64x(4, 10).add64(4, -8).mov64(5, 4).call(Helper.GETSOCKOPT.id())
                .ldx(DW, 0, 10, -8).exit());
        assertEquals(1, r0 & 0xffff_ffffL, "SO_RCVLOWAT's default, 1, in the low 4 bytes");
    }

    @Test
    @DisplayName("helper results reach r0: bpf_skb_load_bytes without a segment (H1's segment access) -EFAULT (destination zeroed), getsockopt of an unknown option, cb_flags_set of unknown flags")
    void helperResults() {
        VmHarness h = VmHarness.raw(mode);
        // no segment on this op: -EFAULT, and the 4 destination bytes are zeroed (kernel: memset on error)
        assertEquals(0, h.run(new Asm().mov64(2, -1).stx(DW, 10, 2, -8).mov64(2, 0).mov64x(3, 10).add64(3, -8)
                .mov64(4, 4).call(Helper.SKB_LOAD_BYTES.id()).ldx(W, 0, 10, -8).exit()));
        assertEquals(-14, h.run(new Asm().st(DW, 10, -8, 0).mov64(2, 0).mov64x(3, 10).add64(3, -8)
                .mov64(4, 4).call(Helper.SKB_LOAD_BYTES.id()).exit()));
        long get = h.run(new Asm().st(DW, 10, -8, 0).mov64(2, SockOpt.SOL_SOCKET).mov64(3, 9999)
                .mov64x(4, 10).add64(4, -8).mov64(5, 4).call(Helper.GETSOCKOPT.id()).exit());
        assertTrue(get < 0, "unknown option: an error, " + get);
        long set = h.run(new Asm().st(DW, 10, -8, 0).mov64(2, SockOpt.SOL_SOCKET).mov64(3, 9999)
                .mov64x(4, 10).add64(4, -8).mov64(5, 4).call(Helper.SETSOCKOPT.id()).exit());
        assertTrue(set < 0, "unknown option: an error, " + set);
        long flags = h.run(new Asm().mov64(2, 0x4000).call(Helper.SOCK_OPS_CB_FLAGS_SET.id()).exit());
        assertTrue(flags != 0, "unknown flags are refused: " + flags);
    }

    @Test
    @DisplayName("atomics: without BPF_FETCH the source register keeps its value; with it, it gets the old value")
    void atomicFetch() {
        VmHarness h = VmHarness.raw(mode);
        assertEquals(3, h.run(new Asm().st(DW, 10, -8, 5).mov64(2, 3).atomic(DW, 10, 2, -8, ADD).mov64x(0, 2).exit()));
        assertEquals(5, h.run(new Asm().st(DW, 10, -8, 5).mov64(2, 3).atomic(DW, 10, 2, -8, ADD | FETCH)
                .mov64x(0, 2).exit()));
        assertEquals(8, h.run(new Asm().st(DW, 10, -8, 5).mov64(2, 3).atomic(DW, 10, 2, -8, ADD)
                .ldx(DW, 0, 10, -8).exit()));
    }

    @Test
    @DisplayName("stores: an uninitialized source register faults (stack and map value); a pointer may be spilled to the stack only")
    void storeSources() {
        MapSpec array = new MapSpec("a", MapType.ARRAY, 4, 8, 1);
        for (int size : new int[] {W, DW}) {
            assertAbort(new Asm().stx(size, 10, 6, -8).ret(0), "R6 !read_ok");
            // r7 = &a[0] (NULL checked), then *(r7) = r6 (uninitialized), = r10 (a pointer), = 1 (fine)
            java.util.function.Function<java.util.function.Consumer<Asm>, Asm> value = body -> {
                Asm a = new Asm().st(DW, 10, -8, 0).ldMap(1, 0).mov64x(2, 10).add64(2, -8)
                        .call(Helper.MAP_LOOKUP_ELEM.id()).jmp(JEQ, 0, 0, "out").mov64x(7, 0);
                body.accept(a);
                return a.label("out").ret(0);
            };
            assertAbort(value.apply(a -> a.stx(size, 7, 6, 0)), "R6 !read_ok", array);
            assertAbort(value.apply(a -> a.stx(size, 7, 10, 0)), "leaks addr into", array);
            assertEquals(0, VmHarness.raw(mode).run(value.apply(a -> a.mov64(6, 1).stx(size, 7, 6, 0)), array));
        }
        // a spilled pointer fills back as the pointer: *(r10 - 8) = r10; r6 = *(r10 - 8); r0 = *(r6 - 16)
        assertEquals(7, VmHarness.raw(mode).run(new Asm().st(DW, 10, -16, 7).stx(DW, 10, 10, -8).ldx(DW, 6, 10, -8)
                .ldx(DW, 0, 6, -16).exit()));
    }

    @Test
    @DisplayName("K1: a kfunc's scalar result (-EOPNOTSUPP outside op 21) makes r0 a scalar, whatever r0 held before the call")
    void kfuncResultIsScalar() {
        // r0 = r10 (a pointer), then bpf_sock_ops_tcp_set_rcvlowat returns an int (here -EOPNOTSUPP outside op 21)
        long r0 = VmHarness.raw(mode).run(new Asm().mov64x(0, 10).mov64(2, 1).callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .exit());
        assertEquals(-95, (int) r0, "an int result: -EOPNOTSUPP in the low 32 bits");
    }

    @Test
    @DisplayName("H1's segment access: bpf_skb_load_bytes without a segment zeroes its destination: a pointer spilled there is gone")
    void skbLoadBytesClobbersSpilledPointer() {
        long r0 = VmHarness.raw(mode).run(new Asm().stx(DW, 10, 10, -8).mov64(2, 0).mov64x(3, 10).add64(3, -8)
                .mov64(4, 4).call(Helper.SKB_LOAD_BYTES.id()).ldx(DW, 0, 10, -8).alu64(RSH, 0, 32).alu64(RSH, 0, 32).exit());
        assertEquals(0, r0);
    }

    @Test
    @DisplayName("map values returned by helpers keep apart: two lookups in one invocation, on every invocation")
    void twoMapValuesPerInvocation() {
        MapSpec a = new MapSpec("a", MapType.ARRAY, 4, 8, 1);
        MapSpec b = new MapSpec("b", MapType.ARRAY, 4, 8, 1);
        VmHarness h = VmHarness.raw(mode);
        // r6 = &a[0], r7 = &b[0]; *r6 = 1; *r7 = 2; r0 = *r6 * 10 + *r7
        VmProgram p = h.load(new Asm().st(DW, 10, -8, 0)
                .ldMap(1, 0).mov64x(2, 10).add64(2, -8).call(Helper.MAP_LOOKUP_ELEM.id()).jmp(JEQ, 0, 0, "out").mov64x(6, 0)
                .ldMap(1, 1).mov64x(2, 10).add64(2, -8).call(Helper.MAP_LOOKUP_ELEM.id()).jmp(JEQ, 0, 0, "out").mov64x(7, 0)
                .st(DW, 6, 0, 1).st(DW, 7, 0, 2).ldx(DW, 0, 6, 0).alu64(MUL, 0, 10).ldx(DW, 1, 7, 0).alu64x(ADD, 0, 1)
                .exit().label("out").ret(-1), a, b);
        for (int run = 0; run < 3; run++) {
            assertEquals(12, p.runSockOps(h.input), "run " + run);
        }
    }

    @Test
    @DisplayName("a program may load many maps' values (LD_IMM64 of 20 global-data maps): each keeps its own")
    void manyMapValues() {
        MapSpec[] maps = new MapSpec[20];
        Asm asm = new Asm().mov64(0, 0);
        for (int i = 0; i < maps.length; i++) {
            maps[i] = MapSpec.globalData("g" + i + ".data", new byte[] {(byte) i, 0, 0, 0, 0, 0, 0, 0}, false);
            asm.ldMapValue(1, i, 0).ldx(DW, 2, 1, 0).alu64x(ADD, 0, 2);
        }
        // the same map's value twice: one region
        asm.ldMapValue(3, 19, 0).ldMapValue(4, 19, 0).alu64x(SUB, 3, 4).alu64x(ADD, 0, 3);
        assertEquals(190, VmHarness.raw(mode).run(asm.exit(), maps));
    }

    @Test
    @DisplayName("an atomic on a never-written stack slot is undone by the next invocation's stack reset")
    void atomicDirtiesTheStack() {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(new Asm().mov64(2, 1).atomic(DW, 10, 2, -8, ADD).ldx(DW, 0, 10, -8).exit());
        assertEquals(1, p.runSockOps(h.input));
        assertEquals(1, p.runSockOps(h.input));
    }

    @Test
    @DisplayName("every invocation starts from a zeroed stack: what one run stored is gone in the next")
    void stackIsResetBetweenInvocations() {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(new Asm().st(DW, 10, -16, 0).ldx(DW, 0, 10, -8).st(DW, 10, -8, 9).exit());
        long first = p.runSockOps(h.input);
        assertEquals(first, p.runSockOps(h.input), "the second run sees the same stack as the first");
        assertEquals(0, first);
    }
}
