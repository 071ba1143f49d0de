package dev.autolowat.sim.policy;

import dev.autolowat.api.SockOpt;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import dev.autolowat.testkit.Choices;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import dev.autolowat.testkit.selftest.SelftestTraces;
import dev.autolowat.testkit.selftest.SelftestTraces.TraceCase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reference policy as bytecode ({@link FramingPolicy#REFERENCE_RPC}, compiled by sdk-api) run by
 * the simulator's eBPF VM:
 * <ul>
 *   <li>A6: the four selftest traces pass, over IPv4 and IPv6;</li>
 *   <li>A1–A5: it is observationally identical to the Java form ({@link ReferenceAutoLowat#policy()})
 *       over generated scenarios — the observation after every step, every call's return value and the
 *       per-socket state;</li>
 *   <li>the generalisation: for every built-in framing, a reader that reads the complete frames when
 *       woken is woken exactly once per packet that completes a frame, so once per frame when no
 *       packet completes two.</li>
 * </ul>
 */
class BytecodePolicyTest {

    static final List<FramingPolicy> BUILT_INS = List.of(FramingPolicy.REFERENCE_RPC, FramingPolicy.GRPC,
            FramingPolicy.HTTP2, FramingPolicy.LENGTH_PREFIX_U32_BE);

    // ------------------------------------------------------------------ A6

    static Stream<Arguments> casesAndFamilies() {
        return SelftestTraces.load().stream()
                .flatMap(c -> Stream.of(Family.values()).map(f -> Arguments.of(c, f)));
    }

    @ParameterizedTest(name = "A6: {0} over {1}")
    @MethodSource("casesAndFamilies")
    @DisplayName("A6: selftest trace on the simulator with the bytecode reference policy")
    void traceHolds(TraceCase trace, Family family) {
        SelftestTraces.run(trace, new SimBackend(), FramingPolicy.REFERENCE_RPC.compile(), family);
    }

    // ------------------------------------------------------------------ differential: bytecode vs Java

    /** One step of a scenario on the accepted socket (or its peer). */
    sealed interface Step {
    }

    /** The peer sends the next bytes of the stream as segments of these lengths. */
    record Send(int[] segments) implements Step {
        @Override
        public String toString() {
            return "send" + Arrays.toString(segments);
        }
    }

    record Recv(int length, boolean blocking) implements Step {
    }

    /** A2: {@code setsockopt(0xdeadbeef, 0x8badf00d, value)}, with a 4-byte value. */
    record Enable(int value) implements Step {
    }

    record SetLowat(int value) implements Step {
    }

    /** The peer's FIN. */
    record Fin() implements Step {
    }

    /** F4: the accepted socket joins (or leaves) a SOCKMAP. */
    record Sockmap(boolean add) implements Step {
    }

    /** An unrelated option, which the enable program must let through. */
    record OtherOption(int level, int optname, int value) implements Step {
    }

    /** A whole scenario: the connection, the byte stream of A1 frames and the steps. */
    record Scenario(Family family, boolean mptcp, int isn, byte[] stream, String frames, List<Step> steps) {
        @Override
        public String toString() {
            return "Scenario[" + family + (mptcp ? " mptcp" : "") + ", isn 0x" + Integer.toHexString(isn)
                    + ", frames " + frames + ", steps " + steps + "]";
        }
    }

    /** Descriptor values of one frame of the stream: {header_len, payload_len}, body bytes sent. */
    static void appendFrame(ByteArrayOutputStream out, StringBuilder desc, long header, long payload, int bodyBytes,
                            Choices c) {
        ByteBuffer d = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        d.putInt((int) header).putInt((int) payload);
        out.writeBytes(d.array());
        byte[] body = new byte[bodyBytes];
        if (c.chance(3)) {
            Arrays.fill(body, (byte) c.intBetween(0, 255)); // descriptor-looking garbage is never parsed
        }
        out.writeBytes(body);
        desc.append('{').append(Long.toUnsignedString(header & 0xffffffffL)).append(',')
                .append(Long.toUnsignedString(payload & 0xffffffffL)).append('}');
    }

    /** A stream of A1 frames: mostly small frames, sometimes bursts of empty frames, rarely an oversized one. */
    static byte[] stream(Choices c, StringBuilder frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = c.intBetween(1, 12);
        for (int i = 0; i < count && out.size() < 48_000; i++) {
            switch (c.intBetween(0, 19)) {
                case 0 -> {
                    // A5: a frame longer than INT_MAX (64-bit sum of two u32s); a few bytes of it follow.
                    long h = c.between(0x7FFF_FFF8L - 4, 0xFFFF_FFFFL);
                    appendFrame(out, frames, h, c.between(0, 0xFFFF_FFFFL), c.intBetween(0, 64), c);
                    return out.toByteArray();
                }
                case 1, 2 -> {
                    // A3's walk bound: 100..104 whole empty frames, often in one segment.
                    int n = c.intBetween(100, 104);
                    for (int k = 0; k < n; k++) {
                        appendFrame(out, frames, 0, 0, 0, c);
                    }
                }
                case 3 -> {
                    // A frame larger than the window: its end arrives after reads.
                    int h = c.intBetween(0, 100);
                    int p = c.intBetween(20_000, 70_000);
                    appendFrame(out, frames, h, p, h + p, c);
                }
                default -> {
                    int h = c.chance(3) ? 0 : c.intBetween(0, 300);
                    int p = c.chance(4) ? c.intBetween(0, 16) : c.intBetween(0, 6_000);
                    appendFrame(out, frames, h, p, h + p, c);
                }
            }
        }
        return out.toByteArray();
    }

    /** Random segment lengths for the next {@code n} bytes: often small, sometimes one big segment. */
    static int[] cuts(Choices c, int n) {
        List<Integer> out = new ArrayList<>();
        int left = n;
        while (left > 0) {
            int len = switch (c.intBetween(0, 5)) {
                case 0 -> c.intBetween(1, 9);
                case 1 -> left;
                default -> c.intBetween(1, 3_000);
            };
            len = Math.min(len, left);
            out.add(len);
            left -= len;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static Gen<Scenario> scenarios() {
        return c -> {
            Family family = c.chance(2) ? Family.INET6 : Family.INET;
            boolean mptcp = c.chance(25);
            // Near 2^32 half of the time, so that the stream's sequence numbers wrap (H6).
            int isn = c.chance(2) ? -c.intBetween(1, 20_000) : (int) c.between(Integer.MIN_VALUE, Integer.MAX_VALUE);
            StringBuilder frames = new StringBuilder();
            byte[] stream = stream(c, frames);
            List<Step> steps = new ArrayList<>();
            if (!c.chance(10)) {
                steps.add(new Enable(1));
            }
            int sent = 0;
            int nSteps = c.intBetween(1, 40);
            for (int i = 0; i < nSteps; i++) {
                int kind = c.intBetween(0, 99);
                if (kind < 45) {
                    if (sent < stream.length) {
                        int n = c.chance(4) ? stream.length - sent : c.intBetween(1, Math.min(12_000, stream.length - sent));
                        steps.add(new Send(cuts(c, n)));
                        sent += n;
                    }
                } else if (kind < 80) {
                    steps.add(new Recv(c.chance(3) ? c.intBetween(1, 16) : c.intBetween(1, 20_000), c.chance(3)));
                } else if (kind < 86) {
                    steps.add(new Enable(c.chance(4) ? 0 : c.chance(4) ? c.intBetween(2, 1000) : 1));
                } else if (kind < 91) {
                    steps.add(new SetLowat(c.intBetween(-1, 30_000)));
                } else if (kind < 94) {
                    steps.add(new Fin());
                } else if (kind < 97) {
                    steps.add(new Sockmap(c.chance(3)));
                } else {
                    steps.add(c.chance(2) ? new OtherOption(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF, c.intBetween(0, 300_000))
                            : new OtherOption(SockOpt.AUTOLOWAT_LEVEL, SockOpt.SO_RCVLOWAT, 1));
                }
            }
            return new Scenario(family, mptcp, isn, stream, frames.toString(), steps);
        };
    }

    /**
     * One step's outcome: the call's return value, the observation after it, and the policy's
     * per-socket state ({@code desc_seq}, {@code end_seq}, {@code buf_len}, descriptor bytes, or
     * "none"), which is not observable through the SPI but must match too.
     */
    record Outcome(Step step, int result, Observation observation, String state) {
    }

    static String state(int descSeq, int endSeq, int bufLen, byte[] desc) {
        return "desc_seq=" + Integer.toUnsignedString(descSeq) + " end_seq=" + Integer.toUnsignedString(endSeq)
                + " buf_len=" + bufLen + " desc=" + java.util.HexFormat.of().formatHex(desc);
    }

    /** The state of the accepted socket: the Java policy's {@link AutoLowatState}, or the bytecode's map value. */
    static String state(SimSession session, SimConnection c, boolean bytecode) {
        if (!bytecode) {
            AutoLowatState st = c.socket().storage(ReferenceAutoLowat.STATE);
            return st == null ? "none" : state(st.descSeq, st.endSeq, st.bufLen, st.desc);
        }
        byte[] v = session.map(FramingPolicy.REFERENCE_RPC.stateMap().name()).storageOf(c.acceptedSocket());
        if (v == null) {
            return "none";
        }
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        return state(b.getInt(0), b.getInt(4), b.getInt(8), Arrays.copyOfRange(v, 16, 16 + 8));
    }

    /** Runs {@code s} with {@code policy} attached, observing after every step. */
    static List<Outcome> run(Scenario s, Policy policy) {
        boolean bytecode = policy.sockOps() instanceof dev.autolowat.api.program.SockOpsProgram.Bytecode;
        List<Outcome> out = new ArrayList<>();
        SimConfig config = SimConfig.DEFAULT.withFixedIsn(s.isn());
        try (SimSession session = new SimBackend(config).openSession()) {
            session.attach(policy);
            SimConnection c = session.connect(new ConnectOptions(s.family(), s.mptcp()));
            out.add(new Outcome(null, 0, c.observe(), state(session, c, bytecode)));
            int sent = 0;
            byte[] buf = new byte[32_768];
            for (Step step : s.steps()) {
                int r;
                if (step instanceof Send send) {
                    int n = Arrays.stream(send.segments()).sum();
                    r = c.send(Arrays.copyOfRange(s.stream(), sent, sent + n), send.segments());
                    sent += n;
                } else if (step instanceof Recv recv) {
                    r = c.recv(buf, 0, recv.length(), recv.blocking() ? RecvMode.blocking(Duration.ofMillis(5))
                            : RecvMode.NON_BLOCKING);
                } else if (step instanceof Enable e) {
                    r = c.enableAutoLowat(e.value());
                } else if (step instanceof SetLowat l) {
                    r = c.setRcvLowat(l.value());
                } else if (step instanceof Fin) {
                    r = c.peerShutdownWrite();
                } else if (step instanceof Sockmap m) {
                    r = m.add() ? c.addToSockmap() : c.removeFromSockmap();
                } else if (step instanceof OtherOption o) {
                    r = c.setsockopt(o.level(), o.optname(), o.value());
                } else {
                    throw new AssertionError(step);
                }
                out.add(new Outcome(step, r, c.observe(), state(session, c, bytecode)));
            }
        }
        return out;
    }

    /**
     * {@link FramingPolicy#REFERENCE_RPC} built afresh. The constant compiles once and keeps the result,
     * and its builder ran when the class was initialised: a mutant of the builder or the compiler that
     * PIT swaps in later (issue 16) would never reach it. The differential test compiles this copy.
     */
    static FramingPolicy freshReference() {
        return FramingPolicy.builder("autolowat")
                .descriptorSize(8)
                .lengthField(0, 4, java.nio.ByteOrder.LITTLE_ENDIAN)
                .lengthField(4, 4, java.nio.ByteOrder.LITTLE_ENDIAN)
                .constant(8)
                .build();
    }

    @Test
    @DisplayName("A1–A5: the bytecode reference policy (compiled afresh) and the Java one give identical observations, results and state")
    void bytecodeMatchesJava() {
        FramingPolicy fresh = freshReference();
        assertEquals(FramingPolicy.REFERENCE_RPC, fresh, "the copy describes the reference framing");
        Policy bytecode = fresh.compile();
        Policy java = ReferenceAutoLowat.policy();
        int checked = Property.forAll("bytecode reference policy = Java reference policy", scenarios())
                .tries(Math.max(1000, Property.DEFAULT_TRIES))
                .check(s -> {
                    List<Outcome> expected = run(s, java);
                    List<Outcome> actual = run(s, bytecode);
                    assertEquals(expected.size(), actual.size());
                    // Once the reader has consumed the FIN (a recv returned 0), a re-enable resets the
                    // bytecode's state to the copied_seq its sock_ops program last saw: that recv ran no
                    // H2 (it copied nothing), so it is one behind (the FIN). No segment can arrive and no
                    // H2 can run any more, so the state is compared only up to then (docs/programs.md).
                    boolean endOfStreamRead = false;
                    for (int i = 0; i < expected.size(); i++) {
                        Outcome e = expected.get(i);
                        Outcome a = actual.get(i);
                        endOfStreamRead |= e.step() instanceof Recv && e.result() == 0;
                        if (e.result() != a.result() || !e.observation().equals(a.observation())
                                || !endOfStreamRead && !e.state().equals(a.state())) {
                            fail("step " + i + " (" + e.step() + "): Java gave " + e.result() + " " + e.observation()
                                    + " state " + e.state() + "\n  bytecode gave " + a.result() + " " + a.observation()
                                    + " state " + a.state());
                        }
                    }
                });
        assertTrue(checked >= 1000 || Integer.getInteger("autolowat.tries") != null);
    }

    @Test
    @DisplayName("the differential scenarios reach A5 disables, both A2 outcomes and u32 wraparound")
    void scenariosCoverTheRules() {
        // A check of the generator: over a fixed sample, the Java policy disables, refuses and accepts.
        int[] counts = new int[4]; // disabled, EPERM enables, successful enables, streams that wrap 2^32
        Property.forAll("differential scenario coverage", scenarios()).seed(7).tries(300).check(s -> {
            boolean wasOn = false;
            long lastSeq = -1;
            boolean wrapped = false;
            for (Outcome o : run(s, ReferenceAutoLowat.policy())) {
                for (var inv : o.observation().invocations()) {
                    if (inv.op() == 21 && inv.skbLen() > 0) {
                        long seq = Integer.toUnsignedLong(inv.seq());
                        wrapped |= lastSeq >= 0 && seq < lastSeq;
                        lastSeq = seq;
                    }
                }
                boolean on = (o.observation().cbFlags() & 0x80) != 0;
                if (wasOn && !on && !(o.step() instanceof Enable)) {
                    counts[0]++;
                }
                wasOn = on;
                if (o.step() instanceof Enable) {
                    counts[o.result() == 0 ? 2 : 1]++;
                }
            }
            if (wrapped) {
                counts[3]++;
            }
        });
        if (Integer.getInteger("autolowat.tries") == null) {
            assertTrue(counts[0] > 20, "disables: " + counts[0]);
            assertTrue(counts[1] > 5, "EPERM enables: " + counts[1]);
            assertTrue(counts[2] > 100, "successful enables: " + counts[2]);
            assertTrue(counts[3] > 10, "scenarios whose sequence numbers wrap: " + counts[3]);
        }
    }

    // ------------------------------------------------------------------ every built-in: one wakeup per frame

    /** Frames of one framing and where the stream is cut into packets. */
    record Framed(FramingPolicy policy, Family family, int isn, byte[] stream, int[] frameEnds, int[] segments) {
        @Override
        public String toString() {
            return policy.name() + " " + family + " isn 0x" + Integer.toHexString(isn) + " frame ends "
                    + Arrays.toString(frameEnds) + " segments " + Arrays.toString(segments);
        }
    }

    /** A frame of {@code p} whose length fields add up to {@code body} (bytes after the descriptor). */
    static byte[] frame(FramingPolicy p, int body, Choices c) {
        long[] values = new long[p.lengthFields().size()];
        long left = body + (long) p.descriptorSize() - p.constant();
        for (int i = 0; i < values.length; i++) {
            long max = Math.min(left, p.lengthFields().get(i).maxValue());
            values[i] = i == values.length - 1 ? left : c.between(0, max);
            left -= values[i];
        }
        byte[] descriptor = p.descriptor(values);
        long length = p.frameLength(descriptor);
        assertEquals(p.descriptorSize() + (long) body, length);
        byte[] out = Arrays.copyOf(descriptor, (int) length);
        if (c.chance(2)) {
            Arrays.fill(out, p.descriptorSize(), out.length, (byte) 0x5a);
        }
        return out;
    }

    /**
     * Frames of up to 16 KiB; segments of 1..4000 bytes. With {@code cutAtFrameEnds} every frame end
     * is also a packet end, so no packet completes two frames.
     */
    static Gen<Framed> framed(FramingPolicy p, boolean cutAtFrameEnds) {
        return c -> {
            Family family = c.chance(2) ? Family.INET6 : Family.INET;
            int isn = c.chance(2) ? -c.intBetween(1, 40_000) : (int) c.between(Integer.MIN_VALUE, Integer.MAX_VALUE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int n = c.intBetween(1, 25);
            int[] ends = new int[n];
            for (int i = 0; i < n; i++) {
                int body = c.chance(5) ? c.intBetween(0, 8) : c.intBetween(0, 16_384 - p.descriptorSize());
                out.writeBytes(frame(p, body, c));
                ends[i] = out.size();
            }
            byte[] stream = out.toByteArray();
            List<Integer> segments = new ArrayList<>();
            int pos = 0;
            int nextEnd = 0;
            while (pos < stream.length) {
                int len = c.chance(6) ? c.intBetween(1, p.descriptorSize() + 2) : c.intBetween(1, 4_000);
                len = Math.min(len, stream.length - pos);
                if (cutAtFrameEnds) {
                    while (ends[nextEnd] <= pos) {
                        nextEnd++;
                    }
                    len = Math.min(len, ends[nextEnd] - pos);
                }
                segments.add(len);
                pos += len;
            }
            return new Framed(p, family, isn, stream, ends, segments.stream().mapToInt(Integer::intValue).toArray());
        };
    }

    /**
     * Sends one segment per call (one packet each); after every packet, a woken reader reads every
     * complete frame. Checks: a packet wakes the reader (one edge wakeup) exactly when it completes
     * at least one frame; when woken, at least one whole frame is queued; after the reader has read
     * the whole frames the socket is not readable. Returns the number of wakeups.
     */
    static long runFramed(Framed f) {
        SimConfig config = SimConfig.DEFAULT.withFixedIsn(f.isn());
        try (SimSession session = new SimBackend(config).openSession()) {
            session.attach(f.policy().compile());
            SimConnection c = session.connect(ConnectOptions.of(f.family()));
            assertEquals(0, c.enableAutoLowat(1), "A2 enable");
            byte[] buf = new byte[f.stream().length];
            int pos = 0;
            int read = 0;
            int nextEnd = 0;
            long wakeups = 0;
            for (int seg : f.segments()) {
                long before = c.edgeWakeups();
                assertEquals(seg, c.send(Arrays.copyOfRange(f.stream(), pos, pos + seg), seg));
                pos += seg;
                int lastComplete = read;
                boolean completes = false;
                while (nextEnd < f.frameEnds().length && f.frameEnds()[nextEnd] <= pos) {
                    lastComplete = f.frameEnds()[nextEnd++];
                    completes = true;
                }
                long woke = c.edgeWakeups() - before;
                String where = "after the packet ending at byte " + pos + " (read " + read + ")";
                assertEquals(completes ? 1 : 0, woke, "edge wakeups " + where + "; rcvlowat " + c.rcvLowat());
                assertEquals(completes, c.readable(), "level-triggered readability " + where);
                if (woke > 0) {
                    wakeups++;
                    int want = lastComplete - read;
                    assertTrue(want > 0, "woken without a whole frame " + where);
                    assertEquals(want, c.recv(buf, read, want, RecvMode.NON_BLOCKING), "reading the frames " + where);
                    read += want;
                    assertFalse(c.readable(), "readable after the reader took every whole frame " + where);
                }
                assertEquals(0x80, c.cbFlags() & 0x80, "the policy stays enabled " + where);
            }
            assertEquals(f.stream().length, read, "the reader read every frame");
            return wakeups;
        }
    }

    static Stream<FramingPolicy> builtIns() {
        return BUILT_INS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    @DisplayName("every built-in framing: exactly one edge wakeup per frame when packets end at frame ends")
    void oneWakeupPerFrame(FramingPolicy p) {
        Property.forAll("one wakeup per frame: " + p.name(), framed(p, true)).tries(200).check(f -> {
            assertEquals(f.frameEnds().length, runFramed(f), "edge wakeups = frames");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    @DisplayName("every built-in framing, any cuts: one edge wakeup per packet that completes a frame, none otherwise")
    void oneWakeupPerCompletingPacket(FramingPolicy p) {
        Property.forAll("one wakeup per completing packet: " + p.name(), framed(p, false)).tries(200).check(f -> {
            long wakeups = runFramed(f);
            assertTrue(wakeups >= 1 && wakeups <= f.frameEnds().length, "wakeups " + wakeups);
        });
    }

    @Test
    @DisplayName("a frame length above INT_MAX disables every built-in (A5), leaving lowat 1")
    void oversizedFrameDisables() {
        for (FramingPolicy p : BUILT_INS) {
            long[] values = new long[p.lengthFields().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = p.lengthFields().get(i).maxValue();
            }
            byte[] descriptor = p.descriptor(values);
            boolean oversized = !p.acceptsFrameLength(p.frameLength(descriptor));
            try (SimSession session = new SimBackend().openSession()) {
                session.attach(p.compile());
                SimConnection c = session.connect(ConnectOptions.IPV4);
                assertEquals(0, c.enableAutoLowat(1));
                c.send(descriptor, descriptor.length);
                Observation o = c.observe();
                if (oversized) {
                    assertEquals(0, o.cbFlags() & 0x80, p + ": RCVQ cleared");
                    assertEquals(1, o.rcvLowat(), p + ": lowat 1");
                } else {
                    // HTTP/2's u24 cannot overflow: the frame is just long (the target is capped by K1).
                    assertEquals(0x80, o.cbFlags() & 0x80, p.toString());
                    assertTrue(o.rcvLowat() > 1, p.toString());
                }
            }
        }
    }
}
