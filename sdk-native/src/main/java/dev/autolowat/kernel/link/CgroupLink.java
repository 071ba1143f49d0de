package dev.autolowat.kernel.link;

import dev.autolowat.kernel.bpf.BpfProgram;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.OwnedFd;
import dev.autolowat.kernel.sys.LibC;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A program attached through a BPF link ({@code BPF_LINK_CREATE}, as cilium/ebpf's
 * {@code link.AttachCgroup} prefers): the kernel detaches it when the link's last descriptor is
 * closed — by {@link #close()} or when the process exits — so it cannot outlive its owner. Links
 * coexist with {@code BPF_F_ALLOW_MULTI} attachments of the same type.
 */
public final class CgroupLink extends CgroupAttachment {
    private CgroupLink(Path cgroup, CgroupAttachType type, int programId, OwnedFd link) {
        super(link, cgroup, type, programId);
    }

    /**
     * Links {@code program} to the cgroup directory {@code cgroup} as {@code type}.
     *
     * @throws dev.autolowat.kernel.bpf.BpfException when the kernel refuses; nothing is left open
     */
    public static CgroupLink create(Path cgroup, BpfProgram program, CgroupAttachType type) {
        Objects.requireNonNull(cgroup, "cgroup");
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(type, "type");
        try (OwnedFd dir = OwnedFd.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY, "cgroup " + cgroup)) {
            int id = program.id();
            int fd = BpfSyscall.linkCreate(program.fd(), dir.get(), type.value(), 0);
            return new CgroupLink(cgroup, type, id, new OwnedFd(fd, "link of " + program + " to " + cgroup));
        }
    }

    @Override
    public String toString() {
        return "link of program " + programId() + " to " + cgroup() + " as " + attachType().kernelName()
                + (isClosed() ? " (closed)" : "");
    }
}
