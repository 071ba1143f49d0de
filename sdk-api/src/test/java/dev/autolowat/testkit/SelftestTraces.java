package dev.autolowat.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autolowat.api.Errno;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.RecvMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The series' selftest trace cases (rule A6), read at test time from {@code spec/selftest-traces.json},
 * and a runner that replays one case on any {@link Backend} through the SPI.
 */
public final class SelftestTraces {
    private SelftestTraces() {
    }

    /** One step of a trace: {@code kind} is autolowat, send, epoll, rcvlowat or recv. */
    public record Step(String kind, int value) {
        @Override
        public String toString() {
            return kind + "(" + value + ")";
        }
    }

    /** One trace case: the frames' descriptors and the steps on the accepted socket. */
    public record TraceCase(String name, List<int[]> frames, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }

        /** The concatenated frames: 8-byte little-endian descriptors, zero header and payload bytes (A1). */
        public byte[] stream() {
            int total = frames.stream().mapToInt(f -> 8 + f[0] + f[1]).sum();
            ByteBuffer buf = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
            for (int[] f : frames) {
                buf.putInt(f[0]).putInt(f[1]);
                buf.position(buf.position() + f[0] + f[1]);
            }
            return buf.array();
        }
    }

    /** Where the spec data lives: {@code -Dautolowat.spec.dir}, set by the build to the repository's {@code spec/}. */
    public static Path specDir() {
        String dir = System.getProperty("autolowat.spec.dir");
        Path path = dir != null ? Path.of(dir) : Path.of("..", "spec");
        if (!Files.isRegularFile(path.resolve("selftest-traces.json"))) {
            throw new IllegalStateException("spec/selftest-traces.json not found under " + path.toAbsolutePath()
                    + "; run the tests through Maven from the repository, or set -Dautolowat.spec.dir");
        }
        return path;
    }

    /** All cases of {@code spec/selftest-traces.json}. */
    public static List<TraceCase> load() {
        try {
            JsonNode root = new ObjectMapper().readTree(specDir().resolve("selftest-traces.json").toFile());
            List<TraceCase> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                List<int[]> frames = new ArrayList<>();
                for (JsonNode f : c.get("frames")) {
                    frames.add(new int[] {f.get(0).asInt(), f.get(1).asInt()});
                }
                List<Step> steps = new ArrayList<>();
                for (JsonNode s : c.get("steps")) {
                    String kind = s.fieldNames().next();
                    steps.add(new Step(kind, s.get(kind).asInt()));
                }
                cases.add(new TraceCase(c.get("name").asText(), frames, steps));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the selftest traces", e);
        }
    }

    /**
     * Replays {@code trace} on a fresh session of {@code backend} with {@code policy} attached.
     *
     * @throws AssertionError naming the case, the family and the first step that disagrees
     */
    public static void run(TraceCase trace, Backend backend, Policy policy, Family family) {
        byte[] stream = trace.stream();
        int sent = 0;
        try (BackendSession session = backend.openSession()) {
            session.attach(policy);
            try (Connection c = session.connect(ConnectOptions.of(family))) {
                for (int i = 0; i < trace.steps().size(); i++) {
                    Step step = trace.steps().get(i);
                    String where = trace.name() + " / " + family + " / step " + i + " " + step + " on " + backend.name();
                    switch (step.kind()) {
                        case "autolowat" -> expect(where, 0, c.enableAutoLowat(step.value()));
                        case "send" -> {
                            byte[] segment = java.util.Arrays.copyOfRange(stream, sent, sent + step.value());
                            expect(where, step.value(), c.send(segment, step.value()));
                            sent += step.value();
                        }
                        case "epoll" -> {
                            boolean ready = c.readable();
                            if (ready != (step.value() == 1)) {
                                throw new AssertionError(where + ": epoll returned " + (ready ? 1 : 0)
                                        + ", expected " + step.value());
                            }
                        }
                        case "rcvlowat" -> expect(where, step.value(), c.rcvLowat());
                        case "recv" -> expect(where, step.value(),
                                c.recv(new byte[step.value()], 0, step.value(), RecvMode.blocking(Duration.ofMillis(100))));
                        default -> throw new IllegalArgumentException("unknown trace step '" + step.kind() + "' in " + trace.name());
                    }
                }
            }
        }
    }

    private static void expect(String where, int expected, int actual) {
        if (expected != actual) {
            throw new AssertionError(where + ": got " + Errno.describeResult(actual) + ", expected " + expected);
        }
    }
}
