package dev.autolowat.conformance.verifier;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Reg;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.conformance.NativeAgreementTest;
import dev.autolowat.kernel.bpf.BpfException;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.bpf.VerifierRejectedException;
import dev.autolowat.sim.vm.VmLoader;
import dev.autolowat.sim.vm.VmMaps;
import dev.autolowat.sim.vm.VmOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * VM fidelity (docs/programs.md, "Load-time checks", context accesses): the simulator's eBPF VM
 * accepts exactly the context loads and stores the running kernel's verifier accepts. For every
 * offset from 0 to the context's size + 8, every size (1, 2, 4, 8) and every access form — a load
 * ({@code LDX MEM}), a sign-extending load ({@code LDX MEMSX}, sizes 1, 2, 4), a register store
 * ({@code STX MEM}) and an immediate store ({@code ST MEM}) — one minimal program ({@code r1} = ctx; the access; {@code r0 = 1; exit}) is loaded by the VM
 * ({@link VmLoader}) and by the kernel ({@code BPF_PROG_LOAD} through {@link ProgramLoader}), and the
 * verdicts are compared: {@code struct bpf_sock_ops} as {@code BPF_PROG_TYPE_SOCK_OPS}
 * ({@code sock_ops_is_valid_access()}, net/core/filter.c) and {@code struct bpf_sockopt} as
 * {@code BPF_PROG_TYPE_CGROUP_SOCKOPT} with expected attach type {@code BPF_CGROUP_SETSOCKOPT}
 * ({@code cg_sockopt_is_valid_access()}, kernel/bpf/cgroup.c; the VM loads no
 * {@code BPF_CGROUP_GETSOCKOPT} programs, so that attach type is not compared).
 *
 * <p>The kernel's loads of {@code struct bpf_sock} through {@code ctx->sk} ({@code bpf_sock_is_valid_access()})
 * are measured and recorded too; the VM checks those when they run, not at load, so they are compared
 * with its rule by {@code ContextAccessTableTest}, not here.
 *
 * <p>The kernel's verdicts are also recorded in {@link #TABLE} (sdk-sim's test resources), against
 * which {@code ContextAccessTableTest} checks the VM on any machine, root or not; this test checks
 * that the running kernel still gives the recorded verdicts (a newer kernel that changed a rule
 * fails here, naming its version). {@code -Dautolowat.ctxaccess.record=true} rewrites the table
 * from the running kernel instead of comparing with it (then review the diff).
 *
 * <p>Every disagreement is listed in one failure. Requires root (the kernel loads): as another user
 * the test is reported as skipped with "requires root", and on a kernel without either program type
 * as skipped with "not supported by this kernel", never as passed.
 */
public class ContextAccessAgreementTest {
    /** The recorded kernel verdicts, read by sdk-sim's {@code ContextAccessTableTest}. */
    static final Path TABLE = Path.of("..", "sdk-sim", "src", "test", "resources", "dev", "autolowat", "sim", "vm",
            "context-access-kernel.txt");
    static final String RECORD_PROPERTY = "autolowat.ctxaccess.record";

    /** The access forms compared. */
    enum Access {
        /** {@code r3 = *(size *)(r1 + off)}. */
        LDX,
        /** {@code r3 = *(s8/s16/s32 *)(r1 + off)} ({@code LDX MEMSX}: sizes 1, 2 and 4 only). */
        LDXSX,
        /** {@code r3 = 0; *(size *)(r1 + off) = r3}: a scalar, so only the context rule can refuse it. */
        STX,
        /** {@code *(size *)(r1 + off) = 0}. */
        ST
    }

    /**
     * One uapi struct a program of {@code type} reads: the context in r1, or ({@code throughSk}) the
     * {@code struct bpf_sock} that {@code ctx->sk} points to, reached by
     * {@code r2 = ctx->sk; if r2 == 0 goto out} and read through r2 ({@code bpf_sock_is_valid_access()}).
     */
    record Context(String struct, ProgramType type, int size, List<Access> accesses, boolean throughSk) {
    }

    static final List<Context> CONTEXTS = List.of(
            new Context("bpf_sock_ops", ProgramType.SOCK_OPS, SockOpsCtx.SIZE, List.of(Access.values()), false),
            new Context("bpf_sockopt", ProgramType.CGROUP_SETSOCKOPT, SockoptCtx.SIZE, List.of(Access.values()), false),
            // struct bpf_sock is read-only and reached only through a checked pointer: loads only
            new Context("bpf_sock", ProgramType.SOCK_OPS, 80, List.of(Access.LDX), true));

    static final int[] SIZES = {1, 2, 4, 8};

    /** One case: an access of {@code size} bytes at {@code off} of the context. */
    record Case(Context ctx, Access access, int off, int size) {
        /** The key of the case in {@link #TABLE}: {@code struct access off size}. */
        String key() {
            return ctx.struct() + " " + access.name().toLowerCase() + " " + off + " " + size;
        }

        BpfBytecode program() {
            int sz = switch (size) {
                case 1 -> Opcode.B;
                case 2 -> Opcode.H;
                case 4 -> Opcode.W;
                default -> Opcode.DW;
            };
            Assembler a = new Assembler();
            Reg base = Reg.R1;
            if (ctx.throughSk()) {
                a.ldxdw(Reg.R2, Reg.R1, SockOpsCtx.SK).jeq(Reg.R2, 0, "out");
                base = Reg.R2;
            }
            switch (access) {
                case LDX -> a.ldx(sz, Reg.R3, base, off);
                case LDXSX -> a.ldxsx(sz, Reg.R3, base, off);
                case STX -> a.mov64(Reg.R3, 0).stx(sz, base, Reg.R3, off);
                case ST -> a.st(sz, base, off, 0);
            }
            return a.label("out").mov64(Reg.R0, 1).exit().build();
        }
    }

    /** A verdict: accepted, or rejected with the loader's reason (the kernel's verifier log line). */
    record Verdict(boolean accepted, String reason) {
        String word() {
            return accepted ? "accept" : "reject";
        }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (Context c : CONTEXTS) {
            for (Access a : c.accesses()) {
                for (int off = 0; off <= c.size() + 8; off++) {
                    for (int size : SIZES) {
                        if (a == Access.LDXSX && size == 8) {
                            continue; // no such instruction: a 64-bit load has nothing to extend
                        }
                        out.add(new Case(c, a, off, size));
                    }
                }
            }
        }
        return out;
    }

    static Verdict simulator(Case c) {
        try {
            // Only the load is compared: the interpreter mode spares a class translation per case.
            VmLoader.load("ctx_access", c.ctx().type(), "GPL", c.program(), List.of(), new VmMaps(),
                    new VmOptions(false, () -> 0L, true, VmOptions.ExecutionMode.INTERPRETER));
            return new Verdict(true, "");
        } catch (ProgramRejectedException e) {
            return new Verdict(false, e.getMessage());
        }
    }

    static Verdict kernel(ProgramLoader loader, Case c) {
        try (LoadedProgram p = loader.load(c.ctx().type(), "ctx_access", "GPL", c.program(), List.of())) {
            return new Verdict(true, "");
        } catch (VerifierRejectedException e) {
            return new Verdict(false, e.reason());
        }
    }

    /** Skips (with the reason) unless this kernel loads a trivial program of every compared type. */
    static void requireProgramTypes(ProgramLoader loader) {
        BpfBytecode trivial = new Assembler().mov64(Reg.R0, 1).exit().build();
        for (Context c : CONTEXTS) {
            try (LoadedProgram p = loader.load(c.type(), "ctx_probe", "GPL", trivial, List.of())) {
                // supported
            } catch (BpfException e) {
                Assumptions.abort("not supported by this kernel: it does not load a trivial " + c.type()
                        + " program (" + e.getMessage() + ")");
            }
        }
    }

    @Test
    @DisplayName("VM fidelity: every context load/store the kernel verifier accepts, the VM accepts, and no other"
            + " (bpf_sock_ops, bpf_sockopt/SETSOCKOPT; recorded table up to date)")
    void contextAccessesAgreeWithTheKernel() throws IOException {
        NativeAgreementTest.requireRoot();
        ProgramLoader loader = new ProgramLoader();
        requireProgramTypes(loader);
        String kernelVersion = System.getProperty("os.version");

        Map<String, Verdict> measured = new LinkedHashMap<>();
        List<String> disagreements = new ArrayList<>();
        List<Case> all = cases();
        for (Case c : all) {
            Verdict k = kernel(loader, c);
            measured.put(c.key(), k);
            if (c.ctx().throughSk()) {
                // The VM checks accesses through ctx->sk when they run (docs/programs.md): sdk-sim's
                // ContextAccessTableTest compares its bpf_sock rule with the recorded verdicts.
                continue;
            }
            Verdict s = simulator(c);
            if (k.accepted() != s.accepted()) {
                disagreements.add(c.key() + ": sim " + s.word() + (s.accepted() ? "" : " (" + s.reason() + ")")
                        + ", kernel " + k.word() + (k.accepted() ? "" : " (" + k.reason() + ")"));
            }
        }

        List<String> drift = new ArrayList<>();
        String recordedOn = "";
        if (Boolean.getBoolean(RECORD_PROPERTY)) {
            write(measured, kernelVersion);
            System.out.println("[ctx-access] recorded " + measured.size() + " kernel verdicts of Linux " + kernelVersion
                    + " in " + TABLE.toAbsolutePath().normalize());
        } else {
            Map<String, Boolean> recorded = read(TABLE);
            recordedOn = Files.readAllLines(TABLE, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("# Measured on ")).findFirst()
                    .map(l -> l.substring("# Measured on ".length()).replaceFirst(" on \\d{4}-.*", ""))
                    .orElse("(no '# Measured on' line)");
            for (Map.Entry<String, Verdict> e : measured.entrySet()) {
                Boolean r = recorded.get(e.getKey());
                if (r == null) {
                    drift.add(e.getKey() + ": not in the table");
                } else if (r != e.getValue().accepted()) {
                    drift.add(e.getKey() + ": table " + (r ? "accept" : "reject") + ", Linux " + kernelVersion + " "
                            + e.getValue().word() + (e.getValue().accepted() ? "" : " (" + e.getValue().reason() + ")"));
                }
            }
            if (recorded.size() != measured.size()) {
                drift.add("the table has " + recorded.size() + " cases, this test measures " + measured.size());
            }
        }

        System.out.println("[ctx-access] " + all.size() + " cases, Linux " + kernelVersion + ": "
                + disagreements.size() + " disagreement(s) with the simulator" + (Boolean.getBoolean(RECORD_PROPERTY)
                ? " (table re-recorded, not compared)" : ", " + drift.size() + " difference(s) from the recorded table"));
        if (!disagreements.isEmpty() || !drift.isEmpty()) {
            StringBuilder m = new StringBuilder();
            if (!disagreements.isEmpty()) {
                m.append(disagreements.size()).append(" of ").append(all.size())
                        .append(" context accesses: the simulator's VM and the verifier of Linux ").append(kernelVersion)
                        .append(" disagree (the kernel is the reference: fix Layout/Layouts/CtxAccessCheck in sdk-sim)."
                                + " struct access off size: sim verdict, kernel verdict\n");
                disagreements.forEach(d -> m.append("  ").append(d).append('\n'));
            }
            if (!drift.isEmpty()) {
                m.append(drift.size()).append(" verdicts of Linux ").append(kernelVersion).append(" differ from the table ")
                        .append(TABLE).append(", measured on ").append(recordedOn).append(" (kernel drift: if the new kernel is right, re-record with -D")
                        .append(RECORD_PROPERTY).append("=true and update the VM)\n");
                drift.forEach(d -> m.append("  ").append(d).append('\n'));
            }
            fail(m.toString());
        }
    }

    private static void write(Map<String, Verdict> measured, String kernelVersion) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# The kernel verifier's verdicts on context accesses (VM fidelity, docs/programs.md).\n")
                .append("# Measured on Linux ").append(kernelVersion).append(" (").append(System.getProperty("os.arch"))
                .append(") on ").append(LocalDate.now(ZoneOffset.UTC))
                .append(" by conformance-tests ContextAccessAgreementTest (-D").append(RECORD_PROPERTY).append("=true).\n")
                .append("# Each program: r1 = ctx; the access; r0 = 1; exit. ldx: r3 = *(size *)(r1 + off);\n")
                .append("# ldxsx: the same load sign-extending (LDX MEMSX, sizes 1, 2, 4);\n")
                .append("# stx: r3 = 0; *(size *)(r1 + off) = r3; st: *(size *)(r1 + off) = 0.\n")
                .append("# bpf_sock_ops: BPF_PROG_TYPE_SOCK_OPS; bpf_sockopt: BPF_PROG_TYPE_CGROUP_SOCKOPT,\n")
                .append("# expected attach type BPF_CGROUP_SETSOCKOPT; bpf_sock: a sock_ops program reading\n")
                .append("# ctx->sk: r2 = *(u64 *)(r1 + 184); if r2 == 0 goto out; r3 = *(size *)(r2 + off); out: ...\n")
                .append("# Read by sdk-sim ContextAccessTableTest.\n")
                .append("# struct access off size verdict\n");
        measured.forEach((k, v) -> b.append(k).append(' ').append(v.word()).append('\n'));
        Files.writeString(TABLE, b.toString(), StandardCharsets.UTF_8);
    }

    /** The table: {@code struct access off size} to accepted. */
    static Map<String, Boolean> read(Path table) throws IOException {
        Map<String, Boolean> out = new LinkedHashMap<>();
        int n = 0;
        for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length != 5 || !(f[4].equals("accept") || f[4].equals("reject"))) {
                throw new IllegalStateException(table + ":" + n + ": expected 'struct access off size accept|reject': "
                        + line);
            }
            out.put(f[0] + " " + f[1] + " " + f[2] + " " + f[3], f[4].equals("accept"));
        }
        return out;
    }
}
