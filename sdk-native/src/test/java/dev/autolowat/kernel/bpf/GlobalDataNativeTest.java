package dev.autolowat.kernel.bpf;

import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.ObjectPolicies;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.kernel.NativeSession;
import dev.autolowat.kernel.btf.KernelBtf;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Global data in SDK programs on the kernel (docs/objects.md): {@code feature_globals.o} through
 * {@code ObjectPolicies} and a native session — maps created with their sections as initial values,
 * {@code .rodata} created {@code BPF_F_RDONLY_PROG} and frozen, the program's {@code BPF_PSEUDO_MAP_VALUE}
 * references pointing into them. The simulator's twin is {@code GlobalDataTest} (sdk-sim).
 */
class GlobalDataNativeTest {
    @Test
    @DisplayName("feature_globals.o in a native session: .data 7 + 5 per invocation, .bss counts, .rodata frozen")
    void globalsOnTheKernel() {
        assumeTrue("root".equals(System.getProperty("user.name")), "requires root (bpf(2) program loads)");
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "no vmlinux BTF on this kernel");
        SockOpsProgram.Bytecode p = ObjectPolicies.sockOps(BpfObject.open(Path.of("..", "examples", "bpf",
                "feature_globals.o")), "global_data", KernelBtf.vmlinux());
        try (NativeSession s = (NativeSession) new NativeBackend().openSession()) {
            s.attach(p);
            assertEquals(7, word(s, "feature_.data"), "initialised before the first run");
            assertEquals(0, word(s, "feature_.bss"));
            s.connect(ConnectOptions.IPV4);
            int invocations = word(s, "feature_.bss");
            assertTrue(invocations > 0, "the program ran on the connection's sock_ops callbacks");
            assertEquals(7 + 5 * invocations, word(s, "feature_.data"));
            assertEquals(5, word(s, "feature_.rodata"));
            byte[] six = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(6).array();
            BpfException e = assertThrows(BpfException.class, () -> s.map("feature_.rodata").put(KernelMap.key(0), six));
            assertEquals(1, e.errno(), "frozen: EPERM, " + e.getMessage());
            s.map("feature_.data").put(KernelMap.key(0), six);
        }
    }

    private static int word(NativeSession s, String map) {
        byte[] v = s.map(map).lookup(KernelMap.key(0)).orElseThrow();
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
}
