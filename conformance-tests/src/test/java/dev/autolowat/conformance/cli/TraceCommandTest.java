package dev.autolowat.conformance.cli;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.conformance.scenario.Backends;
import dev.autolowat.conformance.scenario.SelftestCases;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code autolowat trace}: trace files (A6's format, extended) from the command line. */
class TraceCommandTest {
    @TempDir
    Path dir;

    static String selftestFile() {
        Path f = SelftestCases.traceFile();
        assertNotNull(f, "spec/selftest-traces.json");
        return f.toString();
    }

    Path seriesProgramFile() throws IOException {
        Path f = dir.resolve("a6-series-program.json");
        try (InputStream in = SelftestCases.class.getResourceAsStream(SelftestCases.SERIES_PROGRAM_RESOURCE)) {
            Files.write(f, in.readAllBytes());
        }
        return f;
    }

    @ParameterizedTest(name = "--policy {0} --mode {1}")
    @CsvSource({"bytecode, jit", "bytecode, interpreter", "java, ''"})
    @DisplayName("A6: 'autolowat trace spec/selftest-traces.json' passes: 4 cases x 2 families, every form")
    void selftestPasses(String policy, String mode) {
        CliRun r = mode == null || mode.isEmpty() ? CliRun.of("trace", selftestFile(), "--policy", policy)
                : CliRun.of("trace", selftestFile(), "--policy", policy, "--mode", mode);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("PASS descriptor-split-across-segments over inet6"), r.out());
        assertTrue(r.out().contains("8 traces of") && r.out().contains(": 8 passed, 0 failed, 0 not supported"), r.out());
    }

    @ParameterizedTest(name = "--policy {0} --mode {1}")
    @CsvSource({"bytecode, jit", "bytecode, interpreter", "java, ''"})
    @DisplayName("A3/A5 (issue 12): the series-program cases pass on the simulator, every form")
    void seriesProgramCasesPass(String policy, String mode) throws IOException {
        String f = seriesProgramFile().toString();
        CliRun r = mode == null || mode.isEmpty() ? CliRun.of("trace", f, "--policy", policy)
                : CliRun.of("trace", f, "--policy", policy, "--mode", mode);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("PASS bare-fin-while-descriptor-complete over inet "), r.out());
        assertTrue(r.out().contains("PASS walk-101-frames-and-complete-descriptor over inet6 "), r.out());
    }

    @Test
    @DisplayName("a wrong expectation fails with a readable step-by-step diff and exit code 1")
    void wrongExpectationFails() throws IOException {
        Path f = dir.resolve("wrong.json");
        Files.writeString(f, """
                {"cases": [{"name": "expects-the-old-reading", "families": ["inet"], "frames": [[100, 150]],
                  "steps": [{"autolowat": 1}, {"send": 58}, {"fin": true},
                            {"rcvq_flag": 0}, {"rcvlowat": 1}]}]}
                """);
        CliRun r = CliRun.of("trace", f.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("FAIL expects-the-old-reading over inet (sim, VM jit, autolowat (bytecode))"), out);
        assertTrue(out.matches("(?s).*step +what +expected +actual.*"), out);
        assertTrue(out.matches("(?s).*>> 3 +\\{\"rcvq_flag\": 0} +0 +1 \\(flags 0x80\\) +\\(line 3\\).*"), out);
        assertTrue(out.matches("(?s).*>> 4 +\\{\"rcvlowat\": 1} +1 +258 .*"), out);
        assertTrue(out.matches("(?s).*\n +2 +\\{\"fin\": true} +0 +0\n.*"), "agreeing steps are shown unmarked: " + out);
        assertTrue(out.contains("1 trace of " + f + ": 0 passed, 1 failed, 0 not supported"), out);
    }

    @Test
    @DisplayName("A1/A5: u32 frame lengths in a trace: u32-max fields and a 2 GiB frame disable")
    void u32Lengths() throws IOException {
        Path f = dir.resolve("u32.json");
        Files.writeString(f, """
                {"cases": [
                  {"name": "u32-max", "frames": [[4294967295, 4294967295]],
                   "steps": [{"autolowat": 1}, {"send": 8}, {"rcvq_flag": 0}, {"rcvlowat": 1}]},
                  {"name": "two-gib", "frames": [[0, 2147483648]],
                   "steps": [{"autolowat": 1}, {"send": [3, 5]}, {"rcvq_flag": 0}]}]}
                """);
        CliRun r = CliRun.of("trace", f.toString(), "--mode", "interpreter");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("4 passed"), r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad JSON         | {\"cases\": [ | not valid JSON: unexpected end of file, expected a value",
        "unknown step     | {\"cases\": [{\"name\": \"c\", \"frames\": [], \"steps\": [{\"recieve\": 3}]}]} | case \"c\": step 0: unknown step \"recieve\"",
        "negative length  | {\"cases\": [{\"name\": \"c\", \"frames\": [[0, -1]], \"steps\": []}]} | case \"c\": payload_len is a u32 (0 to 4294967295), got -1",
    })
    @DisplayName("a problem in the file: one line on stderr naming file, line, column and problem; exit code 2")
    void badFile(String what, String json, String problem) throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, json.strip());
        CliRun r = CliRun.of("trace", f.toString());
        assertEquals(2, r.exit(), what + ": " + r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("autolowat trace: " + f + ":1:"), r.err());
        assertTrue(r.err().contains(problem.strip()), r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no such file       | missing.json --policy bytecode  | missing.json:0:0: no such file",
        "unknown policy     | SELFTEST --policy python        | unknown --policy 'python'; policies: java, bytecode",
        "unknown mode       | SELFTEST --mode fast            | unknown --mode 'fast'; modes: jit, interpreter",
        "java on native     | SELFTEST --policy java --backend native | --policy java: the Java handler runs only in the simulator",
        "mode with java     | SELFTEST --policy java --mode jit | --mode applies to bytecode",
        "unknown backend    | SELFTEST --backend qemu         | unknown backend 'qemu'; backends:",
        "unknown case       | SELFTEST --case nope            | no case 'nope' in",
    })
    @DisplayName("bad options: one line on stderr, exit code 2")
    void badOptions(String what, String args, String message) {
        String[] a = ("trace " + args.strip().replace("SELFTEST", selftestFile())).split(" +");
        CliRun r = CliRun.of(a);
        assertEquals(2, r.exit(), what + ": " + r.out() + r.err());
        assertTrue(r.err().contains(message.strip()), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    @DisplayName("A6 on native: 'not supported by this kernel' (or the backend's reason) without the series, never a pass")
    void nativeWithoutSeriesIsNotSupported() {
        Backend nat = Backends.discover().stream().filter(b -> b.name().equals("native")).findFirst().orElseThrow();
        CliRun r = CliRun.of("trace", selftestFile(), "--backend", "native");
        if (nat.capabilities().kernelHasSeries() && nat.capabilities().supports(dev.autolowat.api.Rule.A6)) {
            assertEquals(0, r.exit(), "a kernel with the series runs the selftest: " + r.out() + r.err());
            return;
        }
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("NOT SUPPORTED one-frame-in-one-segment over inet (native"), r.out());
        String reason = nat.capabilities().reason(dev.autolowat.api.Rule.A6);
        assertTrue(reason.startsWith("not supported by this kernel") || reason.startsWith("requires root")
                || reason.startsWith("not supported by this machine"), reason);
        assertTrue(r.out().contains(reason), r.out());
        assertTrue(r.out().contains("0 passed, 0 failed, 8 not supported"), r.out());
    }

    @Test
    @DisplayName("--help documents the file format and the exit codes")
    void helpDocumentsTheFormat() {
        CliRun r = CliRun.of("trace", "--help");
        assertEquals(0, r.exit());
        for (String s : new String[] {"FILE.json", "--policy", "--backend", "--mode", "File format", "\"frames\"",
                "{\"fin\": true}", "{\"rcvq_flag\": 1}", "{\"wakeups\": 2}", "\"result\"", "u32", "4294967295",
                "Exit codes:", "0 all passed, 1 a trace failed, 2 bad file or options", "3 some traces not supported"}) {
            assertTrue(r.out().contains(s), "--help lacks '" + s + "':\n" + r.out());
        }
        assertTrue(CliRun.of("--help").out().contains("trace"), "the trace command is listed");
    }
}
