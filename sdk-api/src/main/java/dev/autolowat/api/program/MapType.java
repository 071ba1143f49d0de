package dev.autolowat.api.program;

/** The BPF map types a program may declare ({@code enum bpf_map_type}). */
public enum MapType {
    HASH(1),
    ARRAY(2),
    SOCKMAP(15),
    SOCKHASH(18),
    SK_STORAGE(24),
    RINGBUF(27);

    private final int value;

    MapType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
