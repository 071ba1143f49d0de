package dev.autolowat.api.program;

/** The BPF program types the SDK attaches, with their uapi program type and cgroup attach type. */
public enum ProgramType {
    /** {@code BPF_PROG_TYPE_SOCK_OPS} attached as {@code BPF_CGROUP_SOCK_OPS}. */
    SOCK_OPS(13, 3),
    /** {@code BPF_PROG_TYPE_CGROUP_SOCKOPT} attached as {@code BPF_CGROUP_SETSOCKOPT} (rule A2). */
    CGROUP_SETSOCKOPT(25, 22);

    private final int progType;
    private final int attachType;

    ProgramType(int progType, int attachType) {
        this.progType = progType;
        this.attachType = attachType;
    }

    /** {@code enum bpf_prog_type} value. */
    public int progType() {
        return progType;
    }

    /** {@code enum bpf_attach_type} value for the cgroup attachment. */
    public int attachType() {
        return attachType;
    }
}
