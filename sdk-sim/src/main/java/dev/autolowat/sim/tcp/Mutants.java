package dev.autolowat.sim.tcp;

import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimFault;

/**
 * The deliberately broken variants of the socket model ({@link SimFault}, test-only mutants for
 * conformance suites) as decorators of its seams: the reference model ({@link TcpSocketModel}) has no
 * fault branch; it asks here once, at construction, which implementation of each seam the
 * configuration selects. Without faults every seam is its reference, a stateless singleton.
 */
final class Mutants {
    private Mutants() {
    }

    /** F3's guards, or none for {@link SimFault#WRONG_FLAG_GUARD}. */
    static FlagGuard flagGuard(SimConfig config) {
        return config.hasFault(SimFault.WRONG_FLAG_GUARD) ? NO_FLAG_GUARD : FlagGuard.REFERENCE;
    }

    /** K1/K2's cap, or none for {@link SimFault#LOWAT_NOT_CAPPED}. */
    static LowatCap lowatCap(SimConfig config) {
        return config.hasFault(SimFault.LOWAT_NOT_CAPPED) ? NO_CAP : LowatCap.REFERENCE;
    }

    /**
     * The hook points, decorated for {@link SimFault#RECVMSG_HOOK_MISSING} and
     * {@link SimFault#HOOK_AFTER_WAKEUP} (each breaks its own rule; together they compose). A new
     * instance per socket when it keeps state.
     */
    static HookPoints hookPoints(SimConfig config) {
        HookPoints points = HookPoints.REFERENCE;
        if (config.hasFault(SimFault.RECVMSG_HOOK_MISSING)) {
            points = new RecvmsgHookMissing(points);
        }
        if (config.hasFault(SimFault.HOOK_AFTER_WAKEUP)) {
            points = new HookAfterWakeup(points);
        }
        return points;
    }

    /** {@link SimFault#WRONG_FLAG_GUARD}: F3's guards are skipped; F4 (in the model) stays. */
    static final FlagGuard NO_FLAG_GUARD = (socket, newWord) -> 0;

    /** {@link SimFault#LOWAT_NOT_CAPPED}: the value as given ({@code 0 → 1} and growth stay in the model). */
    static final LowatCap NO_CAP = (socket, val) -> val;

    /** {@link SimFault#RECVMSG_HOOK_MISSING}: H2 never runs; H1 as the decorated points do it. */
    static final class RecvmsgHookMissing implements HookPoints {
        private final HookPoints inner;

        RecvmsgHookMissing(HookPoints inner) {
            this.inner = inner;
        }

        @Override
        public void segmentQueued(TcpSocketModel socket, int seq, int payloadLength, boolean fin) {
            inner.segmentQueued(socket, seq, payloadLength, fin);
        }

        @Override
        public void wakeupDecided(TcpSocketModel socket) {
            inner.wakeupDecided(socket);
        }

        @Override
        public void recvmsgDone(TcpSocketModel socket, int copied) {
            // the fault: no op 21 at the end of recvmsg
        }

        @Override
        public int queuedPayload(TcpSocketModel socket) {
            return inner.queuedPayload(socket);
        }
    }

    /**
     * {@link SimFault#HOOK_AFTER_WAKEUP}: the H1 calls of an arriving packet are held back until its
     * wakeup decision ran, then handed to the decorated points in sequence order, each still able to
     * read its own payload; a program that clears RCVQ stops the rest, as it would have before the
     * wakeup. The held-back calls wait in a reusable ring: nothing is allocated per packet.
     */
    static final class HookAfterWakeup implements HookPoints {
        private final HookPoints inner;
        /** The held-back H1 calls, three ints each: seq, payload length, fin. */
        private final IntRing deferred = new IntRing();
        /** Payload bytes of the held-back calls. */
        private int deferredPayloadBytes;
        /** During a held-back call: the queue index just past its segment's payload; else -1. */
        private int payloadEnd = -1;

        HookAfterWakeup(HookPoints inner) {
            this.inner = inner;
        }

        @Override
        public void segmentQueued(TcpSocketModel socket, int seq, int payloadLength, boolean fin) {
            deferred.add(seq);
            deferred.add(payloadLength);
            deferred.add(fin ? 1 : 0);
            deferredPayloadBytes += payloadLength;
        }

        @Override
        public void wakeupDecided(TcpSocketModel socket) {
            inner.wakeupDecided(socket);
            int end = socket.queueBytes() - deferredPayloadBytes;
            try {
                while (!deferred.isEmpty()) {
                    int seq = deferred.removeFirst();
                    int len = deferred.removeFirst();
                    boolean fin = deferred.removeFirst() != 0;
                    end += len;
                    if (socket.hookEnabled()) {
                        payloadEnd = end;
                        inner.segmentQueued(socket, seq, len, fin);
                    }
                }
            } finally {
                deferred.clear();
                deferredPayloadBytes = 0;
                payloadEnd = -1;
            }
        }

        @Override
        public void recvmsgDone(TcpSocketModel socket, int copied) {
            inner.recvmsgDone(socket, copied);
        }

        /**
         * During a held-back call, the queue as it was when that call's segment was appended (up to its
         * last byte), although later segments of the same packet are queued behind it already.
         */
        @Override
        public int queuedPayload(TcpSocketModel socket) {
            return payloadEnd >= 0 ? payloadEnd : inner.queuedPayload(socket);
        }
    }
}
