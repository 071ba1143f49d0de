package dev.autolowat.sim;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Probe;
import dev.autolowat.sim.SimFixtures.Trigger;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.autolowat.sim.SimFixtures.EBUSY;
import static dev.autolowat.sim.SimFixtures.EINVAL;
import static dev.autolowat.sim.SimFixtures.EOPNOTSUPP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules F1–F4: the per-socket flag word, set from a program with {@code bpf_sock_ops_cb_flags_set}
 * (F1) or {@code bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)} (F2), the guards of the RCVQ
 * clear→set transition (F3) and the SOCKMAP converse (F4).
 */
class FlagRulesProperties {

    // ------------------------------------------------------------------ generators

    record FlagsUpdate(boolean series, int prior, int flags) {
        @Override
        public String toString() {
            return "FlagsUpdate[series=" + series + ", prior=" + CbFlags.describe(prior) + ", flags="
                    + CbFlags.describe(flags) + "]";
        }
    }

    /** A flag word a socket can hold: any subset of the 8 defined bits (masked per kernel later). */
    static Gen<Integer> flagWords() {
        return Gen.ints(0, 0xFF);
    }

    /**
     * Any int as the flags argument: the whole range (edges included), or a value near the defined
     * bits so that the "all supported" case comes up often.
     */
    static Gen<Integer> flagArguments() {
        return Gen.booleans().flatMap(wide -> wide ? Gen.anyInt() : Gen.ints(0, 0x1FF));
    }

    static Gen<FlagsUpdate> flagsUpdates() {
        return Gen.zip(Gen.booleans(), Gen.zip(flagWords(), flagArguments(), (p, f) -> new int[] {p, f}),
                (series, pf) -> new FlagsUpdate(series, pf[0], pf[1]));
    }

    /** The conditions under which an F2 update runs (F3). */
    record GuardCase(int prior, int target, boolean mptcp, boolean sockmapMember, int queuedBytes) {
        @Override
        public String toString() {
            return "GuardCase[prior=" + CbFlags.describe(prior) + ", target=" + CbFlags.describe(target) + ", mptcp="
                    + mptcp + ", member=" + sockmapMember + ", queued=" + queuedBytes + "]";
        }
    }

    /**
     * A prior word, a target word, and the guard conditions. A socket whose RCVQ is already set cannot
     * be MPTCP (F3 refused it) nor a SOCKMAP member (F4 refused it), so those combinations are not drawn.
     */
    static Gen<GuardCase> guardCases() {
        return flagWords().flatMap(prior -> {
            boolean rcvqSet = CbFlags.rcvqEnabled(prior);
            Gen<Boolean> mptcp = rcvqSet ? Gen.constant(false) : Gen.booleans();
            return mptcp.flatMap(m -> {
                Gen<Boolean> member = rcvqSet || m ? Gen.constant(false) : Gen.booleans();
                return member.flatMap(mem -> Gen.zip(flagWords(), Gen.oneOf(0, 0, 1, 100, 5000),
                        (target, queued) -> new GuardCase(prior, target, m, mem, queued)));
            });
        });
    }

    // ------------------------------------------------------------------ F1

    @Test
    @DisplayName("F1: for any flags (whole int range) cb_flags_set makes the word flags & ALL and returns flags & ~ALL (ALL = 0xFF with the series, 0x7F without)")
    void f1FlagAlgebra() {
        Property.forAll("F1: cb_flags_set word = flags & ALL, return = flags & ~ALL", flagsUpdates()).check(u -> {
            int all = u.series() ? 0xFF : 0x7F;
            Probe probe = new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> {
                int first = ctx.cbFlagsSet(u.prior() & all);
                assertEquals(0, first, "setting supported bits on a fresh socket returns 0");
                return ctx.cbFlagsSet(u.flags());
            });
            List<Integer> wordSeen = new ArrayList<>();
            Probe reader = new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> {
                wordSeen.add(ctx.cbFlags());
                return ctx.getCbFlagsSockopt();
            });
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT.withSeries(u.series()), ConnectOptions.IPV4, probe, reader)) {
                assertEquals(u.flags() & ~all, probe.onlyResult(), "F1 return value: the unsupported bits");
                assertEquals(u.flags() & all, p.conn().cbFlags(), "F1: the word is replaced by flags & ALL");
                assertEquals(u.flags() & all, p.conn().observe().cbFlags());
                assertEquals(List.of(u.flags() & all), wordSeen, "a later program sees the new word in ctx.cbFlags()");
                assertEquals(u.flags() & all, reader.onlyResult(), "F2: bpf_getsockopt reads the same word");
            }
        });
    }

    @Test
    @DisplayName("F1: on a stock kernel (no series) asking for RCVQ 0x80 returns 0x80 and leaves the bit clear (support probe); with the series it returns 0")
    void f1ProbingOnStockKernel() {
        for (boolean series : new boolean[] {false, true}) {
            Probe probe = new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> ctx.cbFlagsSet(CbFlags.RCVQ | CbFlags.STATE));
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT.withSeries(series), ConnectOptions.IPV4, probe)) {
                assertEquals(series ? 0 : 0x80, probe.onlyResult(), "series=" + series);
                assertEquals(series ? 0x84 : 0x04, p.conn().cbFlags(), "series=" + series);
                assertEquals(series, p.session().backend().capabilities().kernelHasSeries());
                assertEquals(series, p.session().backend().capabilities().supports(dev.autolowat.api.Rule.F3),
                        "F3 needs the series; a stock kernel reports it as not supported, never as a pass");
                if (!series) {
                    assertTrue(p.session().backend().capabilities().reason(dev.autolowat.api.Rule.F3).contains("not supported"));
                }
            }
        }
    }

    // ------------------------------------------------------------------ F2

    @Test
    @DisplayName("F2: for any flags bpf_setsockopt(TCP_BPF_SOCK_OPS_CB_FLAGS) gives -EINVAL and changes nothing when a bit is unsupported, else 0 and the word; bpf_getsockopt reads it back")
    void f2SetsockoptFlags() {
        Property.forAll("F2: setsockopt flags: unsupported bits -EINVAL unchanged, else 0", flagsUpdates()).check(u -> {
            int all = u.series() ? 0xFF : 0x7F;
            int prior = u.prior() & all;
            List<Integer> readBack = new ArrayList<>();
            Probe probe = new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> {
                assertEquals(0, ctx.cbFlagsSet(prior));
                int r = ctx.setCbFlagsSockopt(u.flags());
                readBack.add(ctx.getCbFlagsSockopt());
                readBack.add(ctx.cbFlags());
                return r;
            });
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT.withSeries(u.series()), ConnectOptions.IPV4, probe)) {
                boolean unsupported = (u.flags() & ~all) != 0;
                int expectedWord = unsupported ? prior : u.flags();
                assertEquals(unsupported ? EINVAL : 0, probe.onlyResult());
                assertEquals(expectedWord, p.conn().cbFlags());
                assertEquals(List.of(expectedWord, expectedWord), readBack, "bpf_getsockopt and ctx.cbFlags() read the word back");
            }
        });
    }

    @Test
    @DisplayName("F2: on a stock kernel setsockopt(RCVQ) is -EINVAL; the same call from a cgroup setsockopt program later in the connection's life behaves the same")
    void f2StockKernelAndLaterCalls() {
        Trigger trigger = new Trigger();
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT.withSeries(false), ConnectOptions.IPV6, trigger)) {
            assertEquals(EINVAL, trigger.fire(p.conn(), ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ)));
            assertEquals(0, p.conn().cbFlags());
            assertEquals(0, trigger.fire(p.conn(), ctx -> ctx.setCbFlagsSockopt(CbFlags.RTT | CbFlags.STATE)));
            assertEquals(CbFlags.RTT | CbFlags.STATE, trigger.fire(p.conn(), ctx -> ctx.getCbFlagsSockopt()));
            assertEquals(CbFlags.RTT | CbFlags.STATE, p.conn().cbFlags());
        }
    }

    // ------------------------------------------------------------------ F3

    @Test
    @DisplayName("F3: for any prior/target word and guard state, an F2 update fails (word unchanged) exactly on a clear->set RCVQ transition with a failing guard: sockmap -EBUSY, MPTCP -EOPNOTSUPP, queue not empty -EBUSY")
    void f3GuardsProperty() {
        Property.forAll("F3: guards only on RCVQ clear->set; failure leaves the word unchanged", guardCases()).tries(500).check(g -> {
            Trigger trigger = new Trigger();
            Probe setPrior = new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> ctx.cbFlagsSet(g.prior()));
            ConnectOptions options = ConnectOptions.IPV4.withMptcp(g.mptcp());
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, options, trigger, setPrior)) {
                SimConnection conn = p.conn();
                assertEquals(0, setPrior.onlyResult(), "the prior word is set while no guard applies");
                assertEquals(g.prior(), conn.cbFlags());
                if (g.sockmapMember()) {
                    assertEquals(0, conn.addToSockmap());
                }
                if (g.queuedBytes() > 0) {
                    assertEquals(g.queuedBytes(), conn.send(SimFixtures.bytes(g.queuedBytes(), 1), g.queuedBytes()));
                }
                boolean transition = CbFlags.rcvqEnabled(g.target()) && !CbFlags.rcvqEnabled(g.prior());
                List<Integer> allowedErrors = new ArrayList<>();
                if (g.sockmapMember()) {
                    allowedErrors.add(EBUSY);
                }
                if (g.mptcp()) {
                    allowedErrors.add(EOPNOTSUPP);
                }
                if (g.queuedBytes() > 0) {
                    allowedErrors.add(EBUSY);
                }
                int r = trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(g.target()));
                if (transition && !allowedErrors.isEmpty()) {
                    assertTrue(allowedErrors.contains(r), "expected one of " + allowedErrors + ", got " + r);
                    assertEquals(g.prior(), conn.cbFlags(), "a failed guard leaves the word unchanged");
                } else {
                    assertEquals(0, r, "no guard applies to this update");
                    assertEquals(g.target(), conn.cbFlags());
                }
            }
        });
    }

    @Test
    @DisplayName("F3: SOCKMAP member: enabling RCVQ gives -EBUSY (16) with the word unchanged; other bits and clearing still work; after leaving the map it succeeds")
    void f3Sockmap() {
        Trigger trigger = new Trigger();
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4, trigger)) {
            SimConnection conn = p.conn();
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.STATE)));
            assertEquals(0, conn.addToSockmap());
            int r = trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.STATE | CbFlags.RCVQ));
            assertEquals(-16, r);
            assertEquals(CbFlags.STATE, conn.cbFlags(), "word unchanged: STATE kept, RCVQ not set");
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RTO | CbFlags.RTT)),
                    "an update without the RCVQ transition is not guarded");
            assertEquals(CbFlags.RTO | CbFlags.RTT, conn.cbFlags());
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(0)), "clearing always succeeds");
            assertEquals(0, conn.removeFromSockmap());
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ)));
            assertEquals(CbFlags.RCVQ, conn.cbFlags());
        }
    }

    @Test
    @DisplayName("F3: MPTCP socket: enabling RCVQ with F1 or F2 gives -EOPNOTSUPP (95) with the word unchanged; other bits work")
    void f3Mptcp() {
        Trigger trigger = new Trigger();
        Probe probe = new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> {
            assertEquals(0, ctx.cbFlagsSet(CbFlags.RTT));
            assertFalse(ctx.isTcp(), "an MPTCP socket is not a plain TCP socket");
            return ctx.cbFlagsSet(CbFlags.RTT | CbFlags.RCVQ);
        });
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4.withMptcp(true), trigger, probe)) {
            SimConnection conn = p.conn();
            assertEquals(-95, probe.onlyResult(), "F1 refused");
            assertEquals(CbFlags.RTT, conn.cbFlags());
            assertEquals(-95, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ)), "F2 refused");
            assertEquals(CbFlags.RTT, conn.cbFlags());
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.STATE)));
            assertEquals(CbFlags.STATE, conn.cbFlags());
        }
    }

    @Test
    @DisplayName("F3: receive queue not empty: enabling RCVQ gives -EBUSY with the word unchanged until the reader drained the queue, then it succeeds")
    void f3QueueNotEmpty() {
        Trigger trigger = new Trigger();
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4, trigger)) {
            SimConnection conn = p.conn();
            assertEquals(10, conn.send(SimFixtures.bytes(10, 3), 4, 6));
            assertEquals(EBUSY, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ)));
            assertEquals(0, conn.cbFlags());
            byte[] buf = new byte[10];
            assertEquals(5, conn.recv(buf, 0, 5, RecvMode.NON_BLOCKING));
            assertEquals(EBUSY, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ | CbFlags.RTO)),
                    "5 bytes are still queued");
            assertEquals(0, conn.cbFlags());
            assertEquals(5, conn.recv(buf, 5, 5, RecvMode.NON_BLOCKING));
            assertEquals(0, conn.observe().queuedBytes());
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ | CbFlags.RTO)));
            assertEquals(CbFlags.RCVQ | CbFlags.RTO, conn.cbFlags());
        }
    }

    @Test
    @DisplayName("F3: with F1 inside the RCVQ hook (queue not empty): clearing succeeds, setting again is -EBUSY (word stays clear); re-setting an already set RCVQ succeeds")
    void f3F1InsideHook() {
        List<Integer> wordAfter = new ArrayList<>();
        int[] segments = {0};
        Probe probe = Probe.rcvq().onSegment((seg, ctx) -> {
            if (segments[0]++ == 0) {
                // first segment: re-set an already set flag, with another bit
                return ctx.cbFlagsSet(CbFlags.RCVQ | CbFlags.STATE);
            }
            int clear = ctx.cbFlagsSet(CbFlags.STATE);
            int set = ctx.cbFlagsSet(CbFlags.STATE | CbFlags.RCVQ);
            wordAfter.add(ctx.cbFlags());
            return clear * 1000 + set;
        });
        try (Pair p = SimFixtures.open(probe)) {
            SimConnection conn = p.conn();
            assertEquals(CbFlags.RCVQ, conn.cbFlags());
            conn.send(SimFixtures.bytes(3, 0), 3);
            assertEquals(2, probe.calls.size(), "the enable at PASSIVE_ESTABLISHED_CB, then one op-21 call");
            assertEquals(0, probe.calls.get(0).result(), "RCVQ enabled on the empty queue");
            assertEquals(0, probe.calls.get(1).result(), "re-setting RCVQ (already set) is not guarded");
            assertEquals(CbFlags.RCVQ | CbFlags.STATE, conn.cbFlags());
            conn.send(SimFixtures.bytes(3, 1), 3);
            assertEquals(EBUSY, probe.calls.get(2).result(), "clear returned 0, set returned -EBUSY");
            assertEquals(List.of(CbFlags.STATE), wordAfter);
            assertEquals(CbFlags.STATE, conn.cbFlags(), "the failed set left the cleared word");
        }
    }

    // ------------------------------------------------------------------ F4

    @Test
    @DisplayName("F4: adding a socket with RCVQ set to a SOCKMAP gives -EBUSY and leaves the map unchanged (not a member: remove is -ENOENT; after clearing RCVQ it can join, and F3 then refuses RCVQ)")
    void f4Converse() {
        Trigger trigger = new Trigger();
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4, trigger, Probe.rcvq())) {
            SimConnection conn = p.conn();
            assertEquals(CbFlags.RCVQ, conn.cbFlags());
            assertEquals(-16, conn.addToSockmap());
            assertEquals(-16, conn.addToSockmap(), "still refused: nothing changed");
            assertEquals(CbFlags.RCVQ, conn.cbFlags(), "the flag word is untouched");
            assertEquals(-2, conn.removeFromSockmap(), "the socket did not join the map (-ENOENT)");
            // As a non-member, RCVQ can be cleared and set again: no sockmap guard fires.
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(0)));
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ)),
                    "F3 enable works: the failed add left the socket a non-member");
            assertEquals(CbFlags.RCVQ, conn.cbFlags());
            // And the converse of the converse: once clear, it joins; then F3 refuses RCVQ.
            assertEquals(0, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(0)));
            assertEquals(0, conn.addToSockmap());
            assertEquals(EBUSY, trigger.fire(conn, ctx -> ctx.setCbFlagsSockopt(CbFlags.RCVQ)));
            assertEquals(0, conn.cbFlags());
        }
    }

    @Test
    @DisplayName("F4: for any word, addToSockmap fails with -EBUSY exactly when RCVQ is set, and membership follows the result")
    void f4Property() {
        Property.forAll("F4: addToSockmap -EBUSY iff RCVQ set", flagWords()).tries(300).check(word -> {
            Probe probe = new Probe().at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> ctx.cbFlagsSet(word));
            try (Pair p = SimFixtures.open(probe)) {
                SimConnection conn = p.conn();
                int r = conn.addToSockmap();
                boolean rcvq = CbFlags.rcvqEnabled(word);
                assertEquals(rcvq ? EBUSY : 0, r);
                assertEquals(word, conn.cbFlags());
                assertEquals(rcvq ? -2 : 0, conn.removeFromSockmap(), "member exactly when the add succeeded");
            }
        });
    }
}
