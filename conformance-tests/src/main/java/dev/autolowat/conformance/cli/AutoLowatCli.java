package dev.autolowat.conformance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code autolowat} command: the SDK's runnable jobs.
 * {@code java -jar conformance-tests/target/autolowat.jar --help}.
 *
 * <p>Build it with {@link #commandLine()}, never with {@code new CommandLine(new AutoLowatCli())}:
 * the factory installs what every subcommand shares — case-insensitive enum values ({@code --family
 * inet6}) and {@link CliErrors}, one line on stderr and exit code 2 for any user mistake.
 */
@Command(name = "autolowat", mixinStandardHelpOptions = true, version = "AutoLOWAT SDK 0.1.0",
        description = "The AutoLOWAT SDK's runnable jobs.",
        subcommands = {DemoCommand.class, ProbeCommand.class, ReportCommand.class, PerfCommand.class, TraceCommand.class,
                ObjdumpCommand.class, VmRunCommand.class})
public final class AutoLowatCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * The command line with the settings every subcommand inherits: case-insensitive enum values and
     * the one-line error handling of {@link CliErrors} (for parse errors and for
     * {@link CommandLine.ParameterException}s thrown by a command's {@code call()}).
     */
    public static CommandLine commandLine() {
        CliErrors errors = CliErrors.instance();
        return new CommandLine(new AutoLowatCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
