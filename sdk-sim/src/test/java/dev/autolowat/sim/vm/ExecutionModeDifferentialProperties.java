package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential property of the two execution modes: for random instruction streams (the
 * generators of {@link RobustnessProperties}), the program translated to JVM bytecode and the
 * interpreted program give the same outcome: the same load-time rejection; or, invocation by
 * invocation, the same r0 and instruction count, or the same abort (pc, instruction text, reason:
 * memory faults, uninitialized registers, the instruction budget), and afterwards the same memory
 * and map effects (every map's entries, ring-buffer records and socket storage, the socket's
 * {@code sk_rcvlowat}/{@code sk_rcvbuf}/callback flags (K1–K4, F1–F3), the setsockopt program's
 * level, optname, optlen and optval).
 */
class ExecutionModeDifferentialProperties {

    /** Everything observable about one program in one mode: two invocations on the same state, then the state. */
    static String observe(RobustnessProperties.Prog p, VmOptions.ExecutionMode mode, AtomicInteger translated) {
        VmMaps maps = new VmMaps();
        VmProgram prog;
        try {
            prog = VmLoader.load("diff", p.type(), "GPL", p.code(), RobustnessProperties.MAPS, maps,
                    new VmOptions(true, () -> 42, true, mode).withKernel(SimKernel.INSTANCE));
        } catch (ProgramRejectedException e) {
            return "rejected: " + e.getMessage();
        }
        if (prog.executionMode() == VmOptions.ExecutionMode.JIT) {
            translated.incrementAndGet();
        }
        TcpSocketModel socket = RobustnessProperties.acceptedWith32Bytes();
        SocketInfo info = SocketInfo.loopback(65483, 5000, 1000);
        StringBuilder out = new StringBuilder();
        SockoptInput sockopt = new SockoptInput();
        for (int run = 0; run < 2; run++) {
            try {
                long r;
                if (p.type() == ProgramType.SOCK_OPS) {
                    r = prog.runSockOps(new SockOpsInput().set(socket, info, 21).segment(1001, 1033, false, 32));
                } else {
                    r = prog.runSockopt(sockopt.set(socket, info, 1, 18, 5));
                }
                out.append("returned ").append(r);
            } catch (BpfVmException e) {
                out.append("aborted at pc ").append(e.pc()).append(" [").append(e.instruction()).append("]: ")
                        .append(e.reason());
            }
            out.append(", ").append(prog.lastInstructionCount()).append(" instructions\n");
        }
        for (String name : maps.names()) {
            BpfMapView view = maps.view(name);
            out.append("map ").append(name).append(':');
            for (BpfMapView.Entry entry : view.entries()) {
                out.append(' ').append(entry);
            }
            if (view.spec().type() == MapType.RINGBUF) {
                for (byte[] record : view.drainRecords()) {
                    out.append(" record ").append(HexFormat.of().formatHex(record));
                }
            }
            out.append('\n');
        }
        out.append("socket: rcvlowat ").append(socket.rcvLowat()).append(" rcvbuf ").append(socket.rcvBuf())
                .append(socket.rcvBufLocked() ? " locked" : "").append(" cb_flags ").append(socket.cbFlags())
                .append('\n');
        if (p.type() == ProgramType.CGROUP_SETSOCKOPT) {
            out.append("sockopt: level ").append(sockopt.level()).append(" optname ").append(sockopt.optname())
                    .append(" optlen ").append(sockopt.optlen()).append(" value ").append(sockopt.value())
                    .append('\n');
        }
        return out.toString();
    }

    /** Checks the property on {@code tries} programs of {@code gen}; returns how many were translated. */
    private static int check(String name, Gen<RobustnessProperties.Prog> gen, int tries, List<String> seen) {
        AtomicInteger translated = new AtomicInteger();
        AtomicInteger interpreted = new AtomicInteger();
        Property.forAll(name, gen).tries(tries).check(p -> {
            String viaInterpreter = observe(p, VmOptions.ExecutionMode.INTERPRETER, interpreted);
            String viaJit = observe(p, VmOptions.ExecutionMode.JIT, translated);
            assertEquals(viaInterpreter, viaJit, "translated code and interpreter differ");
            seen.add(viaInterpreter);
        });
        assertEquals(0, interpreted.get(), "interpreter mode never translates");
        return translated.get();
    }

    @Test
    @Timeout(600)
    @DisplayName("random well-formed-ish programs: translated and interpreted give the same rejection, r0, "
            + "instruction count, fault (pc + reason) or budget abort, and the same map and socket effects")
    void wellFormedIsh() {
        List<String> seen = new java.util.ArrayList<>();
        int tries = Integer.getInteger("autolowat.tries", 3000);
        int translated = check("execution modes agree: well-formed-ish instructions",
                RobustnessProperties.wellFormedIsh(), tries, seen);
        long loaded = seen.stream().filter(s -> !s.startsWith("rejected")).count();
        long returned = seen.stream().filter(s -> s.startsWith("returned")).count();
        long faults = seen.stream().filter(s -> s.startsWith("aborted") && !s.contains("budget")).count();
        long budget = seen.stream().filter(s -> s.contains("instruction budget exhausted")).count();
        System.out.println("execution modes, well-formed-ish: " + loaded + " of " + tries + " loaded, "
                + translated + " translated; first invocation returned " + returned + ", faulted " + faults
                + "; budget aborts " + budget);
        // the property is only worth something if every kind of outcome occurs, mostly translated
        assertTrue(returned > 0 && faults > 0 && budget > 0, "outcomes: returned " + returned + ", faults "
                + faults + ", budget " + budget);
        assertTrue(translated > loaded * 3 / 4, "most loaded programs are translated: " + translated + " of "
                + loaded);
    }

    @Test
    @Timeout(300)
    @DisplayName("random bytes: translated and interpreted give the same rejection or the same outcome")
    void randomBytes() {
        List<String> seen = new java.util.ArrayList<>();
        int translated = check("execution modes agree: random bytes", RobustnessProperties.randomBytes(), 2000, seen);
        long loaded = seen.stream().filter(s -> !s.startsWith("rejected")).count();
        assertTrue(loaded > 0 && translated > 0, "some random programs load and are translated: " + loaded);
    }

    /** Field offsets of tcp_sock, bpf_sock_ops_kern, sk_buff and bpf_sock, a few inside fields, holes and past the end. */
    private static final int[] KERNEL_OFFSETS = {0, 4, 8, 12, 18, 32, 40, 41, 44, 48, 52, 72, 112, 0x50, 0x130, 0x134,
        0x400, 0x600, 0x604, 0x605, 0x61c, 0x700, -8};

    /** Loads valid where the prelude left its pointers: {register, offset, size}. */
    private static final int[][] VALID_LOADS = {{0, 0x604, Opcode.W}, {0, 0x130, Opcode.W}, {0, 0x600, Opcode.W},
        {0, 0x400, Opcode.H}, {0, 0x61c, Opcode.B}, {0, 0x605, Opcode.B}, {0, 18, Opcode.H}, {8, 32, Opcode.DW},
        {8, 0, Opcode.DW}, {8, 48, Opcode.B}, {9, 40, Opcode.W}, {9, 44, Opcode.W}, {9, 52, Opcode.B},
        {9, 112, Opcode.W}, {7, 4, Opcode.W}, {7, 72, Opcode.W}};

    private static int slots(List<Instruction> insns) {
        int n = 0;
        for (Instruction insn : insns) {
            n += insn.slots();
        }
        return n;
    }

    private static void add(List<Instruction> insns, int opcode, int dst, int src, int off, long imm) {
        insns.add(new Instruction(opcode, dst, src, (short) off, imm));
    }

    /**
     * Programs around the translator's guarded fast paths (docs/decisions.md D25): a prelude that
     * makes r6 the context, r7 {@code ctx->sk}, r8 {@code bpf_cast_to_kern_ctx(ctx)}, r9
     * {@code kern->skb}, r0 and r2 {@code bpf_skc_to_tcp_sock(sk)}, which it also keeps on the stack
     * with r9, r1 the context again; then random
     * loads through those pointers (and through the stack's copies) at kernel-object field offsets
     * of every size, fills, stores over the slots, pointer moves, {@code bpf_skc_to_tcp_sock},
     * {@code bpf_sk_storage_get}, {@code bpf_skb_load_bytes} and K1 on random registers, forward
     * jumps; r0 is one of the registers at exit (its value is in the exit check's message).
     */
    static Gen<RobustnessProperties.Prog> kernelObjects() {
        return c -> {
            List<Instruction> insns = new ArrayList<>();
            List<Relocation> relocs = new ArrayList<>();
            int mov = Opcode.ALU64 | Opcode.MOV | Opcode.X;
            int ldxDw = Opcode.LDX | Opcode.MEM | Opcode.DW;
            int stxDw = Opcode.STX | Opcode.MEM | Opcode.DW;
            int call = Opcode.JMP | Opcode.CALL;
            add(insns, mov, 6, 1, 0, 0);
            add(insns, ldxDw, 7, 1, SockOpsCtx.SK, 0);
            add(insns, mov, 1, 7, 0, 0);
            add(insns, call, 0, 0, 0, Helper.SKC_TO_TCP_SOCK.id());
            add(insns, stxDw, 10, 0, -8, 0);
            add(insns, mov, 1, 6, 0, 0);
            relocs.add(new Relocation.KfuncRef(insns.size(), "bpf_cast_to_kern_ctx"));
            add(insns, call, 0, Opcode.PSEUDO_KFUNC_CALL, 0, 0);
            add(insns, mov, 8, 0, 0, 0);
            add(insns, ldxDw, 9, 8, 32, 0);
            add(insns, stxDw, 10, 9, -16, 0);
            add(insns, ldxDw, 0, 10, -8, 0); // r0 and r2: tcp_sock (or NULL), filled from the stack
            add(insns, ldxDw, 2, 10, -8, 0);
            add(insns, mov, 1, 6, 0, 0);
            int[] pointers = {0, 7, 8, 9, 1, 2};
            int[] sizes = {Opcode.B, Opcode.H, Opcode.W, Opcode.DW};
            int count = c.intBetween(1, 25);
            for (int i = 0; i < count; i++) {
                int dst = c.intBetween(0, 9);
                int src = pointers[c.intBetween(0, pointers.length - 1)];
                switch (c.intBetween(0, 9)) {
                    case 0, 1 -> {
                        int[] valid = VALID_LOADS[c.intBetween(0, VALID_LOADS.length - 1)]; // {src, off, size}
                        boolean sx = valid[2] != Opcode.DW && c.chance(5);
                        add(insns, Opcode.LDX | (sx ? Opcode.MEMSX : Opcode.MEM) | valid[2], dst, valid[0], valid[1], 0);
                    }
                    case 2 -> {
                        int size = sizes[c.intBetween(0, 3)];
                        boolean sx = size != Opcode.DW && c.chance(5);
                        add(insns, Opcode.LDX | (sx ? Opcode.MEMSX : Opcode.MEM) | size, dst, src,
                                KERNEL_OFFSETS[c.intBetween(0, KERNEL_OFFSETS.length - 1)], 0);
                    }
                    case 3 -> add(insns, ldxDw, dst == 6 ? 1 : dst, 10, -8 * c.intBetween(1, 3), 0);
                    case 4 -> {
                        if (c.chance(2)) {
                            add(insns, stxDw, 10, c.intBetween(0, 9), -8 * c.intBetween(1, 3), 0);
                        } else {
                            add(insns, Opcode.ST | Opcode.MEM | sizes[c.intBetween(0, 3)], 10, 0, -8 * c.intBetween(1, 3), c.intBetween(-1, 1));
                        }
                    }
                    case 5 -> add(insns, Opcode.ALU64 | Opcode.ADD | Opcode.K, src, 0, 0, c.intBetween(-8, 8));
                    case 6 -> {
                        int which = c.intBetween(0, 2);
                        if (which == 0) {
                            add(insns, mov, 1, src, 0, 0);
                            add(insns, call, 0, 0, 0, Helper.SKC_TO_TCP_SOCK.id());
                        } else if (which == 1) {
                            relocs.add(new Relocation.MapRef(slots(insns), 2)); // the SK_STORAGE map
                            add(insns, Opcode.LD_IMM64, 1, Opcode.PSEUDO_MAP_FD, 0, 0);
                            add(insns, mov, 2, c.chance(4) ? src : 7, 0, 0);
                            add(insns, Opcode.ALU64 | Opcode.MOV | Opcode.K, 3, 0, 0, 0);
                            add(insns, Opcode.ALU64 | Opcode.MOV | Opcode.K, 4, 0, 0, c.intBetween(0, 2));
                            add(insns, call, 0, 0, 0, Helper.SK_STORAGE_GET.id());
                        } else {
                            add(insns, mov, 1, c.chance(4) ? src : 6, 0, 0);
                            add(insns, Opcode.ALU64 | Opcode.MOV | Opcode.K, 2, 0, 0, c.intBetween(-1, 12));
                            add(insns, mov, 3, c.chance(2) ? 0 : 10, 0, 0);
                            add(insns, Opcode.ALU64 | Opcode.ADD | Opcode.K, 3, 0, 0, c.chance(2) ? -8 * c.intBetween(1, 4) : c.intBetween(0, 16));
                            add(insns, Opcode.ALU64 | Opcode.MOV | Opcode.K, 4, 0, 0, c.intBetween(0, 9));
                            add(insns, call, 0, 0, 0, Helper.SKB_LOAD_BYTES.id());
                        }
                    }
                    case 7 -> {
                        add(insns, mov, 1, c.chance(4) ? src : 6, 0, 0);
                        if (c.chance(5)) {
                            add(insns, Opcode.ALU64 | Opcode.MOV | Opcode.K, 2, 0, 0, c.intBetween(0, 100));
                        }
                        relocs.add(new Relocation.KfuncRef(slots(insns), "bpf_sock_ops_tcp_set_rcvlowat"));
                        add(insns, call, 0, Opcode.PSEUDO_KFUNC_CALL, 0, 0);
                    }
                    case 8 -> add(insns, Opcode.JMP | (c.chance(2) ? Opcode.JEQ : Opcode.JNE) | Opcode.K, src, 0,
                            c.intBetween(0, 3), 0);
                    default -> add(insns, mov, dst == 6 ? 2 : dst, c.intBetween(0, 9), 0, 0);
                }
            }
            for (int pad = 0; pad < 3; pad++) { // where the last forward jumps land
                add(insns, Opcode.ALU64 | Opcode.MOV | Opcode.K, 5, 0, 0, pad);
            }
            add(insns, mov, 0, c.intBetween(0, 9), 0, 0);
            add(insns, Opcode.JMP | Opcode.EXIT, 0, 0, 0, 0);
            return new RobustnessProperties.Prog(ProgramType.SOCK_OPS, BpfBytecode.of(insns, relocs));
        };
    }

    @Test
    @Timeout(300)
    @DisplayName("H1, K1: random programs around kernel objects (tcp_sock, bpf_sock_ops_kern, sk_buff, pointers "
            + "kept on the stack, socket helpers): translated and interpreted agree, fast paths and faults alike")
    void kernelObjectPrograms() {
        List<String> seen = new java.util.ArrayList<>();
        int tries = Integer.getInteger("autolowat.tries", 2000);
        int translated = check("execution modes agree: kernel objects", kernelObjects(), tries, seen);
        long returned = seen.stream().filter(s -> s.startsWith("returned")).count();
        long exitValue = seen.stream().filter(s -> s.contains("at program exit")).count();
        long faults = seen.stream().filter(s -> s.startsWith("aborted") && !s.contains("at program exit")).count();
        System.out.println("execution modes, kernel objects: " + translated + " of " + tries + " translated; returned "
                + returned + ", exit-value aborts " + exitValue + ", other faults " + faults);
        long loaded = seen.stream().filter(s -> !s.startsWith("rejected")).count();
        assertTrue(loaded > tries * 9 / 10 && translated == loaded, "loaded " + loaded + ", all translated: " + translated);
        assertTrue(returned > 0 && exitValue > 0 && faults > 0, "every kind of outcome occurs");
    }
}
