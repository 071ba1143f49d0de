package dev.autolowat.jmh;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Measures what an operation allocates on the current thread, with {@code com.sun.management.ThreadMXBean};
 * a JVM without per-thread allocation counters makes the calling test skip (a visible assumption).
 */
final class AllocationProbe {
    static final int WARMUP_CALLS = 10_000;
    static final int MEASURED_CALLS = 10_000;
    static final long LIMIT_BYTES = 64 * 1024;

    private AllocationProbe() {
    }

    /** Runs {@code op} {@value #WARMUP_CALLS} times, then asserts it allocates under the limit over {@value #MEASURED_CALLS} calls. */
    static void assertNoAllocation(String what, Runnable op) {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean,
                "allocation measurement not supported by this JVM: its ThreadMXBean is not a "
                        + "com.sun.management.ThreadMXBean (" + plain.getClass().getName() + ")");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(threads.isThreadAllocatedMemorySupported(),
                "allocation measurement not supported by this JVM: isThreadAllocatedMemorySupported() is false");
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        long threadId = Thread.currentThread().getId();
        for (int i = 0; i < WARMUP_CALLS; i++) {
            op.run();
        }
        long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < MEASURED_CALLS; i++) {
            op.run();
        }
        long after = threads.getThreadAllocatedBytes(threadId);
        assumeTrue(before >= 0 && after >= 0,
                "allocation measurement not supported by this JVM: getThreadAllocatedBytes returned -1");
        long allocated = after - before;
        assertTrue(allocated < LIMIT_BYTES, what + ": " + allocated + " bytes allocated over " + MEASURED_CALLS
                + " calls after " + WARMUP_CALLS + " warm-up calls (limit " + LIMIT_BYTES
                + "): the operation allocates per call, about " + allocated / MEASURED_CALLS + " bytes each");
    }
}
