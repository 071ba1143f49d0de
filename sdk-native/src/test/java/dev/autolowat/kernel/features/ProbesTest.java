package dev.autolowat.kernel.features;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel probes on this machine (stock Linux: no RCVQ series). */
@DisplayName("Probes on this kernel")
class ProbesTest {

    @Test
    @DisplayName("F1: bpf_sock_ops_cb_flags_set(skops, 0x80) returns 0x80 on this kernel, reported as \"not supported by this kernel\"")
    void rcvqFlagNotSupported() {
        BpfTestSupport.requireRootAndCgroup2();
        int ret = Probes.cbFlagsSetReturn(Probes.RCVQ_CB_FLAG);
        System.out.println("[F1 probe] bpf_sock_ops_cb_flags_set(skops, 0x80) on PASSIVE_ESTABLISHED_CB returned 0x"
                + Integer.toHexString(ret));
        assertEquals(0x80, ret, "a kernel without the series hands the unknown bit back (F1)");
        ProbeResult r = Probes.rcvqCbFlag();
        assertEquals(ProbeResult.Status.NOT_SUPPORTED, r.status(), r.toString());
        assertTrue(r.reason().startsWith("not supported by this kernel"), r.reason());
    }

    @Test
    @DisplayName("F1 control: a flag this kernel knows (RTT 0x8) is set: the helper returns 0")
    void knownFlagIsSet() {
        BpfTestSupport.requireRootAndCgroup2();
        assertEquals(0, Probes.cbFlagsSetReturn(0x8));
        assertEquals(0x80, Probes.cbFlagsSetReturn(0x88), "only the unknown bit comes back");
    }

    @Test
    @DisplayName("program types, map types and sock_ops helpers this kernel has are supported; skb_load_bytes in sock_ops is not")
    void typesAndHelpers() {
        BpfTestSupport.requireRoot();
        assertTrue(Probes.privileges().isSupported(), Probes.privileges().toString());
        for (ProgramType t : ProgramType.values()) {
            assertTrue(Probes.programType(t).isSupported(), Probes.programType(t).toString());
        }
        for (MapType t : List.of(MapType.HASH, MapType.ARRAY, MapType.SK_STORAGE, MapType.RINGBUF)) {
            assertTrue(Probes.mapType(t).isSupported(), Probes.mapType(t).toString());
        }
        for (Helper h : List.of(Helper.SETSOCKOPT, Helper.GETSOCKOPT, Helper.SOCK_OPS_CB_FLAGS_SET,
                Helper.SK_STORAGE_GET, Helper.MAP_LOOKUP_ELEM, Helper.RINGBUF_OUTPUT)) {
            assertTrue(Probes.sockOpsHelper(h).isSupported(), Probes.sockOpsHelper(h).toString());
        }
        ProbeResult skb = Probes.sockOpsHelper(Helper.SKB_LOAD_BYTES);
        assertEquals(ProbeResult.Status.NOT_SUPPORTED, skb.status(), skb.toString());
    }

    @Test
    @DisplayName("the report as text and JSON: one entry per feature, each supported / not supported / error with a reason")
    void report() {
        BpfTestSupport.requireRootAndCgroup2();
        ProbeReport report = Probes.all();
        System.out.print(report.toText());
        System.out.print(report.toJson());
        assertNotNull(report.get(Probes.RCVQ_FLAG));
        assertEquals(ProbeResult.Status.NOT_SUPPORTED, report.get(Probes.RCVQ_FLAG).status());
        String json = report.toJson();
        assertTrue(json.contains("\"status\": \"not supported\""), json);
        assertEquals(report.results().size(), json.split("\"feature\":", -1).length - 1);
    }
}
