package dev.autolowat.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link PolicyInvocationBenchmark#rpcFrame} timed in <em>thread CPU time</em> instead of wall
 * time: on a machine that other processes load, a JMH throughput score falls with the share of the
 * CPUs the benchmark gets (±50–100 % errors at a load average of 13 on 2 CPUs), while the CPU time
 * the benchmark thread itself spends per frame stays within a few percent from run to run. It is
 * not a replacement for JMH on a quiet machine (no forks, no blackhole, cache effects of the other
 * processes remain), but it lets two forms or two builds be compared within one session when the
 * machine is not quiet (docs/performance.md, "The policy gap").
 *
 * <pre>{@code
 * java -cp jmh/target/benchmarks.jar dev.autolowat.jmh.PolicyCpuTime JAVA 5 300000
 * java -cp jmh/target/benchmarks.jar dev.autolowat.jmh.PolicyCpuTime BYTECODE 5 300000
 * }</pre>
 *
 * <p>Arguments: the policy form ({@link PolicyInvocationBenchmark#JAVA}, {@code BYTECODE},
 * {@code BYTECODE_INTERPRETER}), the number of measured rounds, frames per round (three rounds'
 * worth of frames are run first as warm-up). Prints the CPU nanoseconds per frame of each round and
 * the best. Run each form in its own JVM, as JMH forks do, so that one form's profile does not
 * shape the other's compiled code.
 */
public final class PolicyCpuTime {
    private PolicyCpuTime() {
    }

    /**
     * Runs the measurement.
     *
     * @param args form, rounds, frames per round
     * @throws IllegalArgumentException for a wrong argument count or an unknown form
     */
    public static void main(String[] args) {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: PolicyCpuTime FORM ROUNDS FRAMES_PER_ROUND");
        }
        String form = args[0];
        int rounds = Integer.parseInt(args[1]);
        int frames = Integer.parseInt(args[2]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        PolicyInvocationBenchmark b = new PolicyInvocationBenchmark();
        b.policy = form;
        b.setup();
        PolicyInvocationBenchmark.Counters counters = new PolicyInvocationBenchmark.Counters();
        long bytes = 0;
        StringBuilder out = new StringBuilder(form).append(" ns/frame (thread CPU):");
        double best = Double.MAX_VALUE;
        try {
            for (int i = 0; i < 3 * frames; i++) {
                bytes += b.rpcFrame(counters);
            }
            for (int r = 0; r < rounds; r++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < frames; i++) {
                    bytes += b.rpcFrame(counters);
                }
                double ns = (threads.getCurrentThreadCpuTime() - start) / (double) frames;
                best = Math.min(best, ns);
                out.append(String.format(" %.0f", ns));
            }
        } finally {
            b.tearDown(); // checks liveness and the invocation count, as the JMH run does
        }
        System.out.println(out.append(String.format("; best %.0f (%d bytes read)", best, bytes)));
    }
}
