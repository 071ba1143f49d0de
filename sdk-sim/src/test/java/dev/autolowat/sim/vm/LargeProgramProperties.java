package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.testkit.Choices;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large programs in the default execution mode: whatever their size, a program that loads in
 * interpreter mode loads in JIT mode (translated, or interpreted with the reason reported by
 * {@link VmProgram#fallbackReason()}; never an exception out of the loader such as ASM's
 * {@code LimitExceededException}), and gives the interpreter's results.
 */
class LargeProgramProperties {
    private static final int[] CONTEXT_FIELDS = {SockOpsCtx.OP, SockOpsCtx.FAMILY, SockOpsCtx.REMOTE_PORT,
        SockOpsCtx.LOCAL_PORT, SockOpsCtx.SND_CWND, SockOpsCtx.SRTT_US};

    /** r0 and the instruction count of two invocations, or the abort (pc and reason). */
    private static String observe(Asm asm, VmOptions.ExecutionMode mode, StringBuilder fallback) {
        VmProgram p = VmLoader.load("large", ProgramType.SOCK_OPS, "GPL", asm.build(), List.of(), new VmMaps(),
                new VmOptions(true, () -> 42, false, mode).withKernel(SimKernel.INSTANCE));
        if (fallback != null) {
            assertEquals(p.executionMode() == VmOptions.ExecutionMode.INTERPRETER, p.fallbackReason().isPresent(),
                    "a fallback says why");
            p.fallbackReason().ifPresent(fallback::append);
        }
        TcpSocketModel socket = RobustnessProperties.acceptedWith32Bytes();
        SocketInfo info = SocketInfo.loopback(65483, 5000, 1000);
        StringBuilder out = new StringBuilder();
        for (int run = 0; run < 2; run++) {
            try {
                out.append("returned ").append(p.runSockOps(new SockOpsInput().set(socket, info, 21)
                        .segment(1001, 1033, false, 32)));
            } catch (BpfVmException e) {
                out.append("aborted at pc ").append(e.pc()).append(": ").append(e.reason());
            }
            out.append(", ").append(p.lastInstructionCount()).append(" instructions\n");
        }
        return out.toString();
    }

    /** Loads {@code asm} in both modes: the same outcome; returns the JIT mode's fallback reason ("" when translated). */
    private static String sameInBothModes(Asm asm) {
        StringBuilder fallback = new StringBuilder();
        String jit = observe(asm, VmOptions.ExecutionMode.JIT, fallback);
        String interpreted = observe(asm, VmOptions.ExecutionMode.INTERPRETER, null);
        assertEquals(interpreted, jit, "translated (or fallen back) and interpreted differ");
        return fallback.toString();
    }

    /**
     * r6 = the context, r7 = a copy of the stack pointer (r10 - 64), r9 = an accumulator; 64 bytes
     * of stack written; then the body; then r9 ^= triple(r9), r0 = r9 and, after the exit, the subprogram "triple".
     */
    private static Asm program(Consumer<Asm> body) {
        Asm a = new Asm().mov64x(6, 1).mov64x(7, 10).add64(7, -64).mov64(9, 3);
        for (int off = 0; off < 64; off += 8) {
            a.st(DW, 7, off, off * 31 + 1);
        }
        body.accept(a);
        return a.mov64x(1, 9).callLocal("triple").alu64x(XOR, 9, 0).mov64x(0, 9).exit().label("triple").mov64x(0, 1).alu64(MUL, 0, 3).exit();
    }

    /** One piece of the mix: helper calls, loads through a stack pointer copy, context loads, divisions, byte swaps. */
    private static void piece(Asm a, Choices c, int[] labels) {
        switch (c.intBetween(0, 11)) {
            case 0 -> a.call(Helper.KTIME_GET_NS.id()).alu64x(ADD, 9, 0);
            case 1 -> a.ldx(DW, 3, 7, 8 * c.intBetween(0, 7)).alu64x(XOR, 9, 3);
            case 2 -> a.stx(DW, 7, 9, 8 * c.intBetween(0, 7));
            case 3 -> a.ldx(W, 3, 6, CONTEXT_FIELDS[c.intBetween(0, CONTEXT_FIELDS.length - 1)]).alu64x(ADD, 9, 3);
            case 4 -> a.alu64(c.chance(2) ? DIV : MOD, 9, c.intBetween(1, 1000));
            case 5 -> a.ldx(DW, 3, 7, 8 * c.intBetween(0, 7)).alu64x(c.chance(2) ? DIV : MOD, 9, 3); // may be by 0
            case 6 -> a.raw(c.chance(2) ? ALU | END | X : ALU | END | K, 9, 0, 0, 16 << c.intBetween(0, 2));
            case 7 -> a.raw(ALU64 | END | K, 9, 0, 0, 16 << c.intBetween(0, 2));
            case 8 -> a.alu32(c.chance(2) ? DIV : MOD, 9, c.intBetween(1, 77));
            case 9 -> {
                // a forward branch over a few pieces
                String skip = "skip" + labels[0]++;
                a.jmp(JSET, 9, 1 << c.intBetween(0, 5), skip);
                for (int i = c.intBetween(1, 3); i > 0; i--) {
                    piece(a, c, labels);
                }
                a.label(skip);
            }
            case 10 -> {
                // a short counted loop
                String top = "loop" + labels[0]++;
                a.mov64(4, c.intBetween(1, 20)).label(top).alu64x(ADD, 9, 4).alu64(SUB, 4, 1).jmp(JNE, 4, 0, top);
            }
            default -> a.mov64x(1, 9).callLocal("triple").alu64x(XOR, 9, 0); // a bpf-to-bpf call
        }
    }

    /** Programs of 1 to 4,096 instructions of the mix. */
    private static Gen<Asm> large() {
        return c -> {
            int target = c.chance(4) ? c.intBetween(1, 300) : c.intBetween(300, 4096);
            int[] labels = {0};
            return program(a -> {
                while (a.slot() < target - 3) {
                    piece(a, c, labels);
                }
            });
        };
    }

    @Test
    @Timeout(600)
    @DisplayName("random programs of up to 4,096 instructions (helper calls, loads through a stack pointer copy, "
            + "context loads, divisions, byte swaps, branches, loops, bpf-to-bpf calls) load in the default mode and "
            + "give the interpreter's results; a fallback to the interpreter says why")
    void randomLargePrograms() {
        AtomicInteger translated = new AtomicInteger();
        AtomicInteger fellBack = new AtomicInteger();
        int tries = Integer.getInteger("autolowat.tries", 3000) / 25;
        Property.forAll("large programs load in JIT mode and agree with the interpreter", large()).tries(tries)
                .check(a -> {
                    String reason = sameInBothModes(a);
                    (reason.isEmpty() ? translated : fellBack).incrementAndGet();
                });
        System.out.println("large programs: " + translated.get() + " translated, " + fellBack.get()
                + " interpreted with a reason");
        // subprograms too large for one JVM method are cut into chunk methods: all are translated
        assertEquals(0, fellBack.get(), "every program is translated");
    }

    @Test
    @Timeout(120)
    @DisplayName("a loop whose body spans several chunk methods: the budget runs out, or nearly, at the same pc "
            + "and count as in the interpreter")
    void budgetAcrossChunks() {
        int body = 2000;
        for (int iterations : new int[] {10, 497, 498, 499, 500, 100_000}) {
            Asm a = new Asm().mov64(0, 0).mov64(2, iterations).label("top");
            for (int i = 0; i < body; i++) {
                a.alu64(ADD, 0, 1);
            }
            a.alu64(SUB, 2, 1).jmp(JNE, 2, 0, "top").exit();
            String reason = sameInBothModes(a);
            assertEquals("", reason, "translated in chunks");
        }
        // a fault in a later chunk names its pc and count as the interpreter does
        Asm a = new Asm().mov64(0, 0).mov64(2, 3).label("top");
        for (int i = 0; i < body; i++) {
            a.alu64(ADD, 0, 1);
        }
        a.alu64(SUB, 2, 1).jmp(JNE, 2, 0, "top").ldx(DW, 3, 2, 0).exit();
        assertEquals("", sameInBothModes(a));
        assertTrue(observe(a, VmOptions.ExecutionMode.JIT, null).contains("invalid mem access 'scalar'"));
    }

    @Test
    @Timeout(300)
    @DisplayName("the sizes that threw LimitExceededException out of SimSession.attach load in the default mode: "
            + "400 helper calls, 360 loads through a stack pointer copy, 1,180 context loads, 5,000 divisions, "
            + "5,000 byte swaps")
    void theReportedSizes() {
        record Case(String name, int n, Consumer<Asm> one) {
        }
        List<Case> cases = List.of(
                new Case("helper calls", 400, a -> a.call(Helper.KTIME_GET_NS.id()).alu64x(ADD, 9, 0)),
                new Case("loads through a stack pointer copy", 360, a -> a.ldx(DW, 3, 7, 8)),
                new Case("context loads", 1180, a -> a.ldx(W, 3, 6, SockOpsCtx.OP)),
                new Case("context loads through r1", 1180, a -> a.ldx(W, 3, 1, SockOpsCtx.OP)),
                new Case("divisions", 5000, a -> a.alu64(DIV, 9, 3)),
                new Case("byte swaps", 5000, a -> a.raw(ALU | END | X, 9, 0, 0, 32)));
        for (Case k : cases) {
            for (int n : new int[] {k.n() / 4, k.n() / 2, k.n(), k.n() * 3 / 2}) {
                String reason = sameInBothModes(program(a -> {
                    for (int i = 0; i < n; i++) {
                        k.one().accept(a);
                    }
                }));
                System.out.println(n + " " + k.name() + ": " + (reason.isEmpty() ? "translated" : reason));
            }
        }
    }
}
