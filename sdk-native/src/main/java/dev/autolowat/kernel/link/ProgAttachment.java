package dev.autolowat.kernel.link;

import dev.autolowat.kernel.bpf.BpfProgram;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.OwnedFd;
import dev.autolowat.kernel.sys.LibC;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A program attached with {@code BPF_PROG_ATTACH}. It keeps its own descriptors — the cgroup
 * directory and a duplicate of the program's — so it can {@code BPF_PROG_DETACH} that exact
 * program (required with {@code BPF_F_ALLOW_MULTI}) even after the {@link BpfProgram} was closed.
 * Such an attachment is not tied to the process: a program left attached keeps running after the
 * JVM exits, so close it ({@link dev.autolowat.kernel.cgroup.SessionCgroup} does).
 */
public final class ProgAttachment extends CgroupAttachment {
    private final OwnedFd cgroupFd;

    private ProgAttachment(Path cgroup, CgroupAttachType type, int programId, OwnedFd cgroupFd, OwnedFd progFd) {
        super(progFd, cgroup, type, programId);
        this.cgroupFd = cgroupFd;
    }

    /**
     * Attaches {@code program} to the cgroup directory {@code cgroup} as {@code type} with
     * {@code flags} (usually {@link BpfSyscall#BPF_F_ALLOW_MULTI}).
     *
     * @throws dev.autolowat.kernel.bpf.BpfException when the kernel refuses; nothing is left open
     */
    public static ProgAttachment attach(Path cgroup, BpfProgram program, CgroupAttachType type, int flags) {
        Objects.requireNonNull(cgroup, "cgroup");
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(type, "type");
        OwnedFd dir = OwnedFd.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY, "cgroup " + cgroup);
        OwnedFd prog = null;
        try {
            prog = program.dupFd(program + " attached to " + cgroup);
            int id = program.id();
            BpfSyscall.progAttach(dir.get(), prog.get(), type.value(), flags);
            return new ProgAttachment(cgroup, type, id, dir, prog);
        } catch (RuntimeException | Error e) {
            if (prog != null) {
                prog.close();
            }
            dir.close();
            throw e;
        }
    }

    /** {@code BPF_PROG_DETACH} of exactly this program; the cgroup's descriptor is closed also when it fails. */
    @Override
    protected void beforeClose() {
        try {
            BpfSyscall.progDetach(cgroupFd.get(), fd(), attachType().value());
        } finally {
            cgroupFd.close();
        }
    }

    @Override
    public String toString() {
        return "program " + programId() + " attached to " + cgroup() + " as " + attachType().kernelName()
                + (isClosed() ? " (detached)" : "");
    }
}
