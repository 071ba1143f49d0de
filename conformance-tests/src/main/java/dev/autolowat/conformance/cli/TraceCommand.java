package dev.autolowat.conformance.cli;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.ExecutionMode;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.SessionOption;
import dev.autolowat.testkit.trace.TraceCase;
import dev.autolowat.testkit.trace.TraceFile;
import dev.autolowat.testkit.trace.TraceFormatException;
import dev.autolowat.testkit.trace.TraceRunner;
import dev.autolowat.conformance.scenario.Backends;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code autolowat trace FILE.json}: runs the cases of a trace file (the series' selftest format,
 * extended: docs/traces.md) on one backend with one form of the reference policy, and prints PASS,
 * FAIL with a step-by-step diff, or NOT SUPPORTED with the backend's reason for every case and family.
 * Exit code: 0 every trace passed, 1 a trace failed, 2 a bad file or bad options (one line on stderr),
 * 3 nothing failed but some traces could not run (e.g. "not supported by this kernel") — never 0 then.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Run the trace cases of FILE.json (the AutoLOWAT selftest format, extended) against a backend "
                + "and a form of the reference policy; print PASS, FAIL with a step-by-step diff, or NOT SUPPORTED "
                + "with the reason, for every case and address family."},
        footer = {"",
                "Exit codes:",
                "  0 all passed, 1 a trace failed, 2 bad file or options (one line on",
                "  stderr), 3 some traces not supported (e.g. a kernel without the series)",
                "  and none failed.",
                "",
                "File format (docs/traces.md):",
                "  {\"about\": \"...\",",
                "   \"cases\": [{\"name\": \"...\", \"families\": [\"inet\", \"inet6\"],",
                "               \"frames\": [[header_len, payload_len], [h, p, count]],",
                "               \"steps\": [{...}, ...]}]}",
                "  frames: the A1 frames the peer sends: an 8-byte little-endian",
                "    descriptor {u32 header_len, u32 payload_len}, then header_len +",
                "    payload_len zero bytes. Both are u32 (0..4294967295): frames of",
                "    2 GiB and more can be written. A third number repeats the frame.",
                "    Past the last frame the stream is zero bytes. families: both if",
                "    absent.",
                "  steps, in order, on the accepted socket; \"result\": n overrides the",
                "  value a call must return:",
                "    {\"autolowat\": 1}       setsockopt(0xdeadbeef, 0x8badf00d, 1) (A2),",
                "                           must return 0",
                "    {\"send\": 58}           the peer sends the next 58 bytes, one segment",
                "    {\"send\": [3, 5]}       ... one segment per number",
                "    {\"fin\": true}          the peer's shutdown(SHUT_WR): its FIN",
                "    {\"rcvbuf\": 65536}      setsockopt(SO_RCVBUF) (locks the buffer)",
                "    {\"set_rcvlowat\": 100}  setsockopt(SO_RCVLOWAT)",
                "    {\"recv\": 258}          blocking recv(258), 100 ms timeout, must",
                "                           return 258; also \"nonblock\": true,",
                "                           \"timeout_ms\": n, \"result\": n (0 = end of",
                "                           stream, -11 = EAGAIN)",
                "    {\"epoll\": 1}           level-triggered epoll_wait: readable (0: not)",
                "    {\"readable\": true}     the same, as a boolean",
                "    {\"rcvlowat\": 258}      getsockopt(SO_RCVLOWAT) is 258",
                "    {\"rcvq_flag\": 1}       the RCVQ bit (0x80) of the flag word is set",
                "    {\"wakeups\": 2}         edge-triggered wakeups since connect (H3)",
                "  \"about\" and \"comment\" strings may annotate the file, a case or a",
                "  step; any other unknown member is an error. spec/selftest-traces.json",
                "  is a trace file as it is.",
                "",
                "Examples:",
                "  autolowat trace spec/selftest-traces.json",
                "  autolowat trace my.json --policy java       (simulator only)",
                "  autolowat trace my.json --mode interpreter",
                "  autolowat trace my.json --backend native    (a kernel with the series)"})
public final class TraceCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.json", description = "The trace file.")
    Path file;

    @Option(names = "--policy", paramLabel = "java|bytecode", defaultValue = "bytecode",
            description = "The reference policy as the Java handler (simulator only) or as bytecode "
                    + "(FramingPolicy.REFERENCE_RPC; default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--backend", paramLabel = "sim|native", defaultValue = "sim",
            description = "Where to run: the simulator or this machine's kernel (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--mode", paramLabel = "jit|interpreter",
            description = "How the simulator's VM runs bytecode: translated to JVM bytecode or interpreted "
                    + "(default: jit; simulator and bytecode only).")
    String mode;

    @Option(names = "--case", paramLabel = "NAME", split = ",", description = "Run only these cases (by name).")
    List<String> caseNames;

    @Option(names = "--family", paramLabel = "inet|inet6",
            description = "Run only over this family (default: each case's families).")
    String family;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Backend chosen;
        Policy chosenPolicy;
        ExecutionMode vmMode;
        Family onlyFamily;
        TraceFile traces;
        List<TraceCase> selected;
        try {
            chosen = backend(backend);
            chosenPolicy = policy(policy, chosen);
            vmMode = mode(mode, chosen, chosenPolicy);
            onlyFamily = family(family);
            traces = TraceFile.read(file);
            selected = select(traces, caseNames);
        } catch (IllegalArgumentException | TraceFormatException | UncheckedIOException e) {
            throw CliErrors.bad(spec, e.getMessage());
        }
        String where = chosen.name() + (vmMode != null ? ", VM " + vmMode.name().toLowerCase(Locale.ROOT) : "");
        int passed = 0;
        int failed = 0;
        int unsupported = 0;
        for (TraceCase c : selected) {
            for (Family f : c.families()) {
                if (onlyFamily != null && f != onlyFamily) {
                    continue;
                }
                TraceRunner.Result r = TraceRunner.run(c, f, chosen, chosenPolicy, session -> {
                    if (vmMode != null) {
                        session.setOption(SessionOption.EXECUTION_MODE, vmMode);
                    }
                });
                r = new TraceRunner.Result(r.trace(), r.family(), where, r.policy(), r.status(), r.reason(), r.steps());
                out.println(r.describe());
                out.flush();
                switch (r.status()) {
                    case PASSED -> passed++;
                    case FAILED -> failed++;
                    case NOT_SUPPORTED -> unsupported++;
                }
            }
        }
        int total = passed + failed + unsupported;
        out.printf("%d trace%s of %s: %d passed, %d failed, %d not supported%n", total, total == 1 ? "" : "s",
                file, passed, failed, unsupported);
        out.flush();
        if (failed > 0) {
            return 1;
        }
        return unsupported > 0 ? 3 : 0;
    }

    /** Whether {@code b} lets a session choose how bytecode runs ({@link SessionOption#EXECUTION_MODE}: the simulator's VM). */
    private static boolean choosesExecutionMode(Backend b) {
        return b.supportedOptions().contains(SessionOption.EXECUTION_MODE);
    }

    static Backend backend(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        List<Backend> found = Backends.discover();
        return found.stream().filter(b -> b.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown backend '" + name + "'; backends: "
                        + found.stream().map(Backend::name).collect(Collectors.joining(", "))));
    }

    static Policy policy(String name, Backend b) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "java" -> {
                if (!b.capabilities().javaHandlers()) {
                    throw new IllegalArgumentException("--policy java: the Java handler runs only in the simulator; "
                            + "use --policy bytecode with --backend " + b.name());
                }
                yield ReferenceAutoLowat.policy();
            }
            case "bytecode" -> FramingPolicy.REFERENCE_RPC.compile();
            default -> throw new IllegalArgumentException("unknown --policy '" + name + "'; policies: java, bytecode");
        };
    }

    static ExecutionMode mode(String name, Backend b, Policy p) {
        boolean javaHandler = p.sockOps() instanceof dev.autolowat.api.program.SockOpsProgram.Handler;
        if (name == null) {
            return choosesExecutionMode(b) && !javaHandler ? ExecutionMode.JIT : null;
        }
        ExecutionMode m = switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "jit" -> ExecutionMode.JIT;
            case "interpreter" -> ExecutionMode.INTERPRETER;
            default -> throw new IllegalArgumentException("unknown --mode '" + name + "'; modes: jit, interpreter");
        };
        if (!choosesExecutionMode(b)) {
            throw new IllegalArgumentException("--mode is how the simulator's VM runs bytecode; backend " + b.name()
                    + " runs it in the kernel");
        }
        if (javaHandler) {
            throw new IllegalArgumentException("--mode applies to bytecode; --policy java runs a Java handler");
        }
        return m;
    }

    static Family family(String name) {
        if (name == null) {
            return null;
        }
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "inet" -> Family.INET;
            case "inet6" -> Family.INET6;
            default -> throw new IllegalArgumentException("unknown --family '" + name + "'; families: inet, inet6");
        };
    }

    static List<TraceCase> select(TraceFile f, List<String> names) {
        if (names == null || names.isEmpty()) {
            return f.cases();
        }
        List<TraceCase> out = new ArrayList<>();
        for (String n : names) {
            TraceCase c = f.find(n.strip());
            if (c == null) {
                throw new IllegalArgumentException("no case '" + n + "' in " + f.source() + "; cases: "
                        + f.cases().stream().map(TraceCase::name).collect(Collectors.joining(", ")));
            }
            out.add(c);
        }
        return out;
    }
}
