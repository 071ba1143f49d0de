package dev.autolowat.conformance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * How every {@code autolowat} command reports a mistake: one line on stderr,
 * {@code autolowat <command>: <what is wrong>}, exit code 2, the usage only with {@code --help} and
 * never a stack trace. Installed once on the root {@link CommandLine} by {@link AutoLowatCli#commandLine()},
 * so that every subcommand inherits it (a new subcommand needs nothing but to throw
 * {@link ParameterException} — e.g. through {@link #bad} — for a bad value, also from inside
 * {@code call()}).
 *
 * <p>Exit codes: 0 success, 1 the job ran and found a failure (e.g. a check differs), 2 a user
 * mistake (an unparsable or out-of-range value, an unknown option, an unusable path, or a value the
 * SDK refused with an {@link IllegalArgumentException}), 3 an environment that prevents the job
 * (e.g. no privilege to probe anything). An I/O error nobody foresaw prints its reason and exits 1.
 * Any other exception — a bug, not a mistake — prints its one-line message, then its stack trace,
 * and exits 1.
 */
public final class CliErrors implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
    /** A user mistake: bad option values, unusable paths. */
    public static final int USAGE = 2;
    /** The environment prevents the job (e.g. nothing could be probed without privileges). */
    public static final int ENVIRONMENT = 3;
    /** {@code -Dautolowat.stacktrace=true}: print the stack trace of a refused value too. */
    public static final String STACKTRACE_PROPERTY = "autolowat.stacktrace";

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        printLine(cmd, message(ex));
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (ex instanceof ParameterException pe) {
            printLine(pe.getCommandLine(), message(pe));
            return USAGE;
        }
        if (ex instanceof IllegalArgumentException) {
            // A value the SDK refused (its checks throw IllegalArgumentException with a message that
            // names the value, e.g. a scenario file's parse error): a mistake, not a bug.
            printLine(cmd, ex.getMessage() == null ? String.valueOf(ex) : ex.getMessage());
            if (Boolean.getBoolean(STACKTRACE_PROPERTY)) {
                ex.printStackTrace(cmd.getErr());
                cmd.getErr().flush();
            }
            return USAGE;
        }
        if (ex instanceof UncheckedIOException u) {
            // An I/O error the command did not foresee: the reason, not the trace (e.g. a disk filled up).
            printLine(cmd, reason(u.getCause()));
            return 1;
        }
        if (ex instanceof IOException io) {
            printLine(cmd, reason(io));
            return 1;
        }
        // A bug: say so in one line, then give the trace to whoever reports it.
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + "internal error: " + oneLine(String.valueOf(ex)));
        ex.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** {@code autolowat report: } — the command's qualified name. */
    static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    private static void printLine(CommandLine cmd, String message) {
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + oneLine(message));
        err.flush();
    }

    private static String message(ParameterException ex) {
        String m = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        if (ex instanceof CommandLine.UnmatchedArgumentException || ex instanceof CommandLine.MissingParameterException) {
            m += " (" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help lists the options)";
        }
        return m;
    }

    /** {@code s} on one line: line breaks and runs of blanks become single spaces. */
    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** A user mistake found by a command: exit code 2 and {@code message} on one line. */
    public static ParameterException bad(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * {@code value} within {@code [min, max]}, or a {@link ParameterException}
     * ({@code --frames must be between 1 and 10000000, got 0}).
     */
    public static int range(CommandSpec spec, String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw bad(spec, option + " must be " + (max == Integer.MAX_VALUE ? min + " or more"
                    : "between " + min + " and " + max) + ", got " + value);
        }
        return value;
    }

    /**
     * The reason of an I/O error as the system states it — {@code Permission denied},
     * {@code No such file or directory}, {@code Not a directory}, {@code Read-only file system} — with
     * the file it concerns.
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fs) {
            String why = fs.getReason();
            if (why == null) {
                why = e instanceof AccessDeniedException ? "Permission denied"
                        : e instanceof NoSuchFileException ? "No such file or directory"
                        : e instanceof NotDirectoryException ? "Not a directory"
                        : e instanceof FileAlreadyExistsException ? "File exists"
                        : e instanceof DirectoryNotEmptyException ? "Directory not empty"
                        : e.getClass().getSimpleName();
            }
            String file = fs.getFile();
            return (file == null ? "" : file + ": ") + why;
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * Creates {@code dir} (and its parents) and checks that a file can be written in it, before any
     * work: otherwise a {@link ParameterException} naming the option, the directory and the reason
     * ({@code --output-dir /proc/x: cannot create it: /proc/x: No such file or directory}).
     */
    public static Path writableDirectory(CommandSpec spec, String option, Path dir) {
        String problem = directoryProblem(dir);
        if (problem != null) {
            throw bad(spec, option + " " + dir + ": " + problem);
        }
        return dir;
    }

    /** Why files cannot be written in {@code dir} (created if missing), or {@code null} when they can. */
    private static String directoryProblem(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return "cannot create it: " + reason(e);
        }
        try {
            Path probe = Files.createTempFile(dir, ".autolowat-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            // the reason only: the probe file's name means nothing to the user
            String r = reason(e);
            int colon = r.lastIndexOf(": ");
            return "cannot write in " + dir + ": " + (colon < 0 ? r : r.substring(colon + 2));
        }
        return null;
    }

    /**
     * Checks, before any work, that {@code file} can be written: its directory is created and
     * writable, and {@code file} itself is not a directory. Otherwise a {@link ParameterException}
     * ({@code --svg /proc/x.svg: cannot write in /proc: No such file or directory}).
     */
    public static Path writableFile(CommandSpec spec, String option, Path file) {
        if (Files.isDirectory(file)) {
            throw bad(spec, option + " " + file + ": is a directory, give a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        String problem = parent == null ? null : directoryProblem(parent);
        if (problem != null) {
            throw bad(spec, option + " " + file + ": " + problem.replace("cannot create it", "cannot create " + parent));
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw bad(spec, option + " " + file + ": cannot write it: Permission denied");
        }
        return file;
    }

    private CliErrors() {
    }

    /** The handler instance the root command line installs. */
    static CliErrors instance() {
        return new CliErrors();
    }
}
