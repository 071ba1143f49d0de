package dev.autolowat.kernel.bpf;

import java.util.Arrays;

/**
 * What {@code BPF_PROG_QUERY} says about one cgroup and attach type.
 *
 * @param attachFlags the cgroup's attach flags for this type (e.g. {@code BPF_F_ALLOW_MULTI} = 2); 0 for an effective query
 * @param programIds  the attached (or, with {@code BPF_F_QUERY_EFFECTIVE}, the effective) program ids, in run order
 * @param revision    the attachment revision counter (Linux 6.6+; 0 before)
 */
public record QueryResult(int attachFlags, int[] programIds, long revision) {
    public QueryResult {
        programIds = programIds.clone();
    }

    @Override
    public int[] programIds() {
        return programIds.clone();
    }

    /** The number of programs. */
    public int count() {
        return programIds.length;
    }

    /** Whether program {@code id} is in the list. */
    public boolean contains(int id) {
        for (int p : programIds) {
            if (p == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryResult q && attachFlags == q.attachFlags && Arrays.equals(programIds, q.programIds)
                && revision == q.revision;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(programIds) * 31 + attachFlags;
    }

    @Override
    public String toString() {
        return "QueryResult[flags=" + attachFlags + ", programs=" + Arrays.toString(programIds) + ", revision=" + revision + "]";
    }
}
