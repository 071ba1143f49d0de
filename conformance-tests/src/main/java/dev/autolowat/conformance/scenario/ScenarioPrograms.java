package dev.autolowat.conformance.scenario;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Macros;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.program.InvocationLogMap;

import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R5;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R7;
import static dev.autolowat.api.asm.Reg.R8;

/**
 * The bytecode programs scenarios attach ({@link ProgramChoice}). Every sock_ops program here logs
 * each of its invocations into {@value InvocationLogMap#NAME} ({@link InvocationLogMap#emit}), the
 * convention by which a kernel's invocations are observed (SEMANTICS.md, "What agree means"); the
 * simulator runs the same bytes. Helper results a program wants compared are stored in an ARRAY
 * {@value #RETS} of eight s64 slots, which the runner reads after every step.
 */
public final class ScenarioPrograms {
    private ScenarioPrograms() {
    }

    /** The ARRAY of helper results ({@code rets[i]}, s64, 8 slots). */
    public static final String RETS = "rets";
    /** Slots of {@link #RETS}. */
    public static final int RETS_SLOTS = 8;
    /** The private option level {@link Step.SetFlags} uses: the A2 level plus two (the native flag observer has plus one). */
    public static final int FLAG_SET_LEVEL = 0xdeadbef1;
    /** The optname of {@link #FLAG_SET_LEVEL}. */
    public static final int FLAG_SET_OPTNAME = 1;
    /** The map where {@link #flagSetter()} leaves the helper's result: ARRAY, one s64. */
    public static final String FLAG_SET_MAP = "al_flags_set";
    /** What the runner writes into {@link #FLAG_SET_MAP} before a call: "the program did not run". */
    public static final long FLAG_SET_SENTINEL = 0x7eadbeefL;

    static MapSpec retsSpec() {
        return new MapSpec(RETS, MapType.ARRAY, 4, 8, RETS_SLOTS);
    }

    /** Logs every invocation, does nothing else (H1/H2 observation). */
    public static SockOpsProgram.Bytecode logger() {
        Assembler a = new Assembler();
        a.mov64(R6, R1);
        InvocationLogMap.emit(a, 0, InvocationLogMap.DEFAULT_CAPACITY, "log");
        a.mov64(R0, 1).exit();
        return a.program("al_logger", "GPL", List.of(InvocationLogMap.spec()));
    }

    /**
     * K3: {@code bpf_setsockopt(SOL_SOCKET, SO_RCVLOWAT, value)} on ops 4 (client) and 5 (accepted,
     * before accept()), then logs every invocation.
     */
    public static SockOpsProgram.Bytecode k3Logger(int value) {
        return k3(value, true, "k3_log");
    }

    /** As {@link #k3Logger} without the log (the first program of {@link ProgramChoice#K3_CHAIN}). */
    public static SockOpsProgram.Bytecode k3Setter(int value) {
        return k3(value, false, "k3_set");
    }

    private static SockOpsProgram.Bytecode k3(int value, boolean log, String name) {
        Assembler a = new Assembler();
        a.mov64(R6, R1);
        Macros.onOps(a, R6, "log", 4, 5);
        Macros.setsockoptInt(a, R6, SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, -4, value).label("log");
        if (log) {
            InvocationLogMap.emit(a, 0, InvocationLogMap.DEFAULT_CAPACITY, "log");
        }
        a.mov64(R0, 1).exit();
        return a.program(name, "GPL", log ? List.of(InvocationLogMap.spec()) : List.of());
    }

    /**
     * F1/F2 on op 5, each helper result stored in {@value #RETS}: [0]
     * {@code bpf_sock_ops_cb_flags_set(ctx, first)}; [1] {@code bpf_setsockopt(SOL_TCP,
     * TCP_BPF_SOCK_OPS_CB_FLAGS, first)}; [2]/[3] {@code bpf_getsockopt} of the word (its result, the
     * word); [4] {@code bpf_setsockopt(..., second)}; [5]/[6] {@code bpf_getsockopt} again. Then logs.
     * With {@code (0x84, 0x05)} on a stock kernel: 0x80, -EINVAL, 0, 0x04, 0, 0, 0x05.
     */
    public static SockOpsProgram.Bytecode flagsProbe(int first, int second) {
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxw(R2, R6, SockOpsCtx.OP)
                .jne(R2, 5, "log")
                .mov64(R1, R6).mov64(R2, first).call(Helper.SOCK_OPS_CB_FLAGS_SET).mov64(R7, R0);
        store(a, 1, 0, "s0");
        setThenGetFlags(a, first, 1);
        setThenGetFlags(a, second, 4);
        a.label("log");
        InvocationLogMap.emit(a, 0, InvocationLogMap.DEFAULT_CAPACITY, "log");
        a.mov64(R0, 1).exit();
        return a.program("f1f2_log", "GPL", List.of(InvocationLogMap.spec(), retsSpec()));
    }

    /**
     * K1: on op 5 sets RCVQ ({@code bpf_sock_ops_cb_flags_set(ctx, 0x80)}, result in [2]) and calls the
     * kfunc {@code bpf_sock_ops_tcp_set_rcvlowat(ctx, value)} (not op 21: -EOPNOTSUPP, result in [1]);
     * on op 21 calls the kfunc (result in [0]) and K3's {@code bpf_setsockopt(SO_RCVLOWAT, value)}
     * (refused in op 21: result in [3]). Then logs. Needs a kernel with the series.
     */
    public static SockOpsProgram.Bytecode kfuncSetter(int value) {
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxw(R2, R6, SockOpsCtx.OP)
                .jeq(R2, 21, "rcvq")
                .jne(R2, 5, "log")
                .mov64(R1, R6).mov64(R2, CbFlags.RCVQ).call(Helper.SOCK_OPS_CB_FLAGS_SET).mov64(R7, R0);
        store(a, 1, 2, "s2");
        // The kfunc returns an int: only r0's lower half is defined (a kernel leaves the upper half
        // zero), so sign-extend it before storing the s64 result.
        a.mov64(R1, R6).mov64(R2, value).callKfunc(FramingPolicy.KFUNC_SET_RCVLOWAT).movsx64(R7, R0, 32);
        store(a, 1, 1, "s1");
        a.ja("log")
                .label("rcvq")
                .mov64(R1, R6).mov64(R2, value).callKfunc(FramingPolicy.KFUNC_SET_RCVLOWAT).movsx64(R7, R0, 32);
        store(a, 1, 0, "s0");
        Macros.setsockoptInt(a, R6, SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, -4, value).mov64(R7, R0);
        store(a, 1, 3, "s3");
        a.label("log");
        InvocationLogMap.emit(a, 0, InvocationLogMap.DEFAULT_CAPACITY, "log");
        a.mov64(R0, 1).exit();
        return a.program("k1_log", "GPL", List.of(InvocationLogMap.spec(), retsSpec()));
    }

    /**
     * The cgroup setsockopt program behind {@link Step.SetFlags}: answers
     * {@code setsockopt(fd, }{@value #FLAG_SET_LEVEL}{@code , 1, &flags, 4)} — consumes it (the kernel never
     * sees the option), calls {@code bpf_setsockopt(ctx->sk, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS, &flags)}
     * and stores the helper's result (s64) at key 0 of {@value #FLAG_SET_MAP}. Other options pass
     * through untouched.
     */
    public static SockoptProgram.Bytecode flagSetter() {
        Assembler a = new Assembler();
        a.mov64(R6, R1);
        Macros.consumeIntOption(a, R6, FLAG_SET_LEVEL, FLAG_SET_OPTNAME, R8, R7, "pass");   // R8: the flags
        a.stxw(R10, R8, -4);
        Macros.sockoptInt(a, Helper.SETSOCKOPT, R7, SockOpt.SOL_TCP, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS, -4)
                .stxdw(R10, R0, -16)
                .stw(R10, -20, 0);
        Macros.mapUpdate(a, 0, -20, -16, 0)
                .label("pass")
                .mov64(R0, 1)
                .exit();
        return a.sockoptProgram("al_flags_set", "GPL", List.of(new MapSpec(FLAG_SET_MAP, MapType.ARRAY, 4, 8, 1)));
    }

    /**
     * {@code bpf_setsockopt(ctx, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS, flags)}, its result in
     * {@code rets[slot]}; then {@code bpf_getsockopt} of the word: its result in {@code rets[slot + 1]},
     * the word in {@code rets[slot + 2]}.
     */
    private static void setThenGetFlags(Assembler a, int flags, int slot) {
        Macros.setsockoptInt(a, R6, SockOpt.SOL_TCP, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS, -4, flags).mov64(R7, R0);
        store(a, 1, slot, "s" + slot);
        a.stw(R10, -4, -1);
        Macros.sockoptInt(a, Helper.GETSOCKOPT, R6, SockOpt.SOL_TCP, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS, -4)
                .mov64(R7, R0);
        store(a, 1, slot + 1, "s" + (slot + 1));
        a.ldxw(R7, R10, -4);
        store(a, 1, slot + 2, "s" + (slot + 2));
    }

    /** {@code map[mapIndex][index] = (s64) R7}. */
    private static void store(Assembler a, int mapIndex, int index, String label) {
        a.stw(R10, -8, index)
                .loadMap(R1, mapIndex).mov64(R2, R10).add64(R2, -8).call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, label)
                .stxdw(R0, R7, 0)
                .label(label);
    }
}
