package dev.autolowat.conformance.workload;

/** How the reader of an RPC workload is set up. */
public enum ReaderMode {
    /** No policy, {@code SO_RCVLOWAT} 1 (the default): a wakeup per segment. */
    LOWAT_1("lowat 1 (no policy)"),
    /** The reference AutoLOWAT policy, enabled through its A2 setsockopt. */
    AUTOLOWAT_POLICY("AutoLOWAT reference policy");

    private final String label;

    ReaderMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
