package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;
import dev.autolowat.api.program.ProgramType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * VM fidelity (docs/programs.md, "Load-time checks", context accesses): the loader's verdict on
 * every context load and store of {@code context-access-kernel.txt} is the kernel verifier's
 * recorded one. The table holds, for {@code struct bpf_sock_ops} (sock_ops programs) and
 * {@code struct bpf_sockopt} (setsockopt programs), every offset from 0 to the struct's size + 8,
 * sizes 1, 2, 4 and 8, and the four access forms {@code LDX MEM}, {@code LDX MEMSX} (1, 2, 4),
 * {@code STX MEM} and {@code ST MEM}, as measured on a real kernel by conformance-tests'
 * {@code ContextAccessAgreementTest} (which also checks that the running kernel still gives them).
 * It also holds the kernel's verdicts on loads of {@code struct bpf_sock} through
 * {@code ctx->sk} ({@code bpf_sock_is_valid_access()}), which the VM checks when they run with the
 * rule of {@link Layouts#BPF_SOCK}: that rule is compared with them directly.
 * This test needs no root and no kernel: the rules of {@code sock_ops_is_valid_access()} and
 * {@code cg_sockopt_is_valid_access()} are checked against the kernel on every machine.
 */
class ContextAccessTableTest {
    static final String TABLE = "context-access-kernel.txt";

    record Row(String struct, String access, int off, int size, boolean accepted, int line) {
        String key() {
            return struct + " " + access + " " + off + " " + size;
        }
    }

    static List<Row> table() throws IOException {
        InputStream in = ContextAccessTableTest.class.getResourceAsStream(TABLE);
        assertNotNull(in, "test resource dev/autolowat/sim/vm/" + TABLE + " is missing");
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length != 5 || !(f[4].equals("accept") || f[4].equals("reject"))) {
                    throw new IllegalStateException(TABLE + ":" + n + ": expected 'struct access off size accept|reject': "
                            + line);
                }
                rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4].equals("accept"), n));
            }
        }
        return rows;
    }

    /** {@code r1} = ctx; the access; {@code r0 = 1; exit} — the program the kernel was given. */
    static Asm program(Row row) {
        int sz = switch (row.size()) {
            case 1 -> Opcode.B;
            case 2 -> Opcode.H;
            case 4 -> Opcode.W;
            case 8 -> Opcode.DW;
            default -> throw new IllegalStateException(TABLE + ":" + row.line() + ": size " + row.size());
        };
        Asm a = new Asm();
        switch (row.access()) {
            case "ldx" -> a.raw(Opcode.LDX | sz | Opcode.MEM, 3, 1, row.off(), 0);
            case "ldxsx" -> a.raw(Opcode.LDX | sz | Opcode.MEMSX, 3, 1, row.off(), 0);
            case "stx" -> a.raw(Opcode.ALU64 | Opcode.MOV | Opcode.K, 3, 0, 0, 0)
                    .raw(Opcode.STX | sz | Opcode.MEM, 1, 3, row.off(), 0);
            case "st" -> a.raw(Opcode.ST | sz | Opcode.MEM, 1, 0, row.off(), 0);
            default -> throw new IllegalStateException(TABLE + ":" + row.line() + ": access " + row.access());
        }
        return a.raw(Opcode.ALU64 | Opcode.MOV | Opcode.K, 0, 0, 0, 1).raw(Opcode.JMP | Opcode.EXIT, 0, 0, 0, 0);
    }

    static boolean isContext(Row row) {
        return !row.struct().equals("bpf_sock");
    }

    static ProgramType type(Row row) {
        return switch (row.struct()) {
            case "bpf_sock_ops" -> ProgramType.SOCK_OPS;
            case "bpf_sockopt" -> ProgramType.CGROUP_SETSOCKOPT;
            default -> throw new IllegalStateException(TABLE + ":" + row.line() + ": struct " + row.struct());
        };
    }

    @Test
    @DisplayName("VM fidelity: the loader accepts exactly the context loads/stores the kernel verifier accepted"
            + " (recorded table: bpf_sock_ops, bpf_sockopt/SETSOCKOPT; LDX, LDX MEMSX, STX, ST; sizes 1-8)")
    void loaderAgreesWithTheRecordedKernelVerdicts() throws IOException {
        List<Row> rows = table();
        // the table covers what ContextAccessAgreementTest measures: both structs, every offset to size + 8
        // (LDX, STX and ST of 1, 2, 4 and 8 bytes; LDX MEMSX of 1, 2 and 4)
        int expected = (3 * 4 + 3) * ((SockOpsCtx.SIZE + 9) + (SockoptCtx.SIZE + 9))
                + 4 * (Layouts.BPF_SOCK.size() + 9); // bpf_sock: LDX of 1, 2, 4 and 8 bytes
        assertEquals(expected, rows.size(), "cases in " + TABLE);
        assertTrue(rows.stream().anyMatch(Row::accepted) && rows.stream().anyMatch(r -> !r.accepted()),
                "the table holds both verdicts");
        // Only the load is compared, so the interpreter mode spares a class translation per case.
        VmHarness h = VmHarness.raw(VmOptions.ExecutionMode.INTERPRETER);
        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            String sim;
            if (!isContext(row)) {
                // ctx->sk: the VM checks these loads when they run, with the rule of Layouts.BPF_SOCK
                // (Views), so the rule itself is compared; nothing else can refuse an LDX of it.
                assertEquals("ldx", row.access(), TABLE + ":" + row.line());
                sim = Layouts.BPF_SOCK.reason(row.off(), row.size(), false);
            } else {
                try {
                    h.load(type(row), "GPL", program(row));
                    sim = null;
                } catch (ProgramRejectedException e) {
                    sim = e.getMessage();
                }
            }
            if ((sim == null) != row.accepted()) {
                wrong.add(row.key() + ": sim " + (sim == null ? "accept" : "reject (" + sim + ")") + ", kernel "
                        + (row.accepted() ? "accept" : "reject"));
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " of " + rows.size() + " context accesses: the VM disagrees with the kernel"
                    + " verdicts recorded in " + TABLE + " (the kernel is the reference: fix Layout/Layouts/CtxAccessCheck)."
                    + " struct access off size: sim verdict, kernel verdict\n  " + String.join("\n  ", wrong));
        }
    }
}
