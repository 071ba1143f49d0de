package dev.autolowat.conformance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autolowat.kernel.features.ProbeReport;
import dev.autolowat.kernel.features.ProbeResult;
import dev.autolowat.kernel.features.Probes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code autolowat probe}: what the running kernel supports (privileges, program and map types,
 * helpers, the RCVQ flag through F1, the series' BTF symbols), as text or JSON.
 *
 * <p>The text starts with a one-line verdict on the series ({@code this kernel (6.18.44) lacks the
 * AutoLOWAT series: ...}). A supported feature is one line without the probe's details (a verifier
 * message such as {@code "R2 !read_ok"} is how a helper probe tells that the helper exists, not an
 * error; {@code -v} and {@code --json} show it). Without the privilege to call {@code bpf()}, the
 * reason is stated once and the probes that need it say {@code not probed}; the exit code is then
 * {@value CliErrors#ENVIRONMENT}, since the answer is incomplete.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Probe what the running kernel supports for AutoLOWAT: a one-line verdict on the series, then "
                + "one line per feature. Needs root (or CAP_BPF+CAP_NET_ADMIN) for the bpf() probes. Exit code: 0 "
                + "probed, 3 the bpf() probes could not run (no privilege).")
public final class ProbeCommand implements Callable<Integer> {
    /** The status of a probe that could not run because {@code bpf()} is not permitted. */
    static final String NOT_PROBED = "not probed";

    @Option(names = "--json", description = "Print JSON (with every probe's details) instead of text.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Show the details of supported features too (e.g. the "
            + "verifier message that shows a helper exists).")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProbeReport report = Probes.all();
        boolean privileged = privileged(report);
        out.print(json ? json(report) : text(report, verbose));
        out.flush();
        return privileged ? 0 : CliErrors.ENVIRONMENT;
    }

    /** Whether the process may call {@code bpf()} (the privilege probe passed). */
    static boolean privileged(ProbeReport report) {
        ProbeResult p = report.get(Probes.PRIVILEGES);
        return p != null && p.isSupported();
    }

    /** A probe that failed only because the process may not call {@code bpf()}. */
    static boolean blockedByPrivilege(ProbeReport report, ProbeResult r) {
        return !privileged(report) && !r.feature().equals(Probes.PRIVILEGES)
                && r.status() == ProbeResult.Status.ERROR && (r.reason().contains("EPERM") || r.reason().contains("Privilege"));
    }

    /** The status a line shows: {@code supported}, {@code not supported}, {@code error} or {@code not probed}. */
    static String status(ProbeReport report, ProbeResult r) {
        return blockedByPrivilege(report, r) ? NOT_PROBED : r.status().text();
    }

    /**
     * The one-line verdict on the series from its three probes (the RCVQ flag, op 21 and the kfunc):
     * carries it, lacks it (naming what is missing), carries part of it, or cannot tell.
     */
    static String verdict(ProbeReport report) {
        String[][] parts = {
                {Probes.RCVQ_OP_BTF, "op 21 BPF_SOCK_OPS_RCVQ_CB"},
                {Probes.RCVQ_FLAG, "flag 0x80 BPF_SOCK_OPS_RCVQ_CB_FLAG"},
                {Probes.RCVLOWAT_KFUNC_BTF, "kfunc bpf_sock_ops_tcp_set_rcvlowat"}};
        List<String> has = new ArrayList<>();
        List<String> lacks = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String[] part : parts) {
            ProbeResult r = report.get(part[0]);
            if (r == null || r.status() == ProbeResult.Status.ERROR) {
                unknown.add(part[1]);
            } else if (r.isSupported()) {
                has.add(part[1]);
            } else {
                lacks.add(part[1]);
            }
        }
        String kernel = "this kernel (" + report.kernelRelease() + ")";
        String v;
        if (lacks.isEmpty() && unknown.isEmpty()) {
            v = kernel + " carries the AutoLOWAT series: " + String.join(", ", has);
        } else if (has.isEmpty() && !lacks.isEmpty()) {
            v = kernel + " lacks the AutoLOWAT series: " + String.join(", ", lacks) + " missing";
        } else if (!has.isEmpty() && !lacks.isEmpty()) {
            v = kernel + " carries only part of the AutoLOWAT series: has " + String.join(", ", has) + "; lacks "
                    + String.join(", ", lacks);
        } else {
            v = "cannot tell whether " + kernel + " carries the AutoLOWAT series";
        }
        if (!unknown.isEmpty() && !(has.isEmpty() && lacks.isEmpty())) {
            v += "; not probed: " + String.join(", ", unknown);
        }
        if (!privileged(report)) {
            v += " (the bpf() probes need root or CAP_BPF+CAP_NET_ADMIN: not run as euid " + report.euid() + ")";
        }
        return v;
    }

    /** The verdict, a header, then one line per feature (details of supported ones only if {@code verbose}). */
    static String text(ProbeReport report, boolean verbose) {
        StringBuilder b = new StringBuilder(verdict(report)).append('\n');
        b.append("AutoLOWAT kernel probes: Linux ").append(report.kernelRelease()).append(", euid ").append(report.euid())
                .append('\n');
        for (ProbeResult r : report.results()) {
            String status = status(report, r);
            b.append("  ").append(String.format("%-14s", status)).append(' ').append(r.feature());
            if (status.equals(NOT_PROBED)) {
                b.append(" (needs bpf() privileges, see above)");
            } else if (!r.isSupported() || verbose) {
                b.append(": ").append(r.reason());
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** {@code {"verdict", "kernel", "euid", "privileged", "features": [{"feature", "status", "reason"}]}}. */
    static String json(ProbeReport report) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("verdict", verdict(report));
        root.put("kernel", report.kernelRelease());
        root.put("euid", report.euid());
        root.put("privileged", privileged(report));
        ArrayNode fs = root.putArray("features");
        for (ProbeResult r : report.results()) {
            ObjectNode f = fs.addObject();
            f.put("feature", r.feature());
            f.put("status", status(report, r));
            f.put("reason", r.reason());
        }
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the probe report as JSON", e);
        }
    }
}
