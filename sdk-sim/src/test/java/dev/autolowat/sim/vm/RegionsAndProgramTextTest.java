package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.autolowat.api.asm.Opcode.JGT;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.H;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VM's memory regions, program inputs and program descriptions: what a program reads and writes
 * through map values and contexts, and how the VM names instructions and regions in its messages.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class RegionsAndProgramTextTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    @Test
    @DisplayName("addresses: every region gets its own, STEP apart and upwards; past the top of the address space they start again")
    void addresses() {
        AddressSpace a = new AddressSpace();
        long first = a.allocate();
        assertEquals(0xffff_8880_0000_0000L, first);
        assertEquals(first + (1L << 24), a.allocate());
        assertEquals(first + (2L << 24), a.allocate());
        // (2^64 - FIRST) / STEP = 0x778000 regions fit below the top; the next one wraps back to FIRST
        AddressSpace b = new AddressSpace();
        long last = 0;
        for (int i = 0; i < 0x778000; i++) {
            last = b.allocate();
        }
        assertEquals(-(1L << 24), last, "the last region below 2^64");
        assertEquals(first, b.allocate(), "wrapped: not 0, not a user-space address");
    }

    @Test
    @DisplayName("map values: a 2-byte store lands (little-endian), an atomic add on the value's last 8 bytes is in bounds")
    void mapValueStores() {
        MapSpec arr = new MapSpec("a", MapType.ARRAY, 4, 16, 1);
        VmHarness h = VmHarness.raw(mode);
        Asm a = new Asm().st(W, 10, -4, 0).ldMap(1, 0).mov64x(2, 10).add64(2, -4)
                .call(dev.autolowat.api.asm.Helper.MAP_LOOKUP_ELEM.id()).jmp(Opcode.JEQ, 0, 0, "null")
                .st(H, 0, 2, 0x1234)
                .mov64(1, 5).atomic(DW, 0, 1, 8, Opcode.ADD)
                .atomic(DW, 0, 1, 8, Opcode.ADD)
                .ret(0).label("null").ret(-1);
        assertEquals(0, h.run(a, arr));
        byte[] v = h.maps.view("a").lookup(0);
        assertArrayEquals(new byte[] {0, 0, 0x34, 0x12, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0}, v);
    }

    @Test
    @DisplayName("context: a store through a moved ctx pointer aborts (the kernel: \"dereference of modified ctx ptr\")")
    void storeThroughMovedContext() {
        VmHarness h = VmHarness.raw(mode);
        h.assertAbortReason(new Asm().add64(1, 4).st(W, 1, SockOpsCtx.REPLY - 4, 1).ret(0), "modified ctx ptr");
    }

    private static Asm optvalBounds(int need) {
        // r0 = 1 when optval + need <= optval_end
        return new Asm().ldx(DW, 2, 1, SockoptCtx.OPTVAL).ldx(DW, 3, 1, SockoptCtx.OPTVAL_END)
                .add64(2, need).mov64(0, 1).jmpx(JGT, 2, 3, "short").exit().label("short").ret(0);
    }

    @Test
    @DisplayName("setsockopt: optval_end is optval + 16 (max(16, optlen) in __cgroup_bpf_run_filter_setsockopt)")
    void optvalEnd() {
        VmHarness h = VmHarness.raw(mode);
        SockoptInput in = new SockoptInput().set(h.socket, h.info, 1, 18, 5);
        assertEquals(1, h.load(ProgramType.CGROUP_SETSOCKOPT, "GPL", optvalBounds(16)).runSockopt(in));
        assertEquals(0, h.load(ProgramType.CGROUP_SETSOCKOPT, "GPL", optvalBounds(17)).runSockopt(in));
        assertSame(h.socket, in.socket());
    }

    @Test
    @DisplayName("setsockopt: every call starts with a zeroed optval buffer past the option (struct bpf_sockopt_buf buf = {}), "
            + "whatever the previous call's programs wrote there")
    void optvalBufferIsZeroedPerCall() {
        VmHarness h = VmHarness.raw(mode);
        Asm write = new Asm().ldx(DW, 2, 1, SockoptCtx.OPTVAL).ldx(DW, 3, 1, SockoptCtx.OPTVAL_END)
                .mov64x(4, 2).add64(4, 16).jmpx(JGT, 4, 3, "short").st(B, 2, 8, 0x55)
                .label("short").ret(1);
        Asm read = new Asm().ldx(DW, 2, 1, SockoptCtx.OPTVAL).ldx(DW, 3, 1, SockoptCtx.OPTVAL_END)
                .mov64x(4, 2).add64(4, 16).jmpx(JGT, 4, 3, "short").ldx(B, 0, 2, 8).exit()
                .label("short").ret(-1);
        VmProgram w = h.load(ProgramType.CGROUP_SETSOCKOPT, "GPL", write);
        VmProgram r = h.load(ProgramType.CGROUP_SETSOCKOPT, "GPL", read);
        SockoptInput in = new SockoptInput();
        w.runSockopt(in.set(h.socket, h.info, 1, 18, 5));
        assertEquals(0x55, r.runSockopt(in), "the same call sees the write");
        assertEquals(0, r.runSockopt(in.set(h.socket, h.info, 1, 18, 5)), "the next call does not");
    }

    @Test
    @DisplayName("sock_ops skb_tcp_flags: ACK, PSH only with payload, FIN (a pure ACK has no PSH)")
    void tcpFlags() {
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(new Asm().ldx(W, 0, 1, SockOpsCtx.SKB_TCP_FLAGS).exit());
        assertEquals(0x10, p.runSockOps(h.input.set(h.socket, h.info, 21).segment(1001, 1001, false, 0)));
        assertEquals(0x18, p.runSockOps(h.input.set(h.socket, h.info, 21).segment(1001, 1002, false, 1)));
        assertEquals(0x11, p.runSockOps(h.input.set(h.socket, h.info, 21).segment(1001, 1002, true, 0)));
    }

    @Test
    @DisplayName("a program describes itself: name, type, maps, the text of its instructions (map loads, global data, kfunc calls)")
    void programText() {
        VmHarness h = VmHarness.raw(mode);
        MapSpec hash = new MapSpec("m", MapType.HASH, 4, 8, 2);
        MapSpec data = MapSpec.globalData("g.data", new byte[8], false);
        VmProgram p = h.load(new Asm().ldMap(3, 0).ldMapValue(2, 1, 4).callKfunc("bpf_cast_to_kern_ctx").ret(0), hash, data);
        assertEquals("test_prog", p.name());
        assertEquals(ProgramType.SOCK_OPS, p.type());
        assertFalse(p.isRaw());
        assertEquals(List.of("m", "g.data"), p.mapNames());
        assertEquals(7, p.slots());
        assertEquals("r3 = map[m]", p.text(0));
        assertEquals("r2 = &map value of 'g.data'[0] +4", p.text(2));
        assertTrue(p.text(4).contains("bpf_cast_to_kern_ctx"), p.text(4));
        assertEquals("(pc outside the program)", p.text(7));
        assertEquals("(pc outside the program)", p.text(-1));
        assertEquals("VmProgram[test_prog, SOCK_OPS, 7 slots]", p.toString());
        VmProgram raw = VmLoader.loadRaw("r", new Asm().ret(0).build(), 24, new VmOptions(true, () -> 1, false, mode));
        assertTrue(raw.isRaw());
        assertEquals(24, raw.rawMemorySize());
        assertEquals("VmProgram[r, raw, 2 slots]", raw.toString());
    }

    @Test
    @DisplayName("kfunc ids: distinct, and each resolves back to its kfunc (how instruction texts name a kfunc call)")
    void kfuncIds() {
        Set<Integer> ids = new HashSet<>();
        for (Kfunc k : Kfunc.values()) {
            assertSame(k, Kfunc.ofId(k.id()), k.kernelName());
            assertTrue(ids.add(k.id()), "duplicate id " + k.id());
        }
        assertEquals(null, Kfunc.ofId(-12345));
    }

    @Test
    @DisplayName("a kfunc argument that was never written is named as an uninitialized register in the abort")
    void uninitializedKfuncArgument() {
        // r2 (bpf_rdonly_cast's BTF type id) is never set: the abort describes its tag (Vm.UNINIT)
        VmHarness.raw(mode).assertAbortReason(new Asm().callKfunc("bpf_rdonly_cast").ret(0),
                "R2 type=uninitialized register");
    }

    @Test
    @DisplayName("a region prints as its description (the text fault messages use)")
    void regionText() {
        VmMaps maps = new VmMaps();
        MapSpec arr = new MapSpec("a", MapType.ARRAY, 4, 8, 2);
        maps.check("p", List.of(arr));
        ArrayMap m = (ArrayMap) maps.resolve(List.of(arr)).get(0);
        assertEquals("map value of 'a'[1]", m.element(1).toString());
        assertNotEquals(m.element(0).base, m.element(1).base);
    }
}
