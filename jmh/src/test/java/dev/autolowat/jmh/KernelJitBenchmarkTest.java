package dev.autolowat.jmh;

import dev.autolowat.kernel.bpf.BpfPrivileges;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Smoke test of {@link KernelJitBenchmark} without the JMH runner: every engine computes the same
 * r0 for the same bytes ({@link KernelJitBenchmark#REPEAT} runs summed in the VM engines; the
 * kernel reports its last run's r0).
 */
class KernelJitBenchmarkTest {

    private static KernelJitBenchmark bench(String engine, String program) {
        KernelJitBenchmark b = new KernelJitBenchmark();
        b.engine = engine;
        b.program = program;
        b.setup();
        return b;
    }

    /** r0 of one run of each program, computed in Java. */
    private static long expected(String program) {
        switch (program) {
            case "empty" -> {
                return 1;
            }
            case "stackLoop" -> {
                long r0 = 0;
                for (long r2 = 0; r2 < KernelJitBenchmark.STACK_LOOP_ITERATIONS; r2++) {
                    r0 = (r0 + r2) ^ 0x5a;
                }
                return r0 & 1;
            }
            default -> {
                long r0 = 0;
                for (long r2 = 0; r2 < VmInstructionBenchmark.LOOP_ITERATIONS; r2++) {
                    r0 = ((((r0 + r2) ^ 0x5a5a5a5aL) * 3) >>> 1);
                }
                return r0 & 1;
            }
        }
    }

    @Test
    @DisplayName("the VM engines (translated, interpreted) compute each program's r0")
    void vmEngines() {
        for (String program : new String[] {"empty", "countedLoop", "stackLoop"}) {
            for (String engine : new String[] {"VM_JIT", "VM_INTERPRETER"}) {
                KernelJitBenchmark b = bench(engine, program);
                assertEquals(expected(program) * KernelJitBenchmark.REPEAT, b.run(), engine + " " + program);
                b.tearDown();
            }
        }
    }

    @Test
    @DisplayName("the kernel engine runs the same bytes to the same r0 (root only)")
    void kernelEngine() {
        Assumptions.assumeTrue(BpfPrivileges.sufficient(), "needs bpf() privileges: " + BpfPrivileges.describe());
        for (String program : new String[] {"empty", "countedLoop", "stackLoop"}) {
            KernelJitBenchmark b = bench("KERNEL_JIT", program);
            try {
                assertEquals(expected(program), b.run(), program);
            } finally {
                b.tearDown();
            }
        }
    }
}
