package dev.autolowat.kernel.bpf;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Encoding;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.SockOpsProgram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R2;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link ProgramLoader} resolves relocations: map fds, field offsets, kfunc ids. */
@DisplayName("ProgramLoader relocations")
class RelocationTest {

    /** Fixed symbols: the uapi context's fields under the name "bpf_sock_ops", and one kfunc id. */
    static KernelSymbols symbols(Map<String, Integer> fields, Map<String, Integer> kfuncs) {
        return new KernelSymbols() {
            @Override
            public Optional<FieldLocation> field(String struct, String field) {
                Integer off = fields.get(struct + "." + field);
                return off == null ? Optional.empty() : Optional.of(new FieldLocation(off, 4));
            }

            @Override
            public OptionalInt kfuncBtfId(String name) {
                Integer id = kfuncs.get(name);
                return id == null ? OptionalInt.empty() : OptionalInt.of(id);
            }
        };
    }

    static SockOpsProgram.Bytecode fieldProgram(int extra) {
        return new Assembler().ldxField(Opcode.W, R2, R1, "bpf_sock_ops", "family", extra).mov64(R0, 1).exit()
                .program("field_prog", "GPL", List.of());
    }

    @Test
    @DisplayName("FieldRef or KfuncRef without KernelSymbols: rejected before anything is created, saying what is missing")
    void noSymbols() {
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                () -> new ProgramLoader().load(fieldProgram(0)));
        assertTrue(e.getMessage().contains("field reference bpf_sock_ops.family at slot 0"), e.getMessage());
        assertTrue(e.getMessage().contains("without KernelSymbols"), e.getMessage());
        SockOpsProgram.Bytecode kf = new Assembler().callKfunc("bpf_sock_ops_tcp_set_rcvlowat").mov64(R0, 1).exit()
                .program("kfunc_prog", "GPL", List.of());
        ProgramRejectedException k = assertThrows(ProgramRejectedException.class, () -> new ProgramLoader().load(kf));
        assertTrue(k.getMessage().contains("kfunc call bpf_sock_ops_tcp_set_rcvlowat"), k.getMessage());
        ProgramRejectedException absent = assertThrows(ProgramRejectedException.class,
                () -> new ProgramLoader(symbols(Map.of(), Map.of())).load(kf));
        assertTrue(absent.getMessage().contains("not supported by this kernel"), absent.getMessage());
    }

    @Test
    @DisplayName("a FieldRef on STX|MEMSX (an encoding the kernel rejects) is refused by the SDK's one rule, as the "
            + "simulator's loader refuses it; on LDX|MEMSX it is accepted")
    void fieldRefOnlyOnKernelLoadsAndStores() {
        byte[] stx = new Assembler().stxField(Opcode.W, R1, R2, "bpf_sock_ops", "family").mov64(R0, 1).exit().build()
                .toByteArray();
        stx[0] = (byte) ((stx[0] & ~0xe0) | Opcode.MEMSX);
        SockOpsProgram.Bytecode p = new SockOpsProgram.Bytecode("memsx_store", "GPL", dev.autolowat.api.program.BpfBytecode
                .of(stx, List.of(new Relocation.FieldRef(0, "bpf_sock_ops", "family"))), List.of());
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                () -> new ProgramLoader(symbols(Map.of("bpf_sock_ops.family", SockOpsCtx.FAMILY), Map.of())).load(p));
        assertTrue(e.getMessage().contains("not a load or store"), e.getMessage());
        assertTrue(Encoding.isLoadStore(Opcode.LDX | Opcode.MEMSX | Opcode.W));
        assertTrue(!Encoding.isLoadStore(Opcode.LDX | Opcode.MEMSX | Opcode.DW), "there is no 8-byte sign-extending load");
    }

    @Test
    @DisplayName("a FieldRef resolved to bpf_sock_ops.family (20) loads; resolved to a misaligned offset the verifier refuses it")
    void fieldRefLoads() {
        BpfTestSupport.requireRoot();
        try (LoadedProgram lp = new ProgramLoader(symbols(Map.of("bpf_sock_ops.family", SockOpsCtx.FAMILY), Map.of()))
                .load(fieldProgram(0))) {
            assertTrue(lp.program().id() > 0);
        }
        VerifierRejectedException e = assertThrows(VerifierRejectedException.class,
                () -> new ProgramLoader(symbols(Map.of("bpf_sock_ops.family", SockOpsCtx.FAMILY), Map.of()))
                        .load(fieldProgram(2)));
        assertTrue(e.log().contains("invalid bpf_context access off=22"), e.log());
    }

    @Test
    @DisplayName("a KfuncRef resolved to an id that is not a kernel function: the verifier says so")
    void kfuncRefWrongId() {
        BpfTestSupport.requireRoot();
        SockOpsProgram.Bytecode kf = new Assembler().mov64(R1, 0).callKfunc("no_such").mov64(R0, 1).exit()
                .program("kfunc_prog", "GPL", List.of());
        VerifierRejectedException e = assertThrows(VerifierRejectedException.class,
                () -> new ProgramLoader(symbols(Map.of(), Map.of("no_such", 1))).load(kf));
        System.out.println("[kfunc id 1] " + VerifierRejectedException.lastLine(e.log()));
    }
}
