package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
}
