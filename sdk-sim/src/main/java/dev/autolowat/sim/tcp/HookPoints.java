package dev.autolowat.sim.tcp;

/**
 * Where the receive path reaches op 21 (rules H1, H2) and what an H1 call sees of the queue: the seam
 * of the hook/wakeup ordering. The model calls it only while the hook is enabled (the series and
 * RCVQ, {@link TcpSocketModel#hookEnabled()}); the reference hands each call straight to the socket's
 * {@link RcvQueueHooks}. {@link Mutants} decorates it for
 * {@link dev.autolowat.sim.SimFault#HOOK_AFTER_WAKEUP} and
 * {@link dev.autolowat.sim.SimFault#RECVMSG_HOOK_MISSING}.
 *
 * <p>Calls come per event: implementations allocate nothing.
 */
interface HookPoints {
    /**
     * H1: a segment {@code [seq, seq + payloadLength (+1 for a FIN))} was appended in order, its payload
     * the last {@code payloadLength} bytes of the queue; the packet's wakeup decision has not run.
     */
    void segmentQueued(TcpSocketModel socket, int seq, int payloadLength, boolean fin);

    /** The arriving packet's wakeup decision ran (H3); called once per packet, hook enabled or not. */
    void wakeupDecided(TcpSocketModel socket);

    /** H2: a recvmsg copied {@code copied} (&gt; 0) bytes. */
    void recvmsgDone(TcpSocketModel socket, int copied);

    /** The queue length an H1 call sees ({@link TcpSocketModel#queuedPayload()}). */
    int queuedPayload(TcpSocketModel socket);

    /** The contract: H1 at once, before the wakeup decision; H2 after every recvmsg that copied. */
    HookPoints REFERENCE = new HookPoints() {
        @Override
        public void segmentQueued(TcpSocketModel socket, int seq, int payloadLength, boolean fin) {
            socket.hooks().onSegmentEnqueued(socket, seq, seq + payloadLength + (fin ? 1 : 0), fin, payloadLength);
        }

        @Override
        public void wakeupDecided(TcpSocketModel socket) {
            // H1 already ran, before the decision.
        }

        @Override
        public void recvmsgDone(TcpSocketModel socket, int copied) {
            socket.hooks().onRecvmsgDone(socket, copied);
        }

        @Override
        public int queuedPayload(TcpSocketModel socket) {
            return socket.queueBytes();
        }
    };
}
