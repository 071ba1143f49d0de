package dev.autolowat.sim;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.event.RecvmsgDone;
import dev.autolowat.api.event.SegmentEnqueued;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptContext;
import dev.autolowat.api.program.SockoptHandler;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Observation;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Shared helpers of the simulator's rule tests: small test programs that make one program-side
 * call at a chosen point and record its return value, an independent oracle of the K rules
 * (written from {@code SEMANTICS.md}, not from the model), and A1 frame builders.
 */
final class SimFixtures {
    static final int INT_MAX = Integer.MAX_VALUE;
    static final int EBUSY = Errno.EBUSY.negative();
    static final int EOPNOTSUPP = Errno.EOPNOTSUPP.negative();
    static final int EINVAL = Errno.EINVAL.negative();
    static final int EAGAIN = Errno.EAGAIN.negative();
    static final int EPIPE = Errno.EPIPE.negative();
    /** {@code SOCK_MIN_RCVBUF} on x86-64 (K4). */
    static final int SOCK_MIN_RCVBUF = 2304;

    private SimFixtures() {
    }

    // ------------------------------------------------------------------ sessions

    /** A session with its programs and one connection; closing closes the session. */
    record Pair(SimSession session, SimConnection conn) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
        }
    }

    static Pair open(SimConfig config, ConnectOptions options, SockOpsHandler... handlers) {
        return open(config, options, null, handlers);
    }

    static Pair open(SimConfig config, ConnectOptions options, SockoptHandler sockopt, SockOpsHandler... handlers) {
        SimSession session = new SimBackend(config).openSession();
        int i = 0;
        for (SockOpsHandler h : handlers) {
            session.attach(SockOpsProgram.of("probe" + i++, h));
        }
        if (sockopt != null) {
            session.attach(SockoptProgram.of("trigger", sockopt));
        }
        return new Pair(session, session.connect(options));
    }

    static Pair open(SockOpsHandler... handlers) {
        return open(SimConfig.DEFAULT, ConnectOptions.IPV4, handlers);
    }

    // ------------------------------------------------------------------ test programs

    /** What a program did in one invocation, as the test records it. */
    record Call(SockOpsOp op, String event, int result) {
    }

    /**
     * A sock_ops test program: at a chosen op, or on an H1/H2 event, it runs one action (usually one
     * helper or kfunc call) and records the action's return value.
     */
    static final class Probe implements SockOpsHandler {
        interface SegmentAction {
            int run(SegmentEnqueued seg, SockOpsContext ctx);
        }

        interface DoneAction {
            int run(RecvmsgDone done, SockOpsContext ctx);
        }

        private final Map<SockOpsOp, ToIntFunction<SockOpsContext>> atOp = new EnumMap<>(SockOpsOp.class);
        private SegmentAction onSegment;
        private DoneAction onDone;
        final List<Call> calls = new ArrayList<>();
        /** Every op this program ran for, in order (RCVQ_CB included). */
        final List<SockOpsOp> ops = new ArrayList<>();

        Probe at(SockOpsOp op, ToIntFunction<SockOpsContext> action) {
            atOp.put(op, action);
            return this;
        }

        Probe onSegment(SegmentAction action) {
            this.onSegment = action;
            return this;
        }

        Probe onRecvmsgDone(DoneAction action) {
            this.onDone = action;
            return this;
        }

        /** A probe that sets RCVQ with F1 on PASSIVE_ESTABLISHED_CB (the queue is empty then). */
        static Probe rcvq() {
            return new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> ctx.cbFlagsSet(ctx.cbFlags() | CbFlags.RCVQ));
        }

        @Override
        public int onOp(SockOpsContext ctx) {
            ops.add(ctx.op());
            ToIntFunction<SockOpsContext> action = atOp.get(ctx.op());
            if (action != null) {
                calls.add(new Call(ctx.op(), "op", action.applyAsInt(ctx)));
            }
            return 1;
        }

        @Override
        public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {
            ops.add(ctx.op());
            if (event instanceof SegmentEnqueued seg && onSegment != null) {
                calls.add(new Call(ctx.op(), "segment", onSegment.run(seg, ctx)));
            } else if (event instanceof RecvmsgDone done && onDone != null) {
                calls.add(new Call(ctx.op(), "recvmsg-done", onDone.run(done, ctx)));
            }
            return 1;
        }

        /** The result of the only recorded call. */
        int onlyResult() {
            assertEquals(1, calls.size(), () -> "expected exactly one recorded call, got " + calls);
            return calls.get(0).result();
        }

        List<Integer> results() {
            return calls.stream().map(Call::result).toList();
        }
    }

    /**
     * A cgroup setsockopt test program: a userspace {@code setsockopt(LEVEL, OPTNAME)} is consumed and
     * runs the configured action on the socket's program context, so a test can make a program-side
     * call (F2's bpf_setsockopt, the virtual clock...) at any point of a scenario.
     */
    static final class Trigger implements SockoptHandler {
        static final int LEVEL = 0x7e57;
        static final int OPTNAME = 0x7e58;
        private ToIntFunction<SockoptContext> action = ctx -> 0;
        final List<Integer> results = new ArrayList<>();

        @Override
        public int onSetsockopt(SockoptContext ctx) {
            if (ctx.level() == LEVEL && ctx.optname() == OPTNAME) {
                ctx.consume();
                results.add(action.applyAsInt(ctx));
            }
            return 1;
        }

        /** Runs {@code action} now, from a program, and returns what it returned. */
        int fire(SimConnection conn, ToIntFunction<SockoptContext> action) {
            this.action = action;
            int before = results.size();
            assertEquals(0, conn.setsockopt(LEVEL, OPTNAME, 1), "the trigger option is consumed and succeeds");
            assertEquals(before + 1, results.size(), "the trigger program ran once");
            return results.get(before);
        }

        /** {@code bpf_ktime_get_ns()} of the simulated machine, read from a program. */
        long now(SimConnection conn) {
            long[] t = new long[1];
            fire(conn, ctx -> {
                t[0] = ctx.ktimeNs();
                return 0;
            });
            return t[0];
        }
    }

    // ------------------------------------------------------------------ K oracle

    /**
     * The K rules written down from {@code SEMANTICS.md}: {@code cap = locked ? rcvbuf/2 : tcp_rmem[2]/2};
     * K2 takes a negative value as INT_MAX; {@code lowat = max(1, min(val, cap))}; an unlocked rcvbuf
     * grows to {@code 2*val} (val after the cap) when that is larger; a user SO_RCVBUF is
     * {@code min(u32(val), rmem_max)} doubled, at least SOCK_MIN_RCVBUF, and locks the buffer.
     */
    static final class LowatOracle {
        private final SimConfig config;
        int lowat = 1;
        int rcvbuf;
        boolean locked;

        LowatOracle(SimConfig config) {
            this.config = config;
            this.rcvbuf = config.tcpRmemDefault();
        }

        int cap() {
            return locked ? rcvbuf / 2 : config.tcpRmemMax() / 2;
        }

        /** K1: the kfunc (op check aside). */
        int kfunc(int val) {
            if (val < 0) {
                return EINVAL;
            }
            int v = Math.min(val, cap());
            lowat = Math.max(1, v);
            if (!locked && 2L * v > rcvbuf) {
                rcvbuf = (int) (2L * v);
            }
            return 0;
        }

        /** K2: userspace setsockopt(SO_RCVLOWAT). */
        int userSetLowat(int val) {
            kfunc(val < 0 ? INT_MAX : val);
            return 0;
        }

        /** K3 before accept: stored as given, 0 → 1, negative → INT_MAX, no cap, no growth. */
        int storeAsGiven(int val) {
            lowat = val < 0 ? INT_MAX : Math.max(1, val);
            return 0;
        }

        /** K4: userspace setsockopt(SO_RCVBUF). */
        int setRcvbuf(int val) {
            long v = Math.min(Integer.toUnsignedLong(val), config.rmemMax());
            v = Math.min(v, INT_MAX / 2);
            rcvbuf = (int) Math.max(2 * v, SOCK_MIN_RCVBUF);
            locked = true;
            return 0;
        }

        @Override
        public String toString() {
            return "oracle[lowat=" + lowat + ", rcvbuf=" + rcvbuf + ", locked=" + locked + "]";
        }
    }

    // ------------------------------------------------------------------ A1 frames

    /** A1: the 8-byte little-endian descriptor. */
    static byte[] descriptor(int headerLen, int payloadLen) {
        byte[] d = new byte[8];
        for (int i = 0; i < 4; i++) {
            d[i] = (byte) (headerLen >>> (8 * i));
            d[4 + i] = (byte) (payloadLen >>> (8 * i));
        }
        return d;
    }

    /** A1 frames {header_len, payload_len} concatenated; header/payload bytes are a counting pattern. */
    static byte[] frames(List<int[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int k = 0;
        for (int[] f : frames) {
            out.writeBytes(descriptor(f[0], f[1]));
            byte[] body = new byte[f[0] + f[1]];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) (k++ * 31 + 7);
            }
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** A counting pattern of {@code n} bytes, different for every {@code salt}. */
    static byte[] bytes(int n, int salt) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 13 + salt);
        }
        return b;
    }

    // ------------------------------------------------------------------ observations

    /** Everything an observation says except the drained invocation log, plus the peer's state. */
    record State(int rcvLowat, int rcvBuf, boolean readable, long edgeWakeups, int cbFlags, int queuedBytes,
                 int peerPending, long packetsSent, int rcvNxt, int copiedSeq, int oooSegments) {
    }

    /** Snapshot of the observable state; drains the invocation log (returned through {@code drained}). */
    static State state(SimConnection conn, List<Observation> drained) {
        Observation o = conn.observe();
        if (drained != null) {
            drained.add(o);
        }
        return new State(o.rcvLowat(), o.rcvBuf(), o.readable(), o.edgeWakeups(), o.cbFlags(), o.queuedBytes(),
                conn.peer().pendingBytes(), conn.peer().packetsSent(), conn.socket().rcvNxt(),
                conn.socket().copiedSeq(), conn.socket().outOfOrderSegments());
    }
}
