package dev.autolowat.conformance.oracle;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.event.SegmentEnqueued;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.conformance.scenario.DataStream;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.sim.SocketState;
import dev.autolowat.sim.vm.VmOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs a policy scenario in the simulator with one form of the reference policy and records, for
 * every op-21 invocation on the accepted socket, what the program saw and what it left: a Java
 * sock_ops program attached <em>before</em> the policy records the event and the socket
 * ({@code copied_seq}, {@code sk_rcvlowat}, RCVQ, {@code sk_rcvbuf} and its lock), one attached
 * <em>after</em> records {@code sk_rcvlowat} and RCVQ (H6: programs run in attach order). The
 * {@link ContractModel} then replays the same events and must predict every "after".
 */
final class OracleHarness {
    private OracleHarness() {
    }

    /** The three forms of the reference policy the SDK ships. */
    /** The clang-compiled reference policy, CO-RE relocated against the simulated kernel's BTF. */
    static final Policy C_POLICY = dev.autolowat.api.object.ObjectPolicies.policy(
            dev.autolowat.api.object.BpfObject.open(java.nio.file.Path.of("..", "examples", "bpf", "autolowat_policy.o")),
            dev.autolowat.sim.vm.SimKernelBtf.btf());

    enum Form {
        JAVA("Java handler"), BYTECODE_JIT("bytecode, JIT"), BYTECODE_INTERPRETER("bytecode, interpreter"),
        /** The reference policy written in C and compiled by clang (examples/bpf/, docs/objects.md). */
        C_OBJECT_JIT("C object, JIT"), C_OBJECT_INTERPRETER("C object, interpreter");

        final String label;

        Form(String label) {
            this.label = label;
        }

        Policy policy() {
            return switch (this) {
                case JAVA -> ReferenceAutoLowat.policy();
                case BYTECODE_JIT, BYTECODE_INTERPRETER -> FramingPolicy.REFERENCE_RPC.compile();
                case C_OBJECT_JIT, C_OBJECT_INTERPRETER -> C_POLICY;
            };
        }

        VmOptions.ExecutionMode mode() {
            return this == BYTECODE_INTERPRETER || this == C_OBJECT_INTERPRETER ? VmOptions.ExecutionMode.INTERPRETER
                    : VmOptions.ExecutionMode.JIT;
        }
    }

    /** One step of a policy scenario. */
    sealed interface Step {
    }

    /** The peer sends the next bytes of the stream, one segment per cut. */
    record Send(int[] cuts) implements Step {
        @Override
        public String toString() {
            return "send " + Arrays.stream(cuts).mapToObj(Integer::toString).collect(Collectors.joining(","));
        }
    }

    /** Non-blocking recv (a partial read when {@code length} ends inside a frame). */
    record Recv(int length) implements Step {
        @Override
        public String toString() {
            return "recv " + length;
        }
    }

    /** The peer's FIN (after any data still waiting at the peer: then it rides on the last data segment). */
    record Fin() implements Step {
        @Override
        public String toString() {
            return "fin";
        }
    }

    /** A2 enable. */
    record Enable(int value) implements Step {
        @Override
        public String toString() {
            return "enable " + value;
        }
    }

    /** SO_RCVLOWAT from userspace (K2): the policy must compare its target with whatever is set. */
    record SetLowat(int value) implements Step {
        @Override
        public String toString() {
            return "rcvlowat " + value;
        }
    }

    /** SO_RCVBUF (locks the buffer: K1's cap becomes rcvbuf / 2). */
    record SetRcvbuf(int value) implements Step {
        @Override
        public String toString() {
            return "rcvbuf " + value;
        }
    }

    /** A scenario: the peer's ISN (wraparound), family, the A1 frames and the steps. */
    record Scenario(int isn, Family family, DataStream stream, List<Step> steps) {
        @Override
        public String toString() {
            return "isn 0x" + Integer.toHexString(isn) + " " + family + " frames " + stream.toText() + " steps "
                    + steps.stream().map(Object::toString).collect(Collectors.joining("; "));
        }
    }

    /** What happened, in order: enable calls and op-21 invocations. */
    sealed interface Event {
    }

    /** An enable step: its value, result and {@code copied_seq} at that time. */
    record EnableEvent(int step, int value, int result, long copiedSeq) implements Event {
    }

    /**
     * One op-21 invocation: H1 (a segment) or H2, what the socket held before the policy ran, and
     * {@code sk_rcvlowat}/RCVQ after it.
     */
    record Invocation(int step, boolean segment, long seq, byte[] payload, boolean fin, long copiedSeq, int lowatBefore,
                      boolean rcvqBefore, int rcvbuf, boolean rcvbufLocked, int lowatAfter, boolean rcvqAfter)
            implements Event {
        @Override
        public String toString() {
            return (segment ? "H1 seq " + seq + " len " + payload.length + (fin ? " +FIN" : "") : "H2")
                    + " copied_seq " + copiedSeq + " lowat " + lowatBefore + (rcvqBefore ? " RCVQ" : "")
                    + " rcvbuf " + rcvbuf + (rcvbufLocked ? " (locked)" : "") + " -> lowat " + lowatAfter
                    + (rcvqAfter ? " RCVQ" : " RCVQ cleared");
        }
    }

    /** The simulator's machine (its {@code tcp_rmem[2]} sets K1's cap when SO_RCVBUF is not locked). */
    static final SimConfig MACHINE = SimConfig.DEFAULT;

    /** Runs {@code s} with {@code form}, returning the events. */
    static List<Event> run(Scenario s, Form form) {
        List<Event> events = new ArrayList<>();
        SimConnection[] conn = new SimConnection[1];
        int[] stepIndex = {-1};
        Invocation[] pending = new Invocation[1];
        SockOpsHandler before = new SockOpsHandler() {
            @Override
            public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {
                SocketState sk = conn[0].socket();
                boolean seg = event instanceof SegmentEnqueued;
                byte[] payload = new byte[0];
                long seq = 0;
                boolean fin = false;
                if (event instanceof SegmentEnqueued e) {
                    payload = new byte[e.payloadLength()];
                    if (payload.length > 0 && e.loadBytes(0, payload, 0, payload.length) != 0) {
                        throw new AssertionError("the recorder could not load the segment's bytes");
                    }
                    seq = Integer.toUnsignedLong(e.seq());
                    fin = e.fin();
                }
                pending[0] = new Invocation(stepIndex[0], seg, seq, payload, fin, Integer.toUnsignedLong(sk.copiedSeq()),
                        sk.rcvLowat(), (sk.cbFlags() & CbFlags.RCVQ) != 0, sk.rcvBuf(), sk.rcvBufLocked(), 0, false);
                return 1;
            }
        };
        SockOpsHandler after = new SockOpsHandler() {
            @Override
            public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {
                SocketState sk = conn[0].socket();
                Invocation p = pending[0];
                events.add(new Invocation(p.step(), p.segment(), p.seq(), p.payload(), p.fin(), p.copiedSeq(),
                        p.lowatBefore(), p.rcvqBefore(), p.rcvbuf(), p.rcvbufLocked(), sk.rcvLowat(),
                        (sk.cbFlags() & CbFlags.RCVQ) != 0));
                pending[0] = null;
                return 1;
            }
        };
        try (SimSession session = new SimBackend(MACHINE.withFixedIsn(s.isn())).openSession()) {
            session.setVmMode(form.mode());
            session.attach(SockOpsProgram.of("oracle_in", before));
            session.attach(form.policy());
            session.attach(SockOpsProgram.of("oracle_out", after));
            SimConnection c = session.connect(ConnectOptions.of(s.family()));
            conn[0] = c;
            long sent = 0;
            byte[] buf = new byte[65_536];
            for (int i = 0; i < s.steps().size(); i++) {
                stepIndex[0] = i;
                Step step = s.steps().get(i);
                if (step instanceof Send send) {
                    int n = Arrays.stream(send.cuts()).sum();
                    c.send(s.stream().bytes(sent, n), send.cuts());
                    sent += n;
                } else if (step instanceof Recv r) {
                    c.recv(buf, 0, r.length(), RecvMode.NON_BLOCKING);
                } else if (step instanceof Fin) {
                    c.peerShutdownWrite();
                } else if (step instanceof Enable e) {
                    int result = c.enableAutoLowat(e.value());
                    events.add(new EnableEvent(i, e.value(), result, Integer.toUnsignedLong(c.socket().copiedSeq())));
                } else if (step instanceof SetLowat l) {
                    c.setRcvLowat(l.value());
                } else if (step instanceof SetRcvbuf r) {
                    c.setRcvBuf(r.value());
                }
            }
        }
        return events;
    }

    /**
     * Replays {@code events} on a fresh {@link ContractModel} and returns the first invocation whose
     * "after" the model does not predict, described, or {@code null} when all agree. {@code observer}
     * sees every invocation with the model's action (for coverage counts).
     */
    static String firstDisagreement(Scenario s, List<Event> events, Observer observer) {
        ContractModel model = new ContractModel();
        int n = 0;
        for (Event e : events) {
            if (e instanceof EnableEvent en) {
                if (en.result() == 0 && en.value() != 0) {
                    model.enable(en.copiedSeq());
                }
                continue;
            }
            Invocation inv = (Invocation) e;
            boolean completeBefore = model.descriptorComplete();
            String stateBefore = model.describeState();
            ContractModel.Action action = inv.segment()
                    ? model.segment(inv.seq(), inv.payload(), inv.copiedSeq(), inv.lowatBefore())
                    : model.recvmsgDone(inv.copiedSeq(), inv.lowatBefore());
            observer.seen(inv, action, completeBefore);
            int[] expected = ContractModel.apply(action, inv.lowatBefore(), inv.rcvqBefore(), inv.rcvbuf(),
                    inv.rcvbufLocked(), MACHINE.tcpRmemMax());
            if (expected[0] != inv.lowatAfter() || (expected[1] == 1) != inv.rcvqAfter()) {
                return "invocation " + n + " (during step " + inv.step() + " " + s.steps().get(inv.step()) + "): " + inv
                        + "\n  the contract model (" + stateBefore + ") does " + action + " -> lowat " + expected[0]
                        + (expected[1] == 1 ? " RCVQ" : " RCVQ cleared");
            }
            n++;
        }
        return null;
    }

    /** Sees every replayed invocation with the model's action and whether the descriptor was complete before. */
    interface Observer {
        void seen(Invocation inv, ContractModel.Action action, boolean descriptorCompleteBefore);
    }
}
