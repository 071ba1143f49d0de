package dev.autolowat.testkit.trace;

import dev.autolowat.api.spi.Family;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trace file: JSON in the format of the series' selftest cases ({@code spec/selftest-traces.json}),
 * extended so that every input the reference policy distinguishes can be written down
 * (docs/traces.md):
 *
 * <pre>{@code
 * {
 *   "about": "free text",
 *   "cases": [
 *     {
 *       "name": "bare-fin-descriptor-complete",
 *       "families": ["inet", "inet6"],          // optional, default both
 *       "frames": [[100, 150], [0, 4294967295], [0, 0, 101]],  // A1 {header_len, payload_len}, u32
 *                                                               // each; a third number repeats the frame
 *       "steps": [
 *         {"autolowat": 1},                      // A2 enable, must return 0 ("result": n otherwise)
 *         {"send": 58}, {"send": [3, 5]},        // the peer sends the next bytes, one segment per number
 *         {"fin": true},                         // the peer's FIN
 *         {"rcvbuf": 65536},                     // SO_RCVBUF (locks the buffer)
 *         {"set_rcvlowat": 100},                 // SO_RCVLOWAT
 *         {"recv": 258}, {"recv": 9, "nonblock": true, "result": 3},
 *         {"epoll": 1}, {"readable": true}, {"rcvlowat": 258}, {"rcvq_flag": 1}, {"wakeups": 1}
 *       ]
 *     }
 *   ]
 * }
 * }</pre>
 *
 * (JSON has no comments: the {@code //} text above is explanation only.) Members {@code "about"}
 * and {@code "comment"} (any string) may appear on the file, a case or a step; any other unknown
 * member is an error, so that a misspelt expectation cannot pass silently. The selftest's own file is
 * a trace file as it is.
 *
 * @param source where the file came from (for messages)
 * @param about  the file's {@code about} text, or empty
 * @param cases  the cases, in file order
 */
public record TraceFile(String source, String about, List<TraceCase> cases) {
    public TraceFile {
        cases = List.copyOf(cases);
    }

    /**
     * Reads and checks a trace file.
     *
     * @throws TraceFormatException one line naming the file, line, column and problem
     * @throws UncheckedIOException when the file cannot be read
     */
    public static TraceFile read(Path file) {
        String name = file.toString();
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(name, 0, 0, "no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new TraceFormatException(name, 1, 1, "not UTF-8 text");
        }
        return parse(text, name);
    }

    /**
     * Parses the text of a trace file; {@code source} names it in messages.
     *
     * @throws TraceFormatException one line naming the source, line, column and problem
     */
    public static TraceFile parse(String text, String source) {
        Json.Node root;
        try {
            root = Json.parse(text);
        } catch (Json.SyntaxError e) {
            throw new TraceFormatException(source, e.line, e.column, "not valid JSON: " + e.getMessage());
        }
        return new Reader(source).file(root);
    }

    /** The case called {@code name}, or {@code null}. */
    public TraceCase find(String name) {
        return cases.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    /** Turns JSON nodes into the model, with a position for every problem. */
    private static final class Reader {
        private final String source;
        private String where = "";

        Reader(String source) {
            this.source = source;
        }

        TraceFormatException problem(Json.Node at, String message) {
            return new TraceFormatException(source, at.line(), at.column(), where + message);
        }

        TraceFile file(Json.Node root) {
            if (!root.isObject()) {
                throw problem(root, "a trace file is a JSON object with \"cases\", got " + root.kind());
            }
            Map<String, Json.Node> m = root.object();
            allowOnly(root, Set.of("about", "comment", "cases"));
            String about = m.containsKey("about") ? string(m.get("about"), "about") : "";
            if (m.containsKey("comment")) {
                string(m.get("comment"), "comment");
            }
            Json.Node cases = m.get("cases");
            if (cases == null) {
                throw problem(root, "missing \"cases\" (an array of cases)");
            }
            if (!cases.isArray()) {
                throw problem(cases, "\"cases\" must be an array, got " + cases.kind());
            }
            List<TraceCase> out = new ArrayList<>();
            Set<String> names = new HashSet<>();
            int i = 0;
            for (Json.Node c : cases.array()) {
                where = "case " + i + ": ";
                TraceCase tc = traceCase(c);
                if (!names.add(tc.name())) {
                    throw problem(c, "a case named \"" + tc.name() + "\" already exists in this file");
                }
                out.add(tc);
                i++;
            }
            where = "";
            if (out.isEmpty()) {
                throw problem(cases, "\"cases\" is empty");
            }
            return new TraceFile(source, about, out);
        }

        TraceCase traceCase(Json.Node c) {
            if (!c.isObject()) {
                throw problem(c, "a case must be an object with \"name\", \"frames\" and \"steps\", got " + c.kind());
            }
            Map<String, Json.Node> m = c.object();
            allowOnly(c, Set.of("name", "frames", "steps", "families", "about", "comment"));
            String name = string(required(c, "name"), "name");
            if (name.isBlank()) {
                throw problem(m.get("name"), "\"name\" must not be blank");
            }
            where = "case \"" + name + "\": ";
            for (String k : List.of("about", "comment")) {
                if (m.containsKey(k)) {
                    string(m.get(k), k);
                }
            }
            List<Family> families = List.of(Family.INET, Family.INET6);
            if (m.containsKey("families")) {
                families = families(m.get("families"));
            }
            Json.Node framesNode = required(c, "frames");
            if (!framesNode.isArray()) {
                throw problem(framesNode, "\"frames\" must be an array of [header_len, payload_len] pairs, got "
                        + framesNode.kind());
            }
            List<TraceCase.Frame> frames = new ArrayList<>();
            for (Json.Node f : framesNode.array()) {
                if (!f.isArray() || f.array().size() < 2 || f.array().size() > 3) {
                    throw problem(f, "a frame is [header_len, payload_len] (two u32 numbers), or [header_len,"
                            + " payload_len, count] for count equal frames, got " + f.kind()
                            + (f.isArray() ? " of " + f.array().size() : ""));
                }
                TraceCase.Frame frame = new TraceCase.Frame(u32(f.array().get(0), "header_len"),
                        u32(f.array().get(1), "payload_len"));
                int count = 1;
                if (f.array().size() == 3) {
                    count = positive(f.array().get(2), "a frame's count");
                    if (count > MAX_REPEAT || frames.size() + count > MAX_REPEAT) {
                        throw problem(f.array().get(2), "at most " + MAX_REPEAT + " frames per case, got " + count);
                    }
                }
                for (int k = 0; k < count; k++) {
                    frames.add(frame);
                }
            }
            Json.Node stepsNode = required(c, "steps");
            if (!stepsNode.isArray()) {
                throw problem(stepsNode, "\"steps\" must be an array, got " + stepsNode.kind());
            }
            List<TraceStep> steps = new ArrayList<>();
            String caseWhere = where;
            int i = 0;
            for (Json.Node s : stepsNode.array()) {
                where = caseWhere + "step " + i + ": ";
                steps.add(step(s));
                i++;
            }
            where = caseWhere;
            return new TraceCase(name, frames, families, steps, c.line());
        }

        /** Frames per case at most (the stream is computed from them on every send). */
        private static final int MAX_REPEAT = 100_000;

        private static final Set<String> KINDS = Set.of("autolowat", "send", "fin", "rcvbuf", "set_rcvlowat", "recv",
                "epoll", "readable", "rcvlowat", "rcvq_flag", "wakeups");

        TraceStep step(Json.Node s) {
            if (!s.isObject()) {
                throw problem(s, "a step is an object such as {\"send\": 258}, got " + s.kind());
            }
            Map<String, Json.Node> m = s.object();
            List<String> kinds = m.keySet().stream().filter(KINDS::contains).toList();
            if (kinds.size() != 1) {
                List<String> unknown = m.keySet().stream()
                        .filter(k -> !KINDS.contains(k) && !Set.of("result", "nonblock", "timeout_ms", "comment").contains(k))
                        .toList();
                throw problem(s, kinds.isEmpty()
                        ? (unknown.isEmpty() ? "a step needs one of " + sorted(KINDS)
                                : "unknown step \"" + unknown.get(0) + "\"; steps are " + sorted(KINDS))
                        : "a step has exactly one of " + sorted(KINDS) + ", got " + kinds);
            }
            String kind = kinds.get(0);
            Json.Node v = m.get(kind);
            int line = s.line();
            if (m.containsKey("comment")) {
                string(m.get("comment"), "comment");
            }
            switch (kind) {
                case "autolowat" -> {
                    allowOnly(s, Set.of(kind, "result", "comment"));
                    return new TraceStep.Enable(integer(v, kind), result(m, 0), line);
                }
                case "send" -> {
                    allowOnly(s, Set.of(kind, "comment"));
                    int[] segments;
                    if (v.isArray()) {
                        if (v.array().isEmpty()) {
                            throw problem(v, "\"send\" needs at least one segment length");
                        }
                        segments = new int[v.array().size()];
                        for (int k = 0; k < segments.length; k++) {
                            segments[k] = positive(v.array().get(k), "a segment length");
                        }
                    } else {
                        segments = new int[] {positive(v, "\"send\"")};
                    }
                    return new TraceStep.Send(segments, line);
                }
                case "fin" -> {
                    allowOnly(s, Set.of(kind, "comment"));
                    if (!Boolean.TRUE.equals(v.value()) && !isNumber(v, 1)) {
                        throw problem(v, "\"fin\" takes true (the peer sends its FIN), got " + v.kind());
                    }
                    return new TraceStep.Fin(line);
                }
                case "rcvbuf" -> {
                    allowOnly(s, Set.of(kind, "result", "comment"));
                    return new TraceStep.SetRcvbuf(integer(v, kind), result(m, 0), line);
                }
                case "set_rcvlowat" -> {
                    allowOnly(s, Set.of(kind, "result", "comment"));
                    return new TraceStep.SetRcvlowat(integer(v, kind), result(m, 0), line);
                }
                case "recv" -> {
                    allowOnly(s, Set.of(kind, "result", "nonblock", "timeout_ms", "comment"));
                    int length = positive(v, "\"recv\"");
                    boolean nonblock = m.containsKey("nonblock") && bool(m.get("nonblock"), "nonblock");
                    int timeout = TraceStep.Recv.DEFAULT_TIMEOUT_MS;
                    if (m.containsKey("timeout_ms")) {
                        if (nonblock) {
                            throw problem(m.get("timeout_ms"), "a non-blocking recv has no \"timeout_ms\"");
                        }
                        timeout = positive(m.get("timeout_ms"), "\"timeout_ms\"");
                    }
                    return new TraceStep.Recv(length, !nonblock, nonblock ? 0 : timeout, result(m, length), line);
                }
                case "epoll" -> {
                    allowOnly(s, Set.of(kind, "comment"));
                    return new TraceStep.ExpectReadable(flag(v, kind), true, line);
                }
                case "readable" -> {
                    allowOnly(s, Set.of(kind, "comment"));
                    return new TraceStep.ExpectReadable(bool(v, kind), false, line);
                }
                case "rcvlowat" -> {
                    allowOnly(s, Set.of(kind, "comment"));
                    return new TraceStep.ExpectRcvlowat(integer(v, kind), line);
                }
                case "rcvq_flag" -> {
                    allowOnly(s, Set.of(kind, "comment"));
                    return new TraceStep.ExpectRcvqFlag(flag(v, kind), line);
                }
                default -> {
                    allowOnly(s, Set.of(kind, "comment"));
                    BigDecimal n = exactInteger(v, "\"wakeups\"");
                    if (n.signum() < 0 || n.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                        throw problem(v, "\"wakeups\" is a count (0 or more), got " + n.toPlainString());
                    }
                    return new TraceStep.ExpectWakeups(n.longValueExact(), line);
                }
            }
        }

        // ---- values ----

        void allowOnly(Json.Node obj, Set<String> allowed) {
            for (Map.Entry<String, Json.Node> e : obj.object().entrySet()) {
                if (!allowed.contains(e.getKey())) {
                    throw problem(e.getValue(), "unknown member \"" + e.getKey() + "\" here; allowed: " + sorted(allowed));
                }
            }
        }

        Json.Node required(Json.Node obj, String key) {
            Json.Node n = obj.object().get(key);
            if (n == null) {
                throw problem(obj, "missing \"" + key + "\"");
            }
            return n;
        }

        String string(Json.Node n, String what) {
            if (!(n.value() instanceof String s)) {
                throw problem(n, "\"" + what + "\" must be a string, got " + n.kind());
            }
            return s;
        }

        boolean bool(Json.Node n, String what) {
            if (!(n.value() instanceof Boolean b)) {
                throw problem(n, "\"" + what + "\" must be true or false, got " + n.kind());
            }
            return b;
        }

        /** 0/1 or false/true. */
        boolean flag(Json.Node n, String what) {
            if (n.value() instanceof Boolean b) {
                return b;
            }
            if (isNumber(n, 0) || isNumber(n, 1)) {
                return isNumber(n, 1);
            }
            throw problem(n, "\"" + what + "\" must be 0 or 1 (or false/true), got " + n.kind());
        }

        static boolean isNumber(Json.Node n, int value) {
            return n.value() instanceof BigDecimal d && d.compareTo(BigDecimal.valueOf(value)) == 0;
        }

        BigDecimal exactInteger(Json.Node n, String what) {
            if (!(n.value() instanceof BigDecimal d)) {
                throw problem(n, what + " must be a whole number, got " + n.kind());
            }
            try {
                return new BigDecimal(d.toBigIntegerExact());
            } catch (ArithmeticException e) {
                throw problem(n, what + " must be a whole number, got " + d.toPlainString());
            }
        }

        int integer(Json.Node n, String key) {
            BigDecimal d = exactInteger(n, "\"" + key + "\"");
            if (d.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0 || d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
                throw problem(n, "\"" + key + "\" is a C int (" + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + "), got "
                        + d.toPlainString());
            }
            return d.intValueExact();
        }

        int positive(Json.Node n, String what) {
            BigDecimal d = exactInteger(n, what);
            if (d.signum() <= 0 || d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
                throw problem(n, what + " needs a whole number from 1 to " + Integer.MAX_VALUE + ", got " + d.toPlainString());
            }
            return d.intValueExact();
        }

        long u32(Json.Node n, String what) {
            BigDecimal d = exactInteger(n, what);
            if (d.signum() < 0 || d.compareTo(BigDecimal.valueOf(TraceCase.U32_MAX)) > 0) {
                throw problem(n, what + " is a u32 (0 to " + TraceCase.U32_MAX + "), got " + d.toPlainString());
            }
            return d.longValueExact();
        }

        int result(Map<String, Json.Node> m, int dflt) {
            Json.Node r = m.get("result");
            return r == null ? dflt : integer(r, "result");
        }

        List<Family> families(Json.Node n) {
            if (!n.isArray() || n.array().isEmpty()) {
                throw problem(n, "\"families\" must be a non-empty array of \"inet\" and/or \"inet6\", got " + n.kind());
            }
            List<Family> out = new ArrayList<>();
            for (Json.Node f : n.array()) {
                String s = string(f, "families");
                Family fam = switch (s) {
                    case "inet" -> Family.INET;
                    case "inet6" -> Family.INET6;
                    default -> throw problem(f, "unknown family \"" + s + "\"; families are \"inet\" and \"inet6\"");
                };
                if (out.contains(fam)) {
                    throw problem(f, "family \"" + s + "\" listed twice");
                }
                out.add(fam);
            }
            return out;
        }

        static String sorted(Set<String> s) {
            return s.stream().sorted().toList().toString();
        }
    }
}
