package dev.autolowat.kernel.features;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SeriesSymbolsProbeTest {

    @Test
    @DisplayName("H1/K1: the series' op and kfunc are probed in vmlinux BTF, both present or both absent")
    void seriesSymbolsAgree() {
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")),
                "not supported by this kernel: no vmlinux BTF at /sys/kernel/btf/vmlinux");
        List<ProbeResult> results = Probes.seriesSymbols();
        assertEquals(2, results.size());
        assertEquals(Probes.RCVQ_OP_BTF, results.get(0).feature());
        assertEquals(Probes.RCVLOWAT_KFUNC_BTF, results.get(1).feature());
        assertEquals(results.get(0).isSupported(), results.get(1).isSupported(), results.toString());
        if (!results.get(0).isSupported()) {
            assertTrue(results.get(0).reason().startsWith("not supported by this kernel"), results.get(0).reason());
        }
    }
}
