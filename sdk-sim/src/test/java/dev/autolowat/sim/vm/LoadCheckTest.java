package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.kernel.SimKernel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VM's load-time checks: each rejection names the program counter, the instruction and the reason. */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class LoadCheckTest {
    /** Every test of this class runs once per execution mode (interpreter and translated code). */
    @Parameter
    VmOptions.ExecutionMode mode;

    private ProgramRejectedException reject(Asm asm, MapSpec... maps) {
        return reject(ProgramType.SOCK_OPS, "GPL", asm, maps);
    }

    private ProgramRejectedException reject(ProgramType type, String license, Asm asm, MapSpec... maps) {
        VmHarness h = VmHarness.raw(mode);
        return assertThrows(ProgramRejectedException.class, () -> h.load(type, license, asm, maps));
    }

    private void assertRejected(Asm asm, int pc, String... words) {
        assertRejected(reject(asm), pc, words);
    }

    private static void assertRejected(ProgramRejectedException e, int pc, String... words) {
        String m = e.getMessage();
        assertTrue(m.contains("program 'test_prog'"), m);
        if (pc >= 0) {
            assertTrue(m.contains("at pc " + pc + " ("), "expected pc " + pc + ": " + m);
        }
        for (String w : words) {
            assertTrue(m.contains(w), "expected '" + w + "' in: " + m);
        }
    }

    @Test
    @DisplayName("unknown opcodes are rejected")
    void unknownOpcodes() {
        assertRejected(new Asm().raw(0xe7, 0, 0, 0, 0).ret(0), 0, "invalid BPF_ALU opcode");
        assertRejected(new Asm().raw(JMP | 0xe0, 0, 0, 0, 0).ret(0), 0, "unknown opcode 0xe5");
        assertRejected(new Asm().raw(LD | W | IMM, 0, 0, 0, 0).ret(0), 0, "unknown opcode 0x00");
        assertRejected(new Asm().raw(LDX | MEMSX | DW, 0, 1, 0, 0).ret(0), 0, "no sign-extending 8-byte load");
        assertRejected(new Asm().raw(LD | ABS | W, 0, 0, 0, 0).ret(0), 0, "BPF_LD_[ABS|IND]");
        assertRejected(new Asm().raw(STX | ATOMIC | B, 10, 1, -8, ADD).ret(0), 0, "invalid atomic operand size");
        assertRejected(new Asm().raw(STX | ATOMIC | DW, 10, 1, -8, 0x50 | 0x02).ret(0), 0, "invalid atomic opcode");
        assertRejected(new Asm().raw(ALU64 | NEG | X, 0, 1, 0, 0).ret(0), 0, "BPF_NEG uses reserved fields");
        assertRejected(new Asm().raw(ALU64 | END | X, 0, 0, 0, 16).ret(0), 0, "BPF_END uses reserved fields");
        assertRejected(new Asm().raw(ALU | END | K, 0, 0, 0, 8).ret(0), 0, "BPF_END uses reserved fields");
        assertRejected(new Asm().raw(ALU | END | X, 0, 1, 0, 16).ret(0), 0, "BPF_END uses reserved fields");
        assertRejected(new Asm().raw(ALU | END | X, 0, 0, 1, 16).ret(0), 0, "BPF_END uses reserved fields");
        assertRejected(new Asm().raw(ALU64 | ADD | X, 0, 1, 1, 0).ret(0), 0, "BPF_ALU uses reserved fields");
        assertRejected(new Asm().raw(ALU | MOV | X, 0, 1, 32, 0).ret(0), 0, "BPF_MOV uses reserved fields");
        assertRejected(new Asm().raw(JMP32 | EXIT, 0, 0, 0, 0), 0, "BPF_EXIT uses reserved fields");
        assertRejected(new Asm().raw(JMP | JEQ | K, 0, 1, 0, 0).ret(0), 0, "BPF_JMP/JMP32 uses reserved fields");
    }

    @Test
    @DisplayName("a byte swap's X bit is its byte order, not a register source: be16/32/64 load with r0 uninitialized")
    void byteSwapSourceBitIsNotARegister() {
        for (int bits : new int[] {16, 32, 64}) {
            for (int code : new int[] {ALU | END | K, ALU | END | X, ALU64 | END | K}) {
                // r0 is read by nothing before the swap; the loader must not check it as a source
                VmHarness.raw(mode).load(new Asm().mov64(9, 1).raw(code, 9, 0, 0, bits).mov64x(0, 9).exit());
            }
        }
    }

    @Test
    @DisplayName("registers must be r0..r10, and r10 is read-only")
    void registers() {
        assertRejected(new Asm().raw(ALU64 | MOV | K, 11, 0, 0, 1).ret(0), 0, "R11 is invalid");
        assertRejected(new Asm().raw(ALU64 | ADD | X, 0, 12, 0, 0).ret(0), 0, "R12 is invalid");
        assertRejected(new Asm().raw(LDX | MEM | W, 0, 15, 0, 0).ret(0), 0, "R15 is invalid");
        assertRejected(new Asm().mov64(10, 0).ret(0), 0, "frame pointer is read only");
        assertRejected(new Asm().add64(10, -8).ret(0), 0, "frame pointer is read only");
        assertRejected(new Asm().ldx(DW, 10, 1, 0).ret(0), 0, "frame pointer is read only");
        assertRejected(new Asm().ldImm64(10, 5).ret(0), 0, "frame pointer is read only");
        assertRejected(new Asm().st(DW, 10, -8, 0).atomic(DW, 10, 10, -8, ADD | FETCH).ret(0), 1,
                "frame pointer is read only");
        // the base register of every store form (kernel: check_reg_arg(dst_reg, SRC_OP) in BPF_ST/BPF_STX)
        assertRejected(new Asm().st(W, 11, 0, 1).ret(0), 0, "R11 is invalid");
        assertRejected(new Asm().stx(W, 12, 1, 0).ret(0), 0, "R12 is invalid");
        assertRejected(new Asm().atomic(DW, 13, 1, 0, ADD).ret(0), 0, "R13 is invalid");
        // the rejection names the instruction, at pc 0 too
        assertRejected(new Asm().mov64(10, 0).ret(0), 0, "at pc 0 ((b7) r10 = 0)");
    }

    @Test
    @DisplayName("context analysis: a fetching atomic replaces its source (cmpxchg: r0), so a later access through it is not checked as a ctx access")
    void fetchReplacesTheContextPointer() {
        // The accesses at offset 1000 would be refused at load if the register still held the ctx
        // (as "ldx r0, [r1 + 1000]" is); after BPF_FETCH it holds the old memory value, which the
        // VM checks when the access runs (here never: r3 == 0 skips it).
        VmHarness h = VmHarness.raw(mode);
        assertEquals(0, h.load(new Asm().mov64x(2, 1).st(DW, 10, -8, 0).mov64(3, 0).jmp(JEQ, 3, 0, "out")
                .atomic(DW, 10, 2, -8, ADD | FETCH).ldx(W, 0, 2, 1000).label("out").ret(0)).runSockOps(h.input));
        assertEquals(0, h.load(new Asm().mov64x(0, 1).st(DW, 10, -8, 0).mov64(3, 0).jmp(JEQ, 3, 0, "out")
                .atomic(DW, 10, 3, -8, CMPXCHG).ldx(W, 4, 0, 1000).label("out").ret(0)).runSockOps(h.input));
        // without the fetch, the ctx copy in r2 is still the ctx
        assertRejected(new Asm().mov64x(2, 1).st(DW, 10, -8, 0).mov64(3, 0).jmp(JEQ, 3, 0, "out")
                .atomic(DW, 10, 3, -8, ADD).ldx(W, 0, 2, 1000).label("out").ret(0), 5, "r0 = *(u32 *)(r2 +1000)");
    }

    @Test
    @DisplayName("a non-fetching atomic only reads its source: r10 as the source loads, and its address is refused when it runs")
    void atomicSourceWithoutFetch() {
        // kernel check_atomic: the source of BPF_ADD without BPF_FETCH is SRC_OP only (no write); that it
        // is a pointer is refused as "R10 leaks addr into mem", which the VM checks when the store runs
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(new Asm().st(DW, 10, -8, 0).atomic(DW, 10, 10, -8, ADD).ret(0));
        BpfVmException e = assertThrows(BpfVmException.class, () -> p.runSockOps(h.input));
        assertEquals(1, e.pc(), e.getMessage());
        assertTrue(e.reason().contains("R10 leaks addr into mem"), e.getMessage());
    }

    @Test
    @DisplayName("jumps stay inside the program and its subprogram, never into an LD_IMM64's second slot")
    void jumps() {
        assertRejected(new Asm().raw(JMP | JA, 0, 0, 5, 0).ret(0), 0, "jump out of range from insn 0 to 6");
        assertRejected(new Asm().raw(JMP | JEQ | K, 1, 0, -3, 0).ret(0), 0, "jump out of range from insn 0 to -2");
        assertRejected(new Asm().raw(JMP32 | JA, 0, 0, 0, 100).ret(0), 0, "jump out of range");
        assertRejected(new Asm().mov64(0, 0).raw(JMP | JEQ | K, 0, 0, 1, 0).ldImm64(0, 1).exit(), 1,
                "jump into the middle of ldimm64 insn 2");
        // the first slot past the end is out of range (n = 3)
        assertRejected(new Asm().raw(JMP | JA, 0, 0, 2, 0).ret(0), 0, "jump out of range from insn 0 to 3");
        // a back edge to pc 0 is a jump inside the program (bounded loops; the kernel since 5.3): it loads
        assertEquals(0, VmHarness.raw(mode).run(new Asm().mov64(0, 0).raw(JMP | JEQ | K, 0, 0, -2, 1).exit()));
        // bpf-to-bpf calls: the target's range (pc n is outside), the entry (recursion) and LD_IMM64's second slot
        assertRejected(new Asm().raw(JMP | CALL, 0, PSEUDO_CALL, 0, 2).ret(0), 0, "call to pc 3 is outside the 3-slot program");
        assertRejected(new Asm().callLocal("f").exit().label("f").raw(JMP | CALL, 0, PSEUDO_CALL, 0, -3).exit(), 2,
                "recursive call", "subprogram at pc 0");
        assertRejected(new Asm().raw(JMP | CALL, 0, PSEUDO_CALL, 0, 2).exit().ldImm64(0, 1).exit(), 0,
                "call into the middle of ldimm64 insn at pc 2");
        ProgramRejectedException e = reject(new Asm().mov64(0, 0).callLocal("f").label("back").exit()
                .label("f").jmp(JEQ, 0, 0, "back").ret(0));
        assertTrue(e.getMessage().contains("leaves its subprogram"), e.getMessage());
    }

    @Test
    @DisplayName("programs and subprograms may not fall off their end; every instruction must be reachable")
    void fallingOffAndUnreachable() {
        assertRejected(new Asm().mov64(0, 0), 0, "last insn is not an exit or jmp", "fall off");
        assertRejected(new Asm().mov64(0, 0).jmp(JEQ, 0, 0, "x").label("x").mov64(0, 1), 2, "last insn is not an exit");
        assertRejected(new Asm().mov64(0, 0).ldImm64(1, 0), 1, "last insn is not an exit");
        assertRejected(new Asm().callLocal("f").exit().label("f").mov64(0, 1), 2, "subprogram at pc 2", "fall off");
        assertRejected(new Asm().ret(0).ret(1), 2, "unreachable insn 2");
        // goto has one successor: what it jumps over is unreachable (kernel check_cfg)
        assertRejected(new Asm().ja("x").mov64(0, 1).label("x").ret(0), 1, "unreachable insn 1");
        // ... and it may end a program (no falling off): here the last insn jumps back to an exit
        assertEquals(0, VmHarness.raw(mode).run(new Asm().mov64(0, 0).ja("b").label("a").exit().label("b").ja("a")));
        // an LD_IMM64 whose second slot is missing
        byte[] code = new Asm().ret(0).build().toByteArray();
        byte[] truncated = new byte[code.length + 8];
        System.arraycopy(code, 0, truncated, 0, code.length);
        truncated[code.length] = (byte) Opcode.LD_IMM64;
        VmHarness h = VmHarness.raw(mode);
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> VmLoader.load("test_prog",
                ProgramType.SOCK_OPS, "GPL", BpfBytecode.of(truncated), List.of(), h.maps,
                new VmOptions(true, () -> 0, false).withKernel(SimKernel.INSTANCE)));
        assertRejected(e, 2, "second slot is missing");
    }

    @Test
    @DisplayName("immediates: division by zero and out-of-range shifts are rejected")
    void immediates() {
        assertRejected(new Asm().mov64(0, 1).alu64(DIV, 0, 0).exit(), 1, "div by zero");
        assertRejected(new Asm().mov64(0, 1).alu32(MOD, 0, 0).exit(), 1, "div by zero");
        assertRejected(new Asm().mov64(0, 1).alu64(LSH, 0, 64).exit(), 1, "invalid shift 64");
        assertRejected(new Asm().mov64(0, 1).alu32(ARSH, 0, 32).exit(), 1, "invalid shift 32");
        assertRejected(new Asm().mov64(0, 1).alu32(RSH, 0, -1).exit(), 1, "invalid shift -1");
        // the kernel's range is 0 <= imm < width (check_alu_op): a shift by 0 and by width - 1 load
        assertEquals(5, VmHarness.raw(mode).run(new Asm().mov64(0, 5).alu64(LSH, 0, 0).alu32(RSH, 0, 0)
                .alu64(ARSH, 0, 0).exit()));
        assertEquals(1, VmHarness.raw(mode).run(new Asm().mov64(0, -1).alu64(RSH, 0, 63).exit()));
    }

    @Test
    @DisplayName("helpers: unknown ids, and helpers the program type may not call, are rejected")
    void helpers() {
        assertRejected(new Asm().call(999).ret(0), 0, "invalid func unknown#999");
        assertRejected(new Asm().call(12).ret(0), 0, "invalid func unknown#12");
        assertRejected(reject(ProgramType.CGROUP_SETSOCKOPT, "GPL", new Asm().mov64(2, 0)
                .call(Helper.SOCK_OPS_CB_FLAGS_SET.id()).ret(1)), 1, "cannot call helper bpf_sock_ops_cb_flags_set#59");
        assertRejected(reject(ProgramType.CGROUP_SETSOCKOPT, "GPL", new Asm().call(Helper.SKB_LOAD_BYTES.id()).ret(1)),
                0, "bpf_skb_load_bytes");
        assertRejected(reject(ProgramType.CGROUP_SETSOCKOPT, "GPL", new Asm().mov64x(6, 1).ldx(DW, 1, 6, 0)
                .call(Helper.SKC_TO_TCP_SOCK.id()).ret(1)), 2, "bpf_skc_to_tcp_sock", "CGROUP_SETSOCKOPT");
        // without the series, sock_ops has no bpf_skb_load_bytes
        VmHarness h = VmHarness.raw(mode);
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> VmLoader.load("test_prog",
                ProgramType.SOCK_OPS, "GPL", new Asm().call(Helper.SKB_LOAD_BYTES.id()).ret(0).build(), List.of(), h.maps,
                new VmOptions(false, () -> 0, false).withKernel(SimKernel.INSTANCE)));
        assertRejected(e, 0, "AutoLOWAT series");
    }

    @Test
    @DisplayName("kfuncs: unknown names, calls without a KfuncRef, other program types, non-GPL licenses and stock kernels are rejected")
    void kfuncs() {
        assertRejected(new Asm().callKfunc("bpf_no_such_kfunc").ret(0), 0, "bpf_no_such_kfunc", "no such kfunc",
                "the VM implements " + Kfunc.values()[0].kernelName());
        assertRejected(new Asm().raw(JMP | CALL, 0, PSEUDO_KFUNC_CALL, 0, 1234).ret(0), 0, "without a KfuncRef");
        assertRejected(reject(ProgramType.CGROUP_SETSOCKOPT, "GPL", new Asm().callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .ret(1)), 0, "not allowed for program type CGROUP_SETSOCKOPT");
        assertRejected(reject(ProgramType.SOCK_OPS, "MIT", new Asm().callKfunc("bpf_sock_ops_tcp_set_rcvlowat").ret(0)),
                0, "non-GPL compatible", "MIT");
        VmHarness h = VmHarness.raw(mode);
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> VmLoader.load("test_prog",
                ProgramType.SOCK_OPS, "GPL", new Asm().callKfunc("bpf_sock_ops_tcp_set_rcvlowat").ret(0).build(),
                List.of(), h.maps, new VmOptions(false, () -> 0, false).withKernel(SimKernel.INSTANCE)));
        assertRejected(e, 0, "no AutoLOWAT series");
        // the same program loads with the series, and bpf_cast_to_kern_ctx loads on both
        h.load(new Asm().callKfunc("bpf_sock_ops_tcp_set_rcvlowat").ret(0));
        VmLoader.load("test_prog", ProgramType.SOCK_OPS, "GPL", new Asm().callKfunc("bpf_cast_to_kern_ctx").ret(0).build(),
                List.of(), h.maps, new VmOptions(false, () -> 0, false).withKernel(SimKernel.INSTANCE));
    }

    @Test
    @DisplayName("relocations: unknown fields, bad map indexes and fds without a MapRef are rejected")
    void relocations() {
        assertRejected(new Asm().ldxField(W, 0, 1, "tcp_sock", "no_such_field", 0).exit(), 0,
                "unknown field tcp_sock.no_such_field", "copied_seq");
        assertRejected(new Asm().ldxField(W, 0, 1, "no_such_struct", "x", 0).exit(), 0, "unknown field no_such_struct.x");
        assertRejected(new Asm().ldMap(1, 3).ret(0), 0, "map index 3", "declares 0 map(s)");
        assertRejected(new Asm().raw(LD_IMM64, 1, PSEUDO_MAP_FD, 0, 7).ret(0), 0, "without a MapRef");
        assertRejected(new Asm().raw(LD_IMM64, 1, 4, 0, 7).ret(0), 0, "pseudo source 4");
        // direct value access (BPF_PSEUDO_MAP_VALUE): the offset in the upper imm must be inside the value
        // (kernel: "invalid access to map value pointer" when off >= map->value_size)
        MapSpec data = MapSpec.globalData("g.data", new byte[8], false);
        assertRejected(reject(new Asm().ldMapValue(1, 0, 8).ret(0), data), 0, "direct value offset 8", "8-byte value");
        VmHarness.raw(mode).load(new Asm().ldMapValue(1, 0, 7).ret(0), data);
        Asm notLoad = new Asm().mov64(0, 0).exit();
        VmHarness h = VmHarness.raw(mode);
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class, () -> VmLoader.load("test_prog",
                ProgramType.SOCK_OPS, "GPL", BpfBytecode.of(notLoad.instructions(),
                        List.of(new Relocation.FieldRef(0, "tcp_sock", "copied_seq"))), List.of(), h.maps,
                new VmOptions(true, () -> 0, false).withKernel(SimKernel.INSTANCE)));
        assertRejected(e, 0, "not a load or store");
        // the kernel's rule, shared with the native loader (Encoding.misplaced): ST/STX take no MEMSX
        Asm memsxStore = new Asm().raw(STX | MEMSX | W, 1, 2, 0, 0).mov64(0, 0).exit();
        ProgramRejectedException sx = assertThrows(ProgramRejectedException.class, () -> VmLoader.load("test_prog",
                ProgramType.SOCK_OPS, "GPL", BpfBytecode.of(memsxStore.instructions(),
                        List.of(new Relocation.FieldRef(0, "tcp_sock", "copied_seq"))), List.of(), h.maps,
                new VmOptions(true, () -> 0, false)));
        assertRejected(sx, 0, "not a load or store");
        // resolved field offsets: nested names reach the same field
        assertEquals(Layouts.fieldOffset("tcp_sock", "inet_conn.icsk_inet.sk.sk_rcvlowat"),
                Layouts.fieldOffset("sock", "sk_rcvlowat"));
        assertEquals(Layouts.fieldOffset("tcp_sock", "inet_conn.icsk_inet.sk.__sk_common.skc_family"),
                Layouts.fieldOffset("sock_common", "skc_family"));
    }

    @Test
    @DisplayName("calls: recursion and more than eight frames are rejected")
    void callGraph() {
        assertRejected(new Asm().callLocal("f").exit().label("f").callLocal("f").exit(), 2, "recursive call");
        // main -> f1 -> ... -> f7 -> {h1, h2}: 9 frames; the rejection names the deepest subprogram of the
        // first deepest chain (h1 at pc 17, not h2 at pc 19)
        Asm deep = new Asm();
        for (int i = 1; i < 8; i++) {
            deep.callLocal("f" + i).exit().label("f" + i);
        }
        deep.callLocal("h1").callLocal("h2").exit().label("h1").ret(0).label("h2").ret(0);
        assertRejected(deep, 17, "the call stack of 9 frames is too deep");
        // a leaf called first does not hide the deep chain behind it: main -> {g, f1 -> ... -> f8}
        Asm second = new Asm().callLocal("g").callLocal("f1").exit().label("g").ret(0).label("f1");
        for (int i = 2; i <= 8; i++) {
            second.callLocal("f" + i).exit().label("f" + i);
        }
        second.ret(0);
        assertRejected(second, 19, "the call stack of 9 frames is too deep");
        // a subprogram reached twice counts its whole depth both times: main -> s1..s7 (8 frames) and
        // main -> t -> s1..s7 (9 frames)
        Asm diamond = new Asm().callLocal("s1").callLocal("t").exit().label("t").callLocal("s1").exit().label("s1");
        for (int i = 2; i <= 7; i++) {
            diamond.callLocal("s" + i).exit().label("s" + i);
        }
        diamond.ret(0);
        assertRejected(diamond, 17, "the call stack of 9 frames is too deep");
        // 8 frames load
        Asm eight = new Asm();
        for (int i = 1; i < 8; i++) {
            eight.callLocal("f" + i).exit().label("f" + i);
        }
        VmHarness.raw(mode).load(eight.ret(0));
    }

    @Test
    @DisplayName("maps: a name already used with another spec is rejected, and nothing is created by a rejected program")
    void mapSharing() {
        VmHarness h = VmHarness.raw(mode);
        MapSpec a = new MapSpec("shared", MapType.ARRAY, 4, 8, 1);
        MapSpec other = new MapSpec("shared", MapType.ARRAY, 4, 16, 1);
        h.load(new Asm().ldMap(1, 0).ret(0), a);
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                () -> h.load(new Asm().ldMap(1, 0).ret(0), other));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        MapSpec fresh = new MapSpec("fresh", MapType.HASH, 4, 8, 4);
        assertThrows(ProgramRejectedException.class, () -> h.load(new Asm().ldMap(1, 0).mov64(10, 0).ret(0), fresh));
        assertEquals(List.of("shared"), h.maps.names(), "the rejected program created no map");
        h.load(new Asm().ldMap(1, 0).ret(0), a);
        assertEquals(List.of("shared"), h.maps.names(), "the same spec shares the map");
        MapSpec sockmap = new MapSpec("sm", MapType.SOCKMAP, 4, 4, 8);
        assertTrue(assertThrows(ProgramRejectedException.class, () -> h.load(new Asm().ret(0), sockmap))
                .getMessage().contains("SOCKMAP"));
    }
}
