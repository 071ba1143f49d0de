package dev.autolowat.conformance.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every subcommand and every option of {@code autolowat}, given bad values: exit code 2, exactly one
 * line on stderr, no stack trace, and nothing on stdout (the values are checked before any work).
 *
 * <p><b>Adding a subcommand or an option:</b> add its rows to {@link #BAD}: the option (as declared)
 * and the arguments after the subcommand's name, {@code {file}} standing for an existing regular file
 * and {@code {dir}} for an existing directory. {@link #everyOptionHasARow} fails, naming the missing
 * rows, until every option of every subcommand has at least one.
 */
class BadValuesTest {

    /** One bad use of {@code option}: the subcommand, the option it exercises, the arguments after the subcommand. */
    record Bad(String command, String option, String... args) {
        @Override
        public String toString() {
            return "autolowat " + command + " " + String.join(" ", args);
        }
    }

    private static Bad bad(String command, String option, String... args) {
        return new Bad(command, option, args);
    }

    /** The table: one row per bad use; every option of every subcommand appears at least once. */
    static final List<Bad> BAD = List.of(
            // report
            bad("report", "--backends", "--backends", "nosuch"),
            bad("report", "--backends", "--backends", "sim+no_such_fault"),
            bad("report", "--rules", "--rules", "Z9"),
            bad("report", "--rules", "--rules"),
            bad("report", "--tries", "--tries", "abc"),
            bad("report", "--tries", "--tries", "-1"),
            bad("report", "--tries", "--tries", "1000001"),
            bad("report", "--seed", "--seed", "0x1g"),
            bad("report", "--output-dir", "--output-dir", "/proc/autolowat-no-such-dir"),
            bad("report", "--output-dir", "--output-dir", "{file}"),
            bad("report", "--output-dir", "--output-dir", "{file}/sub"),
            bad("report", "--quiet", "--quiet=maybe"),
            bad("report", "--policy", "--policy", "/proc/autolowat-no-such-object.o"),       // missing file
            bad("report", "--policy", "--policy", "{file}"),                                 // not an ELF file
            bad("report", "--policy", "--policy", "/proc/self/exe"),                         // an ELF, not BPF
            bad("report", "--policy", "--policy", "src/test/resources/objects/sk_msg_only.o"), // no sockops program
            bad("report", "--policy", "--policy", "../examples/bpf/autolowat_policy.o", "--rules", "F1"), // no policy rule
            bad("report", "--help", "--help=yes"),
            bad("report", "--version", "--version=2"),
            // probe
            bad("probe", "--json", "--json=3"),
            bad("probe", "--verbose", "--verbose=x"),
            bad("probe", "--verbose", "-v=x"),
            bad("probe", "--help", "--help=yes"),
            bad("probe", "--version", "--version=2"),
            // demo
            bad("demo", "--frames", "--frames", "0"),
            bad("demo", "--frames", "--frames", "-3"),
            bad("demo", "--frames", "--frames", "ten"),
            bad("demo", "--frames", "--frames", "10000001"),
            bad("demo", "--frame-size", "--frame-size", "4"),
            bad("demo", "--frame-size", "--frame-size", "16777217"),
            bad("demo", "--frame-size", "--frame-size", "1.5"),
            bad("demo", "--segments", "--segments", "0"),
            bad("demo", "--segments", "--segments", "259"),
            bad("demo", "--family", "--family", "inet9"),
            bad("demo", "--family", "--family", ""),
            bad("demo", "--policy", "--policy", "/proc/autolowat-no-such-object.o"),
            bad("demo", "--policy", "--policy", "{file}"),                  // not an ELF file
            bad("demo", "--policy", "--policy", "src/test/resources/objects/sk_msg_only.o"), // no sockops program
            bad("demo", "--help", "--help=yes"),
            bad("demo", "--version", "--version=2"),
            // perf
            bad("perf", "--frames", "--frames", "-3"),
            bad("perf", "--frames", "--frames", "0"),
            bad("perf", "--frames", "--frames", "10001"),
            bad("perf", "--frames", "--frames", "x"),
            bad("perf", "--svg", "--svg", "/proc/x.svg"),
            bad("perf", "--svg", "--svg", "{dir}"),
            bad("perf", "--svg", "--svg", "{file}/x.svg"),
            bad("perf", "--update-docs", "--update-docs"),      // not run from a repository root
            bad("perf", "--update-docs", "--update-docs", "--svg", "x.svg"),
            bad("perf", "--no-native", "--no-native=perhaps"),
            bad("perf", "--help", "--help=yes"),
            bad("perf", "--version", "--version=2"),
            // trace
            bad("trace", "FILE.json", "/proc/autolowat-no-such-trace.json"),
            bad("trace", "FILE.json", "{dir}"),
            bad("trace", "FILE.json", "{file}"),                      // not JSON
            bad("trace", "--policy", "../spec/selftest-traces.json", "--policy", "lisp"),
            bad("trace", "--backend", "../spec/selftest-traces.json", "--backend", "vax"),
            bad("trace", "--mode", "../spec/selftest-traces.json", "--mode", "warp"),
            bad("trace", "--mode", "../spec/selftest-traces.json", "--policy", "java", "--mode", "jit"),
            bad("trace", "--case", "../spec/selftest-traces.json", "--case", "no_such_case"),
            bad("trace", "--family", "../spec/selftest-traces.json", "--family", "inet9"),
            bad("trace", "--help", "--help=yes"),
            bad("trace", "--version", "--version=2"),
            // objdump
            bad("objdump", "FILE.o", "/proc/autolowat-no-such-object.o"),
            bad("objdump", "FILE.o", "{file}"),                       // not an ELF file
            bad("objdump", "FILE.o", "{dir}"),
            bad("objdump", "--program", "../examples/bpf/autolowat_policy.o", "--program", "no_such_program"),
            bad("objdump", "--no-source", "../examples/bpf/autolowat_policy.o", "--no-source=perhaps"),
            bad("objdump", "--load-and-pin", "../examples/bpf/feature_subprog.o", "--load-and-pin", "{file}"),
            bad("objdump", "--load-and-pin", "../examples/bpf/feature_subprog.o", "--load-and-pin", "/proc/autolowat-no-dir"),
            bad("objdump", "--help", "--help=yes"),
            bad("objdump", "--version", "--version=2"),
            // vm-run (the bpf_conformance plugin: MEMORY as an argument, the program as hex)
            bad("vm-run", "MEMORY", "zz", "--program", "95 00 00 00 00 00 00 00"),
            bad("vm-run", "--jit", "--jit", "--interpret", "--program", "95 00 00 00 00 00 00 00"),
            bad("vm-run", "--interpret", "--interpret=sometimes"),
            bad("vm-run", "--program", "--program", "b7 0"),
            bad("vm-run", "--program", "--program", "95 00 00"),       // not whole instructions
            bad("vm-run", "--elf", "--elf", "--program", "95 00 00 00 00 00 00 00"),
            bad("vm-run", "--verbose", "--verbose=x"),
            bad("vm-run", "--help", "--help=yes"),
            bad("vm-run", "--version", "--version=2"));

    /** Commands run with no subcommand: an unknown subcommand or option of the root command. */
    static final List<String[]> BAD_ROOT = List.of(new String[] {"nosuch"}, new String[] {"--no-such-option"});

    @TempDir
    static Path tmp;

    private static String[] argv(Bad b) throws IOException {
        Path file = tmp.resolve("a-regular-file");
        if (!Files.exists(file)) {
            Files.writeString(file, "x");
        }
        List<String> argv = new ArrayList<>();
        argv.add(b.command());
        for (String a : b.args()) {
            argv.add(a.replace("{file}", file.toString()).replace("{dir}", tmp.toString()));
        }
        return argv.toArray(String[]::new);
    }

    private static void assertOneLineError(CliRun r, String what) {
        assertEquals(2, r.exit(), what + ": exit code\n" + r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), what + ": one line on stderr, got\n" + r.err());
        assertTrue(lines.get(0).startsWith("autolowat"), what + ": names the command: " + lines.get(0));
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), what + ": no stack trace: " + r.err());
        assertEquals("", r.out(), what + ": nothing ran, no usage printed");
    }

    @TestFactory
    @DisplayName("every subcommand and option with a bad value: exit code 2, one line on stderr, no stack trace, no work done")
    Stream<DynamicTest> badValues() {
        Stream<DynamicTest> rows = BAD.stream().map(b -> DynamicTest.dynamicTest(b.toString(), () ->
                assertOneLineError(CliRun.of(argv(b)), b.toString())));
        Stream<DynamicTest> unknownOptions = subcommands().keySet().stream().map(name ->
                DynamicTest.dynamicTest("autolowat " + name + " --no-such-option", () ->
                        assertOneLineError(CliRun.of(name, "--no-such-option"), name + " --no-such-option")));
        Stream<DynamicTest> root = BAD_ROOT.stream().map(args -> DynamicTest.dynamicTest("autolowat "
                + String.join(" ", args), () -> assertOneLineError(CliRun.of(args), String.join(" ", args))));
        return Stream.of(rows, unknownOptions, root).flatMap(s -> s);
    }

    private static Map<String, CommandLine> subcommands() {
        return AutoLowatCli.commandLine().getSubcommands();
    }

    @Test
    @DisplayName("the table covers every option of every subcommand (a new subcommand or option needs its rows)")
    void everyOptionHasARow() {
        List<String> missing = new ArrayList<>();
        subcommands().forEach((name, cmd) -> {
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                boolean covered = BAD.stream().anyMatch(b -> b.command().equals(name)
                        && List.of(o.names()).contains(b.option()));
                if (!covered) {
                    missing.add(name + " " + o.longestName());
                }
            }
        });
        assertTrue(missing.isEmpty(), "add rows to BadValuesTest.BAD for: " + missing);
    }

    @Test
    @DisplayName("enum values are case-insensitive on every command: demo --family inet6, INET6 and Inet6")
    void enumsIgnoreCase() {
        for (String family : List.of("inet6", "INET6", "Inet6")) {
            CliRun r = CliRun.of("demo", "--frames", "10", "--family", family);
            assertEquals(0, r.exit(), family + ": " + r.err());
            assertTrue(r.out().contains("INET6"), r.out());
        }
    }
}
