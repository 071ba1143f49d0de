package dev.autolowat.sim;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Capabilities;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.DeterminismProperties.Run;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Probe;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.testkit.Property;
import dev.autolowat.testkit.selftest.SelftestTraces;
import dev.autolowat.testkit.selftest.SelftestTraces.TraceCase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static dev.autolowat.sim.SimFixtures.EBUSY;
import static dev.autolowat.sim.SimFixtures.EOPNOTSUPP;
import static dev.autolowat.sim.SimFixtures.INT_MAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection ({@link SimFault}): each deliberately broken simulator differs observably from the
 * correct one in a scenario of at most 6 steps (connect, calls, sends, recvs — observations are free),
 * and behaves like the correct one where its rule is not involved; without faults nothing changes.
 */
class SimFaultTest {
    private static final int EPERM = Errno.EPERM.negative();
    /** {@code tcp_rmem[2] / 2} on the reference machine: the K1/K2 cap while SO_RCVBUF was not set. */
    private static final int CAP = SimConfig.DEFAULT.lowatCapUnlocked();
    /** A1: one 258-byte frame (8-byte descriptor, 50-byte header, 200-byte payload). */
    private static final byte[] FRAME_258 = SimFixtures.frames(List.of(new int[] {50, 200}));

    private static SimConfig faulty(SimFault fault) {
        return SimConfig.DEFAULT.withFaults(fault);
    }

    /** A session of {@code config} with {@code policy} attached and one IPv4 connection. */
    private static Pair withPolicy(SimConfig config, Policy policy) {
        SimSession session = new SimBackend(config).openSession();
        session.attach(policy);
        return new Pair(session, session.connect(ConnectOptions.IPV4));
    }

    // ------------------------------------------------------------------ API

    @Test
    @DisplayName("API: no faults by default; withFaults replaces the set, keeps declaration order and the rest of the config; the pre-fault constructor means no faults")
    void configApi() {
        assertEquals(Set.of(), SimConfig.DEFAULT.faults());
        assertEquals(SimConfig.DEFAULT, SimConfig.DEFAULT.withFaults());
        SimConfig two = SimConfig.DEFAULT.withFaults(SimFault.RECVMSG_HOOK_MISSING, SimFault.WRONG_FLAG_GUARD);
        assertEquals(List.of(SimFault.WRONG_FLAG_GUARD, SimFault.RECVMSG_HOOK_MISSING), List.copyOf(two.faults()));
        assertTrue(two.hasFault(SimFault.WRONG_FLAG_GUARD));
        assertEquals(Set.of(SimFault.LOWAT_NOT_CAPPED), two.withFaults(SimFault.LOWAT_NOT_CAPPED).faults());
        assertEquals(two.faults(), two.withSeries(false).withMss(1460).withIsnSeed(3).withFixedIsn(-5)
                .withTcpRmem(4096, 8192, 65536).withRmemMax(1 << 20).faults(), "every wither keeps the faults");
        assertEquals(SimConfig.DEFAULT.withMss(1460), SimConfig.DEFAULT.withFaults(SimFault.LOWAT_NOT_CAPPED)
                .withMss(1460).withFaults());
        assertThrows(UnsupportedOperationException.class, () -> two.faults().add(SimFault.HOOK_AFTER_WAKEUP));
        assertThrows(NullPointerException.class, () -> SimConfig.DEFAULT.withFaults((SimFault) null));

        SimConfig d = SimConfig.DEFAULT;
        SimConfig old = new SimConfig(d.tcpRmemMin(), d.tcpRmemDefault(), d.tcpRmemMax(), d.rmemMax(), d.mssIpv4(),
                d.mssIpv6(), d.kernelHasSeries(), d.skbOverhead(), d.isnSeed(), d.fixedIsn());
        assertEquals(d, old);
        assertEquals(d, new SimConfig(d.tcpRmemMin(), d.tcpRmemDefault(), d.tcpRmemMax(), d.rmemMax(), d.mssIpv4(),
                d.mssIpv6(), d.kernelHasSeries(), d.skbOverhead(), d.isnSeed(), d.fixedIsn(), null, false));
        SimConfig mutable = SimConfig.DEFAULT.withFaults(EnumSet.of(SimFault.HOOK_AFTER_WAKEUP));
        assertEquals(Set.of(SimFault.HOOK_AFTER_WAKEUP), mutable.faults());
    }

    @Test
    @DisplayName("API: a mutant's name lists its faults; its capabilities are those of the correct simulator (it claims conformance)")
    void namesAndCapabilities() {
        assertEquals("sim", new SimBackend().name());
        assertEquals("sim", new SimBackend(SimConfig.DEFAULT.withFaults()).name());
        assertEquals("sim-stock", new SimBackend(SimConfig.DEFAULT.withSeries(false)).name());
        assertEquals("sim+hook_after_wakeup", new SimBackend(faulty(SimFault.HOOK_AFTER_WAKEUP)).name());
        assertEquals("sim+wrong_flag_guard+recvmsg_hook_missing", new SimBackend(SimConfig.DEFAULT
                .withFaults(SimFault.RECVMSG_HOOK_MISSING, SimFault.WRONG_FLAG_GUARD)).name());
        assertEquals("sim-stock+lowat_not_capped",
                new SimBackend(SimConfig.DEFAULT.withSeries(false).withFaults(SimFault.LOWAT_NOT_CAPPED)).name());
        for (boolean series : new boolean[] {true, false}) {
            SimConfig config = SimConfig.DEFAULT.withSeries(series);
            Capabilities correct = new SimBackend(config).capabilities();
            for (SimFault fault : SimFault.values()) {
                SimBackend mutant = new SimBackend(config.withFaults(fault));
                Capabilities claimed = mutant.capabilities();
                assertEquals(mutant.name(), claimed.backend());
                assertEquals(correct, new Capabilities(correct.backend(), claimed.kernelHasSeries(), claimed.javaHandlers(),
                        claimed.bytecode(), claimed.outOfOrder(), claimed.unsupported()), fault + ", series=" + series);
            }
        }
    }

    // ------------------------------------------------------------------ WRONG_FLAG_GUARD (F3)

    /** connect (policy attached), send 10 bytes, enable: 3 steps. */
    private static int[] enableWithDataQueued(SimConfig config) {
        try (Pair p = withPolicy(config, ReferenceAutoLowat.policy())) {
            SimConnection c = p.conn();
            c.send(SimFixtures.bytes(10, 1), 10);
            int enable = c.enableAutoLowat(1);
            return new int[] {enable, c.cbFlags() & CbFlags.RCVQ};
        }
    }

    /** connect (policy attached), join a SOCKMAP, enable: 3 steps. */
    private static int[] enableInSockmap(SimConfig config) {
        try (Pair p = withPolicy(config, ReferenceAutoLowat.policy())) {
            SimConnection c = p.conn();
            assertEquals(0, c.addToSockmap());
            int enable = c.enableAutoLowat(1);
            return new int[] {enable, c.cbFlags() & CbFlags.RCVQ};
        }
    }

    /** connect over MPTCP with a program that sets RCVQ (F1) in PASSIVE_ESTABLISHED_CB: 1 step. */
    private static int[] rcvqOnMptcp(SimConfig config) {
        Probe probe = Probe.rcvq();
        try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4.withMptcp(true), probe)) {
            return new int[] {probe.onlyResult(), p.conn().cbFlags() & CbFlags.RCVQ};
        }
    }

    @Test
    @DisplayName("WRONG_FLAG_GUARD (F3): RCVQ can be set with data queued (enable 0 instead of EPERM), in a SOCKMAP (0 instead of EPERM) and on MPTCP (F1 returns 0 instead of -EOPNOTSUPP); F4 still refuses")
    void wrongFlagGuard() {
        SimConfig mutant = faulty(SimFault.WRONG_FLAG_GUARD);
        assertArrayEquals(new int[] {EPERM, 0}, enableWithDataQueued(SimConfig.DEFAULT));
        assertArrayEquals(new int[] {0, CbFlags.RCVQ}, enableWithDataQueued(mutant));
        assertArrayEquals(new int[] {EPERM, 0}, enableInSockmap(SimConfig.DEFAULT));
        assertArrayEquals(new int[] {0, CbFlags.RCVQ}, enableInSockmap(mutant));
        assertArrayEquals(new int[] {EOPNOTSUPP, 0}, rcvqOnMptcp(SimConfig.DEFAULT));
        assertArrayEquals(new int[] {0, CbFlags.RCVQ}, rcvqOnMptcp(mutant));
        // Only F3 is broken: F4 (an RCVQ socket cannot join a SOCKMAP) holds.
        try (Pair p = SimFixtures.open(mutant, ConnectOptions.IPV4, Probe.rcvq())) {
            assertEquals(EBUSY, p.conn().addToSockmap());
        }
    }

    // ------------------------------------------------------------------ LOWAT_NOT_CAPPED (K1, K2)

    @Test
    @DisplayName("LOWAT_NOT_CAPPED (K2): setsockopt(SO_RCVLOWAT, INT_MAX) reads back INT_MAX instead of tcp_rmem[2]/2; after SO_RCVBUF 4096, lowat 10000 stays 10000 instead of 4096")
    void lowatNotCappedK2() {
        for (SimConfig config : List.of(SimConfig.DEFAULT, faulty(SimFault.LOWAT_NOT_CAPPED))) {
            boolean broken = !config.faults().isEmpty();
            try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4)) {
                SimConnection c = p.conn();
                assertEquals(0, c.setRcvLowat(INT_MAX));
                assertEquals(broken ? INT_MAX : CAP, c.rcvLowat());
                assertEquals(0, c.setRcvLowat(-1), "negative is INT_MAX");
                assertEquals(broken ? INT_MAX : CAP, c.rcvLowat());
                assertEquals(0, c.setRcvLowat(0));
                assertEquals(1, c.rcvLowat(), "0 still becomes 1");
            }
            try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4)) {
                SimConnection c = p.conn();
                assertEquals(0, c.setRcvBuf(4096));
                assertEquals(8192, c.rcvBuf());
                assertEquals(0, c.setRcvLowat(10_000));
                assertEquals(broken ? 10_000 : 4096, c.rcvLowat());
            }
        }
    }

    @Test
    @DisplayName("LOWAT_NOT_CAPPED (K1): the kfunc with INT_MAX in op 21 stores INT_MAX instead of the cap; a value under the cap is unaffected")
    void lowatNotCappedK1() {
        for (SimConfig config : List.of(SimConfig.DEFAULT, faulty(SimFault.LOWAT_NOT_CAPPED))) {
            boolean broken = !config.faults().isEmpty();
            Probe probe = Probe.rcvq().onSegment((seg, ctx) -> ctx.tcpSetRcvlowat(seg.payloadLength() == 1 ? INT_MAX : 1000));
            try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4, probe)) {
                SimConnection c = p.conn();
                c.send(new byte[] {1}, 1);
                assertEquals(broken ? INT_MAX : CAP, c.rcvLowat());
                c.send(new byte[2], 2);
                assertEquals(1000, c.rcvLowat());
                assertEquals(List.of(0, 0, 0), probe.results());
            }
        }
    }

    // ------------------------------------------------------------------ HOOK_AFTER_WAKEUP (H1 before H3)

    /** connect, enable, send the 258-byte frame as {@code segments}: 3 steps; the edge wakeups of the send. */
    private static long wakeupsOfFrame(SimConfig config, Policy policy, int... segments) {
        try (Pair p = withPolicy(config, policy)) {
            SimConnection c = p.conn();
            assertEquals(0, c.enableAutoLowat(1));
            long before = c.observe().edgeWakeups();
            assertEquals(FRAME_258.length, c.send(FRAME_258, segments));
            Observation o = c.observe();
            assertEquals(258, o.rcvLowat(), "the policy's lowat is the same in both: only its timing differs");
            assertTrue(o.readable());
            return o.edgeWakeups() - before;
        }
    }

    @Test
    @DisplayName("HOOK_AFTER_WAKEUP (H1): a 258-byte frame in 3 segments wakes the reader once; the mutant wakes it 3 times (4+4+250 bytes) or twice (86+86+86), with the Java and the bytecode policy")
    void hookAfterWakeup() {
        SimConfig mutant = faulty(SimFault.HOOK_AFTER_WAKEUP);
        for (Policy policy : List.of(ReferenceAutoLowat.policy(), FramingPolicy.REFERENCE_RPC.compile())) {
            assertEquals(1, wakeupsOfFrame(SimConfig.DEFAULT, policy, 4, 4, 250));
            assertEquals(3, wakeupsOfFrame(mutant, policy, 4, 4, 250),
                    "segment 1 wakes at lowat 1, segment 2 at lowat 8 (incomplete descriptor), segment 3 completes the frame");
            assertEquals(1, wakeupsOfFrame(SimConfig.DEFAULT, policy, 86, 86, 86));
            assertEquals(2, wakeupsOfFrame(mutant, policy, 86, 86, 86),
                    "segment 1 wakes at lowat 1; the lowat of 258 set after it holds for segment 2");
            assertEquals(1, wakeupsOfFrame(SimConfig.DEFAULT, policy, 258));
            assertEquals(1, wakeupsOfFrame(mutant, policy, 258), "one segment: the late hook changes nothing");
        }
    }

    /** Observations after every step of a reordered delivery, the edge-wakeup count left out. */
    private static List<Object> reorderedRun(SimConfig config, Policy policy) {
        List<Object> out = new ArrayList<>();
        Function<Observation, Object> noWakeups = o -> List.of(o.rcvLowat(), o.rcvBuf(), o.readable(), o.cbFlags(),
                o.queuedBytes(), o.invocations());
        try (Pair p = withPolicy(config, policy)) {
            SimConnection c = p.conn();
            out.add(c.enableAutoLowat(1));
            byte[] frames = SimFixtures.frames(List.of(new int[] {10, 30}, new int[] {10, 100}, new int[] {3, 5}));
            // The last packet to arrive fills the gap and releases all four segments at once.
            out.add(c.sendOutOfOrder(frames, new int[] {50, 50, 66, frames.length - 166}, new int[] {3, 1, 2, 0}));
            out.add(noWakeups.apply(c.observe()));
            byte[] buf = new byte[frames.length];
            out.add(c.recv(buf, 0, 48, RecvMode.NON_BLOCKING));
            out.add(noWakeups.apply(c.observe()));
            out.add(c.send(frames, 7, frames.length - 7));
            out.add(noWakeups.apply(c.observe()));
        }
        return out;
    }

    @Test
    @DisplayName("HOOK_AFTER_WAKEUP breaks only the timing: segments released from the out-of-order queue are still hooked once each, in order, with their own payload (Java and bytecode policy agree with the correct run)")
    void hookAfterWakeupKeepsEventsAndPayloads() {
        for (Policy policy : List.of(ReferenceAutoLowat.policy(), FramingPolicy.REFERENCE_RPC.compile())) {
            List<Object> correct = reorderedRun(SimConfig.DEFAULT, policy);
            assertEquals(correct, reorderedRun(faulty(SimFault.HOOK_AFTER_WAKEUP), policy), policy.toString());
        }
        // The payloads a Java program loads, segment by segment.
        List<List<Byte>> correct = payloadsSeen(SimConfig.DEFAULT);
        assertEquals(4, correct.size());
        assertEquals(correct, payloadsSeen(faulty(SimFault.HOOK_AFTER_WAKEUP)));
    }

    private static List<List<Byte>> payloadsSeen(SimConfig config) {
        List<List<Byte>> seen = new ArrayList<>();
        Probe probe = Probe.rcvq().onSegment((seg, ctx) -> {
            byte[] b = new byte[seg.payloadLength()];
            int r = seg.loadBytes(0, b, 0, b.length);
            List<Byte> l = new ArrayList<>();
            for (byte x : b) {
                l.add(x);
            }
            seen.add(l);
            return r;
        });
        try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4, probe)) {
            p.conn().sendOutOfOrder(SimFixtures.bytes(40, 3), new int[] {10, 10, 10, 10}, new int[] {1, 3, 2, 0});
        }
        assertTrue(probe.results().stream().allMatch(r -> r == 0));
        return seen;
    }

    // ------------------------------------------------------------------ RECVMSG_HOOK_MISSING (H2)

    /** connect, enable, send the frame, recv 100 bytes: 4 steps; the observation after the recv. */
    private static Observation afterPartialRead(SimConfig config) {
        try (Pair p = withPolicy(config, ReferenceAutoLowat.policy())) {
            SimConnection c = p.conn();
            assertEquals(0, c.enableAutoLowat(1));
            c.send(FRAME_258, 258);
            c.observe();
            assertEquals(100, c.recv(new byte[100], 0, 100, RecvMode.NON_BLOCKING));
            return c.observe();
        }
    }

    @Test
    @DisplayName("RECVMSG_HOOK_MISSING (H2): after reading 100 of a 258-byte frame the policy lowers lowat to 158; the mutant logs no op-21 entry and leaves 258")
    void recvmsgHookMissing() {
        Observation correct = afterPartialRead(SimConfig.DEFAULT);
        assertEquals(158, correct.rcvLowat());
        assertEquals(List.of(new Invocation(SockOpsOp.RCVQ_CB.value(), 0, 0, 0)), correct.invocations());
        Observation broken = afterPartialRead(faulty(SimFault.RECVMSG_HOOK_MISSING));
        assertEquals(258, broken.rcvLowat());
        assertEquals(List.of(), broken.invocations());
        // H1 is intact in the mutant.
        try (Pair p = SimFixtures.open(faulty(SimFault.RECVMSG_HOOK_MISSING), ConnectOptions.IPV4, Probe.rcvq())) {
            p.conn().observe();
            p.conn().send(new byte[5], 5);
            assertEquals(1, p.conn().observe().invocations().size());
        }
    }

    // ------------------------------------------------------------------ no faults: nothing changes

    @Test
    @DisplayName("no faults: the generated scenarios of the determinism properties (reference policy on) give identical observations for DEFAULT, withFaults() and the pre-fault constructor")
    void noFaultsNothingChanges() {
        Property.forAll("no faults: identical observations", DeterminismProperties.runs()).tries(100).check(run -> {
            SimConfig config = SimConfig.DEFAULT.withIsnSeed(run.seed());
            SimConfig rebuilt = new SimConfig(config.tcpRmemMin(), config.tcpRmemDefault(), config.tcpRmemMax(),
                    config.rmemMax(), config.mssIpv4(), config.mssIpv6(), config.kernelHasSeries(),
                    config.skbOverhead(), config.isnSeed(), config.fixedIsn());
            List<Object> expected = DeterminismProperties.observe(config, run);
            assertEquals(expected, DeterminismProperties.observe(config.withFaults(), run));
            assertEquals(expected, DeterminismProperties.observe(rebuilt, run));
            assertEquals(expected, DeterminismProperties.observe(
                    config.withFaults(SimFault.RECVMSG_HOOK_MISSING).withFaults(), run));
        });
    }

    @Test
    @DisplayName("no faults: the four selftest traces (A6) pass over IPv4 and IPv6 with withFaults()")
    void noFaultsTracesPass() {
        for (TraceCase trace : SelftestTraces.load()) {
            for (Family family : Family.values()) {
                SelftestTraces.run(trace, new SimBackend(SimConfig.DEFAULT.withFaults()), ReferenceAutoLowat.policy(), family);
            }
        }
    }

    @Test
    @DisplayName("mutants break only their rule: WRONG_FLAG_GUARD agrees with the correct simulator on the determinism scenarios (enable on an empty queue), every mutant agrees when no program is attached")
    void mutantsAgreeElsewhere() {
        Property.forAll("WRONG_FLAG_GUARD agrees where F3 is not exercised", DeterminismProperties.runs()).tries(100).check(run -> {
            SimConfig config = SimConfig.DEFAULT.withIsnSeed(run.seed());
            assertEquals(DeterminismProperties.observe(config, run),
                    DeterminismProperties.observe(config.withFaults(SimFault.WRONG_FLAG_GUARD), run));
        });
        Property.forAll("H-mutants agree without programs", DeterminismProperties.runs()).tries(50).check(run -> {
            SimConfig config = SimConfig.DEFAULT.withIsnSeed(run.seed());
            List<Object> expected = withoutPrograms(config, run);
            for (SimFault fault : List.of(SimFault.WRONG_FLAG_GUARD, SimFault.HOOK_AFTER_WAKEUP, SimFault.RECVMSG_HOOK_MISSING)) {
                assertEquals(expected, withoutPrograms(config.withFaults(fault), run), fault.toString());
            }
        });
    }

    /** The steps of a determinism run on a connection without any program, lowat values under the cap. */
    private static List<Object> withoutPrograms(SimConfig config, Run run) {
        List<Object> out = new ArrayList<>();
        try (Pair p = SimFixtures.open(config, run.ipv6() ? ConnectOptions.IPV6 : ConnectOptions.IPV4)) {
            SimConnection c = p.conn();
            WakeupRulesProperties.runSteps(c, run.steps(), out);
        }
        return out;
    }

    @Test
    @DisplayName("every fault has a scenario that tells it apart (this class covers them all)")
    void everyFaultCovered() {
        assertEquals(List.of(SimFault.WRONG_FLAG_GUARD, SimFault.LOWAT_NOT_CAPPED, SimFault.HOOK_AFTER_WAKEUP,
                SimFault.RECVMSG_HOOK_MISSING), List.of(SimFault.values()));
        assertNotEquals(SimConfig.DEFAULT, faulty(SimFault.HOOK_AFTER_WAKEUP));
    }
}
