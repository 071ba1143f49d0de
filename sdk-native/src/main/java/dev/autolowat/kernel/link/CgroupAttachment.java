package dev.autolowat.kernel.link;

import dev.autolowat.kernel.bpf.FdResource;
import dev.autolowat.kernel.bpf.OwnedFd;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A program attached to a cgroup v2 directory; {@link #close()} detaches it (idempotent). Two
 * kinds: {@link ProgAttachment} ({@code BPF_PROG_ATTACH} / {@code BPF_PROG_DETACH}, which outlives
 * the process unless detached) and {@link CgroupLink} ({@code BPF_LINK_CREATE}, detached by the
 * kernel when the link's last descriptor closes, also when the process dies). Both own one
 * descriptor through {@link FdResource}: the link's, or the attached program's duplicate.
 * {@link #close()} throws a {@link dev.autolowat.kernel.bpf.BpfException} when the kernel refuses to
 * detach; the descriptors are closed anyway.
 */
public abstract sealed class CgroupAttachment extends FdResource permits CgroupLink, ProgAttachment {
    private final Path cgroup;
    private final CgroupAttachType type;
    private final int programId;

    CgroupAttachment(OwnedFd fd, Path cgroup, CgroupAttachType type, int programId) {
        super(fd);
        this.cgroup = Objects.requireNonNull(cgroup, "cgroup");
        this.type = Objects.requireNonNull(type, "type");
        this.programId = programId;
    }

    /** The cgroup directory. */
    public final Path cgroup() {
        return cgroup;
    }

    /** How the program is attached. */
    public final CgroupAttachType attachType() {
        return type;
    }

    /** The kernel-wide id of the attached program. */
    public final int programId() {
        return programId;
    }
}
