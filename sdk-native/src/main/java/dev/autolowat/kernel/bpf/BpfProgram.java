package dev.autolowat.kernel.bpf;

import java.util.Objects;

/**
 * A BPF program loaded into the kernel and owned by this process: its descriptor, closed by
 * {@link #close()} (attachments keep the program alive). The kernel keeps the program while a descriptor, an attachment or a link
 * refers to it, so a program attached with {@code BPF_PROG_ATTACH} keeps running after this object
 * is closed — until it is detached ({@code dev.autolowat.kernel.link}).
 */
public final class BpfProgram extends FdResource {
    /** First verifier log buffer: 256 KiB; grown to what the kernel says it needs, up to {@link #MAX_LOG_SIZE}. */
    public static final int LOG_SIZE = 256 * 1024;
    /** The largest verifier log buffer offered (the kernel's limit is 1 GiB). */
    public static final int MAX_LOG_SIZE = 64 * 1024 * 1024;

    private static final int ENOSPC = 28;

    private final String name;
    private final int progType;
    private final int expectedAttachType;
    private final String verifierLog;
    private volatile int id;

    private BpfProgram(OwnedFd fd, String name, int progType, int expectedAttachType, String verifierLog) {
        super(fd);
        this.name = name;
        this.progType = progType;
        this.expectedAttachType = expectedAttachType;
        this.verifierLog = verifierLog;
    }

    /**
     * Loads a program. The first attempt asks for no log, as cilium/ebpf does (the verifier is
     * faster without one); when it fails, the load is repeated with a level-1 log (grown when the
     * kernel reports more log than fitted) to tell why:
     * <ul>
     *   <li>the verifier wrote a log and the errno is not a resource failure
     *       ({@link #isResourceFailure}): {@link VerifierRejectedException} with the log;</li>
     *   <li>a resource failure ({@code EMFILE}, {@code ENOMEM}...): a {@link BpfException} saying what
     *       ran out, also after a passing verifier;</li>
     *   <li>no log and EPERM/EACCES without the capabilities: {@link PrivilegeException};</li>
     *   <li>otherwise a {@link BpfException} (EINVAL with no log: this kernel does not know the
     *       program type or expected attach type).</li>
     * </ul>
     * When {@code attrs} asks for a log, it is kept even on success ({@link #verifierLog()}).
     */
    public static BpfProgram load(ProgLoadAttributes attrs) {
        Objects.requireNonNull(attrs, "attrs");
        LoadResult r = BpfSyscall.progLoad(attrs);
        if (r.ok()) {
            return wrap(r, attrs);
        }
        int level = attrs.logLevel() > 0 ? attrs.logLevel() : BpfSyscall.BPF_LOG_LEVEL1;
        int size = Math.max(attrs.logSize(), LOG_SIZE);
        while (true) {
            r = BpfSyscall.progLoad(attrs.withLog(level, size));
            if (r.errno() == ENOSPC && r.logTrueSize() > size && size < MAX_LOG_SIZE) {
                size = Math.min(MAX_LOG_SIZE, Math.max(r.logTrueSize(), 2 * size));
                continue;
            }
            break;
        }
        if (r.ok()) {
            return wrap(r, attrs);
        }
        if (!r.log().isBlank() && !isResourceFailure(r.errno())) {
            throw new VerifierRejectedException(attrs.name(), r.errno(), r.log().strip(), r.logTruncated());
        }
        if (isResourceFailure(r.errno())) {
            throw BpfSyscall.failure(BpfCommand.PROG_LOAD, r.result(), "loading program '" + attrs.name() + "' ("
                    + attrs.insnCount() + " insns): the kernel ran out of a resource, not a verdict on the program"
                    + (r.log().isBlank() ? "" : " (the verifier's log ends: \"" + lastRawLine(r.log()) + "\")"));
        }
        throw BpfSyscall.failure(BpfCommand.PROG_LOAD, r.result(), "loading program '" + attrs.name() + "' (type "
                + attrs.progType() + ", expected attach type " + attrs.expectedAttachType() + ", " + attrs.insnCount()
                + " insns)" + (r.errno() == 22 ? ", the kernel wrote no verifier log so it refused before verifying:"
                + " an unknown program type or expected attach type on this kernel" : ""));
    }

    /**
     * Whether a failed {@code BPF_PROG_LOAD} ran out of a resource rather than being refused by the
     * verifier: no descriptor for the new program ({@code EMFILE}, {@code ENFILE} — allocated after
     * the verifier passed), no memory ({@code ENOMEM}), or an interrupted or busy kernel
     * ({@code EINTR}, {@code EAGAIN}, {@code EBUSY}). Such a load is a {@link BpfException}, never a
     * {@link VerifierRejectedException}, even when the verifier wrote a log: fixing the program would
     * not help.
     */
    static boolean isResourceFailure(int errno) {
        return switch (errno) {
            case 24, 23, 12, 4, 11, 16 -> true; // EMFILE ENFILE ENOMEM EINTR EAGAIN EBUSY
            default -> false;
        };
    }

    private static String lastRawLine(String log) {
        String[] lines = log.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static BpfProgram wrap(LoadResult r, ProgLoadAttributes attrs) {
        String label = "program '" + attrs.name() + "'";
        return new BpfProgram(new OwnedFd((int) r.result(), label), attrs.name(), attrs.progType(),
                attrs.expectedAttachType(), r.log());
    }

    /** The name given at load. */
    public String name() {
        return name;
    }

    /** {@code enum bpf_prog_type}. */
    public int progType() {
        return progType;
    }

    /** The {@code expected_attach_type} given at load. */
    public int expectedAttachType() {
        return expectedAttachType;
    }

    /** The verifier log of the successful load when one was asked for, else empty. */
    public String verifierLog() {
        return verifierLog;
    }

    /** The kernel's view of the program ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    public ProgramInfo info() {
        return BpfSyscall.progInfo(fd());
    }

    /** The kernel-wide program id (what {@code BPF_PROG_QUERY} lists). */
    public int id() {
        int i = id;
        if (i == 0) {
            i = info().id();
            id = i;
        }
        return i;
    }

    /**
     * A duplicate of the descriptor with its own owner, for an attachment that must be able to
     * detach the program after this object is closed.
     */
    public OwnedFd dupFd(String what) {
        return dup(what);
    }

    @Override
    public String toString() {
        return "program '" + name + "' (type " + progType + (isClosed() ? ", closed)" : ")");
    }
}
