package dev.autolowat.kernel.socket;

import dev.autolowat.api.AutoLowatException;

/**
 * The peer could not hand the whole array to its kernel: for {@link NativeTcpPair#SEND_TIMEOUT} no
 * byte more was accepted, because the receive window and the peer's send buffer are full and nobody
 * reads the accepted socket. {@code Connection.send} promises the whole array (as the simulator,
 * which queues the rest at the peer, delivers it), so a stalled send is an error rather than a short
 * count. Read from another thread while sending more than the buffers hold (a few MiB on loopback).
 */
public class SendTimeoutException extends AutoLowatException {
    private final long sent;
    private final long length;

    public SendTimeoutException(long sent, long length) {
        super("the peer's send stalled: " + sent + " of " + length + " bytes were accepted, then none for "
                + NativeTcpPair.SEND_TIMEOUT.toMillis() + " ms (the receive window and the send buffer are full and"
                + " nothing reads the accepted socket); read from another thread while sending more than the socket"
                + " buffers hold, or send less");
        this.sent = sent;
        this.length = length;
    }

    /** Bytes the peer's kernel accepted before the stall. */
    public long sent() {
        return sent;
    }

    /** Bytes asked to send. */
    public long length() {
        return length;
    }
}
