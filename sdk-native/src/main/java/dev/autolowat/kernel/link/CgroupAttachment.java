package dev.autolowat.kernel.link;

import java.nio.file.Path;

/**
 * A program attached to a cgroup v2 directory; {@link #close()} detaches it (idempotent). Two
 * kinds: {@link ProgAttachment} ({@code BPF_PROG_ATTACH} / {@code BPF_PROG_DETACH}, which outlives
 * the process unless detached) and {@link CgroupLink} ({@code BPF_LINK_CREATE}, detached by the
 * kernel when the link's last descriptor closes, also when the process dies).
 */
public interface CgroupAttachment extends AutoCloseable {
    /** The cgroup directory. */
    Path cgroup();

    /** How the program is attached. */
    CgroupAttachType attachType();

    /** The kernel-wide id of the attached program. */
    int programId();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /**
     * Detaches the program (idempotent).
     *
     * @throws dev.autolowat.kernel.bpf.BpfException when the kernel refuses to detach; the
     *                                               descriptors are closed anyway
     */
    @Override
    void close();
}
