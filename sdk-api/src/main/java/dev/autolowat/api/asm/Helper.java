package dev.autolowat.api.asm;

/**
 * The BPF helpers the contract's programs use ({@code enum bpf_func_id}), by kernel name.
 */
public enum Helper {
    MAP_LOOKUP_ELEM(1),
    MAP_UPDATE_ELEM(2),
    MAP_DELETE_ELEM(3),
    KTIME_GET_NS(5),
    SKB_LOAD_BYTES(26),
    SETSOCKOPT(49),
    GETSOCKOPT(57),
    SOCK_OPS_CB_FLAGS_SET(59),
    TCP_SOCK(96),
    SK_STORAGE_GET(107),
    SK_STORAGE_DELETE(108),
    RINGBUF_OUTPUT(130),
    SKC_TO_TCP_SOCK(137);

    private final int id;

    Helper(int id) {
        this.id = id;
    }

    /** The helper id encoded in a CALL's imm. */
    public int id() {
        return id;
    }

    /** The kernel's name, e.g. {@code bpf_sk_storage_get}. */
    public String kernelName() {
        return "bpf_" + name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The helper with {@code id}, or {@code null} when the SDK does not know it. */
    public static Helper ofId(int id) {
        for (Helper h : values()) {
            if (h.id == id) {
                return h;
            }
        }
        return null;
    }

    /** {@code BPF_SK_STORAGE_GET_F_CREATE}. */
    public static final int SK_STORAGE_GET_F_CREATE = 1;
}
