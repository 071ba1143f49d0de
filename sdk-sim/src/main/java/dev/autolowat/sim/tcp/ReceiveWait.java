package dev.autolowat.sim.tcp;

/**
 * What a blocking {@link TcpSocketModel#recvmsg recvmsg} waits on, told to the model by the
 * connection that owns it: the peer and time. In a deterministic world nothing else can happen
 * while a reader sleeps.
 */
public interface ReceiveWait {
    /**
     * The peer puts on the wire what the receiver's advertised window now takes (each packet arriving
     * at the socket), and time moves by the packets sent.
     *
     * @return the number of packets sent
     */
    int peerSends();

    /** The wait ran into its timeout of {@code millis} milliseconds. */
    void timedOut(long millis);

    /** No peer and no clock (a socket driven by hand): nothing arrives while waiting. */
    ReceiveWait NONE = new ReceiveWait() {
        @Override
        public int peerSends() {
            return 0;
        }

        @Override
        public void timedOut(long millis) {
        }
    };
}
