package dev.autolowat.sim.policy;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import dev.autolowat.sim.vm.VmOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: the reference policy follows the series' selftest program ({@code progs/tcp_autolowat.c}
 * of v3) on the inputs where the SDK once read the contract differently — in every form the SDK
 * ships: the Java handler, and {@link FramingPolicy#REFERENCE_RPC} compiled to bytecode, run by the
 * simulator's VM translated to JVM bytecode (JIT) and interpreted.
 *
 * <ul>
 *   <li>A5: a bare FIN disables only when it is "zero bytes to copy" of a descriptor being copied
 *       (the current descriptor is incomplete, which includes a FIN exactly on a frame boundary).
 *       With the current descriptor complete, the walk finds that the frame does not end in this
 *       segment and stops: nothing is disabled.</li>
 *   <li>A3: the walk bound counts passes (each pass first checks the per-segment counter, disables
 *       when it is above 100, then increments it), including a pass that only finds that the frame
 *       does not end in this segment.</li>
 * </ul>
 */
class SeriesFidelityTest {

    /** The three forms of the reference policy the SDK ships. */
    enum Form {
        JAVA, BYTECODE_JIT, BYTECODE_INTERPRETER;

        Policy policy() {
            return this == JAVA ? ReferenceAutoLowat.policy() : FramingPolicy.REFERENCE_RPC.compile();
        }

        VmOptions.ExecutionMode mode() {
            return this == BYTECODE_INTERPRETER ? VmOptions.ExecutionMode.INTERPRETER : VmOptions.ExecutionMode.JIT;
        }
    }

    /** A1 frames {header_len, payload_len}, header and payload bytes zero. */
    static byte[] frames(int[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int[] f : frames) {
            out.writeBytes(ReferenceAutoLowatTest.descriptor(f[0], f[1]));
            out.writeBytes(new byte[f[0] + f[1]]);
        }
        return out.toByteArray();
    }

    /** A connection of a fresh simulator session with the form attached and the policy enabled (A2). */
    static final class Run implements AutoCloseable {
        final SimSession session;
        final SimConnection c;
        final byte[] stream;
        int sent;

        Run(Form form, byte[] stream) {
            this.session = new SimBackend().openSession().setVmMode(form.mode());
            session.attach(form.policy());
            this.c = session.connect(ConnectOptions.IPV4);
            this.stream = stream;
            assertEquals(0, c.enableAutoLowat(1), "A2 enable");
        }

        /** The peer sends the next {@code n} bytes of the stream as one segment. */
        Observation send(int n) {
            assertEquals(n, c.send(Arrays.copyOfRange(stream, sent, sent + n), n));
            sent += n;
            return c.observe();
        }

        /** The peer's bare FIN. */
        Observation fin() {
            assertEquals(0, c.peerShutdownWrite());
            return c.observe();
        }

        @Override
        public void close() {
            session.close();
        }
    }

    static void assertEnabled(Observation o, int lowat, String why) {
        assertAll(why,
                () -> assertEquals(CbFlags.RCVQ, o.cbFlags() & CbFlags.RCVQ, "RCVQ stays set"),
                () -> assertEquals(lowat, o.rcvLowat(), "sk_rcvlowat"));
    }

    static void assertDisabled(Observation o, String why) {
        assertAll(why,
                () -> assertEquals(0, o.cbFlags() & CbFlags.RCVQ, "RCVQ cleared (A5)"),
                () -> assertEquals(1, o.rcvLowat(), "lowat 1 (A5)"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A5: a bare FIN while the current descriptor is complete does not disable (the walk stops)")
    void bareFinWithCompleteDescriptorKeepsParsing(Form form) {
        try (Run r = new Run(form, frames(new int[] {100, 150}))) {
            assertEnabled(r.send(58), 258, "58 bytes of a 258-byte frame: descriptor complete");
            Observation o = r.fin();
            assertEnabled(o, 258, "bare FIN, descriptor complete, frame not ended");
            assertTrue(o.readable(), "H3: the FIN makes the socket readable anyway");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A5: a bare FIN exactly on a frame boundary disables (the next descriptor has zero bytes to copy)")
    void bareFinOnFrameBoundaryDisables(Form form) {
        try (Run r = new Run(form, frames(new int[] {100, 150}))) {
            assertEnabled(r.send(258), 258, "one whole frame");
            assertDisabled(r.fin(), "bare FIN on the frame boundary");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A5: a bare FIN inside a descriptor disables (zero bytes to copy)")
    void bareFinInsideDescriptorDisables(Form form) {
        try (Run r = new Run(form, frames(new int[] {100, 150}))) {
            assertEnabled(r.send(3), 8, "three descriptor bytes");
            assertDisabled(r.fin(), "bare FIN inside the descriptor");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A5: a bare FIN after a complete frame whose next descriptor is complete does not disable")
    void bareFinAfterFrameAndCompleteNextDescriptor(Form form) {
        try (Run r = new Run(form, frames(new int[] {100, 150}, new int[] {100, 150}))) {
            assertEnabled(r.send(266), 258, "a whole frame and the next descriptor: deliver the whole frame");
            assertEnabled(r.fin(), 258, "bare FIN, next descriptor complete");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A3/A5: 101 whole frames and the complete descriptor of a 102nd that does not end: 102 passes disable")
    void oneHundredOneFramesAndCompleteDescriptorDisable(Form form) {
        int[][] f = new int[102][];
        Arrays.fill(f, 0, 101, new int[] {0, 0});
        f[101] = new int[] {0, 10};
        try (Run r = new Run(form, frames(f))) {
            assertDisabled(r.send(101 * 8 + 8), "the 102nd pass finds the bound above 100");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A3: 101 whole frames and part of the 102nd descriptor: the parse is partial, nothing disables")
    void oneHundredOneFramesAndPartialDescriptor(Form form) {
        int[][] f = new int[102][];
        Arrays.fill(f, 0, 101, new int[] {0, 0});
        f[101] = new int[] {0, 10};
        try (Run r = new Run(form, frames(f))) {
            assertEnabled(r.send(101 * 8 + 3), 808, "all 101 frames in one wakeup");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A3: exactly 101 whole frames in one segment are fine; 102 disable")
    void oneHundredOneWholeFrames(Form form) {
        int[][] f = new int[102][];
        Arrays.fill(f, new int[] {0, 0});
        try (Run r = new Run(form, frames(f))) {
            assertEnabled(r.send(101 * 8), 808, "101 whole frames");
        }
        try (Run r = new Run(form, frames(f))) {
            assertDisabled(r.send(102 * 8), "102 whole frames");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    @DisplayName("A3: the tail of an earlier frame and 100 whole frames, then a complete descriptor (102 passes) disable")
    void tailPlusHundredFramesAndDescriptorDisable(Form form) {
        int[][] f = new int[102][];
        f[0] = new int[] {0, 20};
        Arrays.fill(f, 1, 101, new int[] {0, 0});
        f[101] = new int[] {0, 10};
        try (Run r = new Run(form, frames(f))) {
            assertEnabled(r.send(10), 28, "the first frame's descriptor and 2 bytes");
            // pass 1 ends the first frame, passes 2..101 the 100 empty frames, pass 102 only finds
            // that the last frame does not end here
            assertDisabled(r.send(18 + 100 * 8 + 8), "102 passes");
        }
    }
}
