package dev.autolowat.kernel.btf;

import dev.autolowat.api.btf.Btf;
import dev.autolowat.kernel.KernelEnvironmentException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The running kernel's BTF: {@code /sys/kernel/btf/vmlinux} (or a copy of another machine's) read
 * into a {@link Btf}. The parser lives in sdk-api ({@code dev.autolowat.api.btf}), shared with the
 * BPF object reader; this class adds what only a kernel backend needs: the file, and errors that say
 * which kernel lacks what ({@link KernelEnvironmentException}).
 */
public final class KernelBtf {
    private KernelBtf() {
    }

    /**
     * Reads the running kernel's BTF from {@link Btf#VMLINUX}.
     *
     * @throws KernelEnvironmentException when the file is missing (the kernel was built without
     *                                    {@code CONFIG_DEBUG_INFO_BTF}) or unreadable
     * @throws dev.autolowat.api.btf.BtfFormatException when it is not valid BTF
     */
    public static Btf vmlinux() {
        return vmlinux(Btf.VMLINUX);
    }

    /** {@link #vmlinux()} from another path (tests). */
    static Btf vmlinux(Path file) {
        return load(file, true, "the vmlinux BTF of kernel " + kernelRelease() + " (" + file + ")");
    }

    /**
     * Reads a BTF file, e.g. a copy of another machine's {@code /sys/kernel/btf/vmlinux}
     * ({@code bpftool btf dump file ... format raw} reads the same files).
     */
    public static Btf load(Path file) {
        Objects.requireNonNull(file, "file");
        return load(file, false, file.toString());
    }

    private static Btf load(Path file, boolean vmlinux, String origin) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (vmlinux) {
                throw new KernelEnvironmentException("no vmlinux BTF at " + file + ": the kernel needs "
                        + "CONFIG_DEBUG_INFO_BTF=y (and CONFIG_DEBUG_INFO_BTF_MODULES for modules) to describe its "
                        + "types, kfuncs and enums; kernel " + kernelRelease() + " was built without it, or sysfs "
                        + "is not mounted at /sys. Boot a kernel built with BTF (most distribution kernels are).", e);
            }
            throw new KernelEnvironmentException("no BTF file at " + file + ": it does not exist", e);
        } catch (AccessDeniedException e) {
            throw new KernelEnvironmentException("cannot read BTF at " + file + ": permission denied "
                    + "(it is normally world-readable; check the file's mode and any LSM policy)", e);
        } catch (IOException e) {
            throw new KernelEnvironmentException("cannot read BTF at " + file + ": " + e, e);
        }
        return Btf.parse(bytes, origin);
    }

    /** The running kernel's release ({@code uname -r}), as the JVM reports it. */
    static String kernelRelease() {
        return System.getProperty("os.version", "(unknown)");
    }
}
