package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Shutdown;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The text form of a {@link Scenario}: headers, then one step per line. Blank lines and lines
 * starting with {@code #} are comments; a step line may end with {@code # comment}.
 *
 * <pre>
 * # F4: a member of a SOCKMAP, after the peer's FIN
 * name F4 sockmap after FIN
 * family inet6                    # inet (default) or inet6
 * mptcp                           # optional: MPTCP sockets
 * program k3-logger 100           # none (default), logger, k3-logger N, k3-chain N M, flags-probe F G,
 *                                 # kfunc-setter N, reference-java, reference-bytecode
 * enable-path reference-bytecode  # optional: the A2 enable program alone
 * stream frames 0:78*3 0:0        # counter (default) or A1 frames header:payload[*repeat]
 * isn 0xfffffff0                  # optional: the peer's ISN where a backend can fix it
 * expect native step 6 queuedBytes sim=30 native=31 because FIONREAD counts the DATA_FIN
 *                                 # ... [onward] [sometimes] because ... (see Expectation)
 * send 86,86,86                   # one send() per cut
 * write 300                       # one send() of 300 bytes
 * send-ooo 10,20,30 order 2,0,1   # delivered out of order (simulator)
 * recv 100 nonblock
 * recv 200 block 30               # blocking, SO_RCVTIMEO 30 ms
 * rcvlowat 100
 * rcvbuf 65536
 * enable 1                        # A2: setsockopt(0xdeadbeef, 0x8badf00d, 1)
 * flags 0x84                      # F2: bpf_setsockopt(TCP_BPF_SOCK_OPS_CB_FLAGS, 0x84)
 * sockmap add                     # or: sockmap remove
 * shutdown rd                     # rd, wr or rdwr
 * peer-shutdown                   # the peer's FIN
 * peer-getsockopt rcvlowat        # or rcvbuf
 * </pre>
 *
 * Integers are decimal (negative allowed) or {@code 0x} hexadecimal up to 32 bits. Headers come before
 * the first step, each at most once ({@code expect} may repeat). {@link #print} writes every header
 * that differs from its default, so {@code parse(print(s)).equals(s)} for every scenario (comments are
 * not kept).
 */
public final class ScenarioText {
    private ScenarioText() {
    }

    private static final String STEPS_HELP = "expected a header (name, family, mptcp, program, enable-path, stream, isn, "
            + "expect) or a step (send, write, send-ooo, recv, rcvlowat, rcvbuf, enable, flags, sockmap, shutdown, "
            + "peer-shutdown, peer-getsockopt)";

    /** The text of {@code s}; see the class comment. */
    public static String print(Scenario s) {
        StringBuilder sb = new StringBuilder();
        if (!s.name().isEmpty()) {
            sb.append("name ").append(s.name()).append('\n');
        }
        sb.append("family ").append(s.family() == Family.INET ? "inet" : "inet6").append('\n');
        if (s.mptcp()) {
            sb.append("mptcp\n");
        }
        sb.append("program ").append(s.program().toText()).append('\n');
        if (s.enablePath() != EnablePath.NONE) {
            sb.append("enable-path ").append(s.enablePath().text()).append('\n');
        }
        if (!s.stream().isCounter()) {
            sb.append("stream ").append(s.stream().toText()).append('\n');
        }
        if (s.isn() != null) {
            sb.append("isn 0x").append(Integer.toHexString(s.isn())).append('\n');
        }
        for (Expectation e : s.expectations()) {
            sb.append(e.toText()).append('\n');
        }
        for (Step step : s.steps()) {
            sb.append(step.toText()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Reads a scenario.
     *
     * @throws ScenarioParseException at the first line that does not parse
     */
    public static Scenario parse(String text) {
        String name = "";
        Family family = Family.INET;
        boolean mptcp = false;
        ProgramSpec program = ProgramSpec.NONE;
        EnablePath enablePath = EnablePath.NONE;
        DataStream stream = DataStream.COUNTER;
        Integer isn = null;
        List<Step> steps = new ArrayList<>();
        List<Expectation> expectations = new ArrayList<>();
        Set<String> headersSeen = new HashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String raw = lines[i];
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            String keyword = words[0];
            boolean header = switch (keyword) {
                case "name", "family", "mptcp", "program", "enable-path", "stream", "isn", "expect" -> true;
                default -> false;
            };
            Line l = new Line(lineNo, line, header && (keyword.equals("name") || keyword.equals("expect"))
                    ? words : stripComment(line).split("\\s+"));
            if (header) {
                if (!steps.isEmpty()) {
                    throw l.error("header '" + keyword + "' after the first step; put every header before the steps");
                }
                if (!keyword.equals("expect") && !headersSeen.add(keyword)) {
                    throw l.error("header '" + keyword + "' given twice");
                }
            }
            try {
                switch (keyword) {
                    case "name" -> name = line.substring(4).strip();
                    case "family" -> {
                        l.arity(1, "'family inet' or 'family inet6'");
                        family = switch (l.word(1)) {
                            case "inet" -> Family.INET;
                            case "inet6" -> Family.INET6;
                            default -> throw l.error("expected 'inet' or 'inet6' after 'family'");
                        };
                    }
                    case "mptcp" -> {
                        l.arity(0, "'mptcp' alone");
                        mptcp = true;
                    }
                    case "program" -> program = parseProgram(l);
                    case "enable-path" -> {
                        l.arity(1, "'enable-path reference-bytecode' (or reference-java, none)");
                        enablePath = EnablePath.ofText(l.word(1));
                        if (enablePath == null) {
                            throw l.error("expected 'reference-bytecode', 'reference-java' or 'none' after 'enable-path'");
                        }
                    }
                    case "stream" -> stream = parseStream(l);
                    case "isn" -> {
                        l.arity(1, "'isn <u32>'");
                        isn = l.integer(1, "the initial sequence number");
                    }
                    case "expect" -> expectations.add(parseExpectation(l));
                    default -> steps.add(parseStep(l));
                }
            } catch (ScenarioParseException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw l.error(e.getMessage());
            }
        }
        try {
            return new Scenario(name, family, mptcp, program, enablePath, stream, isn, steps, expectations);
        } catch (IllegalArgumentException e) {
            throw new ScenarioParseException(lines.length, "(end of scenario)", e.getMessage());
        }
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash).strip();
    }

    private static ProgramSpec parseProgram(Line l) {
        if (l.words.length < 2) {
            throw l.error("expected a program after 'program': " + programNames());
        }
        ProgramChoice choice = ProgramChoice.ofText(l.word(1));
        if (choice == null) {
            throw l.error("unknown program '" + l.word(1) + "': expected one of " + programNames());
        }
        if (l.words.length - 2 != choice.arity()) {
            throw l.error("program " + choice.text() + " takes " + choice.arity() + " argument(s)"
                    + (choice.arity() > 0 ? ": " + choice.argsHelp() : "") + ", got " + (l.words.length - 2));
        }
        List<Integer> args = new ArrayList<>();
        for (int k = 0; k < choice.arity(); k++) {
            args.add(l.integer(2 + k, "argument " + (k + 1) + " of " + choice.text()));
        }
        return new ProgramSpec(choice, args);
    }

    private static String programNames() {
        return java.util.Arrays.stream(ProgramChoice.values())
                .map(c -> c.text() + (c.arity() > 0 ? " " + c.argsHelp() : "")).collect(Collectors.joining(", "));
    }

    private static DataStream parseStream(Line l) {
        if (l.words.length < 2) {
            throw l.error("expected 'counter' or 'frames <header>:<payload>[*<count>] ...' after 'stream'");
        }
        if (l.word(1).equals("counter")) {
            l.arity(1, "'stream counter'");
            return DataStream.COUNTER;
        }
        if (!l.word(1).equals("frames")) {
            throw l.error("expected 'counter' or 'frames' after 'stream', got '" + l.word(1) + "'");
        }
        if (l.words.length < 3) {
            throw l.error("expected at least one frame '<header_len>:<payload_len>' after 'stream frames'");
        }
        List<DataStream.Frame> frames = new ArrayList<>();
        for (int k = 2; k < l.words.length; k++) {
            String w = l.word(k);
            int count = 1;
            int star = w.indexOf('*');
            if (star >= 0) {
                count = parseCount(l, w.substring(star + 1), w);
                w = w.substring(0, star);
            }
            int colon = w.indexOf(':');
            if (colon < 0) {
                throw l.error("expected a frame '<header_len>:<payload_len>', got '" + l.word(k) + "'");
            }
            long h = parseU32(l, w.substring(0, colon), "header_len");
            long p = parseU32(l, w.substring(colon + 1), "payload_len");
            for (int c = 0; c < count; c++) {
                frames.add(new DataStream.Frame(h, p));
            }
        }
        return DataStream.frames(frames);
    }

    private static int parseCount(Line l, String s, String word) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 100_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw l.error("expected a repeat count 1..100000 after '*' in '" + word + "'");
    }

    private static long parseU32(Line l, String s, String what) {
        try {
            long v = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v >= 0 && v <= 0xFFFF_FFFFL) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw l.error("expected " + what + " as a u32 (0..4294967295), got '" + s + "'");
    }

    private static Expectation parseExpectation(Line l) {
        String usage = "expected 'expect <backend> step <n> <field> sim=<value> <backend>=<value> [onward] [sometimes]"
                + " because <reason>'";
        String[] w = l.words;
        if (w.length < 8 || !w[2].equals("step")) {
            throw l.error(usage);
        }
        String backend = w[1];
        int step;
        try {
            step = Integer.parseInt(w[3]);
        } catch (NumberFormatException e) {
            throw l.error("expected a step number after 'step', got '" + w[3] + "'");
        }
        String field = w[4];
        if (!w[5].startsWith("sim=")) {
            throw l.error("expected 'sim=<value>' after the field, got '" + w[5] + "'");
        }
        if (!w[6].startsWith(backend + "=")) {
            throw l.error("expected '" + backend + "=<value>' after the simulator's value, got '" + w[6] + "'");
        }
        int k = 7;
        boolean onward = false;
        boolean sometimes = false;
        if (k < w.length && w[k].equals("onward")) {
            onward = true;
            k++;
        }
        if (k < w.length && w[k].equals("sometimes")) {
            sometimes = true;
            k++;
        }
        if (k >= w.length || !w[k].equals("because") || k + 1 >= w.length) {
            throw l.error("expected '[onward] [sometimes] because <reason>' after the values, got '"
                    + (k < w.length ? w[k] : "(end of line)") + "'");
        }
        int at = l.text.indexOf(" because ");
        String reason = l.text.substring(at + " because ".length()).strip();
        return new Expectation(backend, step, field, w[5].substring(4), w[6].substring(backend.length() + 1), onward,
                sometimes, reason);
    }

    private static Step parseStep(Line l) {
        switch (l.word(0)) {
            case "send" -> {
                l.arity(1, "'send <cut>,<cut>,...' (segment lengths)");
                return Step.Send.segments(l.ints(1, "segment lengths"));
            }
            case "write" -> {
                l.arity(1, "'write <bytes>'");
                return Step.Send.write(l.integer(1, "the number of bytes"));
            }
            case "send-ooo" -> {
                if (l.words.length != 4 || !l.word(2).equals("order")) {
                    throw l.error("expected 'send-ooo <cut>,<cut>,... order <index>,<index>,...'");
                }
                return new Step.SendOutOfOrder(l.ints(1, "segment lengths"), l.ints(3, "the delivery order"));
            }
            case "recv" -> {
                if (l.words.length < 3) {
                    throw l.error("expected 'recv <length> nonblock' or 'recv <length> block <timeout-ms>'");
                }
                int len = l.integer(1, "the recv length");
                if (l.word(2).equals("nonblock") && l.words.length == 3) {
                    return Step.Recv.nonBlocking(len);
                }
                if (l.word(2).equals("block") && l.words.length == 4) {
                    return Step.Recv.blocking(len, l.integer(3, "the timeout in ms"));
                }
                throw l.error("expected 'nonblock' or 'block <timeout-ms>' after the length");
            }
            case "rcvlowat" -> {
                l.arity(1, "'rcvlowat <value>'");
                return new Step.SetRcvlowat(l.integer(1, "the SO_RCVLOWAT value"));
            }
            case "rcvbuf" -> {
                l.arity(1, "'rcvbuf <value>'");
                return new Step.SetRcvbuf(l.integer(1, "the SO_RCVBUF value"));
            }
            case "enable" -> {
                l.arity(1, "'enable <value>'");
                return new Step.Enable(l.integer(1, "the enable value"));
            }
            case "flags" -> {
                l.arity(1, "'flags <value>'");
                return new Step.SetFlags(l.integer(1, "the flag word"));
            }
            case "sockmap" -> {
                l.arity(1, "'sockmap add' or 'sockmap remove'");
                return switch (l.word(1)) {
                    case "add" -> new Step.AddToSockmap();
                    case "remove" -> new Step.RemoveFromSockmap();
                    default -> throw l.error("expected 'add' or 'remove' after 'sockmap'");
                };
            }
            case "shutdown" -> {
                l.arity(1, "'shutdown rd|wr|rdwr'");
                return new Step.ShutdownStep(switch (l.word(1)) {
                    case "rd" -> Shutdown.READ;
                    case "wr" -> Shutdown.WRITE;
                    case "rdwr" -> Shutdown.BOTH;
                    default -> throw l.error("expected 'rd', 'wr' or 'rdwr' after 'shutdown'");
                });
            }
            case "peer-shutdown" -> {
                l.arity(0, "'peer-shutdown' alone");
                return new Step.PeerShutdown();
            }
            case "peer-getsockopt" -> {
                l.arity(1, "'peer-getsockopt rcvlowat' or 'peer-getsockopt rcvbuf'");
                return switch (l.word(1)) {
                    case "rcvlowat" -> new Step.PeerGetsockopt(false);
                    case "rcvbuf" -> new Step.PeerGetsockopt(true);
                    default -> throw l.error("expected 'rcvlowat' or 'rcvbuf' after 'peer-getsockopt'");
                };
            }
            default -> throw l.error(STEPS_HELP + ", got '" + l.word(0) + "'");
        }
    }

    /** {@code 1,2,3}. */
    static String joinInts(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Parses a 32-bit integer: decimal (signed) or {@code 0x} hex up to 32 bits; {@code null} if not one. */
    static Integer parseInt(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                long v = Long.parseLong(s.substring(2), 16);
                return v >= 0 && v <= 0xFFFF_FFFFL ? (int) v : null;
            }
            if (s.startsWith("-0x")) {
                long v = -Long.parseLong(s.substring(3), 16);
                return v >= Integer.MIN_VALUE ? (int) v : null;
            }
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A line being parsed. */
    private record Line(int number, String text, String[] words) {
        String word(int i) {
            return words[i];
        }

        void arity(int n, String usage) {
            if (words.length != n + 1) {
                throw error("expected " + usage);
            }
        }

        int integer(int i, String what) {
            Integer v = parseInt(words[i]);
            if (v == null) {
                throw error("expected " + what + " as a 32-bit integer (decimal or 0x hex), got '" + words[i] + "'");
            }
            return v;
        }

        List<Integer> ints(int i, String what) {
            List<Integer> out = new ArrayList<>();
            for (String part : words[i].split(",", -1)) {
                Integer v = parseInt(part);
                if (v == null) {
                    throw error("expected " + what + " as comma-separated integers, got '" + words[i] + "'");
                }
                out.add(v);
            }
            return out;
        }

        ScenarioParseException error(String expected) {
            return new ScenarioParseException(number, text, expected);
        }
    }
}
