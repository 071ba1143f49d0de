package dev.autolowat.conformance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code autolowat} command: the SDK's runnable jobs.
 * {@code java -jar conformance-tests/target/autolowat.jar --help}.
 */
@Command(name = "autolowat", mixinStandardHelpOptions = true, version = "AutoLOWAT SDK 0.1.0",
        description = "The AutoLOWAT SDK's runnable jobs.",
        subcommands = {DemoCommand.class, ProbeCommand.class, ReportCommand.class, PerfCommand.class, VmRunCommand.class})
public final class AutoLowatCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AutoLowatCli()).execute(args));
    }
}
