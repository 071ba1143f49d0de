package dev.autolowat.conformance;

import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.conformance.scenario.Difference;
import dev.autolowat.conformance.scenario.Differential;
import dev.autolowat.conformance.scenario.EnablePath;
import dev.autolowat.conformance.scenario.Expectation;
import dev.autolowat.conformance.scenario.NotRunnableException;
import dev.autolowat.conformance.scenario.ProgramChoice;
import dev.autolowat.conformance.scenario.ProgramSpec;
import dev.autolowat.conformance.scenario.Scenario;
import dev.autolowat.conformance.scenario.Step;
import dev.autolowat.conformance.scenario.StepRecord;
import dev.autolowat.conformance.scenario.Verdict;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fixed agreement scenarios across backends: the same scenario is driven through the SPI on the
 * simulator configured as this machine ({@code Backends.simulatorFor}: its sysctls, without the series)
 * and on the native backend (this kernel), and compared after connecting and after every step
 * ({@code Differential.simVersus}, {@code TraceComparison}): every call's return value, and the
 * observation — {@code rcvLowat}, {@code rcvBuf}, {@code readable}, {@code edgeWakeups},
 * {@code cbFlags}, {@code queuedBytes} and the invocation log's op-5 and op-21 entries (the ops the
 * simulator runs on the accepted socket, docs/semantics.md H6) — and, where a program is attached, what
 * it wrote into its maps ({@code inv_log} for the accepted socket, its helper results {@code rets[i]},
 * the enable path's state). Every scenario runs over IPv4 and IPv6.
 *
 * <p>Where the two disagree, the disagreement must be one of the scenario's {@link Expectation}s — each
 * a documented difference with its reason (docs/native.md, "Where the native backend and the simulator
 * differ") — with exactly the values recorded there; any other difference fails the test, and so does
 * an expected one that no longer happens (the expectation is then out of date). The randomized
 * properties of every rule are in {@code RulePropertiesTest}; the disagreements found are in the corpus.
 *
 * <p>{@code -Dautolowat.agreement.trace=true} prints every step of every case (both observations).
 *
 * <p>Requires root (the native backend loads BPF programs and moves the JVM into a cgroup): as
 * another user every case is reported as skipped with "requires root", never as passed.
 */
public class NativeAgreementTest {
    static final String MPTCP_FIONREAD = "FIONREAD of an MPTCP socket (mptcp_inq_hint) counts the DATA_FIN as one byte"
            + " (ack_seq has moved past it)";
    static final String MPTCP_FIONREAD_EMPTY = "FIONREAD of an MPTCP socket with an empty queue after the peer's FIN is 1"
            + " (mptcp_inq_hint returns 1 once RCV_SHUTDOWN is set), a plain TCP socket says 0";
    static final String MPTCP_SUBFLOWS = "the kernel runs sock_ops programs on an MPTCP connection's TCP subflows, not on the"
            + " MPTCP socket the application holds: the program's bpf_setsockopt(SO_RCVLOWAT) on op 5 sets a subflow's lowat"
            + " and logs into the subflow's storage, so the MPTCP socket keeps lowat 1 (readable at the first byte, one more"
            + " wakeup) and shows no op 5; the simulator runs the program on the MPTCP socket itself";

    static NativeBackend nativeBackend;
    static final Map<String, String> seen = new TreeMap<>();

    @BeforeAll
    static void setUp() {
        nativeBackend = new NativeBackend();
    }

    @AfterAll
    static void report() {
        if (!seen.isEmpty()) {
            System.out.println("[agreement] disagreements seen (all documented):");
            seen.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        }
    }

    public static void requireRoot() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "requires root on Linux (no /proc/self)");
        int euid = LibC.geteuid();
        Assumptions.assumeTrue(euid == 0, "requires root: the native backend loads BPF programs and moves the JVM"
                + " into a cgroup (this process runs as euid " + euid + ")");
    }

    // ---------------------------------------------------------------------------------------------
    // scenarios
    // ---------------------------------------------------------------------------------------------

    static Step send(int... cuts) {
        return Step.Send.segments(cuts);
    }

    static Step recv(int length) {
        return Step.Recv.nonBlocking(length);
    }

    static Step lowat(int value) {
        return new Step.SetRcvlowat(value);
    }

    static Step fin() {
        return new Step.PeerShutdown();
    }

    static ProgramSpec k3(int value) {
        return ProgramSpec.of(ProgramChoice.K3_LOGGER, value);
    }

    static Expectation expect(int step, String field, String sim, String nat, boolean onward, String reason) {
        return new Expectation("native", step, field, sim, nat, onward, reason);
    }

    static List<Scenario> scenarios() {
        List<Scenario> out = new ArrayList<>();
        // kernel-facts.md, "Readability and wakeups", with lowat 100 set by the program (K3, op 5)
        out.add(Scenario.of(k3(100), send(50), send(49), send(1), send(10), recv(30), lowat(50), fin(), recv(200),
                recv(200), recv(200)).withName("H3-H5 readiness, lowat 100 by K3"));
        // kernel-facts.md, the K2 table, then K4 with a user SO_RCVBUF
        List<Step> k2 = new ArrayList<>();
        for (int v : new int[] {0, 100, 65536, 1048576, 16777216, 16777217, 1 << 30, Integer.MAX_VALUE, -1, -5}) {
            k2.add(lowat(v));
        }
        k2.add(new Step.SetRcvbuf(65536));
        for (int v : new int[] {1000, 65536, 1048576}) {
            k2.add(lowat(v));
        }
        out.add(Scenario.of(k2).withName("K2/K4 table"));
        // kernel-facts.md, the K3 table: client side (op 4) through the peer, server side (op 5) observed
        for (int v : new int[] {100, 0, -1, 5000000, 40000000}) {
            out.add(Scenario.of(k3(v), new Step.PeerGetsockopt(false), new Step.PeerGetsockopt(true), send(10), recv(10))
                    .withName("K3 table, value " + v));
        }
        // F1/F2: cb_flags_set(0x84) -> 0x80, flags 0x04; bpf_setsockopt(0x84) -> -EINVAL; 0x05 -> 0; read back
        out.add(Scenario.of(ProgramSpec.of(ProgramChoice.FLAGS_PROBE, 0x84, 0x05), send(20), recv(20), fin())
                .withName("F1/F2 flag word"));
        out.add(Scenario.of(k3(1), new Step.AddToSockmap(), new Step.AddToSockmap(), new Step.RemoveFromSockmap(),
                new Step.RemoveFromSockmap(), new Step.AddToSockmap(), send(10), recv(10), new Step.RemoveFromSockmap(),
                fin(), new Step.AddToSockmap()).withName("F4 sockmap"));
        out.add(Scenario.of(k3(100), send(50), Step.Recv.blocking(200, 30), Step.Recv.blocking(200, 30), send(120),
                Step.Recv.blocking(200, 30), send(10), Step.Recv.blocking(5, 30)).withName("H5 blocking recv"));
        out.add(Scenario.of(k3(100), send(10), new Step.ShutdownStep(Shutdown.READ), recv(100), recv(100))
                .withName("H4 shutdown(SHUT_RD)"));
        out.add(Scenario.of(k3(64), send(10, 20, 30), Step.Send.write(300), recv(1000), lowat(1), send(1, 1, 1), recv(2),
                recv(2), fin(), recv(2)).withName("segments and writes"));
        // A2's enable path on a kernel without the series: the program's bpf_setsockopt(flags | 0x80) is
        // -EINVAL, so the call fails with EPERM and the state it created is deleted again
        out.add(Scenario.of(k3(100), new Step.Enable(1), new Step.Enable(0), lowat(10), send(10), new Step.Enable(1),
                recv(100), new Step.SetRcvbuf(65536)).withEnablePath(EnablePath.REFERENCE_BYTECODE)
                .withName("A2 enable path without the series"));
        out.add(Scenario.of(ProgramSpec.NONE, lowat(100), send(60), send(40), new Step.AddToSockmap(), recv(70), lowat(20),
                        fin(), recv(100), recv(100)).withMptcp(true).withName("MPTCP: K2, readiness, sockmap")
                .expecting(expect(7, "queuedBytes", "30", "31", false, MPTCP_FIONREAD))
                .expecting(expect(8, "queuedBytes", "0", "1", false, MPTCP_FIONREAD_EMPTY))
                .expecting(expect(9, "queuedBytes", "0", "1", false, MPTCP_FIONREAD_EMPTY)));
        out.add(Scenario.of(k3(100), send(50), send(60), recv(200), fin()).withMptcp(true)
                .withName("MPTCP with a K3 program")
                .expecting(expect(0, "rcvLowat", "100", "1", true, MPTCP_SUBFLOWS)));
        return out;
    }

    static Stream<Arguments> cases() {
        return scenarios().stream().flatMap(s -> Stream.of(Family.values()).map(f -> Arguments.of(s.withFamily(f), f)));
    }

    // ---------------------------------------------------------------------------------------------
    // the comparison
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    @DisplayName("the simulator (this machine, no series) and the native backend agree step by step")
    void agree(Scenario scenario, Family family) {
        requireRoot();
        Differential.Result r;
        try {
            r = Differential.simVersus(scenario, nativeBackend);
        } catch (NotRunnableException e) {
            Assumptions.abort(e.getMessage());
            return;
        }
        if (Boolean.getBoolean("autolowat.agreement.trace")) {
            System.out.println("[agreement] " + scenario.name() + " over " + family + "\n" + stepByStep(r));
        }
        Verdict v = r.verdictWithExpectations();
        if (!v.ok()) {
            fail(scenario.name() + " over " + family + ": " + v.unexplained().size() + " unexplained difference(s), "
                    + v.missing().size() + " documented one(s) missing:\n" + v.describe() + "scenario:\n" + scenario.toText()
                    + "step by step:\n" + stepByStep(r));
        }
        synchronized (seen) {
            for (Expectation x : scenario.expectations()) {
                if (x.onward()) {
                    long n = v.documented().values().stream().filter(x.reason()::equals).count();
                    seen.put(scenario.name() + " | every step from " + x.step() + " (" + n + " differences)",
                            x.field() + " sim=" + x.simValue() + " native=" + x.otherValue() + ": " + x.reason());
                }
            }
            for (Map.Entry<Difference, String> e : v.documented().entrySet()) {
                Difference d = e.getKey();
                if (scenario.expectations().stream().noneMatch(x -> x.onward() && x.reason().equals(e.getValue()))) {
                    seen.put(scenario.name() + " | step " + d.step() + " " + d.stepText() + " | " + d.field(),
                            "sim=" + d.a() + " native=" + d.b() + ": " + e.getValue());
                }
            }
        }
    }

    static String stepByStep(Differential.Result r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.max(r.reference().steps().size(), r.other().steps().size()); i++) {
            StepRecord a = i < r.reference().steps().size() ? r.reference().steps().get(i) : null;
            StepRecord b = i < r.other().steps().size() ? r.other().steps().get(i) : null;
            sb.append("  sim    ").append(a).append('\n');
            if (a != null && a.program().invLog() != null) {
                sb.append("         inv_log (all ops) ").append(a.program().invLog()).append(" rets ").append(a.program().rets())
                        .append('\n');
            }
            sb.append("  native ").append(b).append('\n');
            if (b != null && b.program().invLog() != null) {
                sb.append("         inv_log (all ops) ").append(b.program().invLog()).append(" rets ").append(b.program().rets())
                        .append('\n');
            }
        }
        return sb.toString();
    }
}
