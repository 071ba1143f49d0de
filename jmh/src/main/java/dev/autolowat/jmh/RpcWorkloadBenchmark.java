package dev.autolowat.jmh;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.conformance.scenario.Backends;
import dev.autolowat.conformance.workload.ReaderMode;
import dev.autolowat.conformance.workload.RpcWorkload;
import dev.autolowat.conformance.workload.WorkloadResult;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.kernel.sys.LibC;
import dev.autolowat.sim.SimBackend;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The RPC workload of issue 6 ({@link RpcWorkload}) on the simulator and on the native backend, same
 * workload, same counts: one operation is one whole workload run — a fresh session and connection,
 * {@link #frames} frames of {@link #frameSize} bytes each sent as {@link #segments} segments, read by the
 * edge-triggered event-loop reader in {@link #mode} — on {@link #backend}. The time per operation is
 * the time to run the scenario; the simulator/native time ratio is the figure of docs/performance.md.
 *
 * <p>The counts come out of the same run as JMH auxiliary counters ({@link Counters}, totals per
 * iteration): {@code wakeups}, {@code recvCalls}, {@code setsockoptCalls}, {@code frames}; per frame =
 * counter / {@code frames}. They must be equal between the two backends (the smoke test checks it).
 *
 * <p>The native backend needs root (it loads BPF programs and moves the JVM into a cgroup) and allows
 * one session per JVM at a time; each operation opens and closes its own. As another user the
 * {@code native} parameter fails at trial setup with "requires root: ..." and JMH goes on with the
 * other parameters. The default mode, userspace AutoLOWAT, runs on a stock kernel; {@code BPF_AUTOLOWAT}
 * needs a kernel with the series on the native backend (the simulator runs it with the series).
 *
 * <pre>java -jar jmh/target/benchmarks.jar RpcWorkload -f 1 -wi 1 -w 2s -i 3 -r 2s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RpcWorkloadBenchmark {
    public static final String SIM = "sim";
    public static final String NATIVE = "native";

    /** The backend: {@value #SIM} (the simulator configured as this machine) or {@value #NATIVE}. */
    @Param({SIM, NATIVE})
    public String backend;

    /** The reader's setup, a {@link ReaderMode} name. */
    @Param({"USERSPACE_AUTOLOWAT"})
    public String mode;

    /** Frames per operation. */
    @Param({"20"})
    public int frames;

    /** Bytes per frame, descriptor included. */
    @Param({"4096"})
    public int frameSize;

    /** Segments each frame is cut into. */
    @Param({"3"})
    public int segments;

    private Backend target;
    private RpcWorkload workload;
    private Policy policy;

    /** Auxiliary counters of one iteration (totals), reported by JMH next to the time per operation. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Edge-triggered wakeups of the reader. */
        public long wakeups;
        /** recv calls of the reader. */
        public long recvCalls;
        /** {@code setsockopt(SO_RCVLOWAT)} calls of the reader. */
        public long setsockoptCalls;
        /** Frames read. */
        public long frames;

        @Setup(Level.Iteration)
        public void reset() {
            wakeups = 0;
            recvCalls = 0;
            setsockoptCalls = 0;
            frames = 0;
        }

        void add(WorkloadResult r) {
            wakeups += r.wakeups();
            recvCalls += r.recvCalls();
            setsockoptCalls += r.setsockoptCalls();
            frames += r.frames();
        }
    }

    /**
     * Builds the workload and the backend.
     *
     * @throws IllegalArgumentException for an unknown backend or mode
     * @throws IllegalStateException    "requires root: ..." for {@value #NATIVE} as another user
     */
    @Setup(Level.Trial)
    public void setup() {
        ReaderMode m;
        try {
            m = ReaderMode.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown mode '" + mode + "'; use one of "
                    + java.util.Arrays.toString(ReaderMode.values()), e);
        }
        workload = new RpcWorkload(frames, frameSize, segments, m, ConnectOptions.IPV4);
        policy = m.needsPolicy() ? FramingPolicy.REFERENCE_RPC.compile() : null;
        if (SIM.equals(backend)) {
            target = new SimBackend(Backends.thisMachine().withSeries(m.needsPolicy()));
        } else if (NATIVE.equals(backend)) {
            String why = rootMissing();
            if (why != null) {
                throw new IllegalStateException(why);
            }
            target = new NativeBackend();
        } else {
            throw new IllegalArgumentException("unknown backend '" + backend + "'; use " + SIM + " or " + NATIVE);
        }
    }

    /**
     * Why the native backend cannot run here ("requires root: ..."), or {@code null} when it can.
     */
    public static String rootMissing() {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return "requires root on Linux: the native backend needs Linux (no /proc/self); benchmark the"
                    + " '" + SIM + "' backend only (-p backend=" + SIM + ")";
        }
        int euid = LibC.geteuid();
        if (euid != 0) {
            return "requires root: the native backend loads BPF programs and moves the JVM into a cgroup (this"
                    + " process runs as euid " + euid + "); run as root, or benchmark the '" + SIM
                    + "' backend only (-p backend=" + SIM + ")";
        }
        return null;
    }

    /**
     * One whole workload run on a fresh session of the backend.
     *
     * @return bytes the reader got (consumed by JMH)
     */
    @Benchmark
    public long run(Counters counters) {
        WorkloadResult r = workload.run(target, policy);
        counters.add(r);
        return r.bytesRead();
    }

    /** The workload of this trial, for the smoke test; {@code null} before setup. */
    RpcWorkload workload() {
        return workload;
    }
}
