package dev.autolowat.sim.object;

import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.ObjectPolicies;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Family;
import dev.autolowat.testkit.trace.TraceCase;
import dev.autolowat.testkit.trace.TraceFile;
import dev.autolowat.testkit.trace.TraceRunner;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimSession;
import dev.autolowat.sim.vm.SimKernelBtf;
import dev.autolowat.sim.vm.VmOptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference policy written in C (examples/bpf/autolowat_policy.c, compiled by clang) runs
 * unchanged in the simulator: its CO-RE reads relocated against the simulated kernel's BTF, its
 * SK_STORAGE map shared between its two programs, its kfuncs (bpf_cast_to_kern_ctx,
 * bpf_sock_ops_tcp_set_rcvlowat, bpf_rdonly_cast) served by the VM — and passes A6: the series'
 * selftest traces and the issue-12 cases, for IPv4 and IPv6, translated and interpreted.
 */
class CPolicyTest {
    static final Path OBJECT = Path.of("..", "examples", "bpf", "autolowat_policy.o");
    static final List<Path> TRACES = List.of(Path.of("..", "spec", "selftest-traces.json"),
            Path.of("..", "conformance-tests", "src", "main", "resources", "dev", "autolowat", "conformance",
                    "a6-series-program.json"));

    @TestFactory
    List<DynamicTest> a6WithTheCObject() {
        Policy policy = ObjectPolicies.policy(BpfObject.open(OBJECT), SimKernelBtf.btf());
        List<DynamicTest> out = new ArrayList<>();
        for (Path file : TRACES) {
            for (TraceCase trace : TraceFile.read(file).cases()) {
                for (Family family : trace.families()) {
                    for (VmOptions.ExecutionMode mode : VmOptions.ExecutionMode.values()) {
                        out.add(DynamicTest.dynamicTest("A6 C object: " + trace.name() + " over " + family + " (" + mode + ")",
                                () -> {
                                    TraceRunner.Result r = TraceRunner.run(trace, family, new SimBackend(), policy,
                                            s -> ((SimSession) s).setVmMode(mode));
                                    assertTrue(r.passed(), r.describe());
                                }));
                    }
                }
            }
        }
        return out;
    }
}
