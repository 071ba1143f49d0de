package dev.autolowat.kernel;

import dev.autolowat.kernel.bpf.KernelSymbols;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfLookupException;
import dev.autolowat.kernel.btf.KernelBtf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The adapter between the vmlinux BTF reader ({@link Btf}) and what {@link dev.autolowat.kernel.bpf.ProgramLoader}
 * asks to relocate a program ({@link KernelSymbols}): {@code field(struct, field)} → byte offset and
 * size ({@link Btf#field}; a bitfield or a missing member is empty), {@code kfuncBtfId(name)} → the
 * {@code FUNC}'s BTF id ({@link Btf#funcId}). Also answers the enum questions of the capabilities
 * ({@code BPF_SOCK_OPS_RCVQ_CB}, {@code BPF_SOCK_OPS_RCVQ_CB_FLAG}).
 */
public final class BtfSymbols implements KernelSymbols {
    private final Btf btf;

    public BtfSymbols(Btf btf) {
        this.btf = Objects.requireNonNull(btf, "btf");
    }

    /**
     * Reads the running kernel's BTF ({@code /sys/kernel/btf/vmlinux}), or {@code file} instead.
     *
     * @throws KernelEnvironmentException when the file does not exist (a kernel built without
     *                                    {@code CONFIG_DEBUG_INFO_BTF}) or cannot be read; the message
     *                                    says what to do
     */
    public static BtfSymbols load(Path file) {
        Objects.requireNonNull(file, "file");
        if (file.equals(Btf.VMLINUX)) {
            return new BtfSymbols(KernelBtf.vmlinux());
        }
        if (!Files.exists(file)) {
            throw new KernelEnvironmentException("no vmlinux BTF at " + file + ": the native backend resolves kfuncs"
                    + " (rule K1) and kernel struct fields through the kernel's BTF, which needs a kernel built with"
                    + " CONFIG_DEBUG_INFO_BTF=y (and sysfs mounted at /sys)");
        }
        return new BtfSymbols(KernelBtf.load(file));
    }

    /** The BTF read. */
    public Btf btf() {
        return btf;
    }

    @Override
    public Optional<KernelSymbols.FieldLocation> field(String struct, String field) {
        dev.autolowat.api.btf.FieldLocation loc;
        try {
            loc = btf.field(struct, field);
        } catch (BtfLookupException e) {
            return Optional.empty();
        }
        if (loc.isBitfield()) {
            return Optional.empty();
        }
        return Optional.of(new KernelSymbols.FieldLocation(loc.byteOffset(), loc.size()));
    }

    @Override
    public OptionalInt kfuncBtfId(String name) {
        return btf.funcId(name);
    }

    /** The value of a (possibly anonymous) enum's enumerator, e.g. {@code BPF_SOCK_OPS_RCVQ_CB}; empty when absent. */
    public OptionalInt enumValue(String enumerator) {
        return btf.enumValue(null, enumerator);
    }
}
