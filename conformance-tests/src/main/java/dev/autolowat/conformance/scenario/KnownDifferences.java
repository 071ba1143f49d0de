package dev.autolowat.conformance.scenario;

import java.util.List;
import java.util.Optional;

/**
 * The documented disagreements between the simulator and a kernel (docs/native.md, "Where the native
 * backend and the simulator differ", and docs/conformance.md), and between the reference policy's Java
 * handler and its bytecode: a difference one of these explains is reported as documented, never counted
 * as a failure — and never hidden (reports list them with their reason and how often they showed). Every
 * other difference is a disagreement: the property fails and the scenario belongs in the regression
 * corpus. Entries marked {@link Known#open()} are simulator (or policy) bugs found by this suite and not
 * fixed yet; each has a corpus file that pins it, so fixing it makes the corpus replay ask for an update.
 *
 * <p>These are general (they match any generated scenario); corpus files state theirs exactly with
 * {@link Expectation}s.
 */
public final class KnownDifferences {
    private KnownDifferences() {
    }

    /** One documented disagreement: an id, the reason, and what it matches. */
    public interface Known {
        String id();

        String reason();

        boolean explains(Scenario scenario, String backend, Difference d);

        /**
         * Whether the simulator is wrong here and should be fixed (in sdk-sim), as opposed to a
         * difference the contract accepts (MPTCP beyond the F3 guard is not part of it yet).
         */
        default boolean open() {
            return false;
        }

        /**
         * Whether this is a difference between the Java handler and the bytecode of the reference
         * policy inside the simulator (the pair whose second side is labelled {@value #BYTECODE}),
         * rather than between the simulator and a kernel.
         */
        default boolean insideSimulator() {
            return false;
        }
    }

    /** The label of the bytecode side of the pair inside the simulator. */
    public static final String BYTECODE = "bytecode";

    /**
     * A difference that starts at the first step matching {@code trigger} and, from there on, may show
     * in {@code fields} (every field when empty) — the cause and its consequences.
     */
    record Onward(String id, String reason, boolean open, java.util.function.BiPredicate<Scenario, Integer> trigger,
                  java.util.Set<String> fields, boolean insideSimulator) implements Known {
        Onward(String id, String reason, boolean open, java.util.function.BiPredicate<Scenario, Integer> trigger,
               java.util.Set<String> fields) {
            this(id, reason, open, trigger, fields, false);
        }

        @Override
        public boolean explains(Scenario s, String backend, Difference d) {
            if (!fields.isEmpty() && !fields.contains(d.field())) {
                return false;
            }
            for (int i = 1; i <= Math.min(d.step(), s.steps().size()); i++) {
                if (trigger.test(s, i)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * OPEN: after a local {@code shutdown(SHUT_WR)}, the peer's ACK of our FIN changes the state
     * (FIN_WAIT1 → FIN_WAIT2, LAST_ACK → CLOSE) and {@code sk_state_change} wakes the reader: one more edge
     * event when the socket is readable then. The simulator does not model the ACK of its own FIN.
     */
    public static final Known FIN_ACK_WAKEUP = new Onward("fin-ack-wakeup",
            "OPEN (simulator to fix): after a local shutdown(SHUT_WR) or SHUT_RDWR the peer's ACK of the socket's FIN"
                    + " moves it to FIN_WAIT2 (or CLOSE from LAST_ACK) and sk_state_change() wakes the reader again — one"
                    + " more edge-triggered event when the socket is readable then (after SHUT_RD or the peer's FIN), which"
                    + " the native backend sees or not depending on whether the ACK is processed before it drains its"
                    + " edge-triggered epoll (timing); the simulator does not model the ACK of its own FIN",
            true, (s, i) -> s.steps().get(i - 1) instanceof Step.ShutdownStep sh && sh.how() != dev.autolowat.api.spi.Shutdown.READ,
            java.util.Set.of("edgeWakeups"));

    /** MPTCP: FIONREAD counts the DATA_FIN (and says 1 on an empty queue after it). */
    public static final Known MPTCP_FIONREAD_DATA_FIN = new Known() {
        @Override
        public String id() {
            return "mptcp-fionread-data-fin";
        }

        @Override
        public String reason() {
            return "FIONREAD of an MPTCP socket (mptcp_inq_hint) counts the DATA_FIN as one byte once the peer's FIN"
                    + " arrived, and returns 1 on an empty queue after it; a TCP socket (and the simulator) does not";
        }

        @Override
        public boolean explains(Scenario s, String backend, Difference d) {
            return s.mptcp() && d.field().equals("queuedBytes") && finBy(s, d.step()) && kernelExceeds(d, by -> by == 1);
        }
    };

    /** MPTCP with a sock_ops program: the kernel runs it on the subflows. */
    public static final Known MPTCP_PROGRAMS_ON_SUBFLOWS = new Known() {
        @Override
        public String id() {
            return "mptcp-programs-on-subflows";
        }

        @Override
        public String reason() {
            return "the kernel runs sock_ops programs on an MPTCP connection's TCP subflows, not on the MPTCP socket the"
                    + " application holds (its lowat, log and flags stay untouched); the simulator runs them on the MPTCP"
                    + " socket itself";
        }

        @Override
        public boolean explains(Scenario s, String backend, Difference d) {
            return s.mptcp() && s.hasSockOpsProgram();
        }
    };

    /**
     * MPTCP: {@code bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)} on an MPTCP socket is
     * {@code -EINVAL} on a kernel ({@code sol_tcp_sockopt()} refuses a socket whose protocol is not TCP),
     * and an MPTCP socket has no flag word to observe (0); the simulator keeps a flag word for it and
     * refuses only F3's clear-to-set of RCVQ.
     */
    public static final Known MPTCP_NO_TCP_FLAG_WORD = new Onward("mptcp-no-tcp-flag-word",
            "bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS) on an MPTCP socket is -EINVAL on a kernel (sol_tcp_sockopt"
                    + " refuses a socket that is not IPPROTO_TCP, before any flag is looked at) and the MPTCP socket has no"
                    + " flag word (observed 0); the simulator keeps a flag word for MPTCP sockets and refuses only F3's"
                    + " RCVQ clear-to-set (-EOPNOTSUPP) — MPTCP beyond the F3 guard is not part of the contract yet, and"
                    + " with the series F3's -EOPNOTSUPP may be unreachable through bpf_setsockopt",
            false, (s, i) -> s.mptcp() && s.steps().get(i - 1) instanceof Step.SetFlags,
            java.util.Set.of("result", "cbFlags"));

    /**
     * OPEN: once the connection is closed on both sides (the socket shut down its write side and the
     * peer's FIN arrived — TIME_WAIT/CLOSE), {@code shutdown()} returns {@code -ENOTCONN}; the simulator
     * does not model the closing states and returns 0.
     */
    public static final Known SHUTDOWN_AFTER_CLOSE = new Known() {
        @Override
        public String id() {
            return "shutdown-after-close";
        }

        @Override
        public String reason() {
            return "OPEN (simulator to fix): once the socket has shut down its write side and the peer's FIN arrived (the"
                    + " connection is closed: TIME_WAIT or CLOSE), shutdown() returns -ENOTCONN (inet_shutdown on TCP_CLOSE),"
                    + " on the socket and on the peer (its second shutdown(SHUT_WR)); the simulator does not model the"
                    + " closing states and returns 0";
        }

        @Override
        public boolean open() {
            return true;
        }

        @Override
        public boolean explains(Scenario s, String backend, Difference d) {
            if (!d.field().equals("result") || d.step() < 1 || d.step() > s.steps().size()
                    || !(s.steps().get(d.step() - 1) instanceof Step.ShutdownStep
                    || s.steps().get(d.step() - 1) instanceof Step.PeerShutdown) || !d.b().equals("-107")) {
                return false;
            }
            boolean wr = false;
            boolean fin = false;
            for (int i = 0; i < d.step() - 1; i++) {
                Step st = s.steps().get(i);
                wr |= st instanceof Step.ShutdownStep sh && sh.how() != dev.autolowat.api.spi.Shutdown.READ;
                fin |= st instanceof Step.PeerShutdown;
            }
            return wr && fin;
        }
    };

    /**
     * MPTCP: {@code setsockopt(SO_RCVLOWAT)} after the peer's FIN does not wake the reader when no data
     * is queued ({@code mptcp_set_rcvlowat()} looks at the data available only; TCP's wakeup rule also
     * wakes on SOCK_DONE, H4).
     */
    public static final Known MPTCP_LOWAT_AFTER_FIN = new Onward("mptcp-lowat-after-fin",
            "setsockopt(SO_RCVLOWAT) on an MPTCP socket after the peer's FIN with nothing queued does not wake the"
                    + " reader (mptcp_set_rcvlowat checks only the data available; TCP's tcp_data_ready also wakes on"
                    + " SOCK_DONE, H4) — MPTCP beyond the F3 guard is not part of the contract yet",
            false, (s, i) -> s.mptcp() && s.steps().get(i - 1) instanceof Step.SetRcvlowat && finBy(s, i - 1),
            java.util.Set.of("edgeWakeups"));

    /**
     * OPEN (inside the simulator): a re-enable (A2) while RCVQ is already set but the policy has no state
     * (RCVQ was set by another program, {@code flags 0x80}): the bytecode's enable path starts parsing at
     * {@code rcv_nxt} (a cgroup setsockopt program cannot read {@code copied_seq}; it assumes F3 just
     * checked the queue is empty), the Java handler at {@code copied_seq} as A2 says; with unread data
     * queued they disagree from the next segment (the Java handler loses sync and disables, A5).
     */
    public static final Known BYTECODE_REENABLE_AT_RCV_NXT = new Onward("bytecode-reenable-at-rcv-nxt",
            "OPEN (policy compiler or an SDK decision): enable (A2) while RCVQ was already set by another program and"
                    + " the policy has no state: the bytecode enable path (FramingCompiler) resets desc_seq to rcv_nxt —"
                    + " a cgroup setsockopt program cannot read copied_seq and it assumes F3 just checked an empty queue —"
                    + " while the Java handler (ReferenceAutoLowat) uses copied_seq as A2 says; with unread bytes queued"
                    + " they disagree from the next segment on (the Java handler loses sync and disables, A5)",
            true, (s, i) -> s.steps().get(i - 1) instanceof Step.Enable e && e.value() != 0
                    && s.steps().subList(0, i - 1).stream().anyMatch(x -> x instanceof Step.SetFlags f && (f.value() & 0x80) != 0),
            java.util.Set.of(), true);

    /**
     * MPTCP: the MPTCP socket's wakeups do not follow one packet each. Data reaches it from a subflow
     * ({@code subflow_data_ready} → {@code mptcp_data_ready}) and may be moved again when the MPTCP socket's
     * lock is released or by its worker, waking the reader once more, a step later. Seen on Debian's
     * 6.12.117 under QEMU (an extra edge event at the step after the data), not on the 6.18 host.
     */
    public static final Known MPTCP_LATE_WAKEUP = new Known() {
        @Override
        public String id() {
            return "mptcp-late-wakeup";
        }

        @Override
        public String reason() {
            return "an MPTCP socket can wake the reader again after the packet's own wakeup (data moved from the"
                    + " subflow to the MPTCP socket when its lock is released or by its worker): one more edge-triggered"
                    + " event on the kernel, at a later step; seen on 6.12.117 under QEMU — MPTCP beyond the F3 guard"
                    + " is not part of the contract yet";
        }

        @Override
        public boolean explains(Scenario s, String backend, Difference d) {
            return s.mptcp() && d.field().equals("edgeWakeups") && kernelExceeds(d, by -> by > 0);
        }
    };

    /** Whether the kernel's numeric value ({@code d.b()}) exceeds the simulator's by an amount {@code by} accepts. */
    private static boolean kernelExceeds(Difference d, java.util.function.LongPredicate by) {
        try {
            return by.test(Long.parseLong(d.b()) - Long.parseLong(d.a()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Every documented disagreement between the simulator and a kernel. */
    public static final List<Known> ALL = List.of(MPTCP_FIONREAD_DATA_FIN, MPTCP_PROGRAMS_ON_SUBFLOWS,
            MPTCP_NO_TCP_FLAG_WORD, MPTCP_LOWAT_AFTER_FIN, MPTCP_LATE_WAKEUP, FIN_ACK_WAKEUP, SHUTDOWN_AFTER_CLOSE,
            BYTECODE_REENABLE_AT_RCV_NXT);

    /**
     * The documented disagreement that explains {@code d} (scenario {@code s}, second side {@code backend}:
     * a kernel backend's name, or {@value #BYTECODE} for the pair inside the simulator), if any.
     */
    public static Optional<Known> explain(Scenario s, String backend, Difference d) {
        boolean inside = BYTECODE.equals(backend);
        return ALL.stream().filter(k -> k.insideSimulator() == inside && k.explains(s, backend, d)).findFirst();
    }

    /** Whether the peer's FIN was sent at or before step {@code index}. */
    static boolean finBy(Scenario s, int index) {
        for (int i = 0; i < Math.min(index, s.steps().size()); i++) {
            if (s.steps().get(i) instanceof Step.PeerShutdown) {
                return true;
            }
        }
        return false;
    }
}
