package dev.autolowat.kernel.features;

import java.util.Objects;

/**
 * The answer to one probe: the feature, whether this kernel (and this process) has it, and why.
 *
 * @param feature what was probed, e.g. {@code "program type SOCK_OPS"}
 * @param status  supported, not supported, or error (the probe could not tell)
 * @param reason  what was observed, e.g. the errno or the value a helper returned
 */
public record ProbeResult(String feature, Status status, String reason) {
    /** The three answers a probe gives, as in cilium/ebpf's {@code features} (nil, ErrNotSupported, error). */
    public enum Status {
        SUPPORTED("supported"),
        NOT_SUPPORTED("not supported"),
        ERROR("error");

        private final String text;

        Status(String text) {
            this.text = text;
        }

        /** Lower-case words for reports: {@code "not supported"}. */
        public String text() {
            return text;
        }
    }

    public ProbeResult {
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    static ProbeResult supported(String feature, String reason) {
        return new ProbeResult(feature, Status.SUPPORTED, reason);
    }

    static ProbeResult notSupported(String feature, String reason) {
        return new ProbeResult(feature, Status.NOT_SUPPORTED, reason);
    }

    static ProbeResult error(String feature, String reason) {
        return new ProbeResult(feature, Status.ERROR, reason);
    }

    public boolean isSupported() {
        return status == Status.SUPPORTED;
    }

    @Override
    public String toString() {
        return feature + ": " + status.text() + " (" + reason + ")";
    }
}
