package dev.autolowat.kernel.bpf;

/**
 * What an errno means for a given {@code bpf(2)} command, in words for a message, with what to do.
 * The table follows the kernel's checks ({@code kernel/bpf/syscall.c}, {@code kernel/bpf/cgroup.c},
 * the map types' {@code map_alloc_check}).
 */
final class BpfErrors {
    private BpfErrors() {
    }

    static String explain(BpfCommand cmd, int errno) {
        switch (errno) {
            case 38: // ENOSYS
                return "this kernel has no bpf() system call (built without CONFIG_BPF_SYSCALL)";
            case 9: // EBADF
                return "a descriptor in the request is not open or is not of the right kind (closed too early?)";
            case 7: // E2BIG
                if (cmd == BpfCommand.MAP_UPDATE_ELEM) {
                    return "the map is full, or the index is past an ARRAY's max_entries";
                }
                if (cmd == BpfCommand.MAP_CREATE) {
                    return "a size is larger than this map type allows";
                }
                return "the request has non-zero bytes past what this kernel knows (an attribute of a newer kernel)";
            case 24: // EMFILE
            case 23: // ENFILE
                return "no descriptor left for the new object: too many open files in this process (EMFILE) or the"
                        + " system (ENFILE); close what is no longer needed or raise `ulimit -n`";
            case 12: // ENOMEM
                return "the kernel could not allocate memory (a memory cgroup limit, or RLIMIT_MEMLOCK on kernels before 5.11:"
                        + " raise it with `ulimit -l unlimited`)";
            case 524: // ENOTSUPP (kernel-internal)
            case 95: // EOPNOTSUPP
                return "not supported by this kernel";
            case 1: // EPERM with capabilities
            case 13: // EACCES with capabilities
                if (cmd == BpfCommand.PROG_ATTACH || cmd == BpfCommand.LINK_CREATE) {
                    return "the cgroup (or an ancestor) already has programs of this attach type attached with"
                            + " incompatible flags: attach every program with BPF_F_ALLOW_MULTI, or detach the"
                            + " existing ones (the process has the capabilities: " + BpfPrivileges.describe() + ")";
                }
                return "refused although the process has the capabilities (" + BpfPrivileges.describe()
                        + "); a security module (SELinux, AppArmor, lockdown) may forbid it";
            case 2: // ENOENT
                if (cmd == BpfCommand.PROG_DETACH) {
                    return "the program is not attached to this cgroup with this attach type (already detached?)";
                }
                return "no such object";
            case 17: // EEXIST
                if (cmd == BpfCommand.PROG_ATTACH || cmd == BpfCommand.LINK_CREATE) {
                    return "this program is already attached to this cgroup with this attach type";
                }
                return "the key is already in the map (BPF_NOEXIST)";
            case 22: // EINVAL
                switch (cmd) {
                    case MAP_CREATE:
                        return "this kernel refuses these attributes: an unknown map type, or sizes, flags or BTF this"
                                + " type does not allow (SK_STORAGE needs BPF_F_NO_PREALLOC, max_entries 0, key size 4"
                                + " and BTF key/value type ids)";
                    case MAP_DELETE_ELEM:
                        return "entries of this map type cannot be deleted (ARRAY)";
                    case PROG_ATTACH:
                    case LINK_CREATE:
                        return "the program's type or expected attach type does not match the attach type, or the"
                                + " target is not a cgroup v2 directory";
                    case PROG_DETACH:
                        return "the attach type does not match the program, or the target is not a cgroup v2 directory";
                    case PROG_QUERY:
                        return "unknown attach type, or the target is not a cgroup v2 directory";
                    default:
                        return "this kernel refuses the request's attributes";
                }
            default:
                return "";
        }
    }
}
