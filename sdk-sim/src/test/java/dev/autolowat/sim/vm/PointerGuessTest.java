package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.DW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The translator's pointer guess (D25, {@link PointerGuess}): which of the VM's regions each register
 * and 8-byte stack slot points to the start of, per slot. A wrong guess costs only speed (translated
 * code checks it at run time, {@code GuardedFastPathTest} runs the checks), so these cases pin down
 * what the analysis follows, each on a small program: the context from entry, copies, spills and
 * fills through r10 (the frame's first and last slot included), the writes that end a guess (ALU,
 * ST, atomics, calls, LD_IMM64 of a scalar), helper results, and where paths meet.
 */
class PointerGuessTest {
    private record Guessed(VmProgram p, Vm vm, PointerGuess g) {
        int ctx() {
            return vm.contextRegion().ownId;
        }

        int id(int pc, int r) {
            return g.id(pc, r);
        }
    }

    private static Guessed guess(Asm asm, MapSpec... maps) {
        VmProgram p = VmHarness.raw(VmOptions.ExecutionMode.INTERPRETER).load(asm, maps);
        Vm vm = new Vm(p, new AddressSpace());
        return new Guessed(p, vm, PointerGuess.of(p, vm, new int[] {0}));
    }

    @Test
    @DisplayName("D25: the context from entry, its copies and its spills and fills through r10, at the frame's "
            + "first (r10-512) and last (r10-8) slot; r10 itself has no guess")
    void contextSpillsAndFills() {
        Guessed g = guess(new Asm().stx(DW, 10, 1, -512).ldx(DW, 2, 10, -512).stx(DW, 10, 1, -8)
                .ldx(DW, 3, 10, -8).mov64x(4, 10).stx(DW, 10, 10, -16).ldx(DW, 5, 10, -16).ret(0));
        int ctx = g.ctx();
        assertTrue(ctx != 0);
        assertEquals(ctx, g.id(0, 1), "r1 at entry");
        assertSame(g.vm().contextRegion(), g.g().region(0, 1));
        assertEquals(ctx, g.id(2, 2), "filled from r10-512");
        assertEquals(ctx, g.id(4, 3), "filled from r10-8");
        assertEquals(0, g.id(5, 4), "a copy of r10 is no region's start guess");
        assertEquals(0, g.id(7, 5), "r10 spilled and filled");
        assertEquals(0, g.id(2, 10), "r10: none (slot r10-512 holds the context)");
        assertNull(g.g().region(2, 10));
        assertTrue(g.g().toString().startsWith("0: [0, " + ctx + ", 0, 0"), g.g().toString());
    }

    @Test
    @DisplayName("D25: writes end a guess — an immediate move, ST over a spilled slot, LD_IMM64 of a scalar; "
            + "LD_IMM64 of a map gives the map's region")
    void writesEndAGuess() {
        Guessed g = guess(new Asm().mov64x(0, 1).mov64(2, 5).stx(DW, 10, 1, -8).st(DW, 10, -8, 0)
                .ldx(DW, 3, 10, -8).stx(DW, 10, 1, -512).st(DW, 10, -512, 0).ldx(DW, 4, 10, -512)
                .ldImm64(1, 5).ldMap(6, 0).mov64(0, 0).exit(), new MapSpec("m", MapType.ARRAY, 4, 8, 1));
        assertEquals(g.ctx(), g.id(2, 0), "copied");
        assertEquals(0, g.id(2, 2), "mov r2, 5");
        assertEquals(0, g.id(5, 3), "the slot r10-8 overwritten by ST");
        assertEquals(0, g.id(8, 4), "the slot r10-512 overwritten by ST");
        assertEquals(0, g.id(10, 1), "LD_IMM64 of a scalar");
        int map = g.id(12, 6);
        assertTrue(map != 0 && map == g.vm().loadedRegion(10), "LD_IMM64 of a map: " + map);
    }

    @Test
    @DisplayName("D25: atomics through r10 end the slot's guess; a fetching one ends its source register's, "
            + "cmpxchg r0's, others neither")
    void atomics() {
        Guessed add = guess(new Asm().mov64x(0, 1).mov64x(2, 1).stx(DW, 10, 1, -8).atomic(DW, 10, 2, -8, ADD)
                .ldx(DW, 3, 10, -8).ret(0));
        assertEquals(add.ctx(), add.id(4, 0), "r0 kept");
        assertEquals(add.ctx(), add.id(4, 2), "the source kept without FETCH");
        assertEquals(0, add.id(5, 3), "the slot after the atomic");
        Guessed fetch = guess(new Asm().mov64x(0, 1).mov64x(2, 1).atomic(DW, 10, 2, -8, ADD | FETCH).ret(0));
        assertEquals(0, fetch.id(3, 2), "FETCH writes the source");
        assertEquals(fetch.ctx(), fetch.id(3, 0));
        Guessed cmpxchg = guess(new Asm().mov64x(0, 1).mov64x(2, 1).atomic(DW, 10, 2, -8, CMPXCHG).ret(0));
        assertEquals(0, cmpxchg.id(3, 0), "cmpxchg writes r0");
        assertEquals(cmpxchg.ctx(), cmpxchg.id(3, 2), "and not its source");
    }

    @Test
    @DisplayName("D25: a call ends r1-r5; bpf_tcp_sock and bpf_skc_to_tcp_sock give their views, other helpers nothing")
    void calls() {
        Guessed g = guess(new Asm().mov64x(5, 1).mov64x(6, 1).ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.TCP_SOCK.id())
                .mov64x(7, 0).call(Helper.KTIME_GET_NS.id()).ret(0));
        assertEquals(g.ctx(), g.id(3, 5));
        assertSame(g.vm().bpfSock, g.g().region(3, 1), "ctx->sk");
        assertEquals(0, g.id(4, 1), "r1 after the call");
        assertEquals(0, g.id(4, 5), "r5 after the call");
        assertEquals(g.ctx(), g.id(4, 6), "r6 kept");
        assertSame(g.vm().bpfTcpSock, g.g().region(4, 0), "bpf_tcp_sock's result");
        assertEquals(0, g.id(6, 0), "bpf_ktime_get_ns's result");
        assertSame(g.vm().bpfTcpSock, g.g().region(6, 7));
    }

    @Test
    @DisplayName("D25: where paths meet a guess stays only when every path agrees: a conditional jump, ja, gotol, "
            + "and a back jump to the entry")
    void meetingPaths() {
        // r1 is a scalar on the ja (gotol) path, the context on the other (set in the slot the jump skips);
        // r6 the context on both
        for (boolean gotol : new boolean[] {false, true}) {
            Asm a = new Asm().mov64x(6, 1).mov64(3, 1).jmp(JEQ, 3, 1, "b").mov64(1, 0);
            if (gotol) {
                a.ja32("m");
            } else {
                a.ja("m");
            }
            Guessed g = guess(a.label("b").mov64x(1, 6).label("m").mov64(0, 0).exit());
            assertEquals(0, g.id(6, 1), "disagreeing paths, gotol " + gotol);
            assertEquals(g.ctx(), g.id(6, 6), "agreeing paths, gotol " + gotol);
        }
        // r6 the context on the fall-through path only
        Guessed cond = guess(new Asm().mov64(3, 1).jmp(JEQ, 3, 1, "m").mov64x(6, 1).label("m").mov64(0, 0).exit());
        assertEquals(0, cond.id(3, 6), "a conditional jump's target");
        Guessed loop = guess(new Asm().label("top").mov64x(2, 1).mov64(1, 0).jmp(JEQ, 1, 7, "top").ret(0));
        assertEquals(0, loop.id(0, 1), "the entry, reached again with r1 a scalar");
    }

    @Test
    @DisplayName("D25: programs of more than 8,192 slots get no guesses (and an empty analysis, not none); "
            + "one of exactly 8,192 does")
    void sizeLimit() {
        for (int slots : new int[] {PointerGuess.MAX_SLOTS, PointerGuess.MAX_SLOTS + 1}) {
            Asm a = new Asm();
            for (int i = 0; i < slots - 1; i++) {
                a.mov64(0, 0);
            }
            Guessed g = guess(a.exit());
            assertEquals(slots, g.p().slots);
            assertEquals(slots > PointerGuess.MAX_SLOTS ? 0 : g.ctx(), g.id(0, 1), slots + " slots");
        }
    }
}
