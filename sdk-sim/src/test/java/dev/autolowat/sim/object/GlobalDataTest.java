package dev.autolowat.sim.object;

import dev.autolowat.api.Errno;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.ObjectPolicies;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimSession;
import dev.autolowat.sim.vm.SimKernelBtf;
import dev.autolowat.sim.vm.VmOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Global data in SDK programs (docs/objects.md): {@code feature_globals.o}'s {@code .data},
 * {@code .rodata} and {@code .bss} become one-entry ARRAY maps holding the sections, {@code .rodata}
 * frozen, and the program updates them through {@code BPF_PSEUDO_MAP_VALUE} pointers — in both
 * execution modes.
 */
class GlobalDataTest {
    static final Path OBJECT = Path.of("..", "examples", "bpf", "feature_globals.o");

    @ParameterizedTest(name = "{0}: .data starts at 7, grows by .rodata's 5 per invocation; .bss counts them; .rodata is frozen")
    @EnumSource(VmOptions.ExecutionMode.class)
    void globalsRunInTheSimulator(VmOptions.ExecutionMode mode) {
        SockOpsProgram.Bytecode p = ObjectPolicies.sockOps(BpfObject.open(OBJECT), "global_data", SimKernelBtf.btf());
        try (SimSession s = new SimBackend().openSession()) {
            s.setVmMode(mode);
            s.attach(p);
            assertEquals(7, word(s, "feature_.data"), "initialised from the section before the first run");
            assertEquals(5, word(s, "feature_.rodata"));
            assertEquals(0, word(s, "feature_.bss"));
            s.connect(ConnectOptions.IPV4);
            int invocations = word(s, "feature_.bss");
            assertTrue(invocations > 0, "the program ran on the connection's sock_ops callbacks");
            assertEquals(7 + 5 * invocations, word(s, "feature_.data"));
            assertEquals(5, word(s, "feature_.rodata"), "read-only for the program");
            byte[] six = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(6).array();
            assertEquals(Errno.EPERM.negative(), s.map("feature_.rodata").update(new byte[4], six, 0),
                    "frozen: userspace cannot write it either (BPF_MAP_FREEZE)");
            assertEquals(0, s.map("feature_.data").update(new byte[4], six, 0), ".data stays writable");
        }
    }

    private static int word(SimSession s, String map) {
        return word(s.map(map).lookup(0));
    }

    private static int word(byte[] value) {
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
}
