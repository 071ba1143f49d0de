package dev.autolowat.conformance.cli;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.conformance.workload.ReaderMode;
import dev.autolowat.conformance.workload.RpcWorkload;
import dev.autolowat.conformance.workload.WorkloadResult;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code autolowat demo}: an RPC workload simulated with and without the reference policy, printing
 * wakeups and recv calls per frame — the series' promise made visible.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Simulate an RPC workload with and without the AutoLOWAT reference policy "
                + "(as a Java handler and as bytecode in the simulator's eBPF VM) and print wakeups and "
                + "recv calls per frame.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--frames", defaultValue = "10000", description = "Frames to send (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--frame-size", defaultValue = "258",
            description = "Bytes per frame, the 8-byte descriptor included (default: ${DEFAULT-VALUE}).")
    int frameSize;

    @Option(names = "--segments", defaultValue = "3",
            description = "Segments each frame is cut into (default: ${DEFAULT-VALUE}).")
    int segments;

    @Option(names = "--family", defaultValue = "INET", description = "INET or INET6 (default: ${DEFAULT-VALUE}).")
    Family family;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Backend backend = new SimBackend();
        // The reference policy in both of its forms: the Java handler and the bytecode that the
        // policy compiler makes (the same bytes a kernel with the series would load).
        Map<String, Policy> readers = new LinkedHashMap<>();
        readers.put(ReaderMode.LOWAT_1.label(), null);
        readers.put(ReaderMode.BPF_AUTOLOWAT.label() + " (Java)", ReferenceAutoLowat.policy());
        readers.put(ReaderMode.BPF_AUTOLOWAT.label() + " (bytecode)", FramingPolicy.REFERENCE_RPC.compile());
        Map<String, WorkloadResult> results = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Policy> reader : readers.entrySet()) {
                ReaderMode mode = reader.getValue() == null ? ReaderMode.LOWAT_1 : ReaderMode.BPF_AUTOLOWAT;
                RpcWorkload workload = new RpcWorkload(frames, frameSize, segments, mode, ConnectOptions.of(family));
                results.put(reader.getKey(), workload.run(backend, reader.getValue()));
            }
        } catch (IllegalArgumentException | AutoLowatException e) {
            err.println("autolowat demo: " + e.getMessage());
            return 2;
        }
        out.printf("AutoLOWAT demo on backend '%s': %d frames of %d bytes, each in %d segments, %s%n",
                backend.name(), frames, frameSize, segments, family);
        out.printf("%-38s %14s %12s %12s%n", "reader", "wakeups/frame", "recv/frame", "bytes/recv");
        results.forEach((label, r) -> out.printf("%-38s %14.2f %12.2f %12.1f%n", label, r.wakeupsPerFrame(),
                r.recvCallsPerFrame(), r.bytesPerRecv()));
        out.flush();
        return 0;
    }
}
