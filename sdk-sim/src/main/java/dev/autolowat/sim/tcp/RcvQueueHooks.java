package dev.autolowat.sim.tcp;

/**
 * Where the receive path calls out to programs: the two RCVQ_CB hook points of the series.
 * The model calls these only while the socket's RCVQ flag is set and the simulated kernel has
 * the series.
 */
public interface RcvQueueHooks {
    /**
     * Rule H1: a segment was appended in order; {@code rcv_nxt} already moved past it and the wakeup
     * decision has not run. Its payload is the last {@code payloadLength} bytes queued on
     * {@code socket} (see {@link TcpSocketModel#loadQueuedBytes}).
     */
    void onSegmentEnqueued(TcpSocketModel socket, int seq, int endSeq, boolean fin, int payloadLength);

    /** Rule H2: a recvmsg copied {@code copied} (&gt; 0) bytes and {@code copied_seq} advanced. */
    void onRecvmsgDone(TcpSocketModel socket, int copied);

    /** No hooks: what a socket sees when no program is attached. */
    RcvQueueHooks NONE = new RcvQueueHooks() {
        @Override
        public void onSegmentEnqueued(TcpSocketModel socket, int seq, int endSeq, boolean fin, int payloadLength) {
        }

        @Override
        public void onRecvmsgDone(TcpSocketModel socket, int copied) {
        }
    };
}
