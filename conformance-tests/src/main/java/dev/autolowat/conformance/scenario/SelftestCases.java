package dev.autolowat.conformance.scenario;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.testkit.trace.TraceCase;
import dev.autolowat.testkit.trace.TraceFile;
import dev.autolowat.testkit.trace.TraceStep;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Rule A6's fixed examples, each a trace file case ({@link TraceFile}) turned into a scenario with the
 * reference policy as bytecode and an oracle that checks the case's expected values (results, epoll
 * readiness, {@code SO_RCVLOWAT}, the RCVQ bit, edge wakeups) on both sides of a pair — the Java handler
 * and the bytecode in the simulator, or a kernel with the series:
 * <ul>
 *   <li>the series' selftest cases, {@code spec/selftest-traces.json} ({@code -Dautolowat.spec.dir}, the
 *       build sets it; else {@code spec/} or {@code ../spec/} from the working directory; without it
 *       there are none);</li>
 *   <li>{@value #SERIES_PROGRAM_RESOURCE} (in the jar, so {@code autolowat report} runs them anywhere):
 *       inputs where the policy must follow the series' selftest program exactly — the two divergences
 *       of issue 12 (a bare FIN while the descriptor is complete; the walk bound counting passes) and
 *       their neighbours.</li>
 * </ul>
 * Every case runs over each of its families (both by default).
 */
public final class SelftestCases {
    private SelftestCases() {
    }

    /** The A6 variations shipped with the suite (class-path resource). */
    public static final String SERIES_PROGRAM_RESOURCE = "/dev/autolowat/conformance/a6-series-program.json";

    /** Where {@code selftest-traces.json} is, or {@code null}. */
    public static Path traceFile() {
        String dir = System.getProperty("autolowat.spec.dir");
        List<Path> candidates = new ArrayList<>();
        if (dir != null) {
            candidates.add(Path.of(dir));
        }
        candidates.add(Path.of("spec"));
        candidates.add(Path.of("..", "spec"));
        for (Path p : candidates) {
            Path f = p.resolve("selftest-traces.json");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }

    /** The cases of {@value #SERIES_PROGRAM_RESOURCE}. */
    public static TraceFile seriesProgramCases() {
        try (InputStream in = SelftestCases.class.getResourceAsStream(SERIES_PROGRAM_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SERIES_PROGRAM_RESOURCE + " is missing from the class path");
            }
            return TraceFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "a6-series-program.json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SERIES_PROGRAM_RESOURCE, e);
        }
    }

    /** The examples: the selftest's cases (when the spec file is found), then the series-program cases. */
    public static List<RuleProperty.Example> examples() {
        List<RuleProperty.Example> out = new ArrayList<>();
        Path file = traceFile();
        if (file != null) {
            out.addAll(examples(TraceFile.read(file), "A6 selftest "));
        }
        out.addAll(examples(seriesProgramCases(), "A6 series program "));
        return out;
    }

    /** One example per case and family of {@code f}, named {@code prefix + case name}. */
    public static List<RuleProperty.Example> examples(TraceFile f, String prefix) {
        List<RuleProperty.Example> out = new ArrayList<>();
        for (Family family : Family.values()) {
            for (TraceCase c : f.cases()) {
                if (c.families().contains(family)) {
                    out.add(example(c, family, prefix));
                }
            }
        }
        return out;
    }

    private enum Kind { RESULT, READABLE, RCVLOWAT, RCVQ, WAKEUPS }

    private record Expect(int afterStep, Kind kind, long value, String text) {
    }

    /** The scenario of one case over one family, with the oracle of its expectations. */
    public static RuleProperty.Example example(TraceCase c, Family family, String prefix) {
        String name = c.name();
        List<DataStream.Frame> frames = c.frames().stream()
                .map(fr -> new DataStream.Frame(fr.headerLen(), fr.payloadLen())).toList();
        List<Step> steps = new ArrayList<>();
        List<Expect> expects = new ArrayList<>();
        for (TraceStep s : c.steps()) {
            if (s instanceof TraceStep.Enable e) {
                steps.add(new Step.Enable(e.value()));
                expects.add(new Expect(steps.size(), Kind.RESULT, e.result(), s.toJson()));
            } else if (s instanceof TraceStep.Send send) {
                steps.add(Step.Send.segments(send.segments()));
                expects.add(new Expect(steps.size(), Kind.RESULT, send.bytes(), s.toJson()));
            } else if (s instanceof TraceStep.Fin) {
                steps.add(new Step.PeerShutdown());
                expects.add(new Expect(steps.size(), Kind.RESULT, 0, s.toJson()));
            } else if (s instanceof TraceStep.SetRcvbuf r) {
                steps.add(new Step.SetRcvbuf(r.value()));
                expects.add(new Expect(steps.size(), Kind.RESULT, r.result(), s.toJson()));
            } else if (s instanceof TraceStep.SetRcvlowat r) {
                steps.add(new Step.SetRcvlowat(r.value()));
                expects.add(new Expect(steps.size(), Kind.RESULT, r.result(), s.toJson()));
            } else if (s instanceof TraceStep.Recv r) {
                steps.add(r.blocking() ? Step.Recv.blocking(r.length(), r.timeoutMs()) : Step.Recv.nonBlocking(r.length()));
                expects.add(new Expect(steps.size(), Kind.RESULT, r.result(), s.toJson()));
            } else if (s instanceof TraceStep.ExpectReadable r) {
                expects.add(new Expect(steps.size(), Kind.READABLE, r.readable() ? 1 : 0, s.toJson()));
            } else if (s instanceof TraceStep.ExpectRcvlowat r) {
                expects.add(new Expect(steps.size(), Kind.RCVLOWAT, r.value(), s.toJson()));
            } else if (s instanceof TraceStep.ExpectRcvqFlag r) {
                expects.add(new Expect(steps.size(), Kind.RCVQ, r.set() ? 1 : 0, s.toJson()));
            } else if (s instanceof TraceStep.ExpectWakeups w) {
                expects.add(new Expect(steps.size(), Kind.WAKEUPS, w.count(), s.toJson()));
            }
        }
        Scenario scenario = Scenario.of(steps).withName(prefix + name).withFamily(family)
                .withProgram(ProgramSpec.of(ProgramChoice.REFERENCE_BYTECODE)).withStream(DataStream.frames(frames));
        Consumer<Trace> oracle = t -> {
            for (Expect e : expects) {
                StepRecord r = t.steps().get(e.afterStep());
                Observation o = r.observation();
                long actual = switch (e.kind()) {
                    case RESULT -> r.result();
                    case READABLE -> o.readable() ? 1 : 0;
                    case RCVLOWAT -> o.rcvLowat();
                    case RCVQ -> (o.cbFlags() & CbFlags.RCVQ) != 0 ? 1 : 0;
                    case WAKEUPS -> o.edgeWakeups();
                };
                if (actual != e.value()) {
                    throw new AssertionError(prefix + name + " over " + family + " on " + t.backend() + ": after step "
                            + e.afterStep() + " (" + r.stepText() + ") " + e.text() + " expects " + e.value() + ", got "
                            + actual);
                }
            }
        };
        return new RuleProperty.Example(scenario, oracle);
    }
}
