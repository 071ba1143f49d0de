package dev.autolowat.conformance.scenario;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.Capabilities;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.ProgramMap;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.SessionOption;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.program.InvocationLogMap;
import dev.autolowat.sim.policy.ReferenceAutoLowat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a {@link Scenario} on a {@link Backend} through the SPI and records a {@link Trace}: a fresh
 * session, the scenario's programs attached (its sock_ops program or policy, its enable path, and
 * {@link ScenarioPrograms#flagSetter()} when a step sets flags), one connection, then every step; after
 * the connect and after every step the call's result, the observation and the program's own map
 * contents ({@link ProgramView}).
 *
 * <p>Only the SPI is used: the program's maps through {@link BackendSession#maps()} and
 * {@link Connection#socketStorage}, the scenario's ISN through {@link SessionOption#FIXED_ISN} where the
 * backend offers it (the simulator; a kernel picks its own, and traces compare relative sequence
 * numbers there).
 */
public final class ScenarioRunner {
    private ScenarioRunner() {
    }

    /**
     * Why {@code backend} cannot run {@code scenario}, judged from its capabilities, or empty when it
     * can (it may still turn out not to: {@link #run} then throws {@link NotRunnableException}).
     */
    public static Optional<String> whyNotRunnable(Scenario scenario, Backend backend) {
        Capabilities caps = backend.capabilities();
        if (scenario.usesJavaHandlers() && !caps.javaHandlers()) {
            return Optional.of("not supported by this backend: '" + backend.name() + "' runs no Java handlers (program "
                    + scenario.program().toText() + ")");
        }
        boolean bytecode = scenario.setsFlags() || scenario.enablePath() == EnablePath.REFERENCE_BYTECODE
                || (scenario.hasSockOpsProgram() && !scenario.program().choice().javaHandler());
        if (bytecode && !caps.bytecode()) {
            return Optional.of("not supported by this backend: '" + backend.name() + "' loads no bytecode programs");
        }
        if (scenario.reorders() && !caps.outOfOrder()) {
            return Optional.of("not supported by this backend: '" + backend.name() + "' cannot deliver segments out of"
                    + " order (loopback delivers in order); out-of-order release (H1) runs on the simulator");
        }
        if (scenario.program().choice().needsSeries() && !caps.kernelHasSeries()) {
            return Optional.of("not supported by this kernel: program " + scenario.program().choice().text()
                    + " needs the AutoLOWAT series (op 21, flag 0x80, kfunc bpf_sock_ops_tcp_set_rcvlowat), which '"
                    + backend.name() + "' lacks");
        }
        return Optional.empty();
    }

    /**
     * Runs {@code scenario} on {@code backend}. Step calls that throw end the trace with the error
     * recorded (a difference like any other).
     *
     * @throws NotRunnableException when the backend cannot run the scenario (see {@link #whyNotRunnable});
     *                              also when it cannot open a session here (no privileges, no cgroup2:
     *                              the message says so), attaching a program is refused for a missing
     *                              kernel feature, or MPTCP is unavailable on this machine
     */
    public static Trace run(Scenario scenario, Backend backend) {
        return run(scenario, backend, PolicyUnderTest.REFERENCE);
    }

    /**
     * {@link #run(Scenario, Backend)} with {@code policy} wherever the scenario names
     * {@code reference-bytecode} (its program or its enable path): {@code autolowat report --policy}.
     */
    public static Trace run(Scenario scenario, Backend backend, PolicyUnderTest policy) {
        Optional<String> why = whyNotRunnable(scenario, backend);
        if (why.isPresent()) {
            throw new NotRunnableException(why.get());
        }
        List<StepRecord> records = new ArrayList<>();
        BackendSession opened;
        try {
            opened = backend.openSession();
        } catch (AutoLowatException e) {
            // no privileges, no cgroup2...: the backend cannot run anything here
            throw new NotRunnableException(e.getMessage(), e);
        }
        try (BackendSession session = opened) {
            if (scenario.isn() != null && session.supportedOptions().contains(SessionOption.FIXED_ISN)) {
                session.setOption(SessionOption.FIXED_ISN, scenario.isn());
            }
            attach(scenario, session, backend, policy);
            Connection c;
            try {
                c = session.connect(scenario.connectOptions());
            } catch (AutoLowatException e) {
                throw notRunnableOrRethrow(e); // e.g. no MPTCP here: "not supported by this machine"
            }
            records.add(record(0, null, 0, c, session, scenario, policy, null, 0));
            long sent = 0;
            for (int i = 0; i < scenario.steps().size(); i++) {
                Step step = scenario.steps().get(i);
                int result;
                try {
                    result = apply(step, c, session, scenario, sent);
                } catch (RuntimeException e) {
                    records.add(record(i + 1, step, 0, c, session, scenario, policy,
                            e.getClass().getSimpleName() + ": " + e.getMessage(), sent));
                    break;
                }
                long before = sent;
                if (step instanceof Step.Send s && result > 0) {
                    sent += s.bytes();
                } else if (step instanceof Step.SendOutOfOrder o && result > 0) {
                    sent += o.bytes();
                }
                records.add(record(i + 1, step, result, c, session, scenario, policy, null, before));
            }
        }
        return new Trace(backend.name(), scenario, records);
    }

    private static void attach(Scenario scenario, BackendSession session, Backend backend, PolicyUnderTest policy) {
        try {
            if (scenario.program().choice() == ProgramChoice.REFERENCE_BYTECODE) {
                Policy p = policy.forBackend(backend);
                session.attach(p.sockOps());
                p.enablePath().ifPresent(session::attach);
            } else {
                for (SockOpsProgram p : scenario.program().sockOpsPrograms()) {
                    session.attach(p);
                }
                for (SockoptProgram p : scenario.program().sockoptPrograms()) {
                    session.attach(p);
                }
            }
            switch (scenario.enablePath()) {
                case REFERENCE_BYTECODE -> session.attach(policy.forBackend(backend).enablePath().orElseThrow(() ->
                        new NotRunnableException("not supported by this policy: " + policy.label() + " has no "
                                + "SEC(\"cgroup/setsockopt\") program (the A2 enable path)")));
                case REFERENCE_JAVA -> session.attach(ReferenceAutoLowat.enableProgram());
                case NONE -> { }
            }
            if (scenario.setsFlags()) {
                session.attach(ScenarioPrograms.flagSetter());
            }
        } catch (ProgramRejectedException e) {
            if (e.unsupportedBy().isPresent()) {
                throw notRunnableOrRethrow(e); // the kernel lacks what the program needs (K1's kfunc...)
            }
            if (!backend.capabilities().kernelHasSeries() && scenario.program().choice().needsSeries()) {
                throw new NotRunnableException("not supported by this kernel: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * A backend's "not supported here" ({@link AutoLowatException#unsupportedBy()}) as this scenario's
     * "not supported by this kernel/machine"; any other error is the scenario's own failure.
     */
    private static RuntimeException notRunnableOrRethrow(AutoLowatException e) {
        return e.unsupportedBy()
                .<RuntimeException>map(what -> new NotRunnableException("not supported by this " + what + ": "
                        + e.getMessage(), e))
                .orElse(e);
    }

    private static int apply(Step step, Connection c, BackendSession session, Scenario scenario, long sent) {
        if (step instanceof Step.Send s) {
            byte[] data = scenario.stream().bytes(sent, s.bytes());
            return s.oneWrite() ? c.send(data) : c.send(data, s.cutArray());
        } else if (step instanceof Step.SendOutOfOrder o) {
            byte[] data = scenario.stream().bytes(sent, o.bytes());
            return c.sendOutOfOrder(data, o.cuts().stream().mapToInt(Integer::intValue).toArray(),
                    o.order().stream().mapToInt(Integer::intValue).toArray());
        } else if (step instanceof Step.Recv r) {
            byte[] buf = new byte[r.length()];
            return c.recv(buf, 0, r.length(), r.blocking() ? RecvMode.blocking(Duration.ofMillis(r.timeoutMs()))
                    : RecvMode.NON_BLOCKING);
        } else if (step instanceof Step.SetRcvlowat l) {
            return c.setRcvLowat(l.value());
        } else if (step instanceof Step.SetRcvbuf b) {
            return c.setRcvBuf(b.value());
        } else if (step instanceof Step.Enable e) {
            return c.enableAutoLowat(e.value());
        } else if (step instanceof Step.SetFlags f) {
            return setFlags(f.value(), c, session);
        } else if (step instanceof Step.AddToSockmap) {
            return c.addToSockmap();
        } else if (step instanceof Step.RemoveFromSockmap) {
            return c.removeFromSockmap();
        } else if (step instanceof Step.ShutdownStep s) {
            return c.shutdown(s.how());
        } else if (step instanceof Step.PeerShutdown) {
            return c.peerShutdownWrite();
        } else if (step instanceof Step.PeerGetsockopt g) {
            return c.peerGetsockopt(SockOpt.SOL_SOCKET, g.rcvbuf() ? SockOpt.SO_RCVBUF : SockOpt.SO_RCVLOWAT);
        }
        throw new IllegalArgumentException("unknown step " + step);
    }

    /** F2 through {@link ScenarioPrograms#flagSetter()}: the helper's result (the call's, if it failed). */
    private static int setFlags(int value, Connection c, BackendSession session) {
        writeLong(session, ScenarioPrograms.FLAG_SET_MAP, 0, ScenarioPrograms.FLAG_SET_SENTINEL);
        int r = c.setsockopt(ScenarioPrograms.FLAG_SET_LEVEL, ScenarioPrograms.FLAG_SET_OPTNAME, value);
        Long helper = readLong(session, ScenarioPrograms.FLAG_SET_MAP, 0);
        if (r != 0 || helper == null || helper == ScenarioPrograms.FLAG_SET_SENTINEL) {
            return r;
        }
        return (int) (long) helper;
    }

    private static StepRecord record(int index, Step step, int result, Connection c, BackendSession session,
                                     Scenario scenario, PolicyUnderTest policy, String error, long sentBefore) {
        Observation o;
        try {
            o = c.observe();
        } catch (RuntimeException e) {
            return new StepRecord(index, step, result, null, ProgramView.EMPTY,
                    error != null ? error : "observe: " + e.getClass().getSimpleName() + ": " + e.getMessage(), sentBefore);
        }
        return new StepRecord(index, step, result, o, programView(c, session, scenario, policy), error, sentBefore);
    }

    /**
     * The program's own maps: its {@code inv_log} for the accepted socket, its {@code rets}, and the
     * reference enable path's state. Not read for MPTCP connections (a kernel runs sock_ops programs
     * on the subflows, whose storage the backend cannot name — docs/native.md).
     */
    private static ProgramView programView(Connection c, BackendSession session, Scenario scenario,
                                           PolicyUnderTest policy) {
        if (scenario.mptcp()) {
            return ProgramView.EMPTY;
        }
        List<Invocation> log = null;
        if (scenario.program().logsItself()) {
            byte[] v = storageOfAccepted(session, c, InvocationLogMap.NAME);
            log = v == null ? List.of() : InvocationLogMap.decode(v, 0).entries();
        }
        List<Long> rets = null;
        if (scenario.program().hasRets()) {
            rets = new ArrayList<>();
            for (int i = 0; i < ScenarioPrograms.RETS_SLOTS; i++) {
                Long v = readLong(session, ScenarioPrograms.RETS, i);
                rets.add(v == null ? 0L : v);
            }
        }
        Boolean state = null;
        if (scenario.enablePath() == EnablePath.REFERENCE_BYTECODE
                || scenario.program().choice() == dev.autolowat.conformance.scenario.ProgramChoice.REFERENCE_BYTECODE) {
            state = policy.stateMap().map(m -> storageOfAccepted(session, c, m) != null).orElse(null);
        }
        return new ProgramView(log, rets, state);
    }

    /** The accepted socket's value in the SK_STORAGE map {@code map}; null without one (or without the map). */
    private static byte[] storageOfAccepted(BackendSession session, Connection c, String map) {
        return session.maps().find(map).isPresent() ? c.socketStorage(map).orElse(null) : null;
    }

    /** The u64 at index {@code index} of the map {@code map}; null without one (or without the map). */
    private static Long readLong(BackendSession session, String map, int index) {
        Optional<ProgramMap> m = session.maps().find(map);
        if (m.isEmpty()) {
            return null;
        }
        var v = m.get().lookupLong(index);
        return v.isPresent() ? v.getAsLong() : null;
    }

    private static void writeLong(BackendSession session, String map, int index, long value) {
        session.maps().find(map).ifPresent(m -> m.updateLong(index, value));
    }
}
