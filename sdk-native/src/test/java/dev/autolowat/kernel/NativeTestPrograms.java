package dev.autolowat.kernel;

import dev.autolowat.api.program.InvocationLogMap;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Macros;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;

import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R5;
import static dev.autolowat.api.asm.Reg.R6;

/** Bytecode programs the native backend tests attach. */
final class NativeTestPrograms {
    private NativeTestPrograms() {
    }

    /** K3 {@code bpf_setsockopt(SO_RCVLOWAT, value)} on ops 4 and 5, then logs into {@code inv_log}. */
    static SockOpsProgram.Bytecode k3Logger(String name, int value) {
        Assembler a = new Assembler();
        a.mov64(R6, R1);
        Macros.onOps(a, R6, "log", 4, 5);
        Macros.setsockoptInt(a, R6, SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, -4, value).label("log");
        InvocationLogMap.emit(a, 0, InvocationLogMap.DEFAULT_CAPACITY, "log");
        a.mov64(R0, 1).exit();
        return a.program(name, "GPL", List.of(InvocationLogMap.spec()));
    }

    /** Only logs, into an {@code inv_log} ring of {@code capacity} entries. */
    static SockOpsProgram.Bytecode logger(String name, int capacity) {
        Assembler a = new Assembler();
        a.mov64(R6, R1);
        InvocationLogMap.emit(a, 0, capacity, "log");
        a.mov64(R0, 1).exit();
        return a.program(name, "GPL", List.of(InvocationLogMap.spec(capacity)));
    }

    /** On op 5: {@code bpf_sock_ops_cb_flags_set(ctx, flags)}. */
    static SockOpsProgram.Bytecode setFlags(String name, int flags) {
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxw(R2, R6, SockOpsCtx.OP)
                .jne(R2, 5, "out")
                .mov64(R1, R6).mov64(R2, flags).call(Helper.SOCK_OPS_CB_FLAGS_SET)
                .label("out")
                .mov64(R0, 1).exit();
        return a.program(name, "GPL", List.of());
    }

    /** A program that touches an SK_STORAGE map {@code shared} (declared identically by both callers). */
    static SockOpsProgram.Bytecode storageUser(String name, MapSpec shared) {
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxdw(R2, R6, SockOpsCtx.SK)
                .jeq(R2, 0, "out")
                .loadMap(R1, 0).mov64(R3, 0).mov64(R4, Helper.SK_STORAGE_GET_F_CREATE)
                .call(Helper.SK_STORAGE_GET)
                .label("out")
                .mov64(R0, 1).exit();
        return a.program(name, "GPL", List.of(shared));
    }

    /** Reads R2 before writing it: the verifier says {@code R2 !read_ok}. */
    static SockOpsProgram.Bytecode verifierReject(String name) {
        return new Assembler().mov64(R0, R2).exit()
                .program(name, "GPL", List.of(new MapSpec(name + "_m", MapType.HASH, 4, 4, 1)));
    }

    /** Calls {@code bpf_skb_load_bytes} (helper 26) from a sock_ops program. */
    static SockOpsProgram.Bytecode skbLoadBytes(String name) {
        return new Assembler().mov64(R6, R1)
                .mov64(R1, R6).mov64(R2, 0).mov64(R3, R10).add64(R3, -8).mov64(R4, 8)
                .call(Helper.SKB_LOAD_BYTES)
                .mov64(R0, 1).exit()
                .program(name, "GPL", List.of());
    }
}
