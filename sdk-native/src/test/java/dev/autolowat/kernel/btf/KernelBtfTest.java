package dev.autolowat.kernel.btf;

import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfFormatException;
import dev.autolowat.api.btf.BtfLookupException;
import dev.autolowat.testfixtures.SampleBtf;
import dev.autolowat.kernel.KernelEnvironmentException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading BTF files (the kernel's and copies): the file errors the parser in sdk-api does not have. */
class KernelBtfTest {
    private final SampleBtf s = new SampleBtf();
    private final Btf btf = s.parse();

    @Test
    @DisplayName("load(Path) reads a file; a missing file is a KernelEnvironmentException naming it")
    void loadFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vmlinux.btf");
        Files.write(file, s.bytes());
        Btf loaded = KernelBtf.load(file);
        assertEquals(file.toString(), loaded.origin());
        assertEquals(SampleBtf.dump(btf), SampleBtf.dump(loaded));
        Path missing = dir.resolve("nope");
        KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> KernelBtf.load(missing));
        assertTrue(e.getMessage().contains("no BTF file at " + missing), e.getMessage());
        Files.write(file, new byte[]{1, 2, 3});
        BtfFormatException bad = assertThrows(BtfFormatException.class, () -> KernelBtf.load(file));
        assertTrue(bad.getMessage().startsWith("malformed BTF (" + file + ") at byte 0"), bad.getMessage());
    }

    @Test
    @DisplayName("no vmlinux BTF file: a KernelEnvironmentException that says CONFIG_DEBUG_INFO_BTF=y is needed")
    void noVmlinux(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("vmlinux");
        KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, () -> KernelBtf.vmlinux(missing));
        assertTrue(e.getMessage().startsWith("no vmlinux BTF at " + missing + ": the kernel needs CONFIG_DEBUG_INFO_BTF=y"),
                e.getMessage());
        assertTrue(e.getMessage().contains("kernel " + System.getProperty("os.version")), e.getMessage());
        Files.write(missing, s.bytes());
        Btf loaded = KernelBtf.vmlinux(missing);
        assertTrue(loaded.origin().startsWith("the vmlinux BTF of kernel " + System.getProperty("os.version")), loaded.origin());
        BtfLookupException lookup = assertThrows(BtfLookupException.class, () -> loaded.field("tcp_sock", "nope"));
        assertTrue(lookup.getMessage().contains("in the vmlinux BTF of kernel " + System.getProperty("os.version") + " ("
                + missing + ")"), lookup.getMessage());
    }

}
