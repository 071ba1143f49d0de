package dev.autolowat.kernel.bpf;

import java.util.Arrays;

/**
 * {@code struct bpf_prog_info} of a loaded program ({@code BPF_OBJ_GET_INFO_BY_FD}), the fields
 * the SDK uses.
 *
 * @param type          {@code enum bpf_prog_type} (13 SOCK_OPS, 25 CGROUP_SOCKOPT)
 * @param id            the kernel-wide program id (what {@code BPF_PROG_QUERY} and {@code bpftool prog} show)
 * @param name          the name given at load (at most 15 characters)
 * @param tag           the program tag, 16 hex digits
 * @param xlatedLength  bytes of the program after the verifier's rewrites ({@code xlated_prog_len})
 * @param jitedLength   bytes of JIT-compiled code (0 without the JIT)
 * @param gplCompatible whether the license is GPL-compatible
 * @param mapIds        ids of the maps the program uses
 * @param verifiedInsns instructions the verifier processed ({@code verified_insns})
 * @param loadTimeNs    load time, ns since boot
 */
public record ProgramInfo(int type, int id, String name, String tag, int xlatedLength, int jitedLength,
                          boolean gplCompatible, int[] mapIds, int verifiedInsns, long loadTimeNs) {
    public ProgramInfo {
        mapIds = mapIds.clone();
    }

    @Override
    public int[] mapIds() {
        return mapIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgramInfo p && type == p.type && id == p.id && name.equals(p.name) && tag.equals(p.tag)
                && xlatedLength == p.xlatedLength && jitedLength == p.jitedLength && gplCompatible == p.gplCompatible
                && Arrays.equals(mapIds, p.mapIds) && verifiedInsns == p.verifiedInsns && loadTimeNs == p.loadTimeNs;
    }

    @Override
    public int hashCode() {
        return id * 31 + Arrays.hashCode(mapIds);
    }

    @Override
    public String toString() {
        return "ProgramInfo[id=" + id + ", type=" + type + ", name=" + name + ", tag=" + tag + ", xlated=" + xlatedLength
                + ", jited=" + jitedLength + ", gpl=" + gplCompatible + ", maps=" + Arrays.toString(mapIds)
                + ", verifiedInsns=" + verifiedInsns + "]";
    }
}
