package dev.autolowat.sim.vm;

import dev.autolowat.api.program.ProgramType;

/**
 * The kernel functions the simulator's VM implements, with the ids it puts in a kfunc CALL's imm
 * when it resolves a {@link dev.autolowat.api.asm.Relocation.KfuncRef} (a kernel would put the
 * function's BTF id there).
 */
public enum Kfunc {
    /**
     * {@code void *bpf_cast_to_kern_ctx(void *ctx)}: the sock_ops context as
     * {@code struct bpf_sock_ops_kern} (fields {@code sk}, {@code skb}, {@code op}...). Part of
     * stock kernels since 6.3; the VM offers it to sock_ops programs only.
     */
    CAST_TO_KERN_CTX(1, "bpf_cast_to_kern_ctx", false),
    /**
     * Rule K1: {@code int bpf_sock_ops_tcp_set_rcvlowat(struct bpf_sock_ops_kern *skops, int val)},
     * added by the AutoLOWAT series; sock_ops programs with a GPL-compatible license only.
     */
    SOCK_OPS_TCP_SET_RCVLOWAT(2, "bpf_sock_ops_tcp_set_rcvlowat", true),
    /**
     * {@code void *bpf_rdonly_cast(const void *obj, u32 btf_id)} (libbpf's {@code bpf_core_cast}): the
     * pointer as one to the type {@code btf_id} names in the target BTF — for the simulator,
     * {@link SimKernelBtf}. Part of stock kernels since 6.3, for every program type. The VM serves
     * casts between pointers to the same kernel object (the socket reached as {@code bpf_sock},
     * {@code bpf_tcp_sock}, {@code tcp_sock} or any struct it embeds; the context as
     * {@code bpf_sock_ops_kern}; the segment as {@code sk_buff}); any other cast faults, naming it.
     */
    RDONLY_CAST(3, "bpf_rdonly_cast", false);

    private final int id;
    private final String kernelName;
    private final boolean needsSeries;

    Kfunc(int id, String kernelName, boolean needsSeries) {
        this.id = id;
        this.kernelName = kernelName;
        this.needsSeries = needsSeries;
    }

    /** The simulator's id of the function (the imm of a resolved kfunc CALL). */
    public int id() {
        return id;
    }

    /** The function's name in vmlinux BTF. */
    public String kernelName() {
        return kernelName;
    }

    /** Whether only a kernel with the AutoLOWAT series has this function. */
    public boolean needsSeries() {
        return needsSeries;
    }

    /** Whether a program of {@code type} may call it ({@code bpf_rdonly_cast} is for every type). */
    public boolean allowedFor(ProgramType type) {
        return this == RDONLY_CAST || type == ProgramType.SOCK_OPS;
    }

    /** The kfunc named {@code name}, or {@code null}. */
    public static Kfunc ofName(String name) {
        for (Kfunc k : values()) {
            if (k.kernelName.equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** The kfunc with the simulator id {@code id}, or {@code null}. */
    public static Kfunc ofId(int id) {
        for (Kfunc k : values()) {
            if (k.id == id) {
                return k;
            }
        }
        return null;
    }
}
