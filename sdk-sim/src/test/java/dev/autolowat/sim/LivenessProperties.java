package dev.autolowat.sim;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Liveness of the reference policy (A1–A5) on the simulator (H1–H5): whatever the framing and the
 * segmentation, a reader that reads whenever the socket is readable is never left with a complete
 * frame queued and no wakeup, and gets every byte.
 */
class LivenessProperties {
    private static final AtomicLong SUPPRESSED_WAKEUPS = new AtomicLong();
    private static final AtomicLong WINDOW_LIMITED = new AtomicLong();

    record Frame(int header, int payload) {
        int length() {
            return 8 + header + payload;
        }

        @Override
        public String toString() {
            return header + "+" + payload;
        }
    }

    /**
     * A stream of frames, its cut into segments, how the segments are grouped into sends, whether a
     * FIN follows, and the family.
     */
    record Stream(List<Frame> frames, List<Integer> segments, List<Integer> groups, boolean fin, boolean ipv6) {
        int total() {
            return frames.stream().mapToInt(Frame::length).sum();
        }

        @Override
        public String toString() {
            return "Stream[frames=" + (frames.size() > 12 ? frames.size() + " frames" : frames) + ", total=" + total()
                    + ", " + segments.size() + " segments, fin=" + fin + ", ipv6=" + ipv6 + "]";
        }
    }

    /** One A1 frame: small, medium, larger than 64 KiB (up to ~200 KB), or empty (descriptor only). */
    static Gen<Frame> frameSpecs() {
        return Gen.ints(0, 9).flatMap(kind -> switch (kind) {
            case 0, 1, 2, 3 -> Gen.zip(Gen.ints(0, 100), Gen.ints(0, 2000), Frame::new);
            case 4, 5 -> Gen.zip(Gen.ints(0, 1000), Gen.ints(0, 20_000), Frame::new);
            case 6 -> Gen.zip(Gen.ints(0, 4000), Gen.ints(65_536, 200_000), Frame::new);
            case 7 -> Gen.zip(Gen.ints(0, 3), Gen.ints(0, 3), Frame::new);
            default -> Gen.zip(Gen.ints(0, 64), Gen.ints(0, 64), Frame::new);
        });
    }

    /** 1..8 frames of any kind, or (sometimes) 90..150 tiny frames so that A3's walk bound is reached. */
    static Gen<List<Frame>> frameLists() {
        return Gen.ints(0, 7).flatMap(mode -> mode == 0
                ? Gen.ints(90, 150).flatMap(n -> c -> {
                    List<Frame> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        out.add(new Frame(c.intBetween(0, 2), c.intBetween(0, 2)));
                    }
                    return out;
                })
                : frameSpecs().listOf(1, 8));
    }

    /** Segment lengths covering {@code total} bytes: tiny, MSS-like, or huge cuts (cut again by MSS). */
    static Gen<List<Integer>> cuts(int total) {
        int tinyAllowed = total <= 20_000 ? 0 : 1;
        return Gen.ints(tinyAllowed, 4).flatMap(mode -> c -> {
            int max = switch (mode) {
                case 0 -> 16;
                case 1 -> 2000;
                case 2 -> 20_000;
                case 3 -> 70_000;
                default -> 250_000;
            };
            List<Integer> out = new ArrayList<>();
            int left = total;
            while (left > 0) {
                int len = c.intBetween(1, Math.min(left, max));
                out.add(len);
                left -= len;
            }
            return out;
        });
    }

    /** How many segments each send carries (1..4), until all are sent. */
    static Gen<List<Integer>> groups(int segments) {
        return c -> {
            List<Integer> out = new ArrayList<>();
            int left = segments;
            while (left > 0) {
                int g = c.intBetween(1, Math.min(left, 4));
                out.add(g);
                left -= g;
            }
            return out;
        };
    }

    static Gen<Stream> streams() {
        return frameLists().flatMap(frames -> {
            int total = frames.stream().mapToInt(Frame::length).sum();
            return cuts(total).flatMap(segs -> Gen.zip(groups(segs.size()), Gen.zip(Gen.booleans(), Gen.booleans(),
                    (fin, v6) -> new boolean[] {fin, v6}),
                    (g, flags) -> new Stream(frames, segs, g, flags[0], flags[1])));
        });
    }

    /** The reader of the property: it reads frame by frame whenever the socket is readable. */
    private static final class Reader {
        final SimConnection conn;
        final int[] frameEnds;
        final byte[] got;
        int pos;

        Reader(SimConnection conn, List<Frame> frames, int total) {
            this.conn = conn;
            this.frameEnds = new int[frames.size()];
            int end = 0;
            for (int i = 0; i < frames.size(); i++) {
                end += frames.get(i).length();
                frameEnds[i] = end;
            }
            this.got = new byte[total];
        }

        /** End of the frame the reader is in (the first frame end after {@code pos}). */
        int currentFrameEnd() {
            int i = Arrays.binarySearch(frameEnds, pos + 1);
            return frameEnds[i >= 0 ? i : -i - 1];
        }

        /** The liveness invariant, checked whenever the socket is not readable. */
        void checkNotStuck(String when) {
            if (conn.readable() || pos == got.length) {
                return;
            }
            int queued = conn.observe().queuedBytes();
            int end = currentFrameEnd();
            assertTrue(pos + queued < end, () -> "not readable " + when + " although a complete frame is queued: read "
                    + pos + ", queued " + queued + ", current frame ends at " + end + ", lowat " + conn.rcvLowat());
            assertEquals(0, conn.peer().pendingBytes(), () -> "not readable " + when + " while "
                    + conn.peer().pendingBytes() + " bytes wait at the peer for window: nothing will wake the reader");
            if (queued > 0) {
                SUPPRESSED_WAKEUPS.incrementAndGet();
            }
        }

        /** Reads while readable, frame by frame (non-blocking, buffer sized to the frame's remainder). */
        void drain(String when) {
            for (int guard = 0; conn.readable() && pos < got.length; guard++) {
                assertTrue(guard < 1_000_000, "the reader makes no progress");
                int want = currentFrameEnd() - pos;
                int r = conn.recv(got, pos, want, RecvMode.NON_BLOCKING);
                assertTrue(r > 0 && r <= want, "readable, so a non-blocking recv(" + want + ") copies data, got " + r);
                pos += r;
            }
            checkNotStuck(when);
        }
    }

    @Test
    @DisplayName("A1-A5/H3 liveness: for any well-formed frames (some > 64 KiB) cut at any segment boundaries, with the reference policy a frame-by-frame reader is never left with a complete frame queued while not readable, and reads every byte")
    void liveness() {
        Property.forAll("liveness: reference policy never strands a complete frame", streams()).tries(200).check(s -> {
            try (SimSession session = new SimBackend().openSession()) {
                session.attach(ReferenceAutoLowat.policy());
                SimConnection conn = session.connect(s.ipv6() ? ConnectOptions.IPV6 : ConnectOptions.IPV4);
                assertEquals(0, conn.enableAutoLowat(1), "A2 enable");
                assertTrue(CbFlags.rcvqEnabled(conn.cbFlags()));
                byte[] stream = SimFixtures.frames(s.frames().stream().map(f -> new int[] {f.header(), f.payload()}).toList());
                int total = stream.length;
                assertEquals(s.total(), total);
                Reader reader = new Reader(conn, s.frames(), total);
                int seg = 0;
                int off = 0;
                for (int g : s.groups()) {
                    int[] lens = new int[g];
                    int n = 0;
                    for (int i = 0; i < g; i++) {
                        lens[i] = s.segments().get(seg++);
                        n += lens[i];
                    }
                    assertEquals(n, conn.send(Arrays.copyOfRange(stream, off, off + n), lens));
                    off += n;
                    if (conn.peer().pendingBytes() > 0) {
                        WINDOW_LIMITED.incrementAndGet();
                    }
                    reader.checkNotStuck("after a send");
                    reader.drain("after draining");
                }
                if (s.fin()) {
                    assertEquals(0, conn.peerShutdownWrite());
                }
                reader.drain("after the last byte was sent");
                assertEquals(0, conn.peer().pendingBytes(), "every byte left the peer");
                assertEquals(total, reader.pos, "once the last byte arrived the socket stayed readable until all was read");
                assertArrayEquals(stream, reader.got, "the bytes arrived intact and in order");
                assertEquals(0, conn.observe().queuedBytes());
            }
        });
        assertTrue(SUPPRESSED_WAKEUPS.get() > 0, "the policy never held back a wakeup: the property did not exercise it");
        assertTrue(WINDOW_LIMITED.get() > 0, "no send was window-limited: flow control was not exercised");
    }
}
