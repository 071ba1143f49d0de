package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.testkit.Choices;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Robustness: whatever the instruction stream, loading either rejects it with a
 * {@link ProgramRejectedException}, or the program runs to completion or to a clean
 * {@link BpfVmException} — never another exception, never a hang (the budget ends loops), and the
 * same program on the same input gives the same outcome.
 */
class RobustnessProperties {
    static final List<MapSpec> MAPS = List.of(
            new MapSpec("a", MapType.ARRAY, 4, 16, 4),
            new MapSpec("h", MapType.HASH, 4, 8, 4),
            new MapSpec("s", MapType.SK_STORAGE, 4, 16, 0),
            new MapSpec("r", MapType.RINGBUF, 0, 0, 4096));

    /** A program with its relocations and program type. */
    record Prog(ProgramType type, BpfBytecode code) {
        @Override
        public String toString() {
            return type + " " + code.relocations() + " " + hex(code.toByteArray());
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i % 8 == 0) {
                sb.append(i == 0 ? "" : " ");
            }
            sb.append(String.format("%02x", b[i]));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ generators

    static Gen<ProgramType> programTypes() {
        return Gen.oneOf(ProgramType.SOCK_OPS, ProgramType.CGROUP_SETSOCKOPT);
    }

    /** Random bytes, a whole number of slots. */
    static Gen<Prog> randomBytes() {
        return c -> {
            ProgramType type = programTypes().generate(c);
            int slots = c.intBetween(1, 12);
            boolean tail = c.chance(2);
            byte[] b = new byte[(slots + (tail ? 2 : 0)) * 8];
            for (int slot = 0; slot < slots; slot++) {
                // Bias some slots towards what the decoder accepts (registers 0-10, zero offset and
                // immediate), so that some streams get past the load checks and run.
                boolean plain = c.chance(2);
                for (int i = slot * 8; i < slot * 8 + 8; i++) {
                    int f = i % 8;
                    b[i] = (byte) (plain && f == 1 ? c.intBetween(0, 9) | c.intBetween(0, 10) << 4
                            : plain && f >= 2 ? (f == 4 ? c.intBetween(0, 3) : 0) : c.intBetween(0, 255));
                }
            }
            if (tail) {
                // r0 = 0; exit
                b[slots * 8] = (byte) 0xb7;
                b[slots * 8 + 8] = (byte) 0x95;
            }
            return new Prog(type, BpfBytecode.of(b));
        };
    }

    private static final int[] VALID_OPCODES = validOpcodes();

    private static int[] validOpcodes() {
        List<Integer> out = new ArrayList<>();
        for (int cls : new int[] {Opcode.ALU, Opcode.ALU64}) {
            for (int op = 0; op <= 0xd0; op += 0x10) {
                out.add(cls | op | Opcode.K);
                out.add(cls | op | Opcode.X);
            }
        }
        for (int size : new int[] {Opcode.W, Opcode.H, Opcode.B, Opcode.DW}) {
            out.add(Opcode.LDX | Opcode.MEM | size);
            out.add(Opcode.ST | Opcode.MEM | size);
            out.add(Opcode.STX | Opcode.MEM | size);
            if (size != Opcode.DW) {
                out.add(Opcode.LDX | Opcode.MEMSX | size);
            }
        }
        out.add(Opcode.STX | Opcode.ATOMIC | Opcode.W);
        out.add(Opcode.STX | Opcode.ATOMIC | Opcode.DW);
        for (int cls : new int[] {Opcode.JMP, Opcode.JMP32}) {
            for (int op = 0x10; op <= 0xd0; op += 0x10) {
                if (op == Opcode.CALL || op == Opcode.EXIT) {
                    continue;
                }
                out.add(cls | op | Opcode.K);
                out.add(cls | op | Opcode.X);
            }
        }
        out.add(Opcode.LD_IMM64);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static final int[] ATOMIC_OPS = {Opcode.ADD, Opcode.OR, Opcode.AND, Opcode.XOR, Opcode.ADD | Opcode.FETCH,
        Opcode.OR | Opcode.FETCH, Opcode.AND | Opcode.FETCH, Opcode.XOR | Opcode.FETCH, Opcode.XCHG, Opcode.CMPXCHG};
    private static final long[] EDGE_IMMS = {0, 1, -1, 2, 4, 7, 8, 16, 21, 32, 63, 64, 0x80, 0xff, Integer.MIN_VALUE,
        Integer.MAX_VALUE, 0xdeadbeefL, 1008, 18, 6};

    private static int reg(Choices c) {
        return c.chance(200) ? c.intBetween(11, 15) : c.intBetween(0, 10);
    }

    private static int offset(Choices c) {
        return switch (c.intBetween(0, 4)) {
            case 0 -> 0;
            case 1 -> c.intBetween(-16, 16);
            case 2 -> -8 * c.intBetween(1, 65);
            case 3 -> 4 * c.intBetween(0, 60);
            default -> c.intBetween(-32768, 32767);
        };
    }

    private static long imm(Choices c) {
        return c.chance(2) ? EDGE_IMMS[c.intBetween(0, EDGE_IMMS.length - 1)] : c.intBetween(-300, 300);
    }

    /**
     * "Well-formed-ish" programs: mostly valid opcodes with plausible fields, helper and kfunc calls
     * with their relocations, map loads, bpf-to-bpf calls, jumps forward and back, ending in exit.
     */
    static Gen<Prog> wellFormedIsh() {
        return c -> {
            ProgramType type = programTypes().generate(c);
            int count = c.intBetween(1, 30);
            List<Instruction> insns = new ArrayList<>();
            List<Relocation> relocs = new ArrayList<>();
            int slot = 0;
            if (c.chance(2)) {
                // a prelude that initializes r0 and r2-r9, so that more programs run further
                for (int r = 0; r <= 9; r++) {
                    if (r != 1) {
                        insns.add(new Instruction(Opcode.ALU64 | Opcode.MOV | Opcode.K, r, 0, (short) 0, c.intBetween(-2, 8)));
                        slot++;
                    }
                }
            }
            for (int i = 0; i < count; i++) {
                Instruction insn;
                int kind = c.intBetween(0, 9);
                if (kind == 0) {
                    Helper h = Helper.values()[c.intBetween(0, Helper.values().length - 1)];
                    insn = new Instruction(Opcode.JMP | Opcode.CALL, 0, 0, (short) 0, c.chance(20) ? c.intBetween(0, 300) : h.id());
                } else if (kind == 1 && (type == ProgramType.SOCK_OPS || c.chance(10))) {
                    String name = c.chance(2) ? "bpf_cast_to_kern_ctx" : "bpf_sock_ops_tcp_set_rcvlowat";
                    relocs.add(new Relocation.KfuncRef(slot, name));
                    insn = new Instruction(Opcode.JMP | Opcode.CALL, 0, Opcode.PSEUDO_KFUNC_CALL, (short) 0, 0);
                } else if (kind == 2) {
                    relocs.add(new Relocation.MapRef(slot, c.intBetween(0, MAPS.size() - 1)));
                    insn = new Instruction(Opcode.LD_IMM64, c.intBetween(1, 9), Opcode.PSEUDO_MAP_FD, (short) 0, 0);
                } else if (kind == 3) {
                    // a jump, often small and forward
                    int cls = c.chance(3) ? Opcode.JMP32 : Opcode.JMP;
                    int op = c.chance(8) ? Opcode.JA : 0x10 * c.intBetween(1, 0xd);
                    if (op == Opcode.CALL) {
                        insn = new Instruction(Opcode.JMP | Opcode.CALL, 0, Opcode.PSEUDO_CALL, (short) 0, c.intBetween(-3, 6));
                    } else if (op == Opcode.EXIT) {
                        insn = new Instruction(Opcode.JMP | Opcode.EXIT, 0, 0, (short) 0, 0);
                    } else {
                        int src = c.chance(2) ? Opcode.X : Opcode.K;
                        int jump = c.chance(4) ? c.intBetween(-6, -1) : c.intBetween(0, 6);
                        boolean ja32 = op == Opcode.JA && cls == Opcode.JMP32;
                        insn = new Instruction(cls | op | (op == Opcode.JA ? 0 : src), op == Opcode.JA ? 0 : reg(c),
                                src == Opcode.X && op != Opcode.JA ? reg(c) : 0, (short) (ja32 ? 0 : jump),
                                ja32 ? jump : op == Opcode.JA || src == Opcode.X ? 0 : (int) imm(c));
                    }
                } else if (c.chance(10)) {
                    // chaos: any opcode, any fields
                    int opcode = c.intBetween(0, 255);
                    long any = opcode == Opcode.LD_IMM64 ? c.between(Long.MIN_VALUE, Long.MAX_VALUE) : (int) imm(c);
                    insn = new Instruction(opcode, c.intBetween(0, 15), c.intBetween(0, 15), (short) offset(c), any);
                } else {
                    insn = plausible(c);
                }
                insns.add(insn);
                slot += insn.slots();
            }
            insns.add(new Instruction(Opcode.ALU64 | Opcode.MOV | Opcode.K, 0, 0, (short) 0, c.intBetween(0, 1)));
            insns.add(new Instruction(Opcode.JMP | Opcode.EXIT, 0, 0, (short) 0, 0));
            return new Prog(type, BpfBytecode.of(insns, relocs));
        };
    }

    /** A valid opcode with the fields its class expects (and the odd invalid register or offset). */
    private static Instruction plausible(Choices c) {
        int opcode = VALID_OPCODES[c.intBetween(0, VALID_OPCODES.length - 1)];
        int cls = opcode & 7;
        boolean x = (opcode & Opcode.X) != 0;
        int op = opcode & 0xf0;
        int dst = reg(c);
        switch (cls) {
            case Opcode.ALU, Opcode.ALU64 -> {
                if (op == Opcode.NEG) {
                    return new Instruction(cls | Opcode.NEG, dst, 0, (short) 0, 0);
                }
                if (op == Opcode.END) {
                    int src = cls == Opcode.ALU64 ? Opcode.K : opcode & Opcode.X;
                    return new Instruction(cls | Opcode.END | src, dst, 0, (short) 0, 16 << c.intBetween(0, 2));
                }
                int off = 0;
                if ((op == Opcode.DIV || op == Opcode.MOD) && c.chance(2)) {
                    off = 1;
                } else if (op == Opcode.MOV && x && c.chance(3)) {
                    off = 8 << c.intBetween(0, cls == Opcode.ALU64 ? 2 : 1);
                }
                long imm = imm(c);
                if (op == Opcode.LSH || op == Opcode.RSH || op == Opcode.ARSH) {
                    imm = c.intBetween(0, cls == Opcode.ALU64 ? 63 : 31);
                }
                return new Instruction(opcode, dst, x ? reg(c) : 0, (short) off, x ? 0 : (int) imm);
            }
            case Opcode.LDX -> {
                return new Instruction(opcode, dst, c.chance(2) ? 10 : reg(c), (short) offset(c), 0);
            }
            case Opcode.ST -> {
                return new Instruction(opcode, c.chance(2) ? 10 : reg(c), 0, (short) offset(c), (int) imm(c));
            }
            case Opcode.STX -> {
                int base = c.chance(2) ? 10 : reg(c);
                int off = (opcode & 0x18) == Opcode.DW || (opcode & 0xe0) == Opcode.ATOMIC ? -8 * c.intBetween(1, 8) : offset(c);
                int imm = (opcode & 0xe0) == Opcode.ATOMIC ? ATOMIC_OPS[c.intBetween(0, ATOMIC_OPS.length - 1)] : 0;
                return new Instruction(opcode, base, reg(c), (short) off, imm);
            }
            case Opcode.LD -> {
                return new Instruction(Opcode.LD_IMM64, dst, 0, (short) 0, c.between(Long.MIN_VALUE, Long.MAX_VALUE));
            }
            default -> {
                int jump = c.chance(4) ? c.intBetween(-6, -1) : c.intBetween(0, 6);
                return new Instruction(opcode, dst, x ? reg(c) : 0, (short) jump, x ? 0 : (int) imm(c));
            }
        }
    }

    // ------------------------------------------------------------------ the property

    /** The outcome of loading and running a program once: "rejected", "aborted: reason" or "returned n". */
    static String outcome(Prog p) {
        VmMaps maps = new VmMaps();
        VmProgram prog;
        try {
            prog = VmLoader.load("robust", p.type(), "GPL", p.code(), MAPS, maps,
                    new VmOptions(true, () -> 42, true).withKernel(SimKernel.INSTANCE));
        } catch (ProgramRejectedException e) {
            assertTrue(e.getMessage().startsWith("program 'robust'"), e.getMessage());
            return "rejected";
        }
        TcpSocketModel socket = acceptedWith32Bytes();
        SocketInfo info = SocketInfo.loopback(65483, 5000, 1000);
        try {
            long r;
            if (p.type() == ProgramType.SOCK_OPS) {
                SockOpsInput in = new SockOpsInput().set(socket, info, 21).segment(1001, 1033, false, 32);
                r = prog.runSockOps(in);
            } else {
                r = prog.runSockopt(new SockoptInput().set(socket, info, 1, 18, 5));
            }
            assertTrue(r == 0 || r == 1, "the return range is enforced: " + r);
            return "returned " + r;
        } catch (BpfVmException e) {
            assertEquals("robust", e.program());
            assertTrue(e.pc() >= 0 && e.pc() < prog.slots(), "pc inside the program: " + e.getMessage());
            assertTrue(e.getMessage().contains(e.instruction()) && !e.reason().isBlank(), e.getMessage());
            return "aborted: " + e.reason();
        }
    }

    @Test
    @Timeout(120)
    @DisplayName("random bytes are rejected at load, or run to completion or to a clean BpfVmException")
    void randomBytesProperty() {
        AtomicInteger loaded = new AtomicInteger();
        Property.forAll("vm robustness: random bytes", randomBytes()).tries(2000).check(p -> {
            String first = outcome(p);
            if (!first.equals("rejected")) {
                loaded.incrementAndGet();
                assertEquals(first, outcome(p), "deterministic");
            }
        });
        System.out.println("random bytes: " + loaded.get() + " of 2000 programs passed the load checks");
    }

    @Test
    @Timeout(300)
    @DisplayName("random well-formed-ish instructions are rejected at load, or run to completion or to a clean "
            + "BpfVmException (never another exception, never a hang)")
    void wellFormedIshProperty() {
        AtomicInteger loaded = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        int tries = Integer.getInteger("autolowat.tries", 3000);
        Property.forAll("vm robustness: well-formed-ish instructions", wellFormedIsh()).tries(tries).check(p -> {
            String first = outcome(p);
            if (!first.equals("rejected")) {
                loaded.incrementAndGet();
                if (first.startsWith("returned")) {
                    completed.incrementAndGet();
                }
                assertEquals(first, outcome(p), "deterministic");
            }
        });
        System.out.println("well-formed-ish: " + loaded.get() + " of " + tries + " loaded, " + completed.get()
                + " ran to completion");
        assertTrue(loaded.get() > tries / 20, "the generator should produce loadable programs: " + loaded.get());
        assertTrue(completed.get() > 0, "and some that run to completion");
    }

    /** An accepted socket (peer ISN 1000) with 32 bytes of 7s queued at seq 1001: the segment programs see. */
    static TcpSocketModel acceptedWith32Bytes() {
        TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT, false, 1000, 65483);
        socket.markAccepted();
        byte[] payload = new byte[32];
        Arrays.fill(payload, (byte) 7);
        socket.arrive(1001, payload, false);
        return socket;
    }
}
