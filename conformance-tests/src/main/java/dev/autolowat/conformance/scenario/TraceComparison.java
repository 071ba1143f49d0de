package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Compares two traces of one scenario step by step: every call's result (and error), and every field
 * of the observation — {@code rcvLowat}, {@code rcvBuf}, {@code readable}, {@code edgeWakeups},
 * {@code cbFlags}, {@code queuedBytes}, the invocation log — plus what the program wrote into its maps
 * ({@code inv_log}, {@code rets[i]}, {@code enableState}) where both traces have it.
 *
 * <p>Invocation logs keep only {@link ComparisonRules#comparedOps()}; with
 * {@link ComparisonRules#relativeSeq()} an op-21 entry's {@code seq}/{@code end_seq} are rendered
 * relative to the stream's first byte: each trace's base is the first logged segment's {@code seq} minus
 * the stream bytes sent before its step (in-order delivery enqueues that segment first). Values are
 * rendered as single words: ints in decimal, the flag word in hex, logs as
 * {@code [5,21@0-10/10,21]} ({@code op@seq-end_seq/skb_len}; a bare {@code 21} is H2).
 */
public final class TraceComparison {
    private final List<Difference> differences;

    private TraceComparison(List<Difference> differences) {
        this.differences = List.copyOf(differences);
    }

    /** Compares {@code a} (the reference, e.g. the simulator) with {@code b}. */
    public static TraceComparison compare(Trace a, Trace b, ComparisonRules rules) {
        Objects.requireNonNull(rules, "rules");
        List<Difference> out = new ArrayList<>();
        Long baseA = rules.relativeSeq() ? seqBase(a) : Long.valueOf(0);
        Long baseB = rules.relativeSeq() ? seqBase(b) : Long.valueOf(0);
        int n = Math.max(a.steps().size(), b.steps().size());
        for (int i = 0; i < n; i++) {
            StepRecord ra = i < a.steps().size() ? a.steps().get(i) : null;
            StepRecord rb = i < b.steps().size() ? b.steps().get(i) : null;
            if (ra == null || rb == null) {
                StepRecord r = ra != null ? ra : rb;
                out.add(new Difference(i, r.stepText(), "step", ra != null ? "ran" : "missing", rb != null ? "ran" : "missing"));
                continue;
            }
            String step = ra.stepText();
            field(out, i, step, "error", word(ra.error()), word(rb.error()));
            field(out, i, step, "result", Integer.toString(ra.result()), Integer.toString(rb.result()));
            Observation oa = ra.observation();
            Observation ob = rb.observation();
            if (oa == null || ob == null) {
                field(out, i, step, "observation", oa == null ? "none" : "present", ob == null ? "none" : "present");
                continue;
            }
            field(out, i, step, "rcvLowat", Integer.toString(oa.rcvLowat()), Integer.toString(ob.rcvLowat()));
            field(out, i, step, "rcvBuf", Integer.toString(oa.rcvBuf()), Integer.toString(ob.rcvBuf()));
            field(out, i, step, "readable", Boolean.toString(oa.readable()), Boolean.toString(ob.readable()));
            field(out, i, step, "edgeWakeups", Long.toString(oa.edgeWakeups()), Long.toString(ob.edgeWakeups()));
            field(out, i, step, "cbFlags", hex(oa.cbFlags()), hex(ob.cbFlags()));
            field(out, i, step, "queuedBytes", Integer.toString(oa.queuedBytes()), Integer.toString(ob.queuedBytes()));
            if (rules.compareInvocations()) {
                field(out, i, step, "invocations", log(oa.invocations(), rules, baseA), log(ob.invocations(), rules, baseB));
            }
            if (rules.compareProgramView()) {
                ProgramView pa = ra.program();
                ProgramView pb = rb.program();
                if (pa.invLog() != null && pb.invLog() != null) {
                    field(out, i, step, "inv_log", log(pa.invLog(), rules, baseA), log(pb.invLog(), rules, baseB));
                }
                if (pa.rets() != null && pb.rets() != null) {
                    for (int k = 0; k < Math.min(pa.rets().size(), pb.rets().size()); k++) {
                        field(out, i, step, "rets[" + k + "]", Long.toString(pa.rets().get(k)), Long.toString(pb.rets().get(k)));
                    }
                }
                if (pa.enableState() != null && pb.enableState() != null) {
                    field(out, i, step, "enableState", pa.enableState().toString(), pb.enableState().toString());
                }
            }
        }
        return new TraceComparison(out);
    }

    /** Every difference, in step order (and field order within a step). */
    public List<Difference> differences() {
        return differences;
    }

    public boolean agree() {
        return differences.isEmpty();
    }

    /** The first differing step and field. */
    public Optional<Difference> first() {
        return differences.stream().findFirst();
    }

    @Override
    public String toString() {
        return agree() ? "traces agree" : differences.stream().map(Difference::toString).collect(Collectors.joining("\n"));
    }

    private static void field(List<Difference> out, int step, String stepText, String name, String a, String b) {
        if (!a.equals(b)) {
            out.add(new Difference(step, stepText, name, a, b));
        }
    }

    private static String word(String s) {
        return s == null ? "none" : s.strip().replaceAll("\\s+", "_");
    }

    private static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /**
     * The base of relative sequence numbers: the first op-21 segment entry's {@code seq} minus the stream
     * bytes sent before its step; {@code null} when the trace logged no segment.
     */
    static Long seqBase(Trace t) {
        for (StepRecord r : t.steps()) {
            if (r.observation() != null) {
                for (Invocation inv : r.observation().invocations()) {
                    if (isSegment(inv)) {
                        return Integer.toUnsignedLong(inv.seq() - (int) r.sentBefore());
                    }
                }
            }
            if (r.program() != null && r.program().invLog() != null) {
                for (Invocation inv : r.program().invLog()) {
                    if (isSegment(inv)) {
                        return Integer.toUnsignedLong(inv.seq() - (int) r.sentBefore());
                    }
                }
            }
        }
        return null;
    }

    private static boolean isSegment(Invocation inv) {
        return inv.op() == 21 && inv.seq() != inv.endSeq();
    }

    /** {@code [5,21@0-10/10,21]}. */
    static String log(List<Invocation> entries, ComparisonRules rules, Long base) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (Invocation inv : entries) {
            if (!rules.comparedOps().contains(inv.op())) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(inv.op());
            if (inv.op() == 21 && (inv.seq() != 0 || inv.endSeq() != 0 || inv.skbLen() != 0)) {
                int b = base == null ? 0 : (int) (long) base;
                sb.append('@').append(Integer.toUnsignedString(inv.seq() - b)).append('-')
                        .append(Integer.toUnsignedString(inv.endSeq() - b)).append('/').append(inv.skbLen());
            }
        }
        return sb.append(']').toString();
    }
}
