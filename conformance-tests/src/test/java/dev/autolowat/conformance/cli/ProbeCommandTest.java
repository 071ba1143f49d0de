package dev.autolowat.conformance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autolowat.kernel.features.ProbeReport;
import dev.autolowat.kernel.features.ProbeResult;
import dev.autolowat.kernel.features.Probes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code autolowat probe}: a verdict first, then a report a user can print, as text and as JSON. */
class ProbeCommandTest {
    private static final String EPERM = "bpf(BPF_PROG_LOAD) failed with EPERM (1): bpf() needs root or CAP_BPF+CAP_NET_ADMIN";

    private static ProbeResult ok(String feature, String details) {
        return new ProbeResult(feature, ProbeResult.Status.SUPPORTED, details);
    }

    private static ProbeResult no(String feature, String why) {
        return new ProbeResult(feature, ProbeResult.Status.NOT_SUPPORTED, why);
    }

    @Test
    @DisplayName("F1/K1: the probe report on this machine starts with a verdict on the series, then names the RCVQ flag, the op and the kfunc")
    void textReport() {
        CliRun r = CliRun.of("probe");
        boolean privileged = ProbeCommand.privileged(Probes.all());
        assertEquals(privileged ? 0 : CliErrors.ENVIRONMENT, r.exit(), r.err());
        String first = r.out().lines().findFirst().orElseThrow();
        assertTrue(first.matches("(this kernel \\(.*\\) (carries|lacks|carries only part of) the AutoLOWAT series|cannot tell).*"),
                first);
        assertTrue(r.out().contains("RCVQ callback flag 0x80 (F1)"), r.out());
        assertTrue(r.out().contains("kfunc bpf_sock_ops_tcp_set_rcvlowat"), r.out());
        assertTrue(r.out().lines().skip(2).allMatch(l -> l.matches("\\s+(supported|not supported|error|not probed)\\s+.*")),
                r.out());
        assertFalse(r.out().lines().filter(l -> l.strip().startsWith("supported ")).anyMatch(l -> l.contains("!read_ok")),
                "no verifier text on supported lines: " + r.out());
    }

    @Test
    @DisplayName("-v shows the details of supported features; the JSON report carries the verdict and every feature with a status")
    void verboseAndJson() throws Exception {
        CliRun v = CliRun.of("probe", "-v");
        assertTrue(v.out().lines().skip(2).allMatch(l -> l.contains(": ") || l.contains("not probed")), v.out());
        CliRun j = CliRun.of("probe", "--json");
        JsonNode root = new ObjectMapper().readTree(j.out());
        assertTrue(root.get("verdict").asText().contains("AutoLOWAT series"), root.toString());
        assertTrue(root.get("features").size() >= 20, root.toString());
        for (JsonNode f : root.get("features")) {
            assertTrue(f.get("status").asText().matches("supported|not supported|error|not probed"), f.toString());
            assertTrue(!f.get("reason").asText().isBlank(), f.toString());
        }
    }

    @Test
    @DisplayName("F1/H1/K1: the verdict names what a stock kernel lacks, and says that a patched kernel carries the series")
    void verdicts() {
        ProbeReport stock = new ProbeReport("6.18.44", 0, List.of(ok(Probes.PRIVILEGES, "works"),
                ok("sock_ops helper bpf_setsockopt (49)", "verifier \"R2 !read_ok\""),
                no(Probes.RCVQ_FLAG, "not supported by this kernel: returned 0x80"),
                no(Probes.RCVQ_OP_BTF, "no enumerator"), no(Probes.RCVLOWAT_KFUNC_BTF, "no function")));
        assertEquals("this kernel (6.18.44) lacks the AutoLOWAT series: op 21 BPF_SOCK_OPS_RCVQ_CB, flag 0x80 "
                + "BPF_SOCK_OPS_RCVQ_CB_FLAG, kfunc bpf_sock_ops_tcp_set_rcvlowat missing", ProbeCommand.verdict(stock));
        String text = ProbeCommand.text(stock, false);
        assertTrue(text.contains("  supported      sock_ops helper bpf_setsockopt (49)\n"), text);
        assertFalse(text.contains("read_ok"), text);
        assertTrue(ProbeCommand.text(stock, true).contains("read_ok"), "-v keeps the details");

        ProbeReport patched = new ProbeReport("6.12.0-autolowat", 0, List.of(ok(Probes.PRIVILEGES, "works"),
                ok(Probes.RCVQ_FLAG, "0"), ok(Probes.RCVQ_OP_BTF, "21"), ok(Probes.RCVLOWAT_KFUNC_BTF, "found")));
        assertTrue(ProbeCommand.verdict(patched).startsWith("this kernel (6.12.0-autolowat) carries the AutoLOWAT series"),
                ProbeCommand.verdict(patched));
    }

    @Test
    @DisplayName("without privileges: the reason is stated once, the blocked probes say 'not probed', the verdict says why")
    void unprivileged() {
        ProbeReport report = new ProbeReport("6.18.44", 65534, List.of(
                no(Probes.PRIVILEGES, "bpf(BPF_MAP_CREATE) failed with EPERM (1): bpf() needs root or CAP_BPF+CAP_NET_ADMIN"),
                new ProbeResult("program type SOCK_OPS", ProbeResult.Status.ERROR, EPERM),
                new ProbeResult("map type HASH", ProbeResult.Status.ERROR, EPERM),
                new ProbeResult(Probes.RCVQ_FLAG, ProbeResult.Status.ERROR, "PrivilegeException: " + EPERM),
                no(Probes.RCVQ_OP_BTF, "no enumerator"), no(Probes.RCVLOWAT_KFUNC_BTF, "no function")));
        assertFalse(ProbeCommand.privileged(report));
        String text = ProbeCommand.text(report, false);
        assertEquals(1, text.split("EPERM", -1).length - 1, "the privilege problem once:\n" + text);
        assertTrue(text.contains("  not probed     program type SOCK_OPS (needs bpf() privileges, see above)"), text);
        String verdict = text.lines().findFirst().orElseThrow();
        assertTrue(verdict.startsWith("this kernel (6.18.44) lacks the AutoLOWAT series: op 21"), verdict);
        assertTrue(verdict.contains("not probed: flag 0x80") && verdict.contains("not run as euid 65534"), verdict);
    }
}
