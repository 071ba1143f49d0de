package dev.autolowat.conformance.cli;

import dev.autolowat.kernel.features.ProbeReport;
import dev.autolowat.kernel.features.Probes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code autolowat probe}: what the running kernel supports (privileges, program and map types,
 * helpers, the RCVQ flag through F1, the series' BTF symbols), as text or JSON.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Probe what the running kernel supports for AutoLOWAT (needs root for the bpf() probes).")
public final class ProbeCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProbeReport report = Probes.all();
        out.println(json ? report.toJson() : report.toText());
        out.flush();
        return 0;
    }
}
