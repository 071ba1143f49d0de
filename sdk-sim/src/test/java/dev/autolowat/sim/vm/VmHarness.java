package dev.autolowat.sim.vm;

import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.tcp.TcpSocketModel;

import java.util.List;

/** Loads and runs programs outside a session: one socket, one input, a fixed clock. */
final class VmHarness {
    static final long CLOCK = 123_456_789L;
    final VmMaps maps = new VmMaps();
    final TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT, false, 1000, 65483);
    final SocketInfo info = SocketInfo.loopback(65483, 5000, 1000);
    final SockOpsInput input = new SockOpsInput();
    final boolean checkReturn;

    VmHarness(boolean checkReturn) {
        this.checkReturn = checkReturn;
        socket.markAccepted();
        input.set(socket, info, 4);
    }

    /** A harness whose programs return raw r0 (no [0, 1] check). */
    static VmHarness raw() {
        return new VmHarness(false);
    }

    VmProgram load(Asm asm, MapSpec... maps) {
        return load(ProgramType.SOCK_OPS, "GPL", asm, maps);
    }

    VmProgram load(ProgramType type, String license, Asm asm, MapSpec... mapSpecs) {
        return VmLoader.load("test_prog", type, license, asm.build(), List.of(mapSpecs), maps,
                new VmOptions(true, () -> CLOCK, checkReturn));
    }

    long run(Asm asm, MapSpec... maps) {
        return load(asm, maps).runSockOps(input);
    }
}
