package dev.autolowat.sim.vm;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.CoreRelocator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated kernel's BTF describes the VM's layout: every field the policy compiler's FieldRefs
 * resolve is where the BTF says, and the C reference policy's CO-RE reads land on them.
 */
class SimKernelBtfTest {
    @Test
    @DisplayName("every field of the simulator's layout table is at the same offset in its BTF")
    void btfMatchesLayouts() {
        // the table is not empty: the kernel objects a policy reaches through BTF are all in it
        assertTrue(Layouts.fieldTable().keySet().containsAll(List.of("tcp_sock", "sock", "bpf_sock_ops_kern",
                "sk_buff")), Layouts.fieldTable().keySet().toString());
        assertEquals(0x600, Layouts.fieldTable().get("tcp_sock").get("rcv_nxt"));
        for (Map.Entry<String, Map<String, Integer>> s : Layouts.fieldTable().entrySet()) {
            for (Map.Entry<String, Integer> f : s.getValue().entrySet()) {
                if (f.getKey().equals("args")) {
                    continue; // an anonymous union's member in BTF, as in the kernel
                }
                assertEquals((long) f.getValue(), SimKernelBtf.btf().field(s.getKey(), f.getKey()).byteOffset(),
                        s.getKey() + "." + f.getKey());
            }
        }
    }

    @Test
    @DisplayName("a FieldRef to a struct the simulator does not have is refused at load, naming the structs it has")
    void unknownStruct() {
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                () -> VmHarness.raw().load(new Asm().ldxField(Asm.W, 0, 1, "no_such_struct", "x", 0).exit()));
        assertTrue(e.getMessage().contains("the simulator's layout has structs ") && e.getMessage().contains("tcp_sock"),
                e.getMessage());
    }

    @Test
    @DisplayName("A3/A4 in C: the reference policy's CO-RE reads resolve to the fields the VM serves")
    void referencePolicyRelocatesToTheModel() {
        BpfObject o = BpfObject.open(Path.of("..", "examples", "bpf", "autolowat_policy.o"));
        CoreRelocator.Relocated r = new CoreRelocator(o.btf().orElseThrow(), SimKernelBtf.btf())
                .relocate(o.program("autolowat_rcvq"));
        assertTrue(r.poisoned().isEmpty(), r.poisoned().toString());
        for (CoreRelocator.Resolution res : r.resolutions()) {
            String d = res.relocation().description();
            long expected = d.startsWith("struct bpf_sock_ops_kern::skb") ? Layouts.fieldOffset("bpf_sock_ops_kern", "skb")
                    : d.startsWith("struct sk_buff::cb") ? Layouts.fieldOffset("sk_buff", "cb")
                    : d.startsWith("struct tcp_skb_cb::seq") ? Layouts.CB_SEQ
                    : d.startsWith("struct tcp_sock::copied_seq") ? Layouts.fieldOffset("tcp_sock", "copied_seq")
                    : Layouts.fieldOffset("tcp_sock", "inet_conn.icsk_inet.sk.sk_rcvlowat");
            assertEquals(expected, res.value(), d);
        }
    }
}
