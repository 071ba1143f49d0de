package dev.autolowat.kernel.link;

import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.OwnedFd;
import dev.autolowat.kernel.bpf.QueryResult;
import dev.autolowat.kernel.sys.LibC;

import java.nio.file.Path;
import java.util.Objects;

/** {@code BPF_PROG_QUERY} on a cgroup directory: which programs are attached, to verify attachments. */
public final class CgroupPrograms {
    private CgroupPrograms() {
    }

    /** The programs attached to {@code cgroup} itself for {@code type} (with links, in run order). */
    public static QueryResult attached(Path cgroup, CgroupAttachType type) {
        return query(cgroup, type, 0);
    }

    /** The programs that run for sockets of {@code cgroup} for {@code type}, inherited ones included. */
    public static QueryResult effective(Path cgroup, CgroupAttachType type) {
        return query(cgroup, type, BpfSyscall.BPF_F_QUERY_EFFECTIVE);
    }

    private static QueryResult query(Path cgroup, CgroupAttachType type, int flags) {
        Objects.requireNonNull(cgroup, "cgroup");
        Objects.requireNonNull(type, "type");
        try (OwnedFd dir = OwnedFd.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY, "cgroup " + cgroup)) {
            return BpfSyscall.progQuery(dir.get(), type.value(), flags);
        }
    }
}
