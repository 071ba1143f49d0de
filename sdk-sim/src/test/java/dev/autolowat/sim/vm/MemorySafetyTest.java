package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
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
import static dev.autolowat.sim.vm.Asm.H;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every pointer knows its region; every access is checked; a violation aborts the invocation with
 * a {@link BpfVmException} that names the program counter, the instruction and the reason.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class MemorySafetyTest {
    /** Every test of this class runs once per execution mode (interpreter and translated code). */
    @Parameter
    VmOptions.ExecutionMode mode;

    private static final MapSpec ARRAY = new MapSpec("arr", MapType.ARRAY, 4, 16, 4);

    private BpfVmException abort(Asm asm, MapSpec... maps) {
        return VmHarness.raw(mode).abort(asm, maps);
    }

    private void assertAbort(Asm asm, int pc, String text, String reason, MapSpec... maps) {
        BpfVmException e = abort(asm, maps);
        assertEquals(pc, e.pc(), e.getMessage());
        assertTrue(e.instruction().contains(text), "instruction text '" + e.instruction() + "' should contain " + text);
        assertTrue(e.reason().contains(reason), "reason '" + e.reason() + "' should contain " + reason);
        assertTrue(e.getMessage().contains("pc " + pc) && e.getMessage().contains(e.instruction()), e.getMessage());
    }

    /** Main calls a subprogram with r1 = ctx: inside, the loader cannot know r1 is the context. */
    private static Asm viaSubprog(java.util.function.Consumer<Asm> body) {
        Asm a = new Asm().callLocal("f").exit().label("f");
        body.accept(a);
        return a;
    }

    @Test
    @DisplayName("stack: reads and writes outside the 512-byte frame abort; so do misaligned ones")
    void stackBounds() {
        assertAbort(new Asm().ldx(DW, 0, 10, 0).exit(), 0, "r0 = *(u64 *)(r10 +0)", "8 bytes at offset 512 of stack of frame 0");
        assertAbort(new Asm().st(W, 10, -516, 1).ret(0), 0, "*(u32 *)(r10 -516) = 1", "offset -4 of stack of frame 0");
        assertAbort(new Asm().mov64x(1, 10).add64(1, -1000).ldx(B, 0, 1, 0).exit(), 2, "r0 = *(u8 *)(r1 +0)",
                "stack of frame 0");
        assertAbort(new Asm().ldx(W, 0, 10, -6).exit(), 0, "r0 = *(u32 *)(r10 -6)", "misaligned stack access");
    }

    @Test
    @DisplayName("context: a moved ctx pointer, an unknown offset, a narrow load or a read-only field abort at run time")
    void contextAtRunTime() {
        assertAbort(new Asm().add64(1, 4).ldx(W, 0, 1, 0).exit(), 1, "r0 = *(u32 *)(r1 +0)", "modified ctx ptr");
        assertAbort(viaSubprog(a -> a.ldx(W, 0, 1, 400).exit()), 2, "r0 = *(u32 *)(r1 +400)", "outside the 224-byte struct");
        assertAbort(viaSubprog(a -> a.ldx(H, 0, 1, SockOpsCtx.RCV_NXT).exit()), 2, "(u16 *)(r1 +100)", "no narrow loads");
        assertAbort(viaSubprog(a -> a.st(W, 1, SockOpsCtx.RCV_NXT, 5).ret(0)), 2, "*(u32 *)(r1 +100) = 5",
                "bpf_sock_ops.rcv_nxt (off=100 size=4): the field is read-only");
        assertAbort(viaSubprog(a -> a.ldx(W, 0, 1, SockOpsCtx.SK).exit()), 2, "(u32 *)(r1 +184)", "one 8-byte load");
    }

    @Test
    @DisplayName("context: accesses through the unmodified ctx pointer are checked at load time")
    void contextAtLoadTime() {
        VmHarness h = VmHarness.raw(mode);
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                () -> h.load(new Asm().ldx(W, 0, 1, 2).exit()));
        assertTrue(e.getMessage().contains("pc 0") && e.getMessage().contains("r0 = *(u32 *)(r1 +2)")
                && e.getMessage().contains("misaligned"), e.getMessage());
        e = assertThrows(ProgramRejectedException.class,
                () -> h.load(new Asm().mov64x(6, 1).st(W, 6, SockOpsCtx.SND_NXT, 1).ret(0)));
        assertTrue(e.getMessage().contains("pc 1") && e.getMessage().contains("snd_nxt") && e.getMessage().contains("read-only"),
                e.getMessage());
        // a spill and fill keep the knowledge
        e = assertThrows(ProgramRejectedException.class,
                () -> h.load(new Asm().stx(DW, 10, 1, -8).ldx(DW, 2, 10, -8).ldx(H, 0, 2, SockOpsCtx.OP).exit()));
        assertTrue(e.getMessage().contains("pc 2"), e.getMessage());
        e = assertThrows(ProgramRejectedException.class,
                () -> h.load(new Asm().mov64(2, 1).atomic(W, 1, 2, SockOpsCtx.REPLY, ADD).ret(0)));
        assertTrue(e.getMessage().contains("BPF_ATOMIC stores into R1 ctx"), e.getMessage());
        // sock_ops_is_valid_access() takes narrow skb_tcp_flags loads at offset 212 only (ContextAccessTableTest)
        e = assertThrows(ProgramRejectedException.class,
                () -> h.load(new Asm().ldx(B, 0, 1, SockOpsCtx.SKB_TCP_FLAGS + 1).exit()));
        assertTrue(e.getMessage().contains("narrower loads must start at its first byte (offset 212)"), e.getMessage());
        // valid accesses load: whole fields, the narrow skb_tcp_flags, the writable reply and sk_txhash
        h.load(new Asm().ldx(W, 0, 1, SockOpsCtx.OP).ldx(B, 2, 1, SockOpsCtx.SKB_TCP_FLAGS)
                .ldx(DW, 3, 1, SockOpsCtx.BYTES_RECEIVED).st(W, 1, SockOpsCtx.REPLY, 7)
                .st(W, 1, SockOpsCtx.SK_TXHASH, 7).ret(0));
    }

    @Test
    @DisplayName("context: writes to reply are read back; reads come from the model")
    void contextValues() {
        VmHarness h = VmHarness.raw(mode);
        assertEquals(4, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.OP).exit()));
        assertEquals(h.socket.rcvNxt() & 0xffff_ffffL, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.RCV_NXT).exit()));
        assertEquals(7, h.run(new Asm().st(W, 1, SockOpsCtx.REPLY, 7).ldx(W, 0, 1, SockOpsCtx.REPLY).exit()));
        assertEquals(7, h.input.reply());
        assertEquals(2, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.FAMILY).exit()));
        assertEquals(0x0100007f, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.LOCAL_IP4).exit()));
        assertEquals(8080, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.LOCAL_PORT).exit()));
        assertEquals(1, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.IS_FULLSOCK).exit()));
        assertEquals(0, h.run(new Asm().ldx(DW, 0, 1, SockOpsCtx.SKB_DATA).exit()), "no segment: skb_data is NULL");
        // sk_txhash persists on the socket
        h.run(new Asm().st(W, 1, SockOpsCtx.SK_TXHASH, 0x1234).ret(0));
        assertEquals(0x1234, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.SK_TXHASH).exit()));
    }

    @Test
    @DisplayName("map values: a lookup's pointer reaches exactly value_size bytes; NULL must be checked")
    void mapValues() {
        Asm lookup = new Asm().st(W, 10, -4, 0).ldMap(1, 0).mov64x(2, 10).add64(2, -4).call(Helper.MAP_LOOKUP_ELEM.id());
        Asm ok = copy(lookup).jmp(JEQ, 0, 0, "null").st(DW, 0, 8, 42).ldx(DW, 0, 0, 8).exit().label("null").ret(99);
        assertEquals(42, VmHarness.raw(mode).run(ok, ARRAY));
        Asm past = copy(lookup).jmp(JEQ, 0, 0, "null").ldx(B, 0, 0, 16).exit().label("null").ret(99);
        BpfVmException e = abort(past, ARRAY);
        assertTrue(e.reason().contains("1 bytes at offset 16 of map value of 'arr'[0] (16 bytes)"), e.reason());
        Asm before = copy(lookup).jmp(JEQ, 0, 0, "null").add64(0, -1).ldx(B, 0, 0, 0).exit().label("null").ret(99);
        assertTrue(abort(before, ARRAY).reason().contains("offset -1"));
        // key 9 is outside the array: NULL, and dereferencing NULL aborts
        Asm nullDeref = new Asm().st(W, 10, -4, 9).ldMap(1, 0).mov64x(2, 10).add64(2, -4)
                .call(Helper.MAP_LOOKUP_ELEM.id()).ldx(W, 0, 0, 0).exit();
        e = abort(nullDeref, ARRAY);
        assertTrue(e.reason().contains("scalar") && e.reason().contains("0x0"), e.reason());
        // a map pointer cannot be dereferenced or moved
        assertTrue(abort(new Asm().ldMap(1, 0).ldx(W, 0, 1, 0).exit(), ARRAY).reason().contains("cannot be read"));
        assertTrue(abort(new Asm().ldMap(1, 0).add64(1, 8).ret(0), ARRAY).reason().contains("pointer arithmetic on map"));
    }

    private static Asm copy(Asm a) {
        Asm out = new Asm();
        for (var i : a.instructions()) {
            out.raw(i.opcode(), i.dst(), i.src(), i.offset(), i.constant());
        }
        for (var r : a.relocations()) {
            // relocations keep their slots: copy() is only used on a prefix
            if (r instanceof dev.autolowat.api.asm.Relocation.MapRef m) {
                out.relocations().add(m);
            }
        }
        return out;
    }

    @Test
    @DisplayName("a scalar used as a pointer aborts, naming the register and its value")
    void scalarAsPointer() {
        assertAbort(new Asm().mov64(3, 42).ldx(W, 0, 3, 0).exit(), 1, "r0 = *(u32 *)(r3 +0)",
                "r3 = 0x2a is a scalar, not a pointer");
        assertAbort(new Asm().mov64(3, 42).st(W, 3, 0, 1).ret(0), 1, "*(u32 *)(r3 +0) = 1", "scalar");
        // a pointer that went through 32-bit arithmetic is refused
        assertAbort(new Asm().mov64x(3, 10).alu32(ADD, 3, -8).ret(0), 1, "w3 += -8", "32-bit pointer arithmetic");
        assertAbort(new Asm().mov64x(3, 10).alu64(MUL, 3, 2).ret(0), 1, "r3 *= 2", "pointer arithmetic with *=");
    }

    @Test
    @DisplayName("registers start uninitialized; reading one (or r1-r5 after a call) aborts with !read_ok")
    void uninitialized() {
        assertAbort(new Asm().mov64x(0, 2).exit(), 0, "r0 = r2", "R2 !read_ok");
        assertAbort(new Asm().exit(), 0, "exit", "R0 !read_ok");
        assertAbort(new Asm().call(Helper.KTIME_GET_NS.id()).mov64x(0, 1).exit(), 1, "r0 = r1", "R1 !read_ok");
        assertEquals(VmHarness.CLOCK, VmHarness.raw(mode).run(new Asm().call(Helper.KTIME_GET_NS.id()).exit()));
    }

    @Test
    @DisplayName("pointers spill to the stack with 8-byte stores only, and do not leak into maps or the context")
    void spills() {
        // spill and fill the context pointer, then use it
        assertEquals(4, VmHarness.raw(mode).run(new Asm().stx(DW, 10, 1, -16).mov64(1, 0).ldx(DW, 6, 10, -16)
                .ldx(W, 0, 6, SockOpsCtx.OP).exit()));
        assertAbort(new Asm().stx(W, 10, 1, -16).ret(0), 0, "*(u32 *)(r10 -16) = r1", "invalid size of register spill");
        assertAbort(new Asm().stx(DW, 10, 1, -16).ldx(W, 0, 10, -16).exit(), 1, "r0 = *(u32 *)(r10 -16)",
                "invalid size of register fill");
        Asm leak = new Asm().st(W, 10, -4, 0).ldMap(1, 0).mov64x(2, 10).add64(2, -4).call(Helper.MAP_LOOKUP_ELEM.id())
                .jmp(JEQ, 0, 0, "n").stx(DW, 0, 10, 0).label("n").ret(0);
        assertTrue(abort(leak, ARRAY).reason().contains("leaks addr into map value"));
        assertTrue(abort(viaSubprog(a -> a.stx(W, 1, 10, SockOpsCtx.REPLY).ret(0))).reason()
                .contains("leaks addr into ctx"));
        assertTrue(abort(new Asm().mov64x(0, 10).exit()).reason().contains("R0 leaks addr as return value"));
    }

    @Test
    @DisplayName("atomics work on the stack and map values only, aligned")
    void atomicRegions() {
        assertTrue(abort(viaSubprog(a -> a.mov64(2, 1).atomic(W, 1, 2, 0, ADD).ret(0))).reason()
                .contains("BPF_ATOMIC stores into R1 context"));
        assertTrue(abort(new Asm().st(DW, 10, -8, 0).mov64(2, 1).atomic(W, 10, 2, -6, ADD).ret(0)).reason()
                .contains("misaligned"));
    }

    @Test
    @DisplayName("a program that aborts leaves its input as it was and can run again")
    void abortIsClean() {
        VmHarness h = VmHarness.raw(mode);
        VmProgram bad = h.load(new Asm().st(W, 1, SockOpsCtx.REPLY, 5).ldx(W, 0, 10, 0).exit());
        assertThrows(BpfVmException.class, () -> bad.runSockOps(h.input));
        assertThrows(BpfVmException.class, () -> bad.runSockOps(h.input));
        assertEquals(4, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.OP).exit()));
    }
}
