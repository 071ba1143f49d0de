package dev.autolowat.jmh.results;

import dev.autolowat.jmh.results.Targets.Row;
import dev.autolowat.jmh.results.Targets.Score;
import dev.autolowat.jmh.results.Targets.Verdict;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The issue-13 target table from synthetic JMH figures: which figures are divided by which, the
 * thresholds, and that a busy machine never yields "met" for a ratio.
 */
class TargetsTest {
    static Score jit(String engine, String program, double nsPerRun) {
        return new Score(Targets.KERNEL_JIT, Map.of("engine", engine, "program", program), nsPerRun, Map.of());
    }

    static Score policy(String form, double framesPerSecond, double bytesPerFrame) {
        return new Score(Targets.POLICY, Map.of("policy", form), framesPerSecond,
                Map.of(Targets.ALLOC_NORM, bytesPerFrame));
    }

    static final List<Score> RUN = List.of(
            jit("KERNEL_JIT", "countedLoop", 1650), jit("VM_JIT", "countedLoop", 1700),
            jit("KERNEL_JIT", "stackLoop", 2950), jit("VM_JIT", "stackLoop", 3600),
            jit("VM_INTERPRETER", "stackLoop", 80_000),
            policy("JAVA", 3_600_000, 0.0), policy("BYTECODE", 3_000_000, 0.002),
            policy("BYTECODE_INTERPRETER", 500_000, 0.0));

    @Test
    @DisplayName("quiet run: VM/kernel per program, JAVA/BYTECODE frames per second, allocation below half a byte is 0")
    void quietRun() {
        List<Row> rows = Targets.evaluate(RUN, true);
        assertEquals(4, rows.size());
        assertEquals(1700.0 / 1650, rows.get(0).measured().orElseThrow(), 1e-9);
        assertEquals(Verdict.MET, rows.get(0).verdict(), "1.03 <= 1.15");
        assertEquals(3600.0 / 2950, rows.get(1).measured().orElseThrow(), 1e-9);
        assertEquals(Verdict.MISSED, rows.get(1).verdict(), "1.22 > 1.15");
        assertEquals(1.2, rows.get(2).measured().orElseThrow(), 1e-9);
        assertEquals(Verdict.MET, rows.get(2).verdict(), "1.2 <= 1.3");
        assertEquals(Verdict.MET, rows.get(3).verdict());
    }

    @Test
    @DisplayName("busy run: a ratio within its target is 'not claimable', never 'met'; allocation is still judged")
    void busyRun() {
        List<Row> rows = Targets.evaluate(RUN, false);
        assertEquals(Verdict.NOT_CLAIMABLE, rows.get(0).verdict());
        assertEquals(Verdict.NOT_CLAIMABLE, rows.get(2).verdict());
        assertEquals(Verdict.MET, rows.get(3).verdict());
        String md = Targets.markdown(rows, false, "3.10 2.00 1.00", "other processes 1.20 CPU, steal 0.00 CPU on average over 400 s");
        assertTrue(md.contains("**busy**") && md.contains("not claimable"), md);
    }

    @Test
    @DisplayName("missing figures: without the kernel engine (not root) the JIT ratios are 'not measured'; an allocating policy misses")
    void missingFigures() {
        List<Score> noKernel = List.of(jit("VM_JIT", "countedLoop", 1700), jit("VM_JIT", "stackLoop", 3000),
                policy("JAVA", 3_600_000, 0), policy("BYTECODE", 1_000_000, 48));
        List<Row> rows = Targets.evaluate(noKernel, true);
        assertEquals(Verdict.NOT_MEASURED, rows.get(0).verdict());
        assertTrue(rows.get(0).how().contains("needs root"), rows.get(0).how());
        assertEquals(Verdict.MISSED, rows.get(2).verdict(), "3.6 > 1.3");
        assertEquals(Verdict.MISSED, rows.get(3).verdict(), "48 B per frame");
        assertEquals(Verdict.NOT_MEASURED, Targets.evaluate(List.of(), true).get(3).verdict());
    }

    @Test
    @DisplayName("two runs (ResultsPage): the ratios come from the targets' own longer run listed first, the "
            + "allocation from the profiled run that has it")
    void targetRunFirst() {
        Score javaLong = new Score(Targets.POLICY, Map.of("policy", "JAVA"), 3_500_000, Map.of());
        Score bytecodeLong = new Score(Targets.POLICY, Map.of("policy", "BYTECODE"), 3_000_000, Map.of());
        List<Score> merged = new java.util.ArrayList<>(List.of(javaLong, bytecodeLong));
        merged.addAll(RUN); // the short run: JAVA 3.6M, BYTECODE 3.0M, 0.002 B/op
        List<Row> rows = Targets.evaluate(merged, true);
        assertEquals(3_500_000.0 / 3_000_000, rows.get(2).measured().orElseThrow(), 1e-9);
        assertEquals(0.002, rows.get(3).measured().orElseThrow(), 1e-12);
        assertEquals(Verdict.MET, rows.get(3).verdict());
    }

    @Test
    @DisplayName("the targets' second run: only the compared benchmarks and parameter sets the page's include "
            + "selects, with longer settings; none when the include selects neither")
    void targetOptions() {
        var both = ResultsPage.targetOptions("dev\\.autolowat\\.jmh\\..*").orElseThrow();
        assertEquals(2, both.getIncludes().size());
        assertEquals(List.of("KERNEL_JIT", "VM_JIT"), List.copyOf(both.getParameter("engine").get()));
        assertEquals(List.of("JAVA", "BYTECODE"), List.copyOf(both.getParameter("policy").get()));
        assertEquals(ResultsPage.TARGET_FORKS, both.getForkCount().get());
        assertEquals(ResultsPage.TARGET_MEASUREMENT_ITERATIONS, both.getMeasurementIterations().get());
        var policyOnly = ResultsPage.targetOptions("PolicyInvocation").orElseThrow();
        assertEquals(1, policyOnly.getIncludes().size());
        assertTrue(!policyOnly.getParameter("engine").hasValue());
        assertTrue(ResultsPage.targetOptions("RpcWorkloadBenchmark").isEmpty());
    }

    @Test
    @DisplayName("quiet means a 1-minute load below 1; unreadable is not quiet")
    void quietRule() {
        assertTrue(MachineDescription.quiet("0.42 1.50 2.00"));
        assertTrue(!MachineDescription.quiet("1.00 0.10 0.10"));
        assertTrue(!MachineDescription.quiet("unavailable: no /proc"));
    }
}
