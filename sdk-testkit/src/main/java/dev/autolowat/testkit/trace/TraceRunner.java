package dev.autolowat.testkit.trace;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.Rule;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.Capabilities;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.RecvMode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs a {@link TraceCase} on any {@link Backend} with any policy, through the SPI: a fresh session,
 * the policy attached, one connection of the given family, then every step on the accepted socket.
 * Every step is run and checked (a wrong expectation does not stop the trace), so the result shows
 * all differences side by side with what was expected.
 *
 * <pre>{@code
 * TraceFile file = TraceFile.read(Path.of("spec/selftest-traces.json"));
 * for (TraceCase c : file.cases()) {
 *     for (Family f : c.families()) {
 *         TraceRunner.Result r = TraceRunner.run(c, f, backend, policy);
 *         System.out.println(r.describe());
 *     }
 * }
 * }</pre>
 *
 * A backend that cannot run the reference policy (no AutoLOWAT series in its kernel, or no
 * privileges) gives {@link Status#NOT_SUPPORTED} with the backend's reason — never a pass (A6).
 */
public final class TraceRunner {
    private TraceRunner() {
    }

    /** How a trace ended. */
    public enum Status {
        /** Every step did what the trace expects. */
        PASSED,
        /** At least one step differs (or the backend failed mid-trace). */
        FAILED,
        /** The backend cannot run the policy (e.g. "not supported by this kernel"). */
        NOT_SUPPORTED
    }

    /**
     * One step as run: what the trace expects and what happened.
     *
     * @param index    the step's index in the case (0-based)
     * @param step     the step
     * @param expected the expected value, as text
     * @param actual   the observed value, as text
     * @param ok       whether they agree
     */
    public record StepOutcome(int index, TraceStep step, String expected, String actual, boolean ok) {
    }

    /**
     * The outcome of one case over one family on one backend.
     *
     * @param trace   the case
     * @param family  the family it ran over
     * @param backend the backend's name
     * @param policy  the policy's description (name and form)
     * @param status  passed, failed or not supported
     * @param reason  why it is not supported, or why it stopped early; else {@code null}
     * @param steps   the steps run, in order
     */
    public record Result(TraceCase trace, Family family, String backend, String policy, Status status, String reason,
                         List<StepOutcome> steps) {
        public Result {
            steps = List.copyOf(steps);
        }

        public boolean passed() {
            return status == Status.PASSED;
        }

        /** The steps that differ. */
        public List<StepOutcome> differences() {
            return steps.stream().filter(s -> !s.ok()).toList();
        }

        /** {@code "PASS name over inet (sim, bytecode)"} and, unless it passed, the steps as a table. */
        public String headline() {
            String word = switch (status) {
                case PASSED -> "PASS";
                case FAILED -> "FAIL";
                case NOT_SUPPORTED -> "NOT SUPPORTED";
            };
            return word + " " + trace.name() + " over " + family.name().toLowerCase(java.util.Locale.ROOT) + " (" + backend
                    + ", " + policy + ")";
        }

        /**
         * The headline and, for a failed trace, every step with its expected and actual value, the
         * differing ones marked {@code >>} (a readable diff); for a trace that is not supported, the reason.
         */
        public String describe() {
            StringBuilder sb = new StringBuilder(headline());
            if (status == Status.NOT_SUPPORTED) {
                return sb.append(": ").append(reason).toString();
            }
            if (status == Status.PASSED) {
                return sb.toString();
            }
            int width = Math.max(4, steps.stream().mapToInt(s -> s.step().toJson().length()).max().orElse(4));
            sb.append('\n').append(String.format("     %-5s %-" + width + "s  %-16s %s", "step", "what", "expected", "actual"));
            for (StepOutcome s : steps) {
                sb.append('\n').append(String.format("  %s %-5d %-" + width + "s  %-16s %s", s.ok() ? "  " : ">>", s.index(),
                        s.step().toJson(), s.expected(), s.actual()));
                if (!s.ok() && s.step().line() > 0) {
                    sb.append("   (line ").append(s.step().line()).append(')');
                }
            }
            if (reason != null) {
                sb.append("\n  stopped: ").append(reason);
            }
            return sb.toString();
        }
    }

    /**
     * Why {@code backend} cannot run a trace with {@code policy}, or {@code null} when it can: a
     * kernel without the series ("not supported by this kernel ..."), missing privileges, or a form of
     * program the backend does not run (Java handlers run only in the simulator).
     */
    public static String unsupportedReason(Backend backend, Policy policy) {
        Capabilities caps = backend.capabilities();
        String reason = caps.reason(Rule.A6);
        if (reason != null) {
            return reason;
        }
        if (!caps.kernelHasSeries()) {
            return "not supported by this kernel: backend " + backend.name() + " has no BPF_SOCK_OPS_RCVQ_CB (the AutoLOWAT"
                    + " series)";
        }
        boolean javaForm = policy.sockOps() instanceof SockOpsProgram.Handler;
        if (javaForm && !caps.javaHandlers()) {
            return "not supported by this backend: " + backend.name() + " runs bytecode only, and policy '" + policy.name()
                    + "' is a Java handler";
        }
        if (!javaForm && !caps.bytecode()) {
            return "not supported by this backend: " + backend.name() + " does not run bytecode programs";
        }
        return null;
    }

    /** {@link #run(TraceCase, Family, Backend, Policy, Consumer)} without session set-up. */
    public static Result run(TraceCase trace, Family family, Backend backend, Policy policy) {
        return run(trace, family, backend, policy, s -> { });
    }

    /**
     * Runs {@code trace} over {@code family} on a fresh session of {@code backend} with {@code policy}
     * attached. {@code beforeAttach} may configure the session first (e.g. the simulator's VM mode).
     */
    public static Result run(TraceCase trace, Family family, Backend backend, Policy policy,
                             Consumer<BackendSession> beforeAttach) {
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(family, "family");
        String form = policy.name() + (policy.sockOps() instanceof SockOpsProgram.Handler ? " (Java handler)" : " (bytecode)");
        String why = unsupportedReason(backend, policy);
        if (why != null) {
            return new Result(trace, family, backend.name(), form, Status.NOT_SUPPORTED, why, List.of());
        }
        List<StepOutcome> out = new ArrayList<>();
        String stopped = null;
        try (BackendSession session = backend.openSession()) {
            beforeAttach.accept(session);
            session.attach(policy);
            try (Connection c = session.connect(ConnectOptions.of(family))) {
                long sent = 0;
                List<TraceStep> steps = trace.steps();
                for (int i = 0; i < steps.size(); i++) {
                    TraceStep step = steps.get(i);
                    try {
                        StepOutcome o = runStep(i, step, c, trace, sent);
                        if (step instanceof TraceStep.Send s) {
                            sent += s.bytes();
                        }
                        out.add(o);
                    } catch (RuntimeException e) {
                        stopped = "step " + i + " " + step.toJson() + " threw " + e;
                        out.add(new StepOutcome(i, step, "", "threw " + e.getClass().getSimpleName(), false));
                        break;
                    }
                }
            }
        }
        boolean ok = stopped == null && out.stream().allMatch(StepOutcome::ok);
        return new Result(trace, family, backend.name(), form, ok ? Status.PASSED : Status.FAILED, stopped, out);
    }

    private static StepOutcome runStep(int i, TraceStep step, Connection c, TraceCase trace, long sent) {
        if (step instanceof TraceStep.Enable e) {
            return call(i, step, e.result(), c.enableAutoLowat(e.value()));
        }
        if (step instanceof TraceStep.Send s) {
            long total = s.bytes();
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a send step of " + total + " bytes is larger than one send() can be");
            }
            byte[] data = trace.bytes(sent, (int) total);
            return call(i, step, (int) total, c.send(data, s.segments()));
        }
        if (step instanceof TraceStep.Fin) {
            return call(i, step, 0, c.peerShutdownWrite());
        }
        if (step instanceof TraceStep.SetRcvbuf r) {
            return call(i, step, r.result(), c.setRcvBuf(r.value()));
        }
        if (step instanceof TraceStep.SetRcvlowat r) {
            return call(i, step, r.result(), c.setRcvLowat(r.value()));
        }
        if (step instanceof TraceStep.Recv r) {
            RecvMode mode = r.blocking() ? RecvMode.blocking(Duration.ofMillis(r.timeoutMs())) : RecvMode.NON_BLOCKING;
            return call(i, step, r.result(), c.recv(new byte[r.length()], 0, r.length(), mode));
        }
        if (step instanceof TraceStep.ExpectReadable r) {
            boolean now = c.readable();
            return new StepOutcome(i, step, readable(r.readable(), r.epollForm()), readable(now, r.epollForm()),
                    now == r.readable());
        }
        if (step instanceof TraceStep.ExpectRcvlowat r) {
            int now = c.rcvLowat();
            return new StepOutcome(i, step, Integer.toString(r.value()), Errno.describeResult(now), now == r.value());
        }
        if (step instanceof TraceStep.ExpectRcvqFlag r) {
            int flags = c.cbFlags();
            boolean set = (flags & CbFlags.RCVQ) != 0;
            return new StepOutcome(i, step, r.set() ? "1" : "0", (set ? "1" : "0") + " (flags 0x" + Integer.toHexString(flags) + ")",
                    set == r.set());
        }
        TraceStep.ExpectWakeups w = (TraceStep.ExpectWakeups) step;
        long now = c.edgeWakeups();
        return new StepOutcome(i, step, Long.toString(w.count()), Long.toString(now), now == w.count());
    }

    private static StepOutcome call(int i, TraceStep step, int expected, int actual) {
        return new StepOutcome(i, step, Errno.describeResult(expected), Errno.describeResult(actual), expected == actual);
    }

    private static String readable(boolean r, boolean epollForm) {
        return epollForm ? (r ? "1" : "0") : Boolean.toString(r);
    }
}
