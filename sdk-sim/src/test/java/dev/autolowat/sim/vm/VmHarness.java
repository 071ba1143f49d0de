package dev.autolowat.sim.vm;

import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.sim.tcp.TcpSocketModel;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loads and runs programs outside a session: one socket, one input, a fixed clock, one
 * {@link VmOptions.ExecutionMode}. In JIT mode every program must really be translated (so a test in
 * that mode cannot pass on the interpreter's fallback).
 */
final class VmHarness {
    static final long CLOCK = 123_456_789L;
    final VmMaps maps = new VmMaps();
    final TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT, false, 1000, 65483);
    final SocketInfo info = SocketInfo.loopback(65483, 5000, 1000);
    final SockOpsInput input = new SockOpsInput();
    final boolean checkReturn;
    final VmOptions.ExecutionMode mode;

    VmHarness(boolean checkReturn, VmOptions.ExecutionMode mode) {
        this.checkReturn = checkReturn;
        this.mode = mode;
        socket.markAccepted();
        input.set(socket, info, 4);
    }

    /** A harness whose programs return raw r0 (no [0, 1] check), in the default mode (JIT). */
    static VmHarness raw() {
        return raw(VmOptions.ExecutionMode.JIT);
    }

    /** A harness whose programs return raw r0 (no [0, 1] check). */
    static VmHarness raw(VmOptions.ExecutionMode mode) {
        return new VmHarness(false, mode);
    }

    VmProgram load(Asm asm, MapSpec... maps) {
        return load(ProgramType.SOCK_OPS, "GPL", asm, maps);
    }

    VmProgram load(ProgramType type, String license, Asm asm, MapSpec... mapSpecs) {
        VmProgram prog = VmLoader.load("test_prog", type, license, asm.build(), List.of(mapSpecs), maps,
                new VmOptions(true, () -> CLOCK, checkReturn, mode).withKernel(SimKernel.INSTANCE));
        assertEquals(mode, prog.executionMode(), () -> "execution mode of the loaded program: "
                + prog.fallbackReason().orElse("no fallback"));
        return prog;
    }

    long run(Asm asm, MapSpec... maps) {
        return load(asm, maps).runSockOps(input);
    }

    /** Runs a program that must abort at run time, and returns the abort. */
    BpfVmException abort(Asm asm, MapSpec... maps) {
        return assertThrows(BpfVmException.class, () -> run(asm, maps));
    }

    /** Runs a program that must abort with {@code reason} in the abort's reason, and returns the abort. */
    BpfVmException assertAbortReason(Asm asm, String reason, MapSpec... maps) {
        BpfVmException e = abort(asm, maps);
        assertTrue(e.reason().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
        return e;
    }

    /**
     * r0 (or the abort's pc and reason) and the instruction count of one run of {@code asm}, loaded
     * as a raw-r0 program in {@code mode}, as one line: how the translator's tests compare the modes.
     */
    static String outcome(Asm asm, VmOptions.ExecutionMode mode, MapSpec... maps) {
        VmHarness h = raw(mode);
        VmProgram p = h.load(asm, maps);
        String out;
        try {
            out = "returned " + p.runSockOps(h.input);
        } catch (BpfVmException e) {
            out = "aborted at pc " + e.pc() + ": " + e.reason();
        }
        return out + ", " + p.lastInstructionCount() + " instructions";
    }
}
