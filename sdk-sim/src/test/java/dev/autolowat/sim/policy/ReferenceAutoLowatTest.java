package dev.autolowat.sim.policy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference policy (A1–A5) run against {@link FakeSocket}, a minimal in-memory socket, not
 * the simulator: each segment delivered is one H1 invocation, each recv one H2 invocation.
 */
class ReferenceAutoLowatTest {

    // ------------------------------------------------------------------ helpers

    /** A1: the 8-byte little-endian descriptor. */
    static byte[] descriptor(int headerLen, int payloadLen) {
        byte[] d = new byte[8];
        for (int i = 0; i < 4; i++) {
            d[i] = (byte) (headerLen >>> (8 * i));
            d[4 + i] = (byte) (payloadLen >>> (8 * i));
        }
        return d;
    }

    /** A1: whole frames (header and payload bytes zero, as in the selftest). */
    static byte[] frames(int[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int[] f : frames) {
            out.writeBytes(descriptor(f[0], f[1]));
            out.writeBytes(new byte[f[0] + f[1]]);
        }
        return out.toByteArray();
    }

    static byte[] repeat(int count, int headerLen, int payloadLen) {
        int[][] all = new int[count][];
        for (int i = 0; i < count; i++) {
            all[i] = new int[] {headerLen, payloadLen};
        }
        return frames(all);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static FakeSocket enabled(int isn) {
        FakeSocket s = new FakeSocket(isn);
        assertEquals(0, s.autolowat(1), "A2 enable");
        assertTrue(s.rcvqEnabled());
        return s;
    }

    static void assertDisabled(FakeSocket s) {
        assertAll("A5 disable",
                () -> assertFalse(s.rcvqEnabled(), "RCVQ cleared"),
                () -> assertEquals(1, s.rcvLowat, "lowat 1"),
                () -> assertNull(s.state(), "state deleted (SDK decision)"));
    }

    // ------------------------------------------------------------------ A6: the selftest traces

    /**
     * The four cases of {@code spec/selftest-traces.json}, step for step. Steps:
     * {@code A v} autolowat(v), {@code S n} send n bytes (one segment), {@code E n} readable?
     * (n = 1/0, the H3 predicate of the fake), {@code L v} rcvlowat, {@code R n} recv n.
     */
    static final Object[][] TRACES = {
        {"one-frame-in-one-segment", new int[][] {{100, 150}},
            "A 1|S 258|E 1|L 258"},
        {"two-frames-then-one", new int[][] {{100, 150}, {100, 150}, {100, 150}},
            "A 1|S 516|E 1|L 516|S 258|E 1|L 774"},
        {"two-frames-then-next-descriptor-only", new int[][] {{100, 150}, {100, 150}, {100, 150}},
            "A 1|S 516|E 1|L 516|S 8|E 1|L 516"},
        {"descriptor-split-across-segments", new int[][] {{100, 150}, {200, 500}},
            "A 1|S 1|E 0|L 8|S 7|E 0|L 258|S 100|E 0|L 258|S 151|E 1|L 258"
                + "|R 258|E 0|L 8|S 7|E 0|L 708"},
    };

    static Stream<Arguments> traces() {
        // H6: every trace also at ISNs where the stream crosses 2^31 (sign) and 2^32 (wrap).
        int[] isns = {0, 1_000_000, 0x7FFFFF80, 0xFFFFFF00, 0xFFFFFFFF};
        List<Arguments> all = new ArrayList<>();
        for (Object[] t : TRACES) {
            for (int isn : isns) {
                all.add(Arguments.of(t[0], Integer.toUnsignedString(isn, 16), isn, t[1], t[2]));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "A6 {0} at ISN 0x{1}")
    @MethodSource("traces")
    @DisplayName("A6/A3/A4/H6: the series' selftest traces replayed at the policy level")
    void selftestTrace(String name, String isnHex, int isn, int[][] frameList, String steps) {
        byte[] stream = frames(frameList);
        FakeSocket s = new FakeSocket(isn);
        int sent = 0;
        int step = 0;
        for (String st : steps.split("\\|")) {
            step++;
            String[] kv = st.split(" ");
            int v = Integer.parseInt(kv[1]);
            String where = name + " step " + step + " (" + st + ")";
            switch (kv[0]) {
                case "A" -> assertEquals(0, s.autolowat(v), where);
                case "S" -> {
                    s.deliver(stream, sent, v, false);
                    sent += v;
                }
                case "E" -> assertEquals(v == 1, s.readable(), where);
                case "L" -> assertEquals(v, s.rcvLowat, where);
                case "R" -> assertEquals(v, s.recv(v), where);
                default -> throw new IllegalArgumentException(st);
            }
        }
        assertTrue(s.rcvqEnabled(), "a selftest trace never disables");
        assertEquals(0, s.setsockoptRcvlowatCalls, "K3 bpf_setsockopt(SO_RCVLOWAT) is never used in op 21");
    }

    // ------------------------------------------------------------------ A1/A3: descriptors

    @Nested
    @DisplayName("A1/A3 descriptors")
    class Descriptors {
        @ParameterizedTest(name = "cut after {0} descriptor bytes")
        @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
        @DisplayName("A3/A4: a descriptor split across two segments is reassembled (8 until complete)")
        void descriptorSplitAcrossSegments(int cut) {
            FakeSocket s = enabled(5000);
            byte[] f = frames(new int[] {300, 700});
            s.deliver(f, 0, cut, false);
            assertEquals(8, s.rcvLowat, "A4: incomplete descriptor -> 8");
            assertEquals(cut, s.state().bufLen);
            s.deliver(f, cut, 8 - cut + 10, false);
            assertEquals(1008, s.rcvLowat, "A4: frame end - copied_seq");
            assertTrue(s.rcvqEnabled());
        }

        @Test
        @DisplayName("A1/A3: a descriptor arriving one byte per segment is decoded little-endian")
        void byteAtATimeLittleEndian() {
            FakeSocket s = enabled(0);
            // 0x0102 / 0x0304: big-endian decoding would read 0x02010000 + 0x04030000 bytes
            byte[] f = frames(new int[] {0x0102, 0x0304});
            assertEquals(1, s.rcvLowat, "A2 does not touch the lowat");
            for (int i = 0; i < 8; i++) {
                s.deliver(f, i, 1, false);
                if (i < 7) {
                    assertEquals(8, s.rcvLowat, "after byte " + i);
                    assertEquals(i + 1, s.state().bufLen);
                }
            }
            assertEquals(8 + 0x0102 + 0x0304, s.rcvLowat);
            assertEquals(8, s.handlerInvocations, "one H1 invocation per segment");
            s.deliver(f, 8, f.length - 8, false);
            assertEquals(f.length, s.rcvLowat, "A4: one whole frame queued -> its length");
            assertEquals(f.length, s.state().descSeq, "A3: next frame starts at the end");
            assertEquals(0, s.state().bufLen);
        }

        @Test
        @DisplayName("A3: a frame spanning many segments keeps its end; the next descriptor is read at desc_seq - seq")
        void nextDescriptorInsideLaterSegment() {
            FakeSocket s = enabled(0);
            byte[] stream = frames(new int[] {10, 30}, new int[] {5, 5}); // 48 + 18
            s.deliver(stream, 0, 20, false);
            assertEquals(48, s.rcvLowat);
            s.deliver(stream, 20, 20, false);
            assertEquals(48, s.rcvLowat);
            // this segment holds the last 8 bytes of frame 1 and the next descriptor at offset 8
            s.deliver(stream, 40, 16, false);
            assertEquals(48, s.state().descSeq);
            assertTrue(s.state().descriptorComplete());
            assertEquals(48 + 18, s.state().endSeq);
            assertEquals(48, s.rcvLowat, "A4: copied_seq before desc_seq -> whole frames only");
            assertEquals(48, s.recv(48));
            assertEquals(18, s.rcvLowat, "A4 on H2: end_seq_frame - copied_seq");
        }

        @Test
        @DisplayName("A4: partially read frame -> end_seq_frame - copied_seq after H2")
        void partialReadTarget() {
            FakeSocket s = enabled(77);
            byte[] f = frames(new int[] {100, 150});
            s.deliver(f, 0, 100, false);
            assertEquals(258, s.rcvLowat);
            assertEquals(60, s.recv(60));
            assertEquals(198, s.rcvLowat, "258 - 60");
            assertEquals(198, s.lastKfuncArg, "K1 kfunc is the setter");
        }
    }

    // ------------------------------------------------------------------ A3: walk bound

    @Nested
    @DisplayName("A3 walk bound")
    class WalkBound {
        @Test
        @DisplayName("A3: exactly 101 whole frames in one segment are fine")
        void oneHundredOneFrames() {
            FakeSocket s = enabled(0);
            s.deliver(repeat(101, 0, 0));
            assertTrue(s.rcvqEnabled());
            assertEquals(808, s.rcvLowat, "A4: all 101 frames in one wakeup");
            assertEquals(808, s.state().descSeq);
        }

        @Test
        @DisplayName("A3/A5: 102 whole frames in one segment disable")
        void oneHundredTwoFrames() {
            FakeSocket s = enabled(0);
            s.deliver(repeat(102, 0, 0));
            assertDisabled(s);
        }

        @Test
        @DisplayName("A3: 101 whole frames plus a partial descriptor are fine (the parse is partial)")
        void oneHundredOneFramesAndPartialDescriptor() {
            FakeSocket s = enabled(0);
            s.deliver(concat(repeat(101, 0, 0), new byte[] {4, 0, 0}));
            assertTrue(s.rcvqEnabled());
            assertEquals(808, s.rcvLowat);
            assertEquals(3, s.state().bufLen);
        }

        @Test
        @DisplayName("A3: the tail of an earlier frame plus 101 whole frames (102 passes) disable")
        void tailPlusOneHundredOneFrames() {
            FakeSocket s = enabled(0);
            byte[] stream = concat(frames(new int[] {0, 20}), repeat(101, 0, 0));
            s.deliver(stream, 0, 10, false);
            assertTrue(s.rcvqEnabled());
            s.deliver(stream, 10, stream.length - 10, false);
            assertDisabled(s);
        }

        @Test
        @DisplayName("A3: the tail of an earlier frame plus 100 whole frames (101 passes) are fine")
        void tailPlusOneHundredFrames() {
            FakeSocket s = enabled(0);
            byte[] stream = concat(frames(new int[] {0, 20}), repeat(100, 0, 0));
            s.deliver(stream, 0, 10, false);
            s.deliver(stream, 10, stream.length - 10, false);
            assertTrue(s.rcvqEnabled());
            assertEquals(stream.length, s.rcvLowat);
        }
    }

    // ------------------------------------------------------------------ A5

    @Nested
    @DisplayName("A5 disable")
    class Disable {
        @Test
        @DisplayName("A5: a bare FIN inside a descriptor (zero bytes to copy) disables; other flag bits are kept")
        void bareFinDisables() {
            FakeSocket s = new FakeSocket(0);
            s.flags = CbFlags.STATE;
            assertEquals(0, s.autolowat(1));
            s.deliver(frames(new int[] {100, 150}), 0, 5, false);
            assertEquals(8, s.rcvLowat);
            s.deliverFin();
            assertDisabled(s);
            assertEquals(CbFlags.STATE, s.flags, "only RCVQ is cleared");
            assertEquals(1, s.lastHandlerReturn);
        }

        @Test
        @DisplayName("A3 (SDK decision): a segment with payload and FIN is parsed, not disabled")
        void dataWithFinIsParsed() {
            FakeSocket s = enabled(0);
            byte[] f = frames(new int[] {10, 10});
            s.deliver(f, 0, f.length, true);
            assertTrue(s.rcvqEnabled());
            assertEquals(28, s.rcvLowat);
            assertTrue(s.readable(), "H3: FIN makes it readable anyway");
        }

        @Test
        @DisplayName("A5: header_len + payload_len beyond INT_MAX disables")
        void oversizedFrame() {
            FakeSocket s = enabled(0);
            s.deliver(descriptor(0xFFFFFFFF, 0));
            assertDisabled(s);
        }

        @Test
        @DisplayName("A5: frame length computed in 64 bits (2^32 + 8 does not wrap to 8)")
        void frameLengthDoesNotWrap() {
            FakeSocket s = enabled(0);
            s.deliver(descriptor(0x80000000, 0x80000000));
            assertDisabled(s);
        }

        @Test
        @DisplayName("A5/K1: frame length INT_MAX + 1 disables, INT_MAX is kept (lowat capped by K1)")
        void frameLengthBoundary() {
            FakeSocket over = enabled(0);
            over.deliver(descriptor(Integer.MAX_VALUE - 8, 1));
            assertDisabled(over);

            FakeSocket at = enabled(0);
            at.deliver(descriptor(Integer.MAX_VALUE - 8, 0));
            assertTrue(at.rcvqEnabled());
            assertEquals(Integer.MAX_VALUE, at.lastKfuncArg, "A4 target = INT_MAX - 0");
            assertEquals(FakeSocket.DEFAULT_CAP, at.rcvLowat, "K1 caps it");
        }

        @Test
        @DisplayName("A5: a failed bpf_skb_load_bytes disables")
        void failedLoad() {
            FakeSocket s = enabled(0);
            s.failLoads = true;
            s.deliver(frames(new int[] {1, 1}));
            assertDisabled(s);
        }

        @Test
        @DisplayName("A5: a failed load in the middle of the walk disables")
        void failedLoadMidWalk() {
            FakeSocket s = enabled(0);
            byte[] stream = frames(new int[] {0, 12}, new int[] {0, 12});
            s.deliver(stream, 0, 10, false);
            assertTrue(s.rcvqEnabled());
            s.failLoads = true; // the rest holds frame 1's tail and frame 2's descriptor
            s.deliver(stream, 10, stream.length - 10, false);
            assertDisabled(s);
        }

        @Test
        @DisplayName("A5/A2: after a disable, the socket can be enabled again and parses from copied_seq")
        void reEnableAfterDisable() {
            FakeSocket s = enabled(0);
            s.failLoads = true;
            s.deliver(frames(new int[] {0, 2}));
            assertDisabled(s);
            s.failLoads = false;
            assertEquals(10, s.recv(100));
            assertEquals(0, s.autolowat(1));
            assertEquals(10, s.state().descSeq);
            s.deliver(frames(new int[] {4, 4}), 0, 9, false);
            assertEquals(16, s.rcvLowat);
        }

        @Test
        @DisplayName("A3/A5 (SDK decision): re-enabling with unread data queued loses sync and disables on the next segment")
        void reEnableWithQueuedDataDisables() {
            FakeSocket s = enabled(0);
            byte[] stream = frames(new int[] {0, 12}, new int[] {0, 12});
            s.deliver(stream, 0, 10, false);
            assertEquals(0, s.autolowat(1), "F3: re-setting RCVQ always succeeds");
            assertEquals(0, s.state().descSeq, "A2: reset to copied_seq");
            s.deliver(stream, 10, 10, false);
            assertDisabled(s);
        }
    }

    // ------------------------------------------------------------------ A4 / K1 / H2

    @Nested
    @DisplayName("A4 target")
    class Target {
        @Test
        @DisplayName("A4/K1: the kfunc is called only when the target differs from sk_rcvlowat")
        void setterOnlyOnChange() {
            FakeSocket s = enabled(0);
            byte[] f = frames(new int[] {100, 150});
            s.deliver(f, 0, 8, false);
            assertEquals(258, s.rcvLowat);
            int calls = s.kfuncCalls;
            s.deliver(f, 8, 100, false);
            s.deliver(f, 108, 100, false);
            assertEquals(calls, s.kfuncCalls, "target unchanged: no kfunc call");
            s.deliver(f, 208, 50, false);
            assertEquals(calls, s.kfuncCalls, "frame complete, ends at the segment end: still 258");
            assertEquals(258, s.recv(258));
            assertEquals(calls + 1, s.kfuncCalls);
            assertEquals(8, s.rcvLowat);
        }

        @Test
        @DisplayName("A4 on H2: copied_seq before desc_seq -> desc_seq - copied_seq, even with a partial descriptor")
        void wholeFramesBeforePartialDescriptor() {
            FakeSocket s = enabled(0);
            byte[] stream = frames(new int[] {0, 10}, new int[] {0, 10}, new int[] {0, 10});
            s.deliver(stream, 0, 36 + 3, false);
            assertEquals(36, s.rcvLowat);
            assertEquals(20, s.recv(20));
            assertEquals(16, s.rcvLowat, "36 - 20");
            assertEquals(16, s.recv(16));
            assertEquals(8, s.rcvLowat, "descriptor incomplete -> 8");
        }

        @Test
        @DisplayName("A4/H1: no state -> the handler does nothing and returns 1")
        void noStateDoesNothing() {
            FakeSocket s = new FakeSocket(0);
            s.flags = CbFlags.RCVQ; // e.g. set by another program, not by A2
            s.rcvLowat = 42;
            s.deliver(frames(new int[] {1, 1}));
            assertEquals(1, s.handlerInvocations);
            assertEquals(1, s.lastHandlerReturn);
            assertEquals(42, s.rcvLowat);
            assertEquals(0, s.kfuncCalls);
            assertTrue(s.rcvqEnabled());
            assertEquals(2, s.recv(2));
            assertEquals(42, s.rcvLowat, "H2 without state: nothing either");
        }

        @Test
        @DisplayName("H6/A3/A4: frames straddling 2^32 parse and target correctly")
        void wraparound() {
            int isn = 0xFFFFFFF0;
            FakeSocket s = enabled(isn);
            byte[] stream = frames(new int[] {20, 30}, new int[] {1, 1}, new int[] {2, 2});
            s.deliver(stream, 0, 12, false); // ends at 0xFFFFFFFC
            assertEquals(58, s.rcvLowat);
            s.deliver(stream, 12, 54, false); // crosses 2^32; frame 1 ends at 58 = 0x2A after wrap
            assertEquals(isn + 58, s.state().descSeq);
            assertEquals(0x2A, s.state().descSeq);
            assertTrue(s.state().descriptorComplete());
            assertEquals(isn + 68, s.state().endSeq);
            assertEquals(58, s.rcvLowat);
            s.deliver(stream, 66, stream.length - 66, false);
            assertEquals(stream.length, s.rcvLowat, "all three frames");
            assertEquals(40, s.recv(40));
            assertEquals(stream.length - 40, s.rcvLowat);
            assertTrue(s.rcvqEnabled());
        }
    }

    // ------------------------------------------------------------------ A2

    @Nested
    @DisplayName("A2 enable path")
    class Enable {
        @Test
        @DisplayName("A2/F2: enable consumes the option, sets desc_seq = end_seq = copied_seq and ORs RCVQ")
        void enableInitialisesState() {
            FakeSocket s = new FakeSocket(0xABCDEF00);
            s.flags = CbFlags.STATE | CbFlags.RTT;
            s.deliver(new byte[123]); // before enable: not parsed (RCVQ clear)
            assertEquals(0, s.handlerInvocations);
            assertEquals(123, s.recv(1000));
            assertEquals(0, s.autolowat(1));
            assertTrue(s.lastOptionConsumed);
            assertEquals(CbFlags.STATE | CbFlags.RTT | CbFlags.RCVQ, s.flags);
            AutoLowatState st = s.state();
            assertNotNull(st);
            assertEquals(0xABCDEF00 + 123, st.descSeq);
            assertEquals(0xABCDEF00 + 123, st.endSeq);
            assertEquals(0, st.bufLen);
            s.deliver(frames(new int[] {2, 3}));
            assertEquals(13, s.rcvLowat, "parsing starts at copied_seq");
        }

        @Test
        @DisplayName("A2: any non-zero value enables")
        void nonZeroValueEnables() {
            FakeSocket s = new FakeSocket(0);
            assertEquals(0, s.autolowat(-7));
            assertTrue(s.rcvqEnabled());
        }

        @Test
        @DisplayName("A2: value 0 is consumed and does nothing")
        void valueZeroDoesNothing() {
            FakeSocket s = new FakeSocket(0);
            s.flags = CbFlags.STATE;
            assertEquals(0, s.autolowat(0));
            assertTrue(s.lastOptionConsumed, "the kernel never sees the option");
            assertEquals(CbFlags.STATE, s.flags);
            assertNull(s.state());
        }

        @Test
        @DisplayName("A2: a non-TCP (MPTCP) socket gets EPERM and no state")
        void nonTcpIsEperm() {
            FakeSocket s = new FakeSocket(0);
            s.tcp = false;
            assertEquals(Errno.EPERM.negative(), s.autolowat(1));
            assertFalse(s.rcvqEnabled());
            assertNull(s.state());
        }

        @Test
        @DisplayName("A2: unrelated options pass through untouched (return 1, not consumed)")
        void unrelatedOptionsPassThrough() {
            FakeSocket s = new FakeSocket(0);
            int[][] options = {
                {SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT},
                {SockOpt.AUTOLOWAT_LEVEL, SockOpt.SO_RCVLOWAT},
                {SockOpt.SOL_TCP, SockOpt.AUTOLOWAT_OPTNAME},
            };
            for (int[] o : options) {
                assertEquals(1, s.enable.onSetsockopt(new PassThroughProbe(o[0], o[1]).ctx(s)),
                        "level " + o[0] + " optname " + o[1]);
                assertEquals(0, s.setsockopt(o[0], o[1], FakeSocket.le32(1)));
                assertFalse(s.lastOptionConsumed, "not consumed: level " + o[0] + " optname " + o[1]);
            }
            assertFalse(s.rcvqEnabled());
            assertNull(s.state());
        }

        @Test
        @DisplayName("A2: optlen < 4 for the AutoLOWAT option is EPERM")
        void shortOptlenIsEperm() {
            FakeSocket s = new FakeSocket(0);
            assertEquals(Errno.EPERM.negative(),
                    s.setsockopt(SockOpt.AUTOLOWAT_LEVEL, SockOpt.AUTOLOWAT_OPTNAME, new byte[] {1, 0}));
            assertFalse(s.rcvqEnabled());
            assertNull(s.state());
        }

        @Test
        @DisplayName("A2/F3: a refused flag update (queue not empty) is EPERM; the new state is deleted")
        void refusedFlagUpdateIsEperm() {
            FakeSocket s = new FakeSocket(0);
            s.deliver(new byte[10]);
            assertEquals(Errno.EPERM.negative(), s.autolowat(1));
            assertFalse(s.rcvqEnabled());
            assertNull(s.state());
        }

        @Test
        @DisplayName("A2/F3: a refused flag update leaves pre-existing state untouched")
        void refusedFlagUpdateKeepsExistingState() {
            FakeSocket s = new FakeSocket(0);
            AutoLowatState existing = new AutoLowatState();
            existing.descSeq = 99;
            existing.bufLen = 3;
            s.storage.put(ReferenceAutoLowat.STATE, existing);
            s.failRcvqSet = Errno.EBUSY.code();
            assertEquals(Errno.EPERM.negative(), s.autolowat(1));
            assertSame(existing, s.state());
            assertEquals(99, existing.descSeq);
            assertEquals(3, existing.bufLen);
        }

        @Test
        @DisplayName("A2: sk_storage_get(F_CREATE) failing is EPERM")
        void storageFailureIsEperm() {
            FakeSocket s = new FakeSocket(0);
            s.failStorageCreate = true;
            assertEquals(Errno.EPERM.negative(), s.autolowat(1));
            assertFalse(s.rcvqEnabled());
        }
    }

    /** A SockoptContext that fails the test if the policy touches anything but level/optname. */
    static final class PassThroughProbe {
        final int level;
        final int optname;

        PassThroughProbe(int level, int optname) {
            this.level = level;
            this.optname = optname;
        }

        dev.autolowat.api.program.SockoptContext ctx(FakeSocket s) {
            return new dev.autolowat.api.program.SockoptContext() {
                @Override public int level() {
                    return level;
                }

                @Override public int optname() {
                    return optname;
                }

                @Override public int optlen() {
                    throw new AssertionError("A2: optlen read for an unrelated option");
                }

                @Override public int optvalInt() {
                    throw new AssertionError("A2: optval read for an unrelated option");
                }

                @Override public void consume() {
                    throw new AssertionError("A2: unrelated option consumed");
                }

                @Override public int rcvNxt() {
                    throw new AssertionError();
                }

                @Override public int copiedSeq() {
                    throw new AssertionError();
                }

                @Override public int rcvLowat() {
                    throw new AssertionError();
                }

                @Override public int rcvBuf() {
                    throw new AssertionError();
                }

                @Override public boolean isTcp() {
                    throw new AssertionError();
                }

                @Override public <T> T storage(dev.autolowat.api.program.StorageKey<T> key, boolean create) {
                    throw new AssertionError("A2: storage touched for an unrelated option");
                }

                @Override public int deleteStorage(dev.autolowat.api.program.StorageKey<?> key) {
                    throw new AssertionError();
                }

                @Override public int setCbFlagsSockopt(int flags) {
                    throw new AssertionError("A2: flags changed for an unrelated option");
                }

                @Override public int getCbFlagsSockopt() {
                    throw new AssertionError();
                }

                @Override public long ktimeNs() {
                    throw new AssertionError();
                }
            };
        }
    }

    // ------------------------------------------------------------------ factories

    @Test
    @DisplayName("A2-A5: factories give named programs sharing one handler pair")
    void factories() {
        SockOpsProgram ops = ReferenceAutoLowat.sockOpsProgram();
        SockoptProgram en = ReferenceAutoLowat.enableProgram();
        assertEquals("autolowat", ops.name());
        assertEquals("autolowat_en", en.name());
        assertSame(ReferenceAutoLowat.sockOpsHandler(), ((SockOpsProgram.Handler) ops).handler());
        assertSame(ReferenceAutoLowat.enableHandler(), ((SockoptProgram.Handler) en).handler());
        Policy p = ReferenceAutoLowat.policy();
        assertEquals("autolowat", p.name());
        assertEquals("autolowat", p.sockOps().name());
        assertTrue(p.enablePath().isPresent());
        assertEquals("autolowat_en", p.enablePath().get().name());
    }

    // ------------------------------------------------------------------ hot path

    @Test
    @DisplayName("A3/A4 hot path: handling H1/H2 events allocates nothing")
    void noAllocationPerEvent() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean to measure allocation");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "thread allocation accounting unsupported");
        mx.setThreadAllocatedMemoryEnabled(true);

        byte[] unit = repeat(64, 12, 20); // 64 frames of 40 bytes
        int segments = 20_000;
        int segLen = 61; // not a divisor of 40: descriptors get cut
        FakeSocket s = enabled(0xFFFF0000);
        s.reserve(segments * segLen + unit.length);
        byte[] stream = new byte[segments * segLen + unit.length];
        for (int at = 0; at < stream.length; at += unit.length) {
            System.arraycopy(unit, 0, stream, at, Math.min(unit.length, stream.length - at));
        }
        long tid = Thread.currentThread().getId();
        // Warm up, then measure the second half.
        int half = segments / 2;
        for (int i = 0; i < half; i++) {
            s.deliver(stream, i * segLen, segLen, false);
            s.recv(37);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = half; i < segments; i++) {
            s.deliver(stream, i * segLen, segLen, false);
            s.recv(37);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(s.rcvqEnabled(), "the workload must not disable");
        assertTrue(s.handlerInvocations >= segments * 2 - 1, "H1 and H2 ran");
        // 20 000 events; one 16-byte object per event would be 320 000 bytes.
        assertTrue(allocated < 32 * 1024, "allocated " + allocated + " bytes for " + segments + " events");
    }

    // ------------------------------------------------------------------ property

    /** ISNs around 0 and around 2^31 (both wraps of the u32 space), and anywhere (H6). */
    static Gen<Integer> isns() {
        return Gen.ints(0, 2).flatMap(kind -> switch (kind) {
            case 0 -> Gen.ints(-3000, 3000);
            case 1 -> Gen.ints(Integer.MAX_VALUE - 3000, Integer.MAX_VALUE);
            default -> Gen.anyInt();
        });
    }

    /** A scenario of {@link #checkAgainstModel}: frames, segment cuts, reads and the ISN. */
    record FrameScenario(List<Integer> headerLens, List<Integer> payloadLens, List<Integer> cuts,
                         List<Integer> reads, int isn) {
    }

    static Gen<FrameScenario> frameScenarios() {
        return c -> new FrameScenario(
                Gen.ints(0, 40).listOf(1, 15).generate(c),
                Gen.ints(0, 150).listOf(1, 15).generate(c),
                Gen.ints(1, 120).listOf(1, 20).generate(c),
                Gen.ints(0, 200).listOf(0, 20).generate(c),
                isns().generate(c));
    }

    /**
     * A3/A4 against an independent model: frames of random sizes, cut into segments at random
     * sizes, with random reads in between. After every H1/H2 the lowat must equal A4 computed
     * from the stream positions (see {@link #model}).
     */
    @Test
    @DisplayName("A3/A4/H6: lowat follows the end of the complete frames for random frames cut at random boundaries")
    void lowatFollowsCompleteFrames() {
        Property.forAll("A3/A4/H6 lowat follows complete frames", frameScenarios()).tries(400).check(sc -> {
            int n = sc.headerLens().size();
            int[][] fs = new int[n][];
            for (int i = 0; i < n; i++) {
                fs[i] = new int[] {sc.headerLens().get(i), sc.payloadLens().get(i % sc.payloadLens().size())};
            }
            checkAgainstModel(fs, toArray(sc.cuts()), toArray(sc.reads()), sc.isn());
        });
    }

    /**
     * The same check as {@link #lowatFollowsCompleteFrames} with plain seeded randomness, so that
     * the evidence does not depend on one test engine alone.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181})
    @DisplayName("A3/A4/H6: lowat follows the end of the complete frames (seeded random scenarios)")
    void lowatFollowsCompleteFramesSeeded(long seed) {
        java.util.Random r = new java.util.Random(seed);
        for (int round = 0; round < 50; round++) {
            int[][] fs = new int[1 + r.nextInt(15)][];
            for (int i = 0; i < fs.length; i++) {
                fs[i] = new int[] {r.nextInt(41), r.nextInt(151)};
            }
            int[] cuts = new int[1 + r.nextInt(20)];
            for (int i = 0; i < cuts.length; i++) {
                cuts[i] = 1 + r.nextInt(120);
            }
            int[] reads = new int[r.nextInt(21)];
            for (int i = 0; i < reads.length; i++) {
                reads[i] = r.nextInt(201);
            }
            int isn = r.nextBoolean() ? r.nextInt(6001) - 3000 : r.nextInt();
            checkAgainstModel(fs, cuts, reads, isn);
        }
    }

    static int[] toArray(List<Integer> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    static void checkAgainstModel(int[][] fs, int[] cuts, int[] reads, int isn) {
        long[] ends = new long[fs.length + 1]; // ends[0] = 0 is the first boundary
        for (int i = 0; i < fs.length; i++) {
            ends[i + 1] = ends[i] + 8 + fs[i][0] + fs[i][1];
        }
        byte[] stream = frames(fs);
        FakeSocket s = enabled(isn);
        int p = 0;
        int c = 0;
        int k = 0;
        while (p < stream.length) {
            int len = Math.min(cuts[k % cuts.length], stream.length - p);
            s.deliver(stream, p, len, false);
            p += len;
            assertEquals(model(ends, p, c), s.rcvLowat, "after segment " + k + " (p=" + p + ")");
            if (reads.length > 0) {
                int got = s.recv(reads[k % reads.length]);
                c += got;
                if (got > 0) {
                    assertEquals(model(ends, p, c), s.rcvLowat, "after recv at p=" + p + " c=" + c);
                }
            }
            k++;
        }
        assertTrue(s.rcvqEnabled(), "never disabled");
        assertEquals(0, s.setsockoptRcvlowatCalls);
    }

    /**
     * A4 from plain positions relative to the ISN: D = the last frame boundary at or before
     * {@code delivered}; if copied &lt; D then D - copied, else if fewer than 8 bytes after D then
     * 8, else the end of the frame starting at D minus copied.
     */
    static int model(long[] ends, int delivered, int copied) {
        int last = 0; // index of the last boundary <= delivered
        for (int i = 0; i < ends.length; i++) {
            if (ends[i] <= delivered) {
                last = i;
            }
        }
        long d = ends[last];
        if (copied < d) {
            return (int) (d - copied);
        }
        if (delivered - d < 8 || last + 1 >= ends.length) {
            return 8;
        }
        return (int) (ends[last + 1] - copied);
    }
}
