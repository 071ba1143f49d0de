package dev.autolowat.kernel.features;

import java.util.List;
import java.util.Objects;

/**
 * The results of {@link Probes#all()}: what this kernel and process support, as text for people
 * ({@link #toText()}) or JSON for tools ({@link #toJson()}).
 *
 * @param kernelRelease {@code /proc/sys/kernel/osrelease}
 * @param euid          the effective uid the probes ran as
 * @param results       one result per feature, in probe order
 */
public record ProbeReport(String kernelRelease, int euid, List<ProbeResult> results) {
    public ProbeReport {
        Objects.requireNonNull(kernelRelease, "kernelRelease");
        results = List.copyOf(results);
    }

    /** The result for {@code feature}, or null. */
    public ProbeResult get(String feature) {
        for (ProbeResult r : results) {
            if (r.feature().equals(feature)) {
                return r;
            }
        }
        return null;
    }

    /**
     * One line per feature: status (padded), feature, reason.
     * <pre>
     * AutoLOWAT kernel probes: Linux 6.18.44, euid 0
     *   supported      program type SOCK_OPS: loaded r0 = 1; exit
     *   not supported  RCVQ callback flag 0x80 (F1): ...
     * </pre>
     */
    public String toText() {
        StringBuilder b = new StringBuilder("AutoLOWAT kernel probes: Linux ").append(kernelRelease).append(", euid ")
                .append(euid).append('\n');
        for (ProbeResult r : results) {
            b.append("  ").append(String.format("%-14s", r.status().text())).append(' ').append(r.feature())
                    .append(": ").append(r.reason()).append('\n');
        }
        return b.toString();
    }

    /**
     * {@code {"kernel": "...", "euid": 0, "features": [{"feature": "...", "status": "supported" |
     * "not supported" | "error", "reason": "..."}]}}, indented by two spaces.
     */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"kernel\": ").append(Json.string(kernelRelease)).append(",\n");
        b.append("  \"euid\": ").append(euid).append(",\n");
        b.append("  \"features\": [");
        for (int i = 0; i < results.size(); i++) {
            ProbeResult r = results.get(i);
            b.append(i == 0 ? "\n" : ",\n");
            b.append("    {\"feature\": ").append(Json.string(r.feature()))
                    .append(", \"status\": ").append(Json.string(r.status().text()))
                    .append(", \"reason\": ").append(Json.string(r.reason())).append('}');
        }
        b.append(results.isEmpty() ? "]\n" : "\n  ]\n");
        return b.append("}\n").toString();
    }

    @Override
    public String toString() {
        return toText();
    }
}
