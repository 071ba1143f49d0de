package dev.autolowat.conformance.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Observation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Rule A6's fixed examples: the series' selftest trace cases ({@code spec/selftest-traces.json}) as
 * scenarios with the reference policy as bytecode, for IPv4 and IPv6, each with an oracle that checks
 * the trace's expected values (epoll readiness, {@code SO_RCVLOWAT}, recv results, the enable call) on
 * both sides of a pair — the Java handler and the bytecode in the simulator, or a kernel with the series. The spec directory is {@code -Dautolowat.spec.dir} (the build sets it), else
 * {@code spec/} or {@code ../spec/} from the working directory; without it there are no examples.
 */
public final class SelftestCases {
    private SelftestCases() {
    }

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

    /** The examples (empty when the spec file is not found). */
    public static List<RuleProperty.Example> examples() {
        Path file = traceFile();
        if (file == null) {
            return List.of();
        }
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            List<RuleProperty.Example> out = new ArrayList<>();
            for (Family family : Family.values()) {
                for (JsonNode c : root.get("cases")) {
                    out.add(example(c, family));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private record Expect(int afterStep, String kind, int value) {
    }

    private static RuleProperty.Example example(JsonNode c, Family family) {
        String name = c.get("name").asText();
        List<DataStream.Frame> frames = new ArrayList<>();
        for (JsonNode f : c.get("frames")) {
            frames.add(new DataStream.Frame(f.get(0).asLong(), f.get(1).asLong()));
        }
        List<Step> steps = new ArrayList<>();
        List<Expect> expects = new ArrayList<>();
        for (JsonNode s : c.get("steps")) {
            String kind = s.fieldNames().next();
            int v = s.get(kind).asInt();
            switch (kind) {
                case "autolowat" -> {
                    steps.add(new Step.Enable(v));
                    expects.add(new Expect(steps.size(), "result", 0));
                }
                case "send" -> {
                    steps.add(Step.Send.segments(v));
                    expects.add(new Expect(steps.size(), "result", v));
                }
                case "recv" -> {
                    steps.add(Step.Recv.blocking(v, 100));
                    expects.add(new Expect(steps.size(), "result", v));
                }
                case "epoll" -> expects.add(new Expect(steps.size(), "readable", v));
                case "rcvlowat" -> expects.add(new Expect(steps.size(), "rcvLowat", v));
                default -> throw new IllegalArgumentException("unknown selftest step '" + kind + "' in " + name);
            }
        }
        Scenario scenario = Scenario.of(steps).withName("A6 selftest " + name).withFamily(family)
                .withProgram(ProgramSpec.of(ProgramChoice.REFERENCE_BYTECODE)).withStream(DataStream.frames(frames));
        Consumer<Trace> oracle = t -> {
            for (Expect e : expects) {
                StepRecord r = t.steps().get(e.afterStep());
                Observation o = r.observation();
                int actual = switch (e.kind()) {
                    case "result" -> r.result();
                    case "readable" -> o.readable() ? 1 : 0;
                    default -> o.rcvLowat();
                };
                if (actual != e.value()) {
                    throw new AssertionError("A6 " + name + " over " + family + " on " + t.backend() + ": after step "
                            + e.afterStep() + " (" + r.stepText() + ") " + e.kind() + " is " + actual + ", the selftest"
                            + " expects " + e.value());
                }
            }
        };
        return new RuleProperty.Example(scenario, oracle);
    }
}
