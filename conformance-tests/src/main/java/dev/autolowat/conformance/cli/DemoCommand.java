package dev.autolowat.conformance.cli;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.ObjectPolicies;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.conformance.workload.ReaderMode;
import dev.autolowat.conformance.workload.RpcWorkload;
import dev.autolowat.conformance.workload.WorkloadResult;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.policy.Frames;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.sim.vm.SimKernelBtf;
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
    /** The most frames {@code --frames} accepts. */
    static final int MAX_FRAMES = 10_000_000;
    /** The largest frame {@code --frame-size} accepts: 16 MiB. */
    static final int MAX_FRAME_SIZE = 1 << 24;

    @Option(names = "--frames", defaultValue = "10000",
            description = "Frames to send, 1.." + MAX_FRAMES + " (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--frame-size", defaultValue = "258",
            description = "Bytes per frame, the 8-byte descriptor included, 8.." + MAX_FRAME_SIZE + " (default: ${DEFAULT-VALUE}).")
    int frameSize;

    @Option(names = "--segments", defaultValue = "3",
            description = "Segments each frame is cut into, 1..frame size (default: ${DEFAULT-VALUE}).")
    int segments;

    @Option(names = "--family", defaultValue = "inet",
            description = "Address family: ${COMPLETION-CANDIDATES}, any case (default: ${DEFAULT-VALUE}).")
    Family family;

    @Option(names = "--policy", paramLabel = "FILE.o",
            description = "Also run this clang-compiled policy (a SEC(\"sockops\") program, and a "
                    + "SEC(\"cgroup/setsockopt\") program as its enable path), CO-RE relocated against the "
                    + "simulated kernel (docs/objects.md).")
    java.nio.file.Path policyObject;

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
        if (policyObject != null) {
            try {
                Policy c = ObjectPolicies.policy(BpfObject.open(policyObject), SimKernelBtf.btf());
                readers.put(policyObject.getFileName() + " (clang object)", c);
            } catch (AutoLowatException e) { // not an object, no sockops program, global data...
                throw CliErrors.bad(spec, "--policy: " + CliErrors.oneLine(e.getMessage()));
            }
        }
        // Every value is checked before the first frame is sent.
        CliErrors.range(spec, "--frames", frames, 1, MAX_FRAMES);
        if (frameSize < Frames.DESCRIPTOR_SIZE || frameSize > MAX_FRAME_SIZE) {
            throw CliErrors.bad(spec, "--frame-size must be between " + Frames.DESCRIPTOR_SIZE + " (the descriptor of "
                    + "rule A1) and " + MAX_FRAME_SIZE + ", got " + frameSize);
        }
        CliErrors.range(spec, "--segments", segments, 1, frameSize);
        Map<String, RpcWorkload> workloads = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Policy> reader : readers.entrySet()) {
                ReaderMode mode = reader.getValue() == null ? ReaderMode.LOWAT_1 : ReaderMode.BPF_AUTOLOWAT;
                workloads.put(reader.getKey(), new RpcWorkload(frames, frameSize, segments, mode, ConnectOptions.of(family)));
            }
        } catch (IllegalArgumentException e) {
            throw CliErrors.bad(spec, e.getMessage());
        }
        Map<String, WorkloadResult> results = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, RpcWorkload> w : workloads.entrySet()) {
                results.put(w.getKey(), w.getValue().run(backend, readers.get(w.getKey())));
            }
        } catch (AutoLowatException e) {
            err.println("autolowat demo: " + CliErrors.oneLine(e.getMessage()));
            err.flush();
            return 1;
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
