package dev.autolowat.kernel.bpf;

/**
 * A BTF object loaded into the kernel ({@code BPF_BTF_LOAD}), e.g. the description of a map's key
 * and value ({@link BtfBlob}). A map created with it keeps its own reference, so this object may be
 * closed right after the map is created.
 */
public final class BpfBtf extends FdResource {
    private static final int LOG_SIZE = 64 * 1024;

    private BpfBtf(OwnedFd fd) {
        super(fd);
    }

    /**
     * Loads raw BTF.
     *
     * @throws BpfException with the kernel's BTF log in the reason when it refuses the blob
     */
    public static BpfBtf load(byte[] btf, String what) {
        LoadResult r = BpfSyscall.btfLoad(btf, 0, 0);
        if (!r.ok()) {
            LoadResult withLog = BpfSyscall.btfLoad(btf, 1, LOG_SIZE);
            if (withLog.ok()) {
                return new BpfBtf(new OwnedFd((int) withLog.result(), "BTF of " + what));
            }
            BpfException e = BpfSyscall.failure(BpfCommand.BTF_LOAD, withLog.result(), "loading the BTF of " + what);
            if (withLog.log().isBlank()) {
                throw e;
            }
            throw new BpfException(BpfCommand.BTF_LOAD, e.errno(), e.reason() + "; BTF log:\n" + withLog.log().strip());
        }
        return new BpfBtf(new OwnedFd((int) r.result(), "BTF of " + what));
    }
}
