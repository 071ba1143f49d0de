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
public final class ProgAttachment implements CgroupAttachment {
    private final Path cgroup;
    private final CgroupAttachType type;
    private final int programId;
    private final OwnedFd cgroupFd;
    private final OwnedFd progFd;
    private boolean closed;

    private ProgAttachment(Path cgroup, CgroupAttachType type, int programId, OwnedFd cgroupFd, OwnedFd progFd) {
        this.cgroup = cgroup;
        this.type = type;
        this.programId = programId;
        this.cgroupFd = cgroupFd;
        this.progFd = progFd;
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

    @Override
    public Path cgroup() {
        return cgroup;
    }

    @Override
    public CgroupAttachType attachType() {
        return type;
    }

    @Override
    public int programId() {
        return programId;
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    /** {@code BPF_PROG_DETACH}, then closes both descriptors (also when the detach fails). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            BpfSyscall.progDetach(cgroupFd.get(), progFd.get(), type.value());
        } finally {
            progFd.close();
            cgroupFd.close();
        }
    }

    @Override
    public String toString() {
        return "program " + programId + " attached to " + cgroup + " as " + type.kernelName() + (isClosed() ? " (detached)" : "");
    }
}
