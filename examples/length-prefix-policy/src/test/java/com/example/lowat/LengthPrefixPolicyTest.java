package com.example.lowat;

import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both policies in the simulator: one wakeup and one recv per frame, where lowat 1 wakes per segment. */
class LengthPrefixPolicyTest {
    private static final int FRAMES = 50;

    /** A frame with a 4-byte big-endian length prefix and {@code body} bytes. */
    private static byte[] prefixed(int body) {
        return ByteBuffer.allocate(4 + body).putInt(body).array();
    }

    /** Sends {@code frame} in 3 segments {@code FRAMES} times; reads after each wakeup; returns wakeups per frame. */
    private static double run(SimConnection c, byte[] frame) {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int a = frame.length / 3;
        int b = frame.length / 3;
        int recvs = 0;
        for (int i = 0; i < FRAMES; i++) {
            long before = c.edgeWakeups();
            c.send(frame, a, b, frame.length - a - b);
            // One wakeup per frame: the segments before the last did not wake the reader.
            if (c.edgeWakeups() > before || c.readable()) {
                int n;
                while ((n = c.recv(buf, 0, buf.length, RecvMode.NON_BLOCKING)) > 0) {
                    read.write(buf, 0, n);
                    recvs++;
                }
            }
        }
        assertEquals((long) FRAMES * frame.length, read.size(), "every byte read");
        byte[] all = read.toByteArray();
        byte[] first = new byte[frame.length];
        System.arraycopy(all, 0, first, 0, frame.length);
        assertArrayEquals(frame, first);
        assertTrue(recvs >= FRAMES, "at least one recv per frame (the last returns EAGAIN)");
        return (double) c.edgeWakeups() / FRAMES;
    }

    @Test
    void withoutAPolicyTheReaderWakesPerSegment() {
        try (SimSession session = new SimBackend().openSession()) {
            SimConnection c = session.connect(ConnectOptions.IPV4);
            assertEquals(3.0, run(c, prefixed(600)));
        }
    }

    @Test
    void theJavaHandlerEnablesItselfAndWakesOncePerFrame() {
        try (SimSession session = new SimBackend().openSession()) {
            session.attach(LengthPrefixHandler.program());
            SimConnection c = session.connect(ConnectOptions.IPV4);
            Observation o = c.observe();
            assertEquals(0x80, o.cbFlags() & 0x80, "RCVQ set at PASSIVE_ESTABLISHED_CB");
            assertEquals(1.0, run(c, prefixed(600)));
            assertEquals(4, c.observe().rcvLowat(), "nothing queued: wait for the next prefix");
        }
    }

    /**
     * The same claim for every frame size, with the SDK's property runner ({@code dev.autolowat:sdk-testkit},
     * test scope): a failure is shrunk to the smallest body that breaks it and reported with its seed.
     */
    @Test
    void theJavaHandlerWakesOncePerFrameWhateverTheFrameSize() {
        Property.forAll("one wakeup per length-prefixed frame", Gen.ints(0, 4000)).tries(100).check(body -> {
            try (SimSession session = new SimBackend().openSession()) {
                session.attach(LengthPrefixHandler.program());
                SimConnection c = session.connect(ConnectOptions.IPV4);
                assertEquals(1.0, run(c, prefixed(body)), "body of " + body + " bytes");
            }
        });
    }

    @Test
    void theReadmeHandlerWakesOncePerRecord() {
        try (SimSession session = new SimBackend().openSession()) {
            session.attach(SockOpsProgram.of("records", new FixedSizeRecords(900)));
            SimConnection c = session.connect(ConnectOptions.IPV4);
            assertEquals(1.0, run(c, new byte[900]));
        }
    }

    @Test
    void theReadmeWakeupSnippetHolds() {
        try (SimSession session = new SimBackend().openSession()) {
            session.attach(SockOpsProgram.of("records", new FixedSizeRecords(900)));
            SimConnection c = session.connect(ConnectOptions.IPV4);
            c.send(new byte[900], 300, 300, 300);
            Observation o = c.observe();
            assertEquals(1, o.edgeWakeups());
            assertEquals(900, o.rcvLowat());
            assertTrue(o.readable());
            byte[] buf = new byte[4096];
            assertEquals(900, c.recv(buf, 0, buf.length, RecvMode.NON_BLOCKING));
            assertEquals(-11, c.recv(buf, 0, buf.length, RecvMode.NON_BLOCKING), "EAGAIN");
        }
    }

    @Test
    void theCompiledFramingPolicyWakesOncePerFrame() {
        try (SimSession session = new SimBackend().openSession()) {
            session.attach(MyRpcFraming.policy());
            SimConnection c = session.connect(ConnectOptions.IPV4);
            assertEquals(0, c.enableAutoLowat(1), "the enable path: setsockopt(0xdeadbeef, 0x8badf00d, 1)");
            assertEquals(1.0, run(c, MyRpcFraming.frame(7, 1000)));
        }
    }
}
