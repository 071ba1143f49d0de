package dev.autolowat.jmh.results;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The results page's second half of "quiet" (issue 13's targets): what other processes and the
 * hypervisor took of the CPUs during the JMH run, from /proc's counters.
 */
class CpuShareTest {
    @Test
    @DisplayName("/proc/stat: busy = user + nice + system + irq + softirq; steal apart; idle and iowait not busy")
    void procStat() {
        String stat = "cpu  2090586 2934977 448719 939361 1241 10 3500 8735 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
        assertArrayEquals(new long[] {2090586 + 2934977 + 448719 + 10 + 3500, 8735}, CpuShare.cpuLine(stat));
        assertThrows(IllegalArgumentException.class, () -> CpuShare.cpuLine("intr 1 2 3"));
    }

    @Test
    @DisplayName("/proc/self/stat: utime + stime + cutime + cstime, counted after the name's last ')'")
    void procSelfStat() {
        String self = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 700 50 30 20 20 0 25 0 99 1 1";
        assertEquals(700 + 50 + 30 + 20, CpuShare.ownTicks(self));
        assertThrows(IllegalArgumentException.class, () -> CpuShare.ownTicks("1 (x) S 1"));
    }

    @Test
    @DisplayName("between: others = the machine's busy ticks minus this process tree's, per second of wall time")
    void between() {
        CpuShare.Sample start = new CpuShare.Sample(0, 10_000, 100, 2_000);
        // 100 s later: the machine was busy 10,500 ticks more, this tree 10,000, steal 300 ticks
        CpuShare.Sample end = new CpuShare.Sample(100_000_000_000L, 20_500, 400, 12_000);
        CpuShare share = CpuShare.between(start, end, 100);
        assertEquals(100, share.seconds(), 1e-9);
        assertEquals(0.05, share.others(), 1e-9);
        assertEquals(0.03, share.steal(), 1e-9);
        assertTrue(share.quiet());
        assertTrue(share.describe().contains("other processes 0.05 CPU, steal 0.03 CPU"), share.describe());
        assertFalse(new CpuShare(100, 0.5, 0).quiet(), "half a CPU to others");
        assertFalse(new CpuShare(100, 0, 0.2).quiet(), "a fifth of a CPU stolen");
        assertThrows(IllegalArgumentException.class, () -> CpuShare.between(end, start, 100));
    }

    @Test
    @DisplayName("quiet run: load below 1 at the start and little CPU to others during it; the end load (the "
            + "benchmark's own fork) decides only without /proc's accounting")
    void quietRule() {
        Optional<CpuShare> calm = Optional.of(new CpuShare(400, 0.02, 0.01));
        assertTrue(ResultsPage.quiet("0.35 1.00 2.00", "1.06 1.03 1.76", calm));
        assertFalse(ResultsPage.quiet("1.35 1.00 2.00", "0.50 1.03 1.76", calm), "busy at the start");
        assertFalse(ResultsPage.quiet("0.35 1.00 2.00", "1.06 1.03 1.76", Optional.of(new CpuShare(400, 0.9, 0))));
        assertFalse(ResultsPage.quiet("0.35 1.00 2.00", "1.06 1.03 1.76", Optional.empty()));
        assertTrue(ResultsPage.quiet("0.35 1.00 2.00", "0.90 1.03 1.76", Optional.empty()));
    }

    @Test
    @DisplayName("on this machine: /proc is read, and this process's own CPU time grows with work it does")
    void readsThisMachine() {
        CpuShare.Sample a = CpuShare.Sample.now().orElseThrow();
        long x = 0;
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        CpuShare.Sample b = CpuShare.Sample.now().orElseThrow();
        assertTrue(b.ownTicks() > a.ownTicks(), "200 ms of spinning: " + a + " -> " + b + " (" + x + ")");
        assertTrue(b.busyTicks() >= a.busyTicks());
        assertTrue(CpuShare.ticksPerSecond() > 0);
    }
}
