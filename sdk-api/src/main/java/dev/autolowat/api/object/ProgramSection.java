package dev.autolowat.api.object;

import dev.autolowat.api.program.ProgramType;

import java.util.List;
import java.util.Optional;

/**
 * What a program's ELF section name says about it, by libbpf's conventions
 * ({@code tools/lib/bpf/libbpf.c}, {@code section_defs}): the program type and the expected attach
 * type. {@code SEC("sockops")} is a {@code BPF_PROG_TYPE_SOCK_OPS} program attached as
 * {@code BPF_CGROUP_SOCK_OPS}; {@code SEC("cgroup/setsockopt")} a {@code CGROUP_SOCKOPT} program
 * attached as {@code BPF_CGROUP_SETSOCKOPT} (the reference policy's A2 path).
 *
 * <p>The table knows the sections this SDK can run ({@link #sdkType()} present) and the common
 * others, so that an object mixing them is described correctly; a section it does not know is
 * {@link #UNKNOWN}, which {@code objdump} shows and a backend refuses to load.
 *
 * @param prefix     the section name or prefix as libbpf matches it ({@code "kprobe/"} matches
 *                   {@code kprobe/tcp_recvmsg})
 * @param progType   {@code enum bpf_prog_type}, or -1 when unknown
 * @param attachType {@code enum bpf_attach_type} expected at load, or -1 when none
 */
public record ProgramSection(String prefix, int progType, int attachType) {
    /** A section name that libbpf's conventions do not describe. */
    public static final ProgramSection UNKNOWN = new ProgramSection("", -1, -1);

    private static final List<ProgramSection> KNOWN = List.of(
            new ProgramSection("sockops", 13, 3),
            new ProgramSection("cgroup/setsockopt", 25, 22),
            new ProgramSection("cgroup/getsockopt", 25, 21),
            new ProgramSection("cgroup/skb", 8, -1),
            new ProgramSection("cgroup_skb/ingress", 8, 0),
            new ProgramSection("cgroup_skb/egress", 8, 1),
            new ProgramSection("cgroup/sock_create", 9, 2),
            new ProgramSection("cgroup/connect4", 18, 10),
            new ProgramSection("cgroup/connect6", 18, 11),
            new ProgramSection("sk_skb/stream_parser", 14, 4),
            new ProgramSection("sk_skb/stream_verdict", 14, 5),
            new ProgramSection("sk_skb", 14, -1),
            new ProgramSection("sk_msg", 16, 6),
            new ProgramSection("socket", 1, -1),
            new ProgramSection("tc", 3, -1),
            new ProgramSection("classifier", 3, -1),
            new ProgramSection("xdp", 6, 37),
            new ProgramSection("kprobe/", 2, -1),
            new ProgramSection("kretprobe/", 2, -1),
            new ProgramSection("tracepoint/", 5, -1),
            new ProgramSection("tp/", 5, -1),
            new ProgramSection("raw_tracepoint/", 17, -1),
            new ProgramSection("tp_btf/", 26, 24),
            new ProgramSection("fentry/", 26, 24),
            new ProgramSection("fexit/", 26, 25),
            new ProgramSection("struct_ops/", 27, -1),
            new ProgramSection("syscall", 31, -1));

    /** The description of {@code sectionName}: the first entry whose prefix matches, as libbpf. */
    public static ProgramSection of(String sectionName) {
        for (ProgramSection s : KNOWN) {
            String p = s.prefix();
            if (p.endsWith("/") ? sectionName.startsWith(p) && sectionName.length() > p.length()
                    : sectionName.equals(p) || sectionName.startsWith(p + "/")) {
                return s;
            }
        }
        return UNKNOWN;
    }

    /** The SDK's own {@link ProgramType} when the backends can attach this program. */
    public Optional<ProgramType> sdkType() {
        for (ProgramType t : ProgramType.values()) {
            if (t.progType() == progType && t.attachType() == attachType) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether libbpf's conventions describe this section. */
    public boolean known() {
        return progType >= 0;
    }
}
