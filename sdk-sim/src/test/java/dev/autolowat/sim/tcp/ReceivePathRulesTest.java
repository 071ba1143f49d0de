package dev.autolowat.sim.tcp;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.program.StorageKey;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimFault;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP model's receive path, rule by rule, at the level of {@link TcpSocketModel} and
 * {@link PeerSender} themselves: the wakeups of H3/H4, the FIN as recv (H5) sees it, and the segments
 * the peer puts on the wire (their seq, length and FIN, which H1 reports). Written for mutation testing
 * (docs/conformance.md, "Mutation testing"): each test pins a behaviour a PIT mutant changed while the
 * whole suite still passed — a wakeup dropped, a FIN condition negated, an off-by-one in the copy loop
 * or in the sender's sequence arithmetic.
 */
class ReceivePathRulesTest {
    private static final int ISN = 1000;
    private static final int MSS = 65483;

    /** A model with the series, RCVQ set, every H1 call recorded. */
    private static final class Fixture {
        final TcpSocketModel socket;
        final PeerSender peer;
        final List<int[]> h1 = new ArrayList<>();
        final List<Integer> h2 = new ArrayList<>();

        Fixture(SimConfig config, int mss) {
            socket = new TcpSocketModel(config, false, ISN, mss);
            peer = new PeerSender(socket, ISN, mss);
            socket.markAccepted();
            socket.setHooks(new RcvQueueHooks() {
                @Override
                public void onSegmentEnqueued(TcpSocketModel s, int seq, int endSeq, boolean fin, int payloadLength) {
                    h1.add(new int[] {seq, endSeq, fin ? 1 : 0, payloadLength});
                }

                @Override
                public void onRecvmsgDone(TcpSocketModel s, int copied) {
                    h2.add(copied);
                }
            });
            assertEquals(0, socket.cbFlagsSet(CbFlags.RCVQ));
        }

        Fixture() {
            this(SimConfig.DEFAULT, MSS);
        }

        void send(int n) {
            byte[] data = new byte[n];
            for (int i = 0; i < n; i++) {
                data[i] = (byte) i;
            }
            peer.write(data, 0, n);
            peer.push();
        }

        void fin() {
            peer.shutdownWrite();
            peer.push();
        }

        int read(int len) {
            return socket.copyQueued(new byte[Math.max(len, 1)], 0, len);
        }
    }

    // ------------------------------------------------------------------ H4: SHUT_RD wakes

    @Test
    @DisplayName("H4: a local shutdown(SHUT_RD) wakes the reader (one edge event) and the socket reads as readable, with nothing queued and any lowat")
    void shutdownReadWakes() {
        Fixture f = new Fixture();
        f.socket.userSetRcvlowat(1000);
        f.send(10);
        assertFalse(f.socket.readable(), "10 < lowat 1000: no wakeup yet");
        assertEquals(0, f.socket.edgeWakeups());

        f.socket.shutdownRead();

        assertEquals(1, f.socket.edgeWakeups(), "sk_state_change() wakes the reader once");
        assertTrue(f.socket.rcvShutdown());
        assertTrue(f.socket.readable(), "RCV_SHUTDOWN is EPOLLIN whatever the lowat");
    }

    @Test
    @DisplayName("H4: SHUT_RD on an empty socket still wakes a level-triggered waiter (the wakeup lists the socket)")
    void shutdownReadWakesAnEmptySocket() {
        Fixture f = new Fixture();
        assertFalse(f.socket.readable());
        f.socket.shutdownRead();
        assertTrue(f.socket.readable());
        assertEquals(1, f.socket.edgeWakeups());
    }

    // ------------------------------------------------------------------ H3: FIN wakes

    @Test
    @DisplayName("H3: the peer's FIN wakes the reader whatever the lowat, in the same step as the data it follows")
    void finWakesWhateverTheLowat() {
        Fixture f = new Fixture();
        f.socket.userSetRcvlowat(5000);
        f.send(10);
        assertEquals(0, f.socket.edgeWakeups());
        f.fin();
        assertEquals(1, f.socket.edgeWakeups());
        assertTrue(f.socket.readable());
        assertTrue(f.socket.finReceived());
    }

    @Test
    @DisplayName("H3: data below the lowat does not wake; reaching the lowat does, once per arriving packet")
    void lowatThreshold() {
        Fixture f = new Fixture();
        f.socket.userSetRcvlowat(20);
        f.send(19);
        assertEquals(0, f.socket.edgeWakeups());
        assertFalse(f.socket.epollinReady(20));
        assertTrue(f.socket.epollinReady(19), "avail >= target at the boundary");
        f.send(1);
        assertEquals(1, f.socket.edgeWakeups());
        assertTrue(f.socket.readable());
    }

    // ------------------------------------------------------------------ H5: avail, copy loop, FIN

    @Test
    @DisplayName("avail is rcv_nxt - copied_seq with the FIN counted once; FIONREAD (inq) does not count the FIN")
    void availCountsTheFin() {
        Fixture f = new Fixture();
        assertEquals(0, f.socket.avail());
        f.send(10);
        assertEquals(10, f.socket.avail());
        assertEquals(10, f.socket.inq());
        f.fin();
        assertEquals(11, f.socket.avail());
        assertEquals(10, f.socket.inq());
        assertEquals(ISN + 1 + 11, f.socket.rcvNxt());
    }

    @Test
    @DisplayName("H5: a recv of exactly the queued data stops before a FIN in the next segment (the next recv returns 0); atFin then consumeFin")
    void exactReadLeavesTheFinForTheNextRecv() {
        Fixture f = new Fixture();
        f.send(10);
        f.fin(); // a bare FIN: a second skb
        assertFalse(f.socket.atFin(), "data first");

        assertEquals(10, f.read(10));

        assertEquals(ISN + 1 + 10, f.socket.copiedSeq(), "the FIN is not consumed by a recv whose length is used up");
        assertEquals(1, f.socket.avail());
        assertEquals(0, f.socket.inq());
        assertTrue(f.socket.atFin());
        assertTrue(f.socket.receiveQueueNonEmpty(), "the FIN's skb is still queued");

        f.socket.consumeFin();

        assertEquals(f.socket.rcvNxt(), f.socket.copiedSeq());
        assertEquals(0, f.socket.avail());
        assertFalse(f.socket.atFin());
        assertFalse(f.socket.receiveQueueNonEmpty());
        assertEquals(0, f.socket.rmemAlloc(), "every skb freed");

        f.socket.consumeFin(); // nothing left: no change
        assertEquals(f.socket.rcvNxt(), f.socket.copiedSeq());
    }

    @Test
    @DisplayName("H5: a longer recv consumes the FIN right after the data (found_fin_ok), whether FIN rode on the data or came alone")
    void longReadConsumesTheFin() {
        for (boolean separate : new boolean[] {false, true}) {
            Fixture f = new Fixture();
            if (separate) {
                f.send(10);
                f.fin();
            } else {
                f.peer.write(new byte[10], 0, 10);
                f.peer.shutdownWrite();
                assertEquals(1, f.peer.push(), "the FIN rides on the last data segment");
            }
            assertEquals(10, f.read(100));
            assertEquals(f.socket.rcvNxt(), f.socket.copiedSeq(), "separate=" + separate);
            assertFalse(f.socket.atFin());
            assertFalse(f.socket.receiveQueueNonEmpty());
            assertEquals(0, f.socket.rmemAlloc());
            assertEquals(0, f.read(100), "nothing more to copy");
        }
    }

    @Test
    @DisplayName("atFin holds only for a FIN alone at the head of the queue: not on data, not on data + FIN, not on an empty queue")
    void atFinOnlyForALoneFin() {
        Fixture f = new Fixture();
        assertFalse(f.socket.atFin(), "empty queue");
        f.send(5);
        assertFalse(f.socket.atFin(), "data, no FIN");
        f.socket.consumeFin();
        assertEquals(ISN + 1, f.socket.copiedSeq(), "consumeFin is a no-op when not at FIN");
        assertEquals(5, f.read(5));
        assertFalse(f.socket.atFin(), "empty after a read, no FIN yet");

        Fixture g = new Fixture();
        g.peer.write(new byte[5], 0, 5);
        g.peer.shutdownWrite();
        g.peer.push();
        assertFalse(g.socket.atFin(), "data + FIN in one skb: data first");
        g.socket.consumeFin();
        assertEquals(ISN + 1, g.socket.copiedSeq(), "not at FIN: nothing consumed");
        assertEquals(2, g.read(2));
        assertFalse(g.socket.atFin(), "3 bytes still before the FIN");
    }

    @Test
    @DisplayName("H5: the copy loop crosses skb boundaries, copies bytes in order and stops exactly at len, leaving the rest of the skb")
    void copyLoopBoundaries() {
        Fixture f = new Fixture();
        f.send(4);
        f.send(6);
        byte[] dst = new byte[20];
        assertEquals(7, f.socket.copyQueued(dst, 2, 7));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 2, 3, 0, 1, 2, 0}, java.util.Arrays.copyOf(dst, 10));
        assertEquals(3, f.socket.avail());
        assertEquals(3, f.socket.inq());
        assertTrue(f.socket.receiveQueueNonEmpty());
        assertEquals(3, f.socket.copyQueued(dst, 0, 20));
        assertArrayEquals(new byte[] {3, 4, 5}, java.util.Arrays.copyOf(dst, 3));
        assertFalse(f.socket.receiveQueueNonEmpty());
        assertEquals(0, f.socket.rmemAlloc(), "truesize released with each freed skb");
        assertEquals(0, f.read(0));
    }

    @Test
    @DisplayName("H5: reading frees receive memory skb by skb: rmem_alloc is the truesize of the skbs not yet wholly read")
    void rmemFollowsTheQueue() {
        Fixture f = new Fixture();
        int overhead = SimConfig.DEFAULT.skbOverhead();
        f.send(100);
        f.send(50);
        assertEquals(150 + 2 * overhead, f.socket.rmemAlloc());
        assertEquals(99, f.read(99));
        assertEquals(150 + 2 * overhead, f.socket.rmemAlloc(), "the first skb still has one byte");
        assertEquals(1, f.read(1));
        assertEquals(50 + overhead, f.socket.rmemAlloc());
    }

    // ------------------------------------------------------------------ the peer: segments on the wire (H1)

    @Test
    @DisplayName("H1: the peer's segments carry consecutive seq/end_seq; a write longer than the MSS is cut; the FIN rides on the last segment and counts one")
    void peerSegmentsAndFin() {
        Fixture f = new Fixture(SimConfig.DEFAULT, 88);
        f.peer.write(new byte[200], 0, 200);
        f.peer.shutdownWrite();
        int isn1 = ISN + 1;

        assertEquals(3, f.peer.push());

        assertEquals(3, f.h1.size());
        assertArrayEquals(new int[] {isn1, isn1 + 88, 0, 88}, f.h1.get(0));
        assertArrayEquals(new int[] {isn1 + 88, isn1 + 176, 0, 88}, f.h1.get(1));
        assertArrayEquals(new int[] {isn1 + 176, isn1 + 201, 1, 24}, f.h1.get(2));
        assertEquals(isn1 + 201, f.peer.sndNxt());
        assertEquals(f.peer.sndNxt(), f.socket.rcvNxt());
        assertEquals(3, f.peer.packetsSent());
        assertEquals(0, f.peer.pendingBytes());
        assertEquals(0, f.peer.push(), "nothing left, FIN already sent");
        assertEquals(3, f.peer.packetsSent());
    }

    @Test
    @DisplayName("H1: a shutdown with nothing pending sends one bare FIN (payload 0, end_seq = seq + 1), once")
    void bareFin() {
        Fixture f = new Fixture();
        f.send(7);
        f.peer.shutdownWrite();
        assertEquals(1, f.peer.push(), "one packet: the FIN");
        assertEquals(2, f.h1.size());
        int[] fin = f.h1.get(1);
        assertArrayEquals(new int[] {ISN + 1 + 7, ISN + 1 + 8, 1, 0}, fin);
        assertEquals(ISN + 1 + 8, f.peer.sndNxt());
        assertEquals(2, f.peer.packetsSent());
        assertEquals(0, f.peer.push());
        assertTrue(f.peer.finRequested());
    }

    @Test
    @DisplayName("flow control: a write larger than the window is cut at the window's edge; the rest and the FIN follow once a read opens the window")
    void windowLimitedSegmentsResumeAfterARead() {
        // tcp_rmem 4096: a handshake window of 2048 bytes; the advertised edge never moves back, so
        // only a small buffer from the start limits the peer.
        Fixture f = new Fixture(SimConfig.DEFAULT.withTcpRmem(4096, 4096, 4096), MSS);
        assertEquals(2048, f.socket.receiveWindow());
        f.peer.write(new byte[5000], 0, 5000);
        f.peer.shutdownWrite();
        f.peer.push();

        int arrived = f.socket.rcvNxt() - (ISN + 1);
        assertTrue(arrived >= 2048 && arrived < 5000, arrived + " bytes: the window, not the write");
        assertEquals(0, f.socket.receiveWindow(), "the peer sent up to the edge");
        assertEquals(1024, f.h1.get(0)[3], "segments are bound to half the largest window (tcp_bound_to_half_wnd)");
        assertEquals(5000 - arrived, f.peer.pendingBytes());
        assertFalse(f.socket.finReceived(), "the FIN waits for the data before it");
        assertEquals(f.socket.rcvNxt(), f.peer.sndNxt());

        int read = 0;
        for (int i = 0; i < 100 && !f.socket.finReceived(); i++) {
            read += f.read(100_000);
            f.socket.sendAck();
            f.peer.push();
        }
        read += f.read(100_000);
        assertEquals(5000, read);
        assertTrue(f.socket.finReceived());
        assertEquals(ISN + 1 + 5001, f.peer.sndNxt());
        assertEquals(f.peer.sndNxt(), f.socket.rcvNxt());
        int total = 0;
        for (int[] seg : f.h1) {
            total += seg[3];
        }
        assertEquals(5000, total, "every byte in exactly one H1 call");
        assertEquals(1, f.h1.get(f.h1.size() - 1)[2], "the last segment carries the FIN");
    }

    @Test
    @DisplayName("H1: out-of-order segments wait without a hook; the one filling the gap releases them in sequence order in one step")
    void reorderedSegments() {
        Fixture f = new Fixture();
        byte[] data = new byte[30];
        for (int i = 0; i < 30; i++) {
            data[i] = (byte) i;
        }
        f.peer.sendReordered(data, new int[] {10, 10, 10}, new int[] {2, 1, 0});
        assertEquals(3, f.h1.size());
        assertEquals(ISN + 1, f.h1.get(0)[0]);
        assertEquals(ISN + 11, f.h1.get(1)[0]);
        assertEquals(ISN + 21, f.h1.get(2)[0]);
        assertEquals(0, f.socket.outOfOrderSegments());
        assertEquals(1, f.socket.edgeWakeups(), "one wakeup for the step that filled the gap");
        byte[] dst = new byte[30];
        assertEquals(30, f.socket.copyQueued(dst, 0, 30));
        assertArrayEquals(data, dst);
        assertEquals(ISN + 31, f.peer.sndNxt());
    }
    // ------------------------------------------------------------------ H3's other conditions

    @Test
    @DisplayName("H3: nothing queued is never EPOLLIN-ready, even with the receive window at 0 (below one MSS)")
    void emptyQueueIsNeverReady() {
        // tcp_rmem 1: the handshake window is 0, so "window <= one MSS" holds from the start.
        Fixture f = new Fixture(SimConfig.DEFAULT.withTcpRmem(1, 1, 1), MSS);
        assertEquals(0, f.socket.receiveWindow());
        assertEquals(0, f.socket.avail());
        assertFalse(f.socket.epollinReady(1));
        assertFalse(f.socket.pollReadable());
    }

    @Test
    @DisplayName("H3: memory pressure starts strictly above 7/8 of rcvbuf (tcp_rmem_pressure)")
    void memoryPressureBoundary() {
        Fixture f = new Fixture();
        f.socket.setRcvBuf(2048); // rcvbuf 4096: pressure above 3584 bytes of truesize
        int overhead = SimConfig.DEFAULT.skbOverhead();
        int len = (3584 - 2 * overhead) / 2;
        f.socket.arrive(f.socket.rcvNxt(), new byte[len], false);
        f.socket.arrive(f.socket.rcvNxt(), new byte[len], false);
        assertEquals(3584, f.socket.rmemAlloc());
        assertFalse(f.socket.memoryPressure(), "exactly 7/8 is not pressure");
        f.socket.arrive(f.socket.rcvNxt(), new byte[1], false);
        assertTrue(f.socket.memoryPressure());
    }

    @Test
    @DisplayName("H1: a segment after a gap waits in the out-of-order queue, without a hook and without a wakeup")
    void outOfOrderWaits() {
        Fixture f = new Fixture();
        f.socket.arrive(f.socket.rcvNxt() + 10, new byte[5], false);
        assertEquals(1, f.socket.outOfOrderSegments());
        assertEquals(0, f.h1.size());
        assertEquals(0, f.socket.avail());
        assertEquals(0, f.socket.edgeWakeups());
        f.socket.arrive(f.socket.rcvNxt(), new byte[10], false);
        assertEquals(0, f.socket.outOfOrderSegments());
        assertEquals(15, f.socket.avail());
        assertEquals(2, f.h1.size());
    }

    @Test
    @DisplayName("SimFault.HOOK_AFTER_WAKEUP: each held-back H1 call still sees the queue up to its own segment's last byte")
    void heldBackHooksSeeTheirOwnSegment() {
        List<Integer> seen = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT.withFaults(SimFault.HOOK_AFTER_WAKEUP), false, ISN, MSS);
        socket.setHooks(new RcvQueueHooks() {
            @Override
            public void onSegmentEnqueued(TcpSocketModel s, int seq, int endSeq, boolean fin, int payloadLength) {
                seen.add(s.queuedPayload());
                ends.add(endSeq - seq);
            }

            @Override
            public void onRecvmsgDone(TcpSocketModel s, int copied) {
            }
        });
        assertEquals(0, socket.cbFlagsSet(CbFlags.RCVQ));
        socket.arrive(ISN + 11, new byte[10], false);
        socket.arrive(ISN + 21, new byte[10], false);
        socket.arrive(ISN + 1, new byte[10], false);
        assertEquals(List.of(10, 20, 30), seen);
        assertEquals(List.of(10, 10, 10), ends, "end_seq = seq + payload, as without the fault");
        socket.arrive(ISN + 31, new byte[0], true);
        assertEquals(List.of(1), ends.subList(3, ends.size()), "a held-back bare FIN: end_seq = seq + 1");
        assertEquals(30, socket.queuedPayload(), "after the step: the whole queue");
    }

    @Test
    @DisplayName("H3: the window condition holds with exactly one MSS of window left (tcp_receive_window <= rcv_mss), not with one byte more")
    void windowConditionAtOneMss() {
        // tcp_rmem 4096: a 2048-byte handshake window; segments below 536 bytes leave rcv_mss at 536 and,
        // with the receive memory they take, do not move the advertised edge.
        for (int first : new int[] {504, 503}) {
            Fixture f = new Fixture(SimConfig.DEFAULT.withTcpRmem(4096, 4096, 4096), MSS);
            f.socket.arrive(f.socket.rcvNxt(), new byte[first], false);
            f.socket.arrive(f.socket.rcvNxt(), new byte[504], false);
            f.socket.arrive(f.socket.rcvNxt(), new byte[504], false);
            assertEquals(536, f.socket.rcvMss());
            assertFalse(f.socket.memoryPressure());
            int window = f.socket.receiveWindow();
            assertEquals(first == 504 ? 536 : 537, window);
            assertEquals(window == 536, f.socket.epollinReady(2000), "avail " + f.socket.avail() + " < 2000, window " + window);
        }
    }

    // ------------------------------------------------------------------ K: rcvbuf, the learned ratio

    @Test
    @DisplayName("K2/K4: rcvbuf is unlocked until SO_RCVBUF; after a 1000-byte segment the learned ratio is 162/256 and lowat 100000 grows rcvbuf to 158024")
    void learnedRatioAndGrowth() {
        Fixture f = new Fixture();
        assertFalse(f.socket.rcvBufLocked());
        assertEquals(128, f.socket.scalingRatio(), "the default ratio before data");
        f.socket.arrive(f.socket.rcvNxt(), new byte[1000], false);
        assertEquals(1000, f.socket.rcvMss());
        assertEquals((1000 << 8) / (1000 + SimConfig.DEFAULT.skbOverhead()), f.socket.scalingRatio());
        f.socket.userSetRcvlowat(100_000);
        assertEquals(158024, f.socket.rcvBuf(), "measured on 6.18 too (docs/conformance.md, the model's approximation)");
        f.socket.setRcvBuf(65536);
        assertTrue(f.socket.rcvBufLocked());
        assertEquals(131072, f.socket.rcvBuf());
    }

    // ------------------------------------------------------------------ K3, F4: the socket's identity

    @Test
    @DisplayName("K3/F4: a struct socket only after accept; SOCKMAP membership follows add and remove")
    void acceptedAndSockmap() {
        TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT, false, ISN, MSS);
        assertFalse(socket.hasStructSocket());
        socket.markAccepted();
        assertTrue(socket.hasStructSocket());
        assertFalse(socket.inSockmap());
        assertEquals(0, socket.addToSockmap());
        assertTrue(socket.inSockmap());
        assertEquals(0, socket.removeFromSockmap());
        assertFalse(socket.inSockmap());
    }

    @Test
    @DisplayName("sk_storage: delete answers 0 for a present value and -ENOENT for an absent one")
    void storageDelete() {
        TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT, false, ISN, MSS);
        StorageKey<int[]> key = StorageKey.create("receive_path_rules_test", () -> new int[1]);
        assertEquals(Errno.ENOENT.negative(), socket.deleteStorage(key));
        int[] value = socket.storage(key, true);
        assertEquals(value, socket.storage(key, false));
        assertEquals(0, socket.deleteStorage(key));
        assertEquals(null, socket.storage(key, false));
        assertEquals(Errno.ENOENT.negative(), socket.deleteStorage(key));
    }

    // ------------------------------------------------------------------ the peer's segment size

    @Test
    @DisplayName("tcp_bound_to_half_wnd: a largest window of exactly 536 bytes bounds segments to the whole window, 537 to half")
    void halfWindowBoundAtTcpMssDefault() {
        // tcp_rmem 1072 -> handshake window 536; 1074 -> 537.
        PeerSender at536 = new Fixture(SimConfig.DEFAULT.withTcpRmem(1072, 1072, 1072), MSS).peer;
        assertEquals(536, at536.currentMss());
        PeerSender at537 = new Fixture(SimConfig.DEFAULT.withTcpRmem(1074, 1074, 1074), MSS).peer;
        assertEquals(268, at537.currentMss());
        PeerSender noWindow = new Fixture(SimConfig.DEFAULT.withTcpRmem(1, 1, 1), MSS).peer;
        assertEquals(MSS, noWindow.currentMss(), "no window advertised yet: the MSS itself");
    }

    // ------------------------------------------------------------------ K2/K4: the user's socket options

    @Test
    @DisplayName("K2/K4: the user's setsockopt/getsockopt know SO_RCVLOWAT and SO_RCVBUF; an option shorter than an int is -EINVAL, any other option -ENOPROTOOPT")
    void userSocketOptions() {
        Fixture f = new Fixture();
        assertEquals(Errno.EINVAL.negative(), f.socket.setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, 100, 2));
        assertEquals(1, f.socket.rcvLowat(), "a refused option changes nothing");
        assertEquals(Errno.ENOPROTOOPT.negative(), f.socket.setsockopt(SockOpt.SOL_SOCKET, 12345, 100, Integer.BYTES));
        assertEquals(Errno.ENOPROTOOPT.negative(), f.socket.getsockopt(SockOpt.SOL_SOCKET, 12345));
        assertEquals(0, f.socket.setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, 100, Integer.BYTES));
        assertEquals(100, f.socket.getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT));
    }

    @Test
    @DisplayName("H3 (level-triggered): a wait that finds the socket not readable takes it off the ready list; readiness without a wakeup (K1 lowering lowat) is not reported")
    void waitUnlistsUntilTheNextWakeup() {
        Fixture f = new Fixture();
        f.socket.userSetRcvlowat(1000);
        f.send(10);
        f.socket.userSetRcvlowat(5);
        assertTrue(f.socket.readable(), "the H4 setsockopt woke: 10 >= 5");
        f.socket.userSetRcvlowat(1000);
        assertFalse(f.socket.readable(), "10 < 1000: the wait takes the item off the list");
        assertEquals(0, f.socket.kfuncSetRcvlowat(5));
        assertTrue(f.socket.pollReadable(), "tcp_poll() would say readable now");
        assertFalse(f.socket.readable(), "but K1 runs no wakeup check: the item is not on the list");
    }
}
