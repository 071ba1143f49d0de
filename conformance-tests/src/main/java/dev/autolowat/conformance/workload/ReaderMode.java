package dev.autolowat.conformance.workload;

/** How the reader of an RPC workload is set up. */
public enum ReaderMode {
    /** No policy, {@code SO_RCVLOWAT} 1 (the default): a wakeup per segment. */
    LOWAT_1("lowat 1 (no policy)"),
    /**
     * A fixed {@code SO_RCVLOWAT} ({@link RpcWorkload#staticLowat()}, the frame size by default), set
     * once before the first byte: what an application whose frames all have one known size can do.
     */
    STATIC_LOWAT("static lowat"),
    /**
     * Userspace AutoLOWAT: no policy; the reader parses the A1 descriptors out of the bytes it read
     * and, after each read, sets {@code SO_RCVLOWAT} to the bytes still needed for the current frame
     * (or for the rest of the next descriptor, 8 at a frame boundary) — only when the value changes.
     * What an application can do today without the series. It cannot know a frame's length before
     * it has read its descriptor, so a frame whose first segment does not hold it whole costs two
     * wakeups (one for the descriptor, one for the rest).
     */
    USERSPACE_AUTOLOWAT("userspace AutoLOWAT"),
    /**
     * BPF AutoLOWAT: the reference policy (Java handler or bytecode) attached and enabled through its
     * A2 setsockopt; the kernel sets the lowat from op 21. Needs a kernel with the series: elsewhere
     * the run throws {@link ModeNotSupportedException} ("not supported by this kernel").
     */
    BPF_AUTOLOWAT("AutoLOWAT reference policy");

    private final String label;

    ReaderMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether this mode needs a policy attached (and a kernel with the series). */
    public boolean needsPolicy() {
        return this == BPF_AUTOLOWAT;
    }
}
