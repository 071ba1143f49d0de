package dev.autolowat.kernel.link;

import dev.autolowat.api.program.ProgramType;

/** The cgroup attach types ({@code enum bpf_attach_type}) the SDK uses. */
public enum CgroupAttachType {
    /** {@code BPF_CGROUP_SOCK_OPS} = 3: SOCK_OPS programs. */
    CGROUP_SOCK_OPS(3),
    /** {@code BPF_CGROUP_GETSOCKOPT} = 21: CGROUP_SOCKOPT programs loaded for getsockopt. */
    CGROUP_GETSOCKOPT(21),
    /** {@code BPF_CGROUP_SETSOCKOPT} = 22: CGROUP_SOCKOPT programs loaded for setsockopt (rule A2). */
    CGROUP_SETSOCKOPT(22);

    private final int value;

    CgroupAttachType(int value) {
        this.value = value;
    }

    /** The uapi value. */
    public int value() {
        return value;
    }

    /** The kernel's name, e.g. {@code BPF_CGROUP_SOCK_OPS}. */
    public String kernelName() {
        return "BPF_" + name();
    }

    /** How a program of {@code type} is attached to a cgroup. */
    public static CgroupAttachType of(ProgramType type) {
        return switch (type) {
            case SOCK_OPS -> CGROUP_SOCK_OPS;
            case CGROUP_SETSOCKOPT -> CGROUP_SETSOCKOPT;
        };
    }
}
