package dev.autolowat.sim;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimFixtures.Pair;
import dev.autolowat.sim.SimFixtures.Probe;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.autolowat.sim.SimFixtures.EAGAIN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules H1 (op 21 per in-order enqueued segment, before the wakeup decision), H2 (op 21 after every
 * recvmsg that copied data) and H6 (cgroup semantics of attached programs; u32 sequence numbers
 * wrap), observed through the invocation log of {@code observe()} and through test programs.
 */
class HookRulesTest {
    private static final int RCVQ_OP = 21;
    private static final Invocation H2_ENTRY = new Invocation(RCVQ_OP, 0, 0, 0);

    /** What a test program saw in one H1 invocation. */
    record Seen(int seq, int endSeq, boolean fin, int len, byte[] payload, int rcvNxt, long packetsSent) {
    }

    /** A probe that enables RCVQ and records every enqueued segment, with its payload. */
    static Probe recorder(List<Seen> seen, SimConnection[] conn) {
        return Probe.rcvq().onSegment((seg, ctx) -> {
            byte[] payload = new byte[seg.payloadLength()];
            int r = seg.payloadLength() == 0 ? 0 : seg.loadBytes(0, payload, 0, payload.length);
            seen.add(new Seen(seg.seq(), seg.endSeq(), seg.fin(), seg.payloadLength(), payload, ctx.rcvNxt(),
                    conn[0] == null ? -1 : conn[0].peer().packetsSent()));
            return r;
        });
    }

    private static List<Invocation> rcvqEntries(Observation o) {
        return o.invocations().stream().filter(i -> i.op() == RCVQ_OP).toList();
    }

    // ------------------------------------------------------------------ H1: one entry per segment

    record SegmentsCase(int mss, List<Integer> lengths) {
    }

    static Gen<SegmentsCase> segmentsCases() {
        return Gen.zip(Gen.oneOf(65483, 88, 536, 1460), Gen.ints(1, 3000).listOf(1, 8), SegmentsCase::new);
    }

    @Test
    @DisplayName("H1: for any segment lengths and MSS, the log has exactly one op-21 entry per segment on the wire (cut by MSS) with its seq, end_seq and skb_len; the program reads its payload and sees rcv_nxt past it")
    void h1OneEntryPerSegment() {
        Property.forAll("H1: one op-21 entry per segment with the right seq/end_seq/skb_len", segmentsCases()).tries(300).check(sc -> {
            List<Seen> seen = new ArrayList<>();
            SimConnection[] holder = new SimConnection[1];
            SimConfig config = SimConfig.DEFAULT.withMss(sc.mss());
            try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4, recorder(seen, holder))) {
                SimConnection c = p.conn();
                holder[0] = c;
                Observation first = c.observe();
                assertEquals(List.of(new Invocation(SockOpsOp.PASSIVE_ESTABLISHED_CB.value(), 0, 0, 0)), first.invocations(),
                        "the connect logged PASSIVE_ESTABLISHED_CB only");
                int seq = c.socket().rcvNxt();
                int total = sc.lengths().stream().mapToInt(Integer::intValue).sum();
                byte[] data = SimFixtures.bytes(total, 17);
                assertEquals(total, c.send(data, sc.lengths().stream().mapToInt(Integer::intValue).toArray()));
                assertEquals(0, c.peer().pendingBytes());
                List<Invocation> expected = new ArrayList<>();
                int off = 0;
                for (int len : sc.lengths()) {
                    for (int left = len; left > 0; ) {
                        int piece = Math.min(left, sc.mss());
                        expected.add(new Invocation(RCVQ_OP, seq, seq + piece, piece));
                        byte[] want = Arrays.copyOfRange(data, off, off + piece);
                        Seen s = seen.get(expected.size() - 1);
                        assertArrayEquals(want, s.payload(), "payload of segment " + (expected.size() - 1));
                        assertEquals(seq + piece, s.rcvNxt(), "rcv_nxt already moved past the segment");
                        assertFalse(s.fin());
                        seq += piece;
                        off += piece;
                        left -= piece;
                    }
                }
                assertEquals(expected, c.observe().invocations());
                assertEquals(expected.size(), seen.size());
            }
        });
    }

    @Test
    @DisplayName("H1: a FIN-only segment is logged with end_seq = seq + 1 and skb_len 0; its payload cannot be loaded (-EFAULT); loads outside the payload fail and zero the destination")
    void h1FinOnlyAndLoads() {
        int[] loads = new int[4];
        byte[] dst = {9, 9, 9, 9, 9, 9};
        Probe probe = Probe.rcvq().onSegment((seg, ctx) -> {
            if (seg.fin()) {
                loads[0] = seg.loadBytes(0, dst, 0, 1);
            } else {
                loads[1] = seg.loadBytes(2, dst, 0, 4); // bytes 2..5 of a 6-byte payload: fine
                loads[2] = seg.loadBytes(3, dst, 0, 4); // past the end
                loads[3] = seg.loadBytes(-1, dst, 4, 2);
            }
            return 0;
        });
        try (Pair p = SimFixtures.open(probe)) {
            SimConnection c = p.conn();
            c.observe();
            int seq = c.socket().rcvNxt();
            c.send(new byte[] {10, 11, 12, 13, 14, 15}, 6);
            c.peerShutdownWrite();
            assertEquals(List.of(new Invocation(RCVQ_OP, seq, seq + 6, 6), new Invocation(RCVQ_OP, seq + 6, seq + 7, 0)),
                    c.observe().invocations());
            assertEquals(-14, loads[0], "a bare FIN has no payload: -EFAULT");
            assertEquals(0, loads[1]);
            assertEquals(-14, loads[2]);
            assertEquals(-14, loads[3]);
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0}, dst, "failed loads zero-fill the destination");
        }
    }

    @Test
    @DisplayName("H1: when FIN follows window-limited data it rides on the last data segment: one entry with end_seq = seq + len + 1, no separate FIN entry")
    void h1FinOnLastDataSegment() {
        List<Seen> seen = new ArrayList<>();
        SimConnection[] holder = new SimConnection[1];
        try (Pair p = SimFixtures.open(recorder(seen, holder))) {
            SimConnection c = p.conn();
            holder[0] = c;
            c.observe();
            int start = c.socket().rcvNxt();
            int total = 300_000;
            c.send(SimFixtures.bytes(total, 0));
            assertTrue(c.peer().pendingBytes() > 0);
            c.peerShutdownWrite();
            byte[] buf = new byte[total];
            int read = 0;
            List<Invocation> log = new ArrayList<>(rcvqEntries(c.observe()));
            for (int guard = 0; read < total && guard < 1000; guard++) {
                int r = c.recv(buf, read, total - read, RecvMode.NON_BLOCKING);
                assertTrue(r > 0, "data keeps arriving as the reader frees space");
                read += r;
                log.addAll(rcvqEntries(c.observe()));
            }
            assertEquals(total, read);
            List<Invocation> segments = log.stream().filter(i -> !i.equals(H2_ENTRY)).toList();
            Invocation last = segments.get(segments.size() - 1);
            assertEquals(last.seq() + last.skbLen() + 1, last.endSeq(), "FIN counted in the last data segment: " + last);
            assertTrue(last.skbLen() > 0);
            assertEquals(start + total + 1, last.endSeq());
            assertTrue(seen.get(seen.size() - 1).fin());
            assertEquals(1, seen.stream().filter(Seen::fin).count(), "exactly one segment carries FIN");
            int expectedSeq = start;
            for (Invocation i : segments) {
                assertEquals(expectedSeq, i.seq(), "segments are contiguous");
                expectedSeq = i.seq() + i.skbLen();
            }
            assertEquals(0, c.recv(buf, 0, 1, RecvMode.NON_BLOCKING), "end of stream");
        }
    }

    @Test
    @DisplayName("H1: no op-21 invocation without RCVQ, nor on a stock kernel (RCVQ cannot be set there)")
    void h1OnlyWithRcvq() {
        for (SimConfig config : List.of(SimConfig.DEFAULT, SimConfig.DEFAULT.withSeries(false))) {
            Probe probe = Probe.rcvq();
            Probe plain = new Probe();
            try (Pair p = SimFixtures.open(config, ConnectOptions.IPV4, config.kernelHasSeries() ? plain : probe)) {
                SimConnection c = p.conn();
                c.send(SimFixtures.bytes(100, 0), 50, 50);
                c.recv(new byte[100], 0, 100, RecvMode.NON_BLOCKING);
                c.peerShutdownWrite();
                assertEquals(List.of(), rcvqEntries(c.observe()), "series=" + config.kernelHasSeries());
                assertFalse((config.kernelHasSeries() ? plain : probe).ops.contains(SockOpsOp.RCVQ_CB));
            }
        }
    }

    // ------------------------------------------------------------------ H1: out-of-order delivery

    record OooCase(List<Integer> lengths, List<Integer> order) {
    }

    /** Segment lengths and a delivery order (a permutation, drawn by Fisher–Yates). */
    static Gen<OooCase> oooCases() {
        return Gen.ints(1, 1000).listOf(1, 8).flatMap(lengths -> c -> {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < lengths.size(); i++) {
                order.add(i);
            }
            for (int i = order.size() - 1; i > 0; i--) {
                int j = c.intBetween(0, i);
                Integer t = order.get(i);
                order.set(i, order.get(j));
                order.set(j, t);
            }
            return new OooCase(lengths, order);
        });
    }

    @Test
    @DisplayName("H1/H3: for any out-of-order delivery, each segment is hooked when the packet that fills the gap before it arrives, in sequence order; one wakeup check per packet that added in-order data")
    void h1OutOfOrderProperty() {
        Property.forAll("H1: out-of-order segments are hooked when released, in sequence order", oooCases()).tries(500).check(oc -> {
            List<Seen> seen = new ArrayList<>();
            SimConnection[] holder = new SimConnection[1];
            try (Pair p = SimFixtures.open(SimConfig.DEFAULT, ConnectOptions.IPV6, recorder(seen, holder))) {
                SimConnection c = p.conn();
                holder[0] = c;
                c.observe();
                int n = oc.lengths().size();
                int[] lengths = oc.lengths().stream().mapToInt(Integer::intValue).toArray();
                int[] order = oc.order().stream().mapToInt(Integer::intValue).toArray();
                int total = Arrays.stream(lengths).sum();
                byte[] data = SimFixtures.bytes(total, 3);
                int start = c.socket().rcvNxt();
                long packets0 = c.peer().packetsSent();
                long edges0 = c.edgeWakeups();
                assertEquals(total, c.sendOutOfOrder(data, lengths, order));
                int[] position = new int[n]; // 1-based delivery position of each segment
                for (int k = 0; k < n; k++) {
                    position[order[k]] = k + 1;
                }
                List<Invocation> expected = new ArrayList<>();
                Set<Integer> releasingPackets = new TreeSet<>();
                int seq = start;
                int released = 0;
                int off = 0;
                for (int j = 0; j < n; j++) {
                    released = Math.max(released, position[j]);
                    releasingPackets.add(released);
                    expected.add(new Invocation(RCVQ_OP, seq, seq + lengths[j], lengths[j]));
                    Seen s = seen.get(j);
                    assertEquals(released, s.packetsSent() - packets0,
                            "segment " + j + " is hooked on the arrival of delivery #" + released);
                    assertArrayEquals(Arrays.copyOfRange(data, off, off + lengths[j]), s.payload());
                    seq += lengths[j];
                    off += lengths[j];
                }
                Observation o = c.observe();
                assertEquals(expected, o.invocations(), "released in sequence order");
                assertEquals(releasingPackets.size(), o.edgeWakeups() - edges0,
                        "lowat 1: one edge per packet that added in-order data");
                assertEquals(total, o.queuedBytes());
                assertEquals(0, c.socket().outOfOrderSegments());
                byte[] got = new byte[total];
                assertEquals(total, c.recv(got, 0, total, RecvMode.NON_BLOCKING));
                assertArrayEquals(data, got);
            }
        });
    }

    @Test
    @DisplayName("H1/H3: delivery 1,2,3 then 0: nothing is logged nor woken until the gap fills, then 4 entries in sequence order and exactly one edge wakeup")
    void h1OutOfOrderExample() {
        List<Seen> seen = new ArrayList<>();
        SimConnection[] holder = new SimConnection[1];
        try (Pair p = SimFixtures.open(recorder(seen, holder))) {
            SimConnection c = p.conn();
            holder[0] = c;
            c.observe();
            int s = c.socket().rcvNxt();
            long packets0 = c.peer().packetsSent();
            c.sendOutOfOrder(SimFixtures.bytes(100, 0), new int[] {10, 20, 30, 40}, new int[] {1, 2, 3, 0});
            Observation o = c.observe();
            assertEquals(List.of(new Invocation(RCVQ_OP, s, s + 10, 10), new Invocation(RCVQ_OP, s + 10, s + 30, 20),
                    new Invocation(RCVQ_OP, s + 30, s + 60, 30), new Invocation(RCVQ_OP, s + 60, s + 100, 40)), o.invocations());
            for (Seen x : seen) {
                assertEquals(4, x.packetsSent() - packets0, "every hook ran on the 4th (gap-filling) packet");
            }
            assertEquals(1, o.edgeWakeups());
            assertTrue(o.readable());
        }
    }

    // ------------------------------------------------------------------ H1 before the wakeup decision

    @Test
    @DisplayName("H1: the hook runs before the wakeup decision: a kfunc lowat equal to the bytes queued makes that same segment wake; one byte more makes it not wake")
    void h1DecidesItsOwnWakeup() {
        for (int extra : new int[] {0, 1}) {
            Probe probe = Probe.rcvq().onSegment((seg, ctx) -> ctx.tcpSetRcvlowat(ctx.rcvNxt() - ctx.copiedSeq() + extra));
            try (Pair p = SimFixtures.open(probe)) {
                SimConnection c = p.conn();
                assertEquals(0, c.setRcvLowat(extra == 0 ? 1000 : 1));
                long e0 = c.edgeWakeups();
                for (int k = 1; k <= 3; k++) {
                    c.send(SimFixtures.bytes(100, k), 100);
                    Observation o = c.observe();
                    assertEquals(100 * k, o.queuedBytes());
                    assertEquals(100 * k + extra, o.rcvLowat());
                    assertEquals(extra == 0, o.readable(), "extra=" + extra);
                    assertEquals(extra == 0 ? k : 0, o.edgeWakeups() - e0, "extra=" + extra + ": this segment's wakeup follows the hook's lowat");
                }
            }
        }
    }

    @Test
    @DisplayName("H1/H3: after a gap fills, the wakeup check runs once after every released segment was hooked: a lowat set to the total by the hooks wakes exactly once")
    void h1WakeupAfterReleasedSegments() {
        for (int extra : new int[] {0, 1}) {
            Probe probe = Probe.rcvq().onSegment((seg, ctx) -> ctx.tcpSetRcvlowat(100 + extra));
            try (Pair p = SimFixtures.open(probe)) {
                SimConnection c = p.conn();
                c.sendOutOfOrder(SimFixtures.bytes(100, 0), new int[] {10, 20, 30, 40}, new int[] {0, 2, 3, 1});
                Observation o = c.observe();
                assertEquals(100, o.queuedBytes());
                assertEquals(extra == 0 ? 1 : 0, o.edgeWakeups(),
                        "10 bytes after the 1st packet: no wake; all 100 after the 4th: wake iff lowat <= 100");
                assertEquals(extra == 0, o.readable());
            }
        }
    }

    @Test
    @DisplayName("H1/H3: the gap-filling packet's wakeup check sees the lowat set by the hook of a segment it released: raising lowat there suppresses the wakeup (no check before the releases)")
    void h1ReleasedSegmentHookDecidesWakeup() {
        int[] start = new int[1];
        Probe probe = Probe.rcvq()
                .onSegment((seg, ctx) -> seg.seq() == start[0] ? 0 : ctx.tcpSetRcvlowat(1_000_000));
        try (Pair p = SimFixtures.open(probe)) {
            SimConnection c = p.conn();
            start[0] = c.socket().rcvNxt();
            c.sendOutOfOrder(SimFixtures.bytes(50, 0), new int[] {20, 30}, new int[] {1, 0});
            Observation o = c.observe();
            assertEquals(50, o.queuedBytes());
            assertEquals(1_000_000, o.rcvLowat());
            assertEquals(0, o.edgeWakeups(), "one check, after the released segment's hook raised lowat: no wakeup");
            assertFalse(o.readable());
        }
    }

    // ------------------------------------------------------------------ H2

    @Test
    @DisplayName("H2: one op-21 entry (no segment) per recv that copied >= 1 byte, with bytesCopied = the result and copied_seq already advanced; none for -EAGAIN nor for the 0 at end of stream")
    void h2RecvmsgDone() {
        List<int[]> done = new ArrayList<>();
        Probe probe = Probe.rcvq().onRecvmsgDone((d, ctx) -> {
            done.add(new int[] {d.bytesCopied(), ctx.copiedSeq(), ctx.op().value()});
            return 0;
        }).onSegment((seg, ctx) -> {
            byte[] b = new byte[1];
            return seg.loadBytes(0, b, 0, 1);
        });
        try (Pair p = SimFixtures.open(probe)) {
            SimConnection c = p.conn();
            c.observe();
            int s = c.socket().rcvNxt();
            assertEquals(EAGAIN, c.recv(new byte[10], 0, 10, RecvMode.NON_BLOCKING));
            assertEquals(List.of(), c.observe().invocations(), "no H2 for -EAGAIN");
            c.send(SimFixtures.bytes(30, 0), 30);
            c.observe();
            assertEquals(10, c.recv(new byte[10], 0, 10, RecvMode.NON_BLOCKING));
            assertEquals(List.of(H2_ENTRY), c.observe().invocations());
            assertEquals(20, c.recv(new byte[50], 0, 50, RecvMode.NON_BLOCKING));
            assertEquals(List.of(H2_ENTRY), c.observe().invocations());
            c.peerShutdownWrite();
            c.observe();
            assertEquals(0, c.recv(new byte[50], 0, 50, RecvMode.NON_BLOCKING));
            assertEquals(List.of(), c.observe().invocations(), "no H2 for the end-of-stream 0");
            assertEquals(2, done.size());
            assertArrayEquals(new int[] {10, s + 10, 21}, done.get(0));
            assertArrayEquals(new int[] {20, s + 30, 21}, done.get(1));
        }
    }

    @Test
    @DisplayName("H2: a blocking recv that copies in several passes (window-limited data arriving while it waits) is still logged once")
    void h2OncePerBlockingRecv() {
        try (Pair p = SimFixtures.open(Probe.rcvq())) {
            SimConnection c = p.conn();
            c.send(SimFixtures.bytes(300_000, 0));
            assertTrue(c.peer().pendingBytes() > 0);
            c.observe();
            assertEquals(0, c.setRcvLowat(200_000));
            int r = c.recv(new byte[250_000], 0, 250_000, RecvMode.blocking(Duration.ofMillis(100)));
            assertTrue(r >= 200_000, "copied " + r);
            List<Invocation> entries = c.observe().invocations();
            assertEquals(1, entries.stream().filter(H2_ENTRY::equals).count(), "one H2 entry: " + entries);
            assertTrue(entries.size() > 1, "segments arrived during the call and were hooked");
        }
    }

    // ------------------------------------------------------------------ H6

    @Test
    @DisplayName("H6: sequence wraparound: with the peer ISN at 0xFFFFFFFB the log's seqs wrap and the reference policy still gives one wakeup per frame")
    void h6WraparoundWithPolicy() {
        SimConfig config = SimConfig.DEFAULT.withFixedIsn(-5);
        try (SimSession session = new SimBackend(config).openSession()) {
            session.attach(ReferenceAutoLowat.policy());
            SimConnection c = session.connect(ConnectOptions.IPV4);
            assertEquals(0, c.enableAutoLowat(1));
            assertEquals(CbFlags.RCVQ, c.cbFlags() & CbFlags.RCVQ);
            c.observe();
            List<int[]> frames = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                frames.add(new int[] {40, 52});
            }
            byte[] stream = SimFixtures.frames(frames);
            List<Invocation> log = new ArrayList<>();
            long edges = 0;
            for (int k = 0; k < frames.size(); k++) {
                byte[] frame = Arrays.copyOfRange(stream, k * 100, k * 100 + 100);
                c.send(frame, 3, 97);
                Observation o = c.observe();
                log.addAll(rcvqEntries(o));
                edges++;
                assertEquals(edges, o.edgeWakeups(), "frame " + k + ": exactly one wakeup");
                assertTrue(o.readable());
                assertEquals(100, o.rcvLowat(), "A4: the end of the frame");
                byte[] got = new byte[100];
                assertEquals(100, c.recv(got, 0, 100, RecvMode.NON_BLOCKING));
                assertArrayEquals(frame, got);
                Observation after = c.observe();
                log.addAll(rcvqEntries(after));
                assertFalse(after.readable());
                assertEquals(8, after.rcvLowat(), "A4: waiting for the next descriptor");
            }
            List<Invocation> segments = log.stream().filter(i -> !i.equals(H2_ENTRY)).toList();
            assertEquals(new Invocation(RCVQ_OP, 0xFFFFFFFC, 0xFFFFFFFF, 3), segments.get(0), "first data byte is ISN + 1");
            assertEquals(new Invocation(RCVQ_OP, 0xFFFFFFFF, 96, 97), segments.get(1), "the segment that crosses 2^32");
            assertEquals(12, segments.size());
            assertEquals(6, log.stream().filter(H2_ENTRY::equals).count());
            assertEquals(6, c.observe().edgeWakeups());
        }
    }

    record WrapCase(int isn, boolean ipv6, List<List<Integer>> frameCuts) {
    }

    /**
     * A peer ISN within 6000 of 2^32, and 1..8 frames of up to ~2 KB, each cut into 1..4 segments
     * (given as cut fractions, resolved against the frame length).
     */
    static Gen<WrapCase> wrapCases() {
        Gen<List<Integer>> frame = Gen.zip(Gen.ints(0, 200), Gen.ints(0, 1800), (h, pl) -> List.of(h, pl))
                .flatMap(hp -> Gen.ints(1, 1000).listOf(0, 3).map(cuts -> {
                    List<Integer> out = new ArrayList<>(hp);
                    out.addAll(cuts);
                    return out;
                }));
        return Gen.zip(Gen.ints(-6000, -1), Gen.zip(Gen.booleans(), frame.listOf(1, 8), (v6, f) -> new Object[] {v6, f}),
                (isn, rest) -> {
                    @SuppressWarnings("unchecked")
                    List<List<Integer>> frames = (List<List<Integer>>) rest[1];
                    return new WrapCase(isn, (Boolean) rest[0], frames);
                });
    }

    @Test
    @DisplayName("H6: for any ISN near 2^32 and frames cut anywhere, the reference policy gives exactly one wakeup per frame across the wrap, and the log's seqs are u32 with wraparound")
    void h6WraparoundProperty() {
        Property.forAll("H6: one wakeup per frame across the sequence wrap", wrapCases()).tries(300).check(wc -> {
            try (SimSession session = new SimBackend(SimConfig.DEFAULT.withFixedIsn(wc.isn())).openSession()) {
                session.attach(ReferenceAutoLowat.policy());
                SimConnection c = session.connect(wc.ipv6() ? ConnectOptions.IPV6 : ConnectOptions.IPV4);
                assertEquals(0, c.enableAutoLowat(1));
                c.observe();
                int expectedSeq = wc.isn() + 1;
                long edges = 0;
                for (List<Integer> f : wc.frameCuts()) {
                    byte[] frame = SimFixtures.frames(List.of(new int[] {f.get(0), f.get(1)}));
                    TreeSet<Integer> cutPoints = new TreeSet<>();
                    for (int cut : f.subList(2, f.size())) {
                        int at = (int) ((long) cut * frame.length / 1001);
                        if (at > 0 && at < frame.length) {
                            cutPoints.add(at);
                        }
                    }
                    List<Integer> lens = new ArrayList<>();
                    int prev = 0;
                    for (int at : cutPoints) {
                        lens.add(at - prev);
                        prev = at;
                    }
                    lens.add(frame.length - prev);
                    int off = 0;
                    for (int k = 0; k < lens.size(); k++) {
                        int len = lens.get(k);
                        c.send(Arrays.copyOfRange(frame, off, off + len), len);
                        off += len;
                        Observation o = c.observe();
                        for (Invocation i : rcvqEntries(o).stream().filter(i -> !i.equals(H2_ENTRY)).toList()) {
                            assertEquals(new Invocation(RCVQ_OP, expectedSeq, expectedSeq + len, len), i);
                            expectedSeq += len;
                        }
                        boolean last = k == lens.size() - 1;
                        assertEquals(last ? edges + 1 : edges, o.edgeWakeups(), "segment " + k + " of " + lens
                                + ": a wakeup only when the frame is complete");
                        assertEquals(last, o.readable());
                    }
                    edges++;
                    assertEquals(frame.length, c.observe().rcvLowat(), "A4: lowat is the frame's end");
                    byte[] got = new byte[frame.length];
                    assertEquals(frame.length, c.recv(got, 0, got.length, RecvMode.NON_BLOCKING));
                    assertArrayEquals(frame, got);
                    assertFalse(c.readable());
                }
                assertEquals(wc.frameCuts().size(), c.edgeWakeups(), "one wakeup per frame");
            }
        });
    }

    @Test
    @DisplayName("H6: programs of a session run for its connections in attach order, also when attached after the connection was made; another session's programs do not run")
    void h6CgroupSemantics() {
        List<String> trace = new ArrayList<>();
        Probe a = Probe.rcvq().onSegment((seg, ctx) -> {
            trace.add("A" + seg.payloadLength());
            return 0;
        });
        Probe b = new Probe().onSegment((seg, ctx) -> {
            trace.add("B" + seg.payloadLength());
            return 0;
        });
        Probe late = new Probe().onSegment((seg, ctx) -> {
            trace.add("L" + seg.payloadLength());
            return 0;
        });
        Probe other = new Probe();
        try (SimSession session = new SimBackend().openSession(); SimSession otherSession = new SimBackend().openSession()) {
            session.attach(SockOpsProgram.of("a", a));
            session.attach(SockOpsProgram.of("b", b));
            otherSession.attach(SockOpsProgram.of("other", other));
            SimConnection c = session.connect(ConnectOptions.IPV4);
            assertEquals(List.of(SockOpsOp.TCP_CONNECT_CB, SockOpsOp.ACTIVE_ESTABLISHED_CB, SockOpsOp.PASSIVE_ESTABLISHED_CB), a.ops);
            assertEquals(a.ops, b.ops, "both programs see every op");
            c.send(SimFixtures.bytes(3, 0), 1, 2);
            assertEquals(List.of("A1", "B1", "A2", "B2"), trace, "attach order, per segment");
            session.attach(SockOpsProgram.of("late", late));
            c.send(SimFixtures.bytes(4, 0), 4);
            assertEquals(List.of("A1", "B1", "A2", "B2", "A4", "B4", "L4"), trace,
                    "a program attached later runs for the existing socket's later events");
            assertEquals(List.of(), other.ops, "another session's program never ran");
            assertEquals(3, rcvqEntries(c.observe()).size(), "one log entry per event, not per program");
        }
    }
}
