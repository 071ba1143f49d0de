package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.testkit.Choices;
import dev.autolowat.testkit.Gen;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.autolowat.conformance.scenario.ScenarioGenerators.cuts;
import static dev.autolowat.conformance.scenario.ScenarioGenerators.edgyInt;
import static dev.autolowat.conformance.scenario.ScenarioGenerators.family;
import static dev.autolowat.conformance.scenario.ScenarioGenerators.flagWord;
import static dev.autolowat.conformance.scenario.ScenarioGenerators.permutation;
import static dev.autolowat.conformance.scenario.ScenarioGenerators.pick;
import static dev.autolowat.conformance.scenario.ScenarioGenerators.steps;

/**
 * One {@link RuleProperty} per rule of SEMANTICS.md (F1–F4, H1–H6, K1–K4, A1–A6): generators of
 * scenarios that exercise the rule, and the regime of each.
 *
 * <p><b>The exact regime.</b> Against a kernel, scenarios stay where the simulator's model is exact
 * (docs/simulator.md): {@value #EXACT}. Outside it the kernel's readiness depends on skb truesize and
 * window growth, which the model approximates; that approximation is tested separately
 * ({@code ModelApproximationTest}), never compared value by value.
 */
public final class RuleProperties {
    private RuleProperties() {
    }

    /** The regime shared by every comparison with a kernel. */
    public static final String EXACT = "against a kernel, at most 16 KiB per connection in segments of at most 2 KiB"
            + " and SO_RCVBUF >= 65536 while data is queued (queued truesize far below 7/8 rcvbuf, inside the window"
            + " by more than an MSS, no autotuning); no MPTCP socket with a sock_ops program (programs run on subflows)";

    /** The regime of the K rules against a kernel: K1/K2 rcvbuf growth is exact only before a 536-byte segment. */
    public static final String SMALL_SEGMENTS = "segments below 536 bytes (the kernel's learned scaling ratio does not"
            + " move, so K1/K2 rcvbuf growth is exactly 2*val), at most 4 KiB queued, SO_RCVBUF changed only on an empty"
            + " queue and no data after a SO_RCVBUF below 65536";

    /** The short name of {@link #EXACT} in regimes and test names. */
    public static final String EXACT_TAG = "exact regime against a kernel";

    /** The short name of {@link #SMALL_SEGMENTS} in regimes and test names. */
    public static final String SMALL_TAG = "segments below 536 bytes";

    /** What the short names in a property's regime stand for ({@link #EXACT}, {@link #SMALL_SEGMENTS}). */
    public static String expandRegime(String regime) {
        return regime.replace(EXACT_TAG, EXACT_TAG + " (" + EXACT + ")").replace(SMALL_TAG, SMALL_SEGMENTS);
    }

    private static final Map<Rule, RuleProperty> ALL = new EnumMap<>(Rule.class);

    static {
        add(new RuleProperty(Rule.F1, "bpf_sock_ops_cb_flags_set replaces the flag word, returns unsupported bits",
                "any flag word on op 5 (FLAGS_PROBE), then data, FIN and F2 updates; " + EXACT_TAG, RuleProperties::f1,
                List.of(), false));
        add(new RuleProperty(Rule.F2, "bpf_setsockopt(TCP_BPF_SOCK_OPS_CB_FLAGS) sets the same word",
                "any flag word set through a cgroup setsockopt program at any time, SOCKMAP membership, data, FIN; "
                        + EXACT_TAG, RuleProperties::f2, List.of(), false));
        add(new RuleProperty(Rule.F3, "guards when RCVQ goes from clear to set (SOCKMAP, MPTCP, queue not empty)",
                "RCVQ set and cleared between sends, reads, FIN, SOCKMAP add/remove, MPTCP sockets; " + EXACT_TAG,
                RuleProperties::f3, List.of(), false));
        add(new RuleProperty(Rule.F4, "a socket with RCVQ set cannot join a SOCKMAP",
                "SOCKMAP add/remove interleaved with RCVQ set/clear, data and FIN; " + EXACT_TAG, RuleProperties::f4,
                List.of(), false));
        add(new RuleProperty(Rule.H1, "op 21 once per in-order enqueued segment, released out-of-order ones in order",
                "RCVQ on from the start or later, multi-segment sends, out-of-order bursts where the pair can deliver"
                        + " them, FIN with and without data; " + EXACT_TAG, RuleProperties::h1, List.of(), false));
        add(new RuleProperty(Rule.H2, "op 21 once after every recvmsg that copied data, no segment",
                "reads of every size, blocking and not, on empty and non-empty queues and after FIN; " + EXACT_TAG,
                RuleProperties::h2, List.of(), false));
        add(new RuleProperty(Rule.H3, "wakeup rule: FIN, or avail >= lowat (readable, edge wakeups)",
                "lowat 0..20000 by K2 or a K3 program, sends, reads, FIN; " + EXACT_TAG, RuleProperties::h3, List.of(),
                false));
        add(new RuleProperty(Rule.H4, "setsockopt(SO_RCVLOWAT) and shutdown(SHUT_RD) run the wakeup rule",
                "lowat 0..20000 raised and lowered around what is queued, shutdown rd/wr/rdwr, no data once both"
                        + " directions are shut (a kernel resets); " + EXACT_TAG,
                RuleProperties::h4, List.of(), false));
        add(new RuleProperty(Rule.H5, "non-blocking recv returns what is queued; blocking waits for min(len, lowat)",
                "recv of 1..20000 bytes, blocking with 5..25 ms timeouts (at most 3 per scenario), lowat 0..20000; "
                        + EXACT_TAG, RuleProperties::h5, List.of(), false));
        add(new RuleProperty(Rule.H6, "programs run in attach order; u32 sequence numbers wrap",
                "two K3 programs attached in order with any values, ISN near 2^32 where the backend can fix it,"
                        + " sequence numbers compared relative to the stream; " + EXACT_TAG + "; " + SMALL_TAG,
                RuleProperties::h6, List.of(), false));
        add(new RuleProperty(Rule.K1, "kfunc: op 21 only, negative -EINVAL, capped, grows rcvbuf, no wakeup",
                "a kfunc program with any value on every op-21 invocation; " + SMALL_TAG, RuleProperties::k1,
                List.of(), false));
        add(new RuleProperty(Rule.K2, "userspace SO_RCVLOWAT: negative is INT_MAX, capped, grows rcvbuf, wakeup",
                "SO_RCVLOWAT and SO_RCVBUF with any int; " + SMALL_TAG, RuleProperties::k2, List.of(), false));
        add(new RuleProperty(Rule.K3, "bpf_setsockopt(SO_RCVLOWAT): as K2 on the client, stored as given before accept",
                "a K3 program with any value, both sides observed, then K2 updates; " + SMALL_TAG,
                RuleProperties::k3, List.of(), false));
        add(new RuleProperty(Rule.K4, "getsockopt returns sk_rcvlowat/sk_rcvbuf; SO_RCVBUF doubled and bounded",
                "SO_RCVBUF and SO_RCVLOWAT with any int, no data", RuleProperties::k4, List.of(), false));
        add(new RuleProperty(Rule.A1, "frame = 8-byte descriptor + header + payload",
                "A1 frame streams of varied sizes read whole and in parts; " + EXACT_TAG, t -> policy(t, Focus.A1),
                List.of(), true));
        add(new RuleProperty(Rule.A2, "enable through setsockopt(0xdeadbeef, 0x8badf00d)",
                "enable with 0, 1 and other values before and after data, FIN, SOCKMAP membership, MPTCP (simulator"
                        + " pairs); other options pass through; " + EXACT_TAG, t -> policy(t, Focus.A2), List.of(), true));
        add(new RuleProperty(Rule.A3, "parse descriptors on enqueue, walk whole frames, bounded walk",
                "descriptors split over 1..9-byte segments, bursts of 100..104 empty frames in one segment; " + EXACT_TAG,
                t -> policy(t, Focus.A3), List.of(), true));
        add(new RuleProperty(Rule.A4, "target lowat: all complete frames, else 8, else the current frame's end",
                "partial reads of 1..16 bytes and whole frames, recvmsg-done targets; " + EXACT_TAG,
                t -> policy(t, Focus.A4), List.of(), true));
        add(new RuleProperty(Rule.A5, "disable on FIN, oversized frame, walk bound",
                "FIN inside and between frames, frames longer than INT_MAX, 102+ frames in one segment; " + EXACT_TAG,
                t -> policy(t, Focus.A5), List.of(), true));
        add(new RuleProperty(Rule.A6, "the series' selftest traces and variations of them",
                "the four traces of spec/selftest-traces.json and the cases of a6-series-program.json (the series'"
                        + " program's bare-FIN and walk-bound edges, INT_MAX and u32 lengths) for IPv4 and IPv6, their"
                        + " expected values checked on both sides, then selftest-shaped variations; " + EXACT_TAG,
                RuleProperties::a6,
                SelftestCases.examples(), true));
    }

    private static void add(RuleProperty p) {
        ALL.put(p.rule(), p);
    }

    /** The property of {@code rule}. */
    public static RuleProperty of(Rule rule) {
        return ALL.get(rule);
    }

    /** Every property, in rule order. */
    public static List<RuleProperty> all() {
        return List.copyOf(ALL.values());
    }

    // ------------------------------------------------------------------------------------------
    // the state of a generated flow of data
    // ------------------------------------------------------------------------------------------

    /** What a generator has emitted so far: stream bytes sent and (as the model reads them) still queued. */
    static final class Flow {
        final int budget;
        final int maxSegment;
        final int maxSegments;
        long sent;
        long queued;
        boolean fin;
        boolean smallBuf;
        int blocking;

        Flow(int budget, int maxSegment, int maxSegments) {
            this.budget = budget;
            this.maxSegment = maxSegment;
            this.maxSegments = maxSegments;
        }

        /** The next bytes as segments, or {@code null} when the budget is spent or the peer shut down. */
        Step send(Choices c) {
            long left = budget - sent;
            if (left <= 0 || fin || smallBuf) {
                return null;
            }
            int max = (int) Math.min(left, (long) maxSegment * maxSegments);
            int n = c.intBetween(1, max);
            Step.Send s = Step.Send.segments(cuts(c, n, maxSegment, maxSegments));
            sent += n;
            queued += n;
            return s;
        }

        Step recvNonBlocking(Choices c, int maxLen) {
            int len = c.intBetween(1, maxLen);
            queued -= Math.min(len, queued);
            return Step.Recv.nonBlocking(len);
        }

        Step recvBlocking(Choices c, int maxLen, int maxBlocking) {
            if (blocking >= maxBlocking) {
                return recvNonBlocking(c, maxLen);
            }
            blocking++;
            int len = c.intBetween(1, maxLen);
            queued -= Math.min(len, queued);
            return Step.Recv.blocking(len, c.intBetween(5, 25));
        }

        Step peerShutdown() {
            fin = true;
            return new Step.PeerShutdown();
        }
    }

    private static Flow exactFlow(Target t) {
        return t.kernel() ? new Flow(16 * 1024, 2048, 8) : new Flow(48 * 1024, 4000, 12);
    }

    private static Flow smallFlow() {
        return new Flow(4 * 1024, 535, 4);
    }

    private static Scenario scenario(Family f, boolean mptcp, ProgramSpec p, List<Step> steps) {
        return Scenario.of(steps).withFamily(f).withMptcp(mptcp).withProgram(p);
    }

    // ------------------------------------------------------------------------------------------
    // F
    // ------------------------------------------------------------------------------------------

    static Gen<Scenario> f1(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = ProgramSpec.of(ProgramChoice.FLAGS_PROBE, flagWord(c), flagWord(c));
            Flow flow = smallFlow();
            List<Step> steps = steps(c, 0, 8, x -> switch (x.intBetween(0, 4)) {
                case 0 -> flow.send(x);
                case 1 -> flow.recvNonBlocking(x, 1000);
                case 2 -> flow.peerShutdown();
                case 3 -> new Step.SetFlags(flagWord(x));
                default -> new Step.SetRcvlowat(x.intBetween(1, 1000));
            });
            return scenario(f, false, p, steps);
        };
    }

    static Gen<Scenario> f2(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = switch (c.intBetween(0, 3)) {
                case 0, 1 -> ProgramSpec.of(ProgramChoice.LOGGER);
                case 2 -> ProgramSpec.NONE;
                default -> ProgramSpec.of(ProgramChoice.FLAGS_PROBE, flagWord(c), flagWord(c));
            };
            boolean mptcp = p.choice() == ProgramChoice.NONE && c.chance(3);
            Flow flow = exactFlow(t);
            List<Step> steps = steps(c, 1, 12, x -> switch (x.intBetween(0, 6)) {
                case 0, 1 -> new Step.SetFlags(flagWord(x));
                case 2 -> flow.send(x);
                case 3 -> flow.recvNonBlocking(x, 20_000);
                case 4 -> x.chance(2) ? new Step.AddToSockmap() : new Step.RemoveFromSockmap();
                case 5 -> flow.peerShutdown();
                default -> new Step.SetRcvlowat(x.intBetween(0, 20_000));
            });
            return scenario(f, mptcp, p, steps);
        };
    }

    static Gen<Scenario> f3(Target t) {
        return c -> {
            Family f = family(c);
            boolean mptcp = c.chance(4);
            ProgramSpec p = mptcp && t.kernel() ? ProgramSpec.NONE : ProgramSpec.of(ProgramChoice.LOGGER);
            Flow flow = exactFlow(t);
            List<Step> steps = steps(c, 1, 12, x -> switch (x.intBetween(0, 5)) {
                case 0 -> new Step.SetFlags(x.chance(3) ? x.intBetween(0, 0x7F) : 0x80 | x.intBetween(0, 0x7F));
                case 1 -> flow.send(x);
                case 2 -> flow.recvNonBlocking(x, 20_000);
                case 3 -> x.chance(2) ? new Step.AddToSockmap() : new Step.RemoveFromSockmap();
                case 4 -> flow.peerShutdown();
                default -> new Step.SetFlags(0);
            });
            return scenario(f, mptcp, p, steps);
        };
    }

    static Gen<Scenario> f4(Target t) {
        return c -> {
            Family f = family(c);
            Flow flow = exactFlow(t);
            List<Step> steps = steps(c, 1, 12, x -> switch (x.intBetween(0, 5)) {
                case 0 -> new Step.AddToSockmap();
                case 1 -> new Step.SetFlags(pick(x, 0x80, 0, 0x84, 0x04));
                case 2 -> new Step.RemoveFromSockmap();
                case 3 -> flow.send(x);
                case 4 -> flow.recvNonBlocking(x, 20_000);
                default -> flow.peerShutdown();
            });
            return scenario(f, false, ProgramSpec.of(ProgramChoice.LOGGER), steps);
        };
    }

    // ------------------------------------------------------------------------------------------
    // H
    // ------------------------------------------------------------------------------------------

    static Gen<Scenario> h1(Target t) {
        return c -> {
            Family f = family(c);
            Flow flow = exactFlow(t);
            List<Step> steps = new ArrayList<>();
            if (!c.chance(6)) {
                steps.add(new Step.SetFlags(0x80));
            }
            steps.addAll(steps(c, 1, 12, x -> switch (x.intBetween(0, 5)) {
                case 0, 1 -> flow.send(x);
                case 2 -> t.outOfOrder() ? outOfOrder(x, flow) : flow.send(x);
                case 3 -> flow.recvNonBlocking(x, 20_000);
                case 4 -> flow.peerShutdown();
                default -> new Step.SetFlags(x.chance(2) ? 0x80 : 0);
            }));
            return scenario(f, false, ProgramSpec.of(ProgramChoice.LOGGER), steps);
        };
    }

    /** An out-of-order burst of 2..6 segments of at most 1500 bytes (inside the window). */
    private static Step outOfOrder(Choices c, Flow flow) {
        if (flow.fin || flow.sent + 6 * 1500 > flow.budget) {
            return null;
        }
        int n = c.intBetween(2, 6);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cuts.add(c.intBetween(1, 1500));
        }
        Step.SendOutOfOrder s = new Step.SendOutOfOrder(cuts, permutation(c, n));
        flow.sent += s.bytes();
        flow.queued += s.bytes();
        return s;
    }

    static Gen<Scenario> h2(Target t) {
        return c -> {
            Family f = family(c);
            Flow flow = exactFlow(t);
            List<Step> steps = new ArrayList<>();
            if (!c.chance(6)) {
                steps.add(new Step.SetFlags(0x80));
            }
            steps.addAll(steps(c, 1, 12, x -> switch (x.intBetween(0, 5)) {
                case 0 -> flow.send(x);
                case 1, 2 -> flow.recvNonBlocking(x, x.chance(3) ? 16 : 20_000);
                case 3 -> flow.recvBlocking(x, 20_000, 2);
                case 4 -> flow.peerShutdown();
                default -> new Step.SetRcvlowat(x.intBetween(0, 20_000));
            }));
            return scenario(f, false, ProgramSpec.of(ProgramChoice.LOGGER), steps);
        };
    }

    /** NONE, LOGGER or a K3 program with lowat 1..20000 (the H rules' programs). */
    private static ProgramSpec hProgram(Choices c) {
        return switch (c.intBetween(0, 2)) {
            case 0 -> ProgramSpec.NONE;
            case 1 -> ProgramSpec.of(ProgramChoice.LOGGER);
            default -> ProgramSpec.of(ProgramChoice.K3_LOGGER, c.intBetween(1, 20_000));
        };
    }

    static Gen<Scenario> h3(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = hProgram(c);
            Flow flow = exactFlow(t);
            List<Step> steps = steps(c, 1, 12, x -> switch (x.intBetween(0, 4)) {
                case 0, 1 -> flow.send(x);
                case 2 -> flow.recvNonBlocking(x, 20_000);
                case 3 -> new Step.SetRcvlowat(x.intBetween(0, 20_000));
                default -> flow.peerShutdown();
            });
            return scenario(f, false, p, steps);
        };
    }

    static Gen<Scenario> h4(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = hProgram(c);
            Flow flow = exactFlow(t);
            boolean[] shut = new boolean[2]; // read, write
            List<Step> steps = steps(c, 1, 12, x -> switch (x.intBetween(0, 5)) {
                // no data once both directions are shut: a kernel resets the connection (corpus:
                // h4-data-after-shutdown-rdwr-resets.scenario)
                case 0 -> shut[0] && shut[1] ? null : flow.send(x);
                case 1, 2 -> new Step.SetRcvlowat(x.chance(2) ? (int) Math.max(0, Math.min(20_000,
                        flow.queued + x.intBetween(-2, 2))) : x.intBetween(0, 20_000));
                case 3 -> flow.recvNonBlocking(x, 20_000);
                case 4 -> {
                    Shutdown how = x.chance(4) ? (x.chance(2) ? Shutdown.WRITE : Shutdown.BOTH) : Shutdown.READ;
                    shut[0] |= how != Shutdown.WRITE;
                    shut[1] |= how != Shutdown.READ;
                    yield new Step.ShutdownStep(how);
                }
                default -> flow.peerShutdown();
            });
            return scenario(f, false, p, steps);
        };
    }

    static Gen<Scenario> h5(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = c.chance(2) ? ProgramSpec.NONE : ProgramSpec.of(ProgramChoice.K3_LOGGER, c.intBetween(1, 20_000));
            Flow flow = exactFlow(t);
            List<Step> steps = steps(c, 1, 12, x -> switch (x.intBetween(0, 5)) {
                case 0, 1 -> flow.send(x);
                case 2 -> flow.recvBlocking(x, 20_000, 3);
                case 3 -> flow.recvNonBlocking(x, 20_000);
                case 4 -> new Step.SetRcvlowat(x.intBetween(0, 20_000));
                default -> x.chance(5) ? new Step.ShutdownStep(Shutdown.READ) : flow.peerShutdown();
            });
            return scenario(f, false, p, steps);
        };
    }

    static Gen<Scenario> h6(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = ProgramSpec.of(ProgramChoice.K3_CHAIN, edgyInt(c), edgyInt(c));
            // near 2^32 half of the time, so that the stream's sequence numbers wrap
            Integer isn = c.chance(2) ? -c.intBetween(1, 3000) : null;
            Flow flow = smallFlow();
            List<Step> steps = new ArrayList<>();
            if (t.series() && !c.chance(3)) {
                steps.add(new Step.SetFlags(0x80));
            }
            steps.addAll(steps(c, 1, 10, x -> switch (x.intBetween(0, 4)) {
                case 0, 1 -> flow.send(x);
                case 2 -> flow.recvNonBlocking(x, 5000);
                case 3 -> new Step.PeerGetsockopt(x.chance(2));
                default -> flow.peerShutdown();
            }));
            return scenario(f, false, p, steps).withIsn(isn);
        };
    }

    // ------------------------------------------------------------------------------------------
    // K
    // ------------------------------------------------------------------------------------------

    static Gen<Scenario> k1(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = ProgramSpec.of(ProgramChoice.KFUNC_SETTER, edgyInt(c));
            Flow flow = smallFlow();
            List<Step> steps = steps(c, 1, 10, x -> switch (x.intBetween(0, 4)) {
                case 0, 1 -> flow.send(x);
                case 2 -> flow.recvNonBlocking(x, 5000);
                case 3 -> new Step.SetRcvlowat(edgyInt(x));
                default -> flow.peerShutdown();
            });
            return scenario(f, false, p, steps);
        };
    }

    /** K2/K4 steps: any SO_RCVLOWAT, SO_RCVBUF on an empty queue, small sends, draining reads. */
    private static Step kStep(Choices x, Flow flow, boolean data) {
        switch (x.intBetween(0, data ? 4 : 1)) {
            case 0:
                return new Step.SetRcvlowat(edgyInt(x));
            case 1: {
                if (flow.queued > 0) {
                    return flow.recvNonBlocking(x, 5000);
                }
                int v = edgyInt(x);
                if (v < 32768) {
                    flow.smallBuf = true;
                }
                return new Step.SetRcvbuf(v);
            }
            case 2:
                return flow.send(x);
            case 3:
                return flow.recvNonBlocking(x, 5000);
            default:
                return flow.fin ? null : flow.peerShutdown();
        }
    }

    static Gen<Scenario> k2(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = c.chance(2) ? ProgramSpec.NONE : ProgramSpec.of(ProgramChoice.LOGGER);
            Flow flow = smallFlow();
            List<Step> steps = steps(c, 1, 12, x -> kStep(x, flow, true));
            return scenario(f, false, p, steps);
        };
    }

    static Gen<Scenario> k3(Target t) {
        return c -> {
            Family f = family(c);
            ProgramSpec p = ProgramSpec.of(ProgramChoice.K3_LOGGER, edgyInt(c));
            Flow flow = smallFlow();
            List<Step> steps = steps(c, 1, 10, x -> switch (x.intBetween(0, 4)) {
                case 0 -> new Step.PeerGetsockopt(x.chance(2));
                case 1 -> flow.send(x);
                case 2 -> flow.recvNonBlocking(x, 5000);
                case 3 -> new Step.SetRcvlowat(edgyInt(x));
                default -> flow.fin ? null : flow.peerShutdown();
            });
            return scenario(f, false, p, steps);
        };
    }

    static Gen<Scenario> k4(Target t) {
        return c -> {
            Family f = family(c);
            Flow flow = smallFlow();
            List<Step> steps = steps(c, 1, 12, x -> kStep(x, flow, false));
            return scenario(f, false, ProgramSpec.NONE, steps);
        };
    }

    // ------------------------------------------------------------------------------------------
    // A
    // ------------------------------------------------------------------------------------------

    /** Which A rule a policy scenario leans towards (all draw from the same step kinds). */
    enum Focus { A1, A2, A3, A4, A5 }

    /** A stream of A1 frames: mostly small, sometimes walk-bound bursts, oversized or (simulator) large frames. */
    static DataStream frames(Choices c, Target t, Focus focus) {
        List<DataStream.Frame> out = new ArrayList<>();
        long length = 0;
        long limit = t.kernel() ? 16 * 1024 : 48 * 1024;
        int count = c.intBetween(1, 12);
        for (int i = 0; i < count && length < limit; i++) {
            int kind = c.intBetween(0, 19);
            if (kind == 0 && (focus == Focus.A5 || focus == Focus.A1)) {
                long h = c.between(0x7FFF_FFF8L - 4, 0xFFFF_FFFFL);
                out.add(new DataStream.Frame(h, c.between(0, 0xFFFF_FFFFL)));
                break;
            } else if (kind <= 2 && (focus == Focus.A3 || focus == Focus.A5)) {
                int n = c.intBetween(100, 104);
                for (int k = 0; k < n; k++) {
                    out.add(new DataStream.Frame(0, 0));
                }
                length += 8L * n;
            } else if (kind == 3 && !t.kernel()) {
                int h = c.intBetween(0, 100);
                int p = c.intBetween(20_000, 70_000);
                out.add(new DataStream.Frame(h, p));
                length += 8 + h + p;
            } else {
                int h = c.chance(3) ? 0 : c.intBetween(0, 300);
                int p = c.chance(4) ? c.intBetween(0, 16) : c.intBetween(0, t.kernel() ? 2000 : 6000);
                out.add(new DataStream.Frame(h, p));
                length += 8 + h + p;
            }
        }
        return DataStream.frames(out);
    }

    static Gen<Scenario> policy(Target t, Focus focus) {
        return c -> {
            Family f = family(c);
            boolean mptcp = !t.kernel() && focus == Focus.A2 && c.chance(5);
            DataStream stream = frames(c, t, focus);
            long streamLength = Math.min(stream.framesLength(), t.kernel() ? 16 * 1024 : 200 * 1024);
            Flow flow = t.kernel() ? new Flow((int) streamLength + 64, 2048, 8)
                    : new Flow((int) streamLength + 64, focus == Focus.A3 ? 600 : 3000, 12);
            List<Step> steps = new ArrayList<>();
            if (!c.chance(10)) {
                steps.add(new Step.Enable(1));
            }
            int sendWeight = focus == Focus.A3 ? 6 : 4;
            steps.addAll(steps(c, 1, 30, x -> {
                int k = x.intBetween(0, 9 + sendWeight);
                if (k < sendWeight) {
                    if (focus == Focus.A3 && x.chance(2)) {
                        if (flow.fin || flow.sent >= flow.budget) {
                            return null;
                        }
                        int n = (int) Math.min(x.intBetween(1, 9), flow.budget - flow.sent);
                        flow.sent += n;
                        flow.queued += n;
                        return Step.Send.segments(n);
                    }
                    return flow.send(x);
                }
                return switch (k - sendWeight) {
                    case 0, 1, 2 -> focus == Focus.A4 && x.chance(2) ? flow.recvNonBlocking(x, 16)
                            : x.chance(4) ? flow.recvBlocking(x, 20_000, 2) : flow.recvNonBlocking(x, 20_000);
                    case 3 -> new Step.Enable(focus == Focus.A2 ? pick(x, 1, 0, 2, -1, 1000) : x.chance(3) ? 0 : 1);
                    case 4 -> new Step.SetRcvlowat(x.intBetween(-1, 30_000));
                    case 5 -> focus == Focus.A5 || x.chance(3) ? flow.peerShutdown() : null;
                    case 6 -> focus == Focus.A2 ? (x.chance(2) ? new Step.AddToSockmap() : new Step.RemoveFromSockmap()) : null;
                    case 7 -> new Step.SetRcvbuf(x.intBetween(65_536, 300_000));
                    default -> focus == Focus.A2 || focus == Focus.A5 ? new Step.SetFlags(pick(x, 0, 0x80)) : null;
                };
            }));
            return Scenario.of(steps).withFamily(f).withMptcp(mptcp)
                    .withProgram(ProgramSpec.of(ProgramChoice.REFERENCE_BYTECODE)).withStream(stream);
        };
    }

    /** Selftest-shaped variations: 1..4 frames, sent whole or cut at the descriptor, read whole frames (A6). */
    static Gen<Scenario> a6(Target t) {
        return c -> {
            Family f = family(c);
            List<DataStream.Frame> frames = new ArrayList<>();
            int n = c.intBetween(1, 4);
            for (int i = 0; i < n; i++) {
                frames.add(new DataStream.Frame(c.intBetween(0, 200), c.intBetween(0, 600)));
            }
            List<Step> steps = new ArrayList<>();
            steps.add(new Step.Enable(1));
            for (DataStream.Frame fr : frames) {
                int len = (int) fr.length();
                switch (c.intBetween(0, 2)) {
                    case 0 -> steps.add(Step.Send.segments(len));
                    case 1 -> {
                        int d = c.intBetween(1, 7);
                        steps.add(Step.Send.segments(d));
                        steps.add(Step.Send.segments(8 - d));
                        if (len > 8) {
                            steps.add(Step.Send.segments(len - 8));
                        }
                    }
                    default -> {
                        steps.add(Step.Send.segments(8));
                        if (len > 8) {
                            steps.add(Step.Send.segments(len - 8));
                        }
                    }
                }
                if (c.chance(2)) {
                    steps.add(Step.Recv.blocking(len, 20));
                }
            }
            return Scenario.of(steps).withFamily(f).withProgram(ProgramSpec.of(ProgramChoice.REFERENCE_BYTECODE))
                    .withStream(DataStream.frames(frames));
        };
    }
}
