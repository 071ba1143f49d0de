package dev.autolowat.sim;

import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimFixtures.LowatOracle;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Probe;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static dev.autolowat.sim.SimFixtures.EINVAL;
import static dev.autolowat.sim.SimFixtures.EOPNOTSUPP;
import static dev.autolowat.sim.SimFixtures.INT_MAX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules K1–K4: the rcvlowat setters and their bounds, checked against {@link LowatOracle}, an
 * oracle written from the text of {@code SEMANTICS.md}, and against the tables of
 * {@code kernel-facts.md}.
 */
class RcvlowatRulesProperties {
    private static final SimConfig SMALL_MACHINE =
            SimConfig.DEFAULT.withTcpRmem(4096, 87380, 6291456).withRmemMax(212992);

    // ------------------------------------------------------------------ generators

    /** The reference machine, or a smaller one (sysctls must be read, never assumed). */
    static Gen<SimConfig> machines() {
        return Gen.oneOf(SimConfig.DEFAULT, SMALL_MACHINE);
    }

    /**
     * Values for SO_RCVLOWAT and the kfunc: the whole int range (MIN/MAX/0/±1 edges included), small
     * values, values around the default cap 16777216, and powers of two.
     */
    static Gen<Integer> lowatValues() {
        return Gen.ints(0, 4).flatMap(kind -> switch (kind) {
            case 0, 1 -> Gen.anyInt();
            case 2 -> Gen.ints(-2, 300_000);
            case 3 -> Gen.ints(16_777_214, 16_777_218);
            default -> Gen.ints(0, 30).map(b -> 1 << b);
        });
    }

    /** Values for SO_RCVBUF: the whole int range, small values, values around rmem_max. */
    static Gen<Integer> rcvbufValues() {
        return Gen.ints(0, 3).flatMap(kind -> switch (kind) {
            case 0 -> Gen.anyInt();
            case 1 -> Gen.ints(0, 300_000);
            case 2 -> Gen.ints(212_990, 212_994);
            default -> Gen.ints(4_194_302, 4_194_306);
        });
    }

    record KOp(boolean rcvbuf, int value) {
        @Override
        public String toString() {
            return (rcvbuf ? "SO_RCVBUF(" : "SO_RCVLOWAT(") + value + ")";
        }
    }

    static Gen<KOp> kOps() {
        return Gen.ints(0, 3).flatMap(k -> k == 0
                ? rcvbufValues().map(v -> new KOp(true, v))
                : lowatValues().map(v -> new KOp(false, v)));
    }

    record KScenario(SimConfig config, List<KOp> ops) {
        @Override
        public String toString() {
            return "KScenario[" + (config == SimConfig.DEFAULT ? "DEFAULT" : "SMALL") + ", " + ops + "]";
        }
    }

    static Gen<KScenario> kScenarios() {
        return Gen.zip(machines(), kOps().listOf(1, 8), KScenario::new);
    }

    /** A kfunc/K3 call with or without a prior user SO_RCVBUF. */
    record SetterCase(SimConfig config, Integer priorRcvbuf, int value) {
        @Override
        public String toString() {
            return "SetterCase[" + (config == SimConfig.DEFAULT ? "DEFAULT" : "SMALL") + ", SO_RCVBUF=" + priorRcvbuf
                    + ", val=" + value + "]";
        }
    }

    static Gen<SetterCase> setterCases() {
        return machines().flatMap(m -> Gen.booleans().flatMap(withBuf -> Gen.zip(
                withBuf ? rcvbufValues().map(Integer::valueOf) : Gen.constant((Integer) null), lowatValues(),
                (buf, v) -> new SetterCase(m, buf, v))));
    }

    // ------------------------------------------------------------------ K2 / K4: userspace

    @Test
    @DisplayName("K2: for any sequence of setsockopt(SO_RCVLOWAT)/setsockopt(SO_RCVBUF) with any int values, getsockopt and observe() match the oracle (cap, negative=INT_MAX, max(1,..), rcvbuf growth, SO_RCVBUF doubling/lock)")
    void k2UserspaceSequences() {
        Property.forAll("K2: userspace SO_RCVLOWAT/SO_RCVBUF sequences match the SEMANTICS.md oracle", kScenarios()).check(s -> {
            LowatOracle oracle = new LowatOracle(s.config());
            try (Pair p = SimFixtures.open(s.config(), ConnectOptions.IPV4)) {
                SimConnection conn = p.conn();
                assertEquals(oracle.lowat, conn.rcvLowat());
                assertEquals(oracle.rcvbuf, conn.rcvBuf());
                for (KOp op : s.ops()) {
                    int r = op.rcvbuf() ? conn.setRcvBuf(op.value()) : conn.setRcvLowat(op.value());
                    int expected = op.rcvbuf() ? oracle.setRcvbuf(op.value()) : oracle.userSetLowat(op.value());
                    assertEquals(expected, r, () -> "return of " + op);
                    assertEquals(oracle.lowat, conn.rcvLowat(), () -> "SO_RCVLOWAT after " + op + ", " + oracle);
                    assertEquals(oracle.rcvbuf, conn.rcvBuf(), () -> "SO_RCVBUF after " + op + ", " + oracle);
                    Observation o = conn.observe();
                    assertEquals(oracle.lowat, o.rcvLowat());
                    assertEquals(oracle.rcvbuf, o.rcvBuf());
                    assertTrue(o.rcvLowat() >= 1, "lowat is never below 1");
                }
            }
        });
    }

    @ParameterizedTest(name = "K2 table: set {0} -> SO_RCVLOWAT {1}, SO_RCVBUF {2}")
    @DisplayName("K2: the kernel-facts.md SO_RCVLOWAT table, each row on a fresh socket")
    @CsvSource({
        "0, 1, 131072",
        "100, 100, 131072",
        "65536, 65536, 131072",
        "1048576, 1048576, 2097152",
        "16777216, 16777216, 33554432",
        "16777217, 16777216, 33554432",
        "1073741824, 16777216, 33554432",
        "2147483647, 16777216, 33554432",
        "-1, 16777216, 33554432",
        "-5, 16777216, 33554432",
    })
    void k2TableRow(int set, int lowat, int rcvbuf) {
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4)) {
            assertEquals(0, p.conn().setRcvLowat(set));
            assertEquals(lowat, p.conn().rcvLowat());
            assertEquals(rcvbuf, p.conn().rcvBuf());
        }
    }

    @Test
    @DisplayName("K2: the kernel-facts.md SO_RCVLOWAT table in order on one socket (default 1/131072; rcvbuf only grows)")
    void k2TableSequential() {
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV6)) {
            SimConnection c = p.conn();
            assertEquals(1, c.rcvLowat());
            assertEquals(131072, c.rcvBuf());
            int[][] rows = {
                {0, 1, 131072}, {100, 100, 131072}, {65536, 65536, 131072}, {1048576, 1048576, 2097152},
                {16777216, 16777216, 33554432}, {16777217, 16777216, 33554432}, {1 << 30, 16777216, 33554432},
                {INT_MAX, 16777216, 33554432}, {-1, 16777216, 33554432}, {-5, 16777216, 33554432},
                {100, 100, 33554432},
            };
            for (int[] row : rows) {
                assertEquals(0, c.setRcvLowat(row[0]));
                assertEquals(row[1], c.rcvLowat(), "lowat after " + row[0]);
                assertEquals(row[2], c.rcvBuf(), "rcvbuf after " + row[0]);
            }
        }
    }

    @Test
    @DisplayName("K2/K4: after setsockopt(SO_RCVBUF, 65536): SO_RCVBUF reads 131072 (doubled, locked); lowat 1000 -> 1000, 65536 -> 65536, 1048576 -> 65536; SO_RCVBUF stays 131072")
    void k2TableWithRcvbuf() {
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV4)) {
            SimConnection c = p.conn();
            assertEquals(0, c.setRcvBuf(65536));
            assertEquals(131072, c.rcvBuf());
            assertTrue(c.socket().rcvBufLocked());
            int[][] rows = {{1000, 1000}, {65536, 65536}, {1048576, 65536}};
            for (int[] row : rows) {
                assertEquals(0, c.setRcvLowat(row[0]));
                assertEquals(row[1], c.rcvLowat(), "lowat after " + row[0]);
                assertEquals(131072, c.rcvBuf(), "locked rcvbuf never grows");
            }
        }
    }

    @ParameterizedTest(name = "K4: SO_RCVBUF {0} with rmem_max {1} reads {2}")
    @DisplayName("K4: a user SO_RCVBUF is bounded by rmem_max as u32, by INT_MAX/2, doubled, and at least SOCK_MIN_RCVBUF (2304, measured on 6.18)")
    @CsvSource({
        "0, 4194304, 2304",
        "1, 4194304, 2304",
        "1152, 4194304, 2304",
        "1153, 4194304, 2306",
        "2303, 4194304, 4606",
        "2304, 4194304, 4608",
        "65536, 4194304, 131072",
        "4194304, 4194304, 8388608",
        "4194305, 4194304, 8388608",
        "2147483647, 4194304, 8388608",
        "-1, 4194304, 8388608",
        "-2147483648, 4194304, 8388608",
        "2147483647, 2147483647, 2147483646",
        "-1, 2147483647, 2147483646",
    })
    void k4Rcvbuf(int set, int rmemMax, int expected) {
        try (Pair p = SimFixtures.open(SimConfig.DEFAULT.withRmemMax(rmemMax), ConnectOptions.IPV4)) {
            assertEquals(0, p.conn().setRcvBuf(set));
            assertEquals(expected, p.conn().rcvBuf());
            assertEquals(expected, p.conn().getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF));
            assertEquals(expected, p.conn().observe().rcvBuf());
            assertEquals(1, p.conn().getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT));
        }
    }

    // ------------------------------------------------------------------ K1: the kfunc

    @Test
    @DisplayName("K1: for any val (whole int range), with or without a prior SO_RCVBUF, the kfunc in op 21 returns 0 and sets lowat/rcvbuf as the oracle, or -EINVAL with nothing changed when val < 0")
    void k1KfuncInOp21() {
        Property.forAll("K1: kfunc in op 21 matches the oracle", setterCases()).check(c -> {
            LowatOracle oracle = new LowatOracle(c.config());
            Probe probe = Probe.rcvq().onSegment((seg, ctx) -> ctx.tcpSetRcvlowat(c.value()));
            try (Pair p = SimFixtures.open(c.config(), ConnectOptions.IPV4, probe)) {
                SimConnection conn = p.conn();
                if (c.priorRcvbuf() != null) {
                    assertEquals(0, conn.setRcvBuf(c.priorRcvbuf()));
                    oracle.setRcvbuf(c.priorRcvbuf());
                }
                conn.send(new byte[] {42}, 1);
                int expected = oracle.kfunc(c.value());
                assertEquals(2, probe.calls.size(), "one enable, one op-21 call");
                assertEquals(expected, probe.calls.get(1).result());
                assertEquals(oracle.lowat, conn.rcvLowat(), oracle::toString);
                assertEquals(oracle.rcvbuf, conn.rcvBuf(), oracle::toString);
            }
        });
    }

    @Test
    @DisplayName("K1: for any val, the kfunc outside op 21 (TCP_CONNECT_CB, ACTIVE_/PASSIVE_ESTABLISHED_CB) returns -EOPNOTSUPP and changes nothing")
    void k1KfuncOutsideOp21() {
        Property.forAll("K1: kfunc outside op 21 is -EOPNOTSUPP", lowatValues()).tries(300).check(v -> {
            Probe probe = new Probe()
                    .at(SockOpsOp.TCP_CONNECT_CB, ctx -> ctx.tcpSetRcvlowat(v))
                    .at(SockOpsOp.ACTIVE_ESTABLISHED_CB, ctx -> ctx.tcpSetRcvlowat(v))
                    .at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> ctx.tcpSetRcvlowat(v));
            try (Pair p = SimFixtures.open(probe)) {
                SimConnection conn = p.conn();
                assertEquals(List.of(SockOpsOp.TCP_CONNECT_CB, SockOpsOp.ACTIVE_ESTABLISHED_CB,
                        SockOpsOp.PASSIVE_ESTABLISHED_CB), probe.calls.stream().map(SimFixtures.Call::op).toList());
                assertEquals(List.of(EOPNOTSUPP, EOPNOTSUPP, EOPNOTSUPP), probe.results());
                assertEquals(1, conn.rcvLowat());
                assertEquals(131072, conn.rcvBuf());
                assertEquals(1, conn.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT));
                assertEquals(131072, conn.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF));
            }
        });
    }

    @Test
    @DisplayName("K1: the kfunc also works on the recvmsg-done event (op 21, H2) and runs no wakeup check: the socket becomes readable (poll) without a wakeup, so a level-triggered epoll does not report it yet")
    void k1KfuncInRecvmsgDoneRunsNoWakeup() {
        Probe probe = Probe.rcvq().onRecvmsgDone((done, ctx) -> ctx.tcpSetRcvlowat(50));
        try (Pair p = SimFixtures.open(probe)) {
            SimConnection conn = p.conn();
            assertEquals(0, conn.setRcvLowat(1000));
            conn.send(SimFixtures.bytes(100, 0), 100);
            Observation before = conn.observe();
            assertFalse(before.readable(), "100 bytes < lowat 1000");
            assertEquals(10, conn.recv(new byte[10], 0, 10, RecvMode.NON_BLOCKING));
            assertEquals(0, probe.calls.get(probe.calls.size() - 1).result());
            Observation after = conn.observe();
            assertEquals(50, after.rcvLowat());
            assertTrue(conn.socket().pollReadable(), "90 queued >= lowat 50: poll() reports readable");
            // measured on the patched kernel: without a wakeup the epoll item stays off the ready list
            assertFalse(after.readable(), "no wakeup, so a level-triggered epoll_wait does not report it");
            assertEquals(before.edgeWakeups(), after.edgeWakeups(), "K1/H2: no wakeup from the kfunc nor from recvmsg-done");
            conn.send(SimFixtures.bytes(1, 1), 1);
            assertTrue(conn.observe().readable(), "the next packet's wakeup puts it back on the ready list");
        }
    }

    @Test
    @DisplayName("K1: val < 0 gives -EINVAL and leaves lowat and rcvbuf unchanged (also after an earlier successful call)")
    void k1NegativeValue() {
        int[] values = {5000, -1, Integer.MIN_VALUE, 0, -7};
        int[] i = {0};
        Probe probe = Probe.rcvq().onSegment((seg, ctx) -> ctx.tcpSetRcvlowat(values[i[0]++]));
        try (Pair p = SimFixtures.open(probe)) {
            SimConnection conn = p.conn();
            int[] expectedLowat = {5000, 5000, 5000, 1, 1};
            int[] expectedResult = {0, EINVAL, EINVAL, 0, EINVAL};
            for (int k = 0; k < values.length; k++) {
                conn.send(new byte[] {1}, 1);
                assertEquals(expectedResult[k], probe.calls.get(k + 1).result(), "kfunc(" + values[k] + ")");
                assertEquals(expectedLowat[k], conn.rcvLowat(), "lowat after kfunc(" + values[k] + ")");
                assertEquals(131072, conn.rcvBuf(), "2*5000 < 131072: no growth");
            }
        }
    }

    // ------------------------------------------------------------------ K3: bpf_setsockopt

    @Test
    @DisplayName("K3: for any val, bpf_setsockopt(SO_RCVLOWAT) on ACTIVE_ESTABLISHED_CB (client, has a struct socket) is K2; on PASSIVE_ESTABLISHED_CB (not yet accepted) the value is stored as given (0->1, negative->INT_MAX, no cap, no growth)")
    void k3BothSides() {
        Property.forAll("K3: client side as K2, server side stored as given", Gen.zip(machines(), lowatValues(),
                (m, v) -> new SetterCase(m, null, v))).check(c -> {
            Probe probe = new Probe()
                    .at(SockOpsOp.ACTIVE_ESTABLISHED_CB, ctx -> ctx.setsockoptRcvlowat(c.value()))
                    .at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> ctx.setsockoptRcvlowat(c.value()));
            try (Pair p = SimFixtures.open(c.config(), ConnectOptions.IPV4, probe)) {
                SimConnection conn = p.conn();
                assertEquals(List.of(0, 0), probe.results());
                LowatOracle client = new LowatOracle(c.config());
                client.userSetLowat(c.value());
                assertEquals(client.lowat, conn.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT), "client lowat");
                assertEquals(client.rcvbuf, conn.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF), "client rcvbuf");
                LowatOracle server = new LowatOracle(c.config());
                server.storeAsGiven(c.value());
                assertEquals(server.lowat, conn.rcvLowat(), "server lowat");
                assertEquals(c.config().tcpRmemDefault(), conn.rcvBuf(), "server rcvbuf does not grow");
            }
        });
    }

    @ParameterizedTest(name = "K3 table: set {0}: client {1}/{2}, server {3}/{4}")
    @DisplayName("K3: the kernel-facts.md bpf_setsockopt table (client op 4 read with peerGetsockopt, server op 5 read after accept)")
    @CsvSource({
        "100, 100, 131072, 100, 131072",
        "0, 1, 131072, 1, 131072",
        "-1, 16777216, 33554432, 2147483647, 131072",
        "5000000, 5000000, 10000000, 5000000, 131072",
        "40000000, 16777216, 33554432, 40000000, 131072",
    })
    void k3Table(int set, int clientLowat, int clientRcvbuf, int serverLowat, int serverRcvbuf) {
        for (ConnectOptions family : List.of(ConnectOptions.IPV4, ConnectOptions.IPV6)) {
            Probe probe = new Probe()
                    .at(SockOpsOp.ACTIVE_ESTABLISHED_CB, ctx -> ctx.setsockoptRcvlowat(set))
                    .at(SockOpsOp.PASSIVE_ESTABLISHED_CB, ctx -> ctx.setsockoptRcvlowat(set));
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, family, probe)) {
                SimConnection c = p.conn();
                assertEquals(clientLowat, c.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT));
                assertEquals(clientRcvbuf, c.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF));
                assertEquals(serverLowat, c.getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT));
                assertEquals(serverRcvbuf, c.getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF));
            }
        }
    }

    @Test
    @DisplayName("K3: for any val, bpf_setsockopt(SO_RCVLOWAT) from op 21 (segment or recvmsg-done) is refused with -EOPNOTSUPP and changes nothing")
    void k3RefusedInOp21() {
        Property.forAll("K3: bpf_setsockopt(SO_RCVLOWAT) in op 21 is -EOPNOTSUPP", lowatValues()).tries(300).check(v -> {
            Probe probe = Probe.rcvq()
                    .onSegment((seg, ctx) -> ctx.setsockoptRcvlowat(v))
                    .onRecvmsgDone((done, ctx) -> ctx.setsockoptRcvlowat(v));
            try (Pair p = SimFixtures.open(probe)) {
                SimConnection conn = p.conn();
                conn.send(SimFixtures.bytes(20, 0), 20);
                assertEquals(20, conn.recv(new byte[20], 0, 20, RecvMode.NON_BLOCKING));
                assertEquals(List.of(0, EOPNOTSUPP, EOPNOTSUPP), probe.results());
                assertEquals(1, conn.rcvLowat());
                assertEquals(131072, conn.rcvBuf());
            }
        });
    }

    @Test
    @DisplayName("K4: getsockopt(SO_RCVLOWAT/SO_RCVBUF) returns sk_rcvlowat/sk_rcvbuf as programs see them, on both sockets")
    void k4Getsockopt() {
        int[] seen = new int[2];
        Probe probe = Probe.rcvq().onSegment((seg, ctx) -> {
            seen[0] = ctx.rcvLowat();
            seen[1] = ctx.rcvBuf();
            return 0;
        });
        try (Pair p = SimFixtures.open(probe)) {
            SimConnection c = p.conn();
            assertEquals(0, c.setRcvLowat(3_000_000));
            c.send(new byte[] {1}, 1);
            assertEquals(3_000_000, seen[0]);
            assertEquals(6_000_000, seen[1]);
            assertEquals(seen[0], c.getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT));
            assertEquals(seen[1], c.getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF));
            assertEquals(1, c.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT), "the peer socket is separate");
            assertEquals(131072, c.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF));
        }
    }
}
