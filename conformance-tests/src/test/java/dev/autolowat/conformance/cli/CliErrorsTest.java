package dev.autolowat.conformance.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CliErrors}: what a command inherits for the exceptions its {@code call()} throws. */
class CliErrorsTest {

    /** A command that throws what it is given. */
    @Command(name = "throws")
    static final class Thrower implements Callable<Integer> {
        final Exception toThrow;

        Thrower(Exception toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public Integer call() throws Exception {
            throw toThrow;
        }
    }

    private static CliRun run(Exception e) {
        CliErrors errors = CliErrors.instance();
        CommandLine cli = new CommandLine(new Thrower(e)).setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute();
        return new CliRun(exit, out.toString(), err.toString());
    }

    @Test
    @DisplayName("a value the SDK refused (IllegalArgumentException): exit 2, its message on one line, no stack trace")
    void refusedValue() {
        CliRun r = run(new IllegalArgumentException("trace.json line 3:\n  'x' is not a step"));
        assertEquals(2, r.exit());
        assertEquals("throws: trace.json line 3: 'x' is not a step\n", r.err().replace("\r", ""));
    }

    @Test
    @DisplayName("an I/O error: exit 1 and the system's reason with the file, no stack trace")
    void ioError() {
        CliRun missing = run(new NoSuchFileException("/x/y"));
        assertEquals(1, missing.exit());
        assertEquals("throws: /x/y: No such file or directory", missing.err().strip());
        CliRun denied = run(new AccessDeniedException("/root/z"));
        assertEquals("throws: /root/z: Permission denied", denied.err().strip());
        CliRun other = run(new IOException("disk full"));
        assertEquals("throws: disk full", other.err().strip());
    }

    @Test
    @DisplayName("a bug (any other exception): exit 1, 'internal error' and the stack trace for the report")
    void bug() {
        CliRun r = run(new IllegalStateException("boom"));
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("throws: internal error: java.lang.IllegalStateException: boom"), r.err());
        assertTrue(r.err().contains("\tat "), "the stack trace: " + r.err());
        assertFalse(r.out().contains("boom"));
    }
}
