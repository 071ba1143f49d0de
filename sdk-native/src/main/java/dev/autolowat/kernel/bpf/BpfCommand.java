package dev.autolowat.kernel.bpf;

/**
 * The {@code bpf(2)} commands ({@code enum bpf_cmd} of {@code include/uapi/linux/bpf.h}) this
 * package issues, with their numbers. Messages name a command as the kernel does:
 * {@code BPF_PROG_LOAD}.
 */
public enum BpfCommand {
    MAP_CREATE(0),
    MAP_LOOKUP_ELEM(1),
    MAP_UPDATE_ELEM(2),
    MAP_DELETE_ELEM(3),
    MAP_GET_NEXT_KEY(4),
    PROG_LOAD(5),
    OBJ_PIN(6),
    PROG_ATTACH(8),
    PROG_DETACH(9),
    PROG_TEST_RUN(10),
    PROG_GET_NEXT_ID(11),
    MAP_GET_NEXT_ID(12),
    PROG_GET_FD_BY_ID(13),
    MAP_GET_FD_BY_ID(14),
    OBJ_GET_INFO_BY_FD(15),
    PROG_QUERY(16),
    BTF_LOAD(18),
    MAP_FREEZE(22),
    LINK_CREATE(28),
    LINK_DETACH(34);

    private final int number;

    BpfCommand(int number) {
        this.number = number;
    }

    /** The command's number, the first argument of {@code bpf(cmd, &attr, size)}. */
    public int number() {
        return number;
    }

    /** The kernel's name, e.g. {@code BPF_PROG_LOAD}. */
    public String kernelName() {
        return "BPF_" + name();
    }
}
