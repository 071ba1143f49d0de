package dev.autolowat.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link KernelJitBenchmark#run} timed in <em>thread CPU time</em> (user and system, so the kernel
 * engine's {@code BPF_PROG_TEST_RUN} counts too) instead of wall time, for the same reason as
 * {@link PolicyCpuTime}: on a loaded machine the CPU time the benchmark thread spends per run stays
 * within a few percent from run to run, while a JMH score falls with the share of the CPUs it gets.
 * It lets two builds (or the VM against the kernel) be compared in one session when the machine is
 * not quiet (docs/performance.md, "The stack loop (issue #13)"); it does not replace the results
 * page's JMH run on a quiet machine.
 *
 * <pre>{@code
 * java -cp jmh/target/benchmarks.jar dev.autolowat.jmh.KernelJitCpuTime VM_JIT stackLoop 7 2000
 * java -cp jmh/target/benchmarks.jar dev.autolowat.jmh.KernelJitCpuTime KERNEL_JIT stackLoop 7 2000
 * }</pre>
 *
 * <p>Arguments: the engine and program ({@link KernelJitBenchmark}'s parameters), the number of
 * measured rounds, benchmark invocations per round (each {@value KernelJitBenchmark#REPEAT} runs of
 * the program; three rounds' worth are run first as warm-up). Prints the CPU nanoseconds per run of
 * each round, the best and the median. Run each engine and build in its own JVM, as JMH forks do.
 */
public final class KernelJitCpuTime {
    private KernelJitCpuTime() {
    }

    /**
     * Runs the measurement.
     *
     * @param args engine, program, rounds, invocations per round
     * @throws IllegalArgumentException for a wrong argument count
     */
    public static void main(String[] args) {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: KernelJitCpuTime ENGINE PROGRAM ROUNDS INVOCATIONS_PER_ROUND");
        }
        int rounds = Integer.parseInt(args[2]);
        int invocations = Integer.parseInt(args[3]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        KernelJitBenchmark b = new KernelJitBenchmark();
        b.engine = args[0];
        b.program = args[1];
        b.setup();
        long sink = 0;
        double[] ns = new double[rounds];
        StringBuilder out = new StringBuilder(args[0]).append(' ').append(args[1]).append(" ns/run (thread CPU):");
        try {
            for (int i = 0; i < 3 * invocations; i++) {
                sink += b.run();
            }
            for (int r = 0; r < rounds; r++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < invocations; i++) {
                    sink += b.run();
                }
                ns[r] = (threads.getCurrentThreadCpuTime() - start) / (double) invocations / KernelJitBenchmark.REPEAT;
                out.append(String.format(" %.1f", ns[r]));
            }
        } finally {
            b.tearDown();
        }
        double[] sorted = ns.clone();
        java.util.Arrays.sort(sorted);
        System.out.println(out.append(String.format("; best %.1f median %.1f (sink %d)", sorted[0],
                sorted[rounds / 2], sink)));
    }
}
