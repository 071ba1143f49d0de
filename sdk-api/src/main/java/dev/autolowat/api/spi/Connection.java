package dev.autolowat.api.spi;

import dev.autolowat.api.SockOpt;

import java.util.Optional;

/**
 * A connected TCP pair seen from the accepted socket: the peer sends, the accepted socket reads.
 * Every method that is a system call returns the kernel's convention (a result, or {@code -errno}),
 * so that two backends can be compared call by call.
 *
 * <p>Misuse — null or out-of-range arguments, use after {@link #close()} — throws and leaves the
 * connection unchanged. Use after {@link #close()} (of the connection or of its session) throws
 * {@link dev.autolowat.api.ConnectionClosedException}.
 *
 * <p><b>Threads.</b> Whether calls may overlap is the backend's to say, in these terms:
 * <ul>
 *   <li>The native backend ({@code dev.autolowat.kernel.NativeConnection}) is thread-safe: any call,
 *       from any thread, at any time. Overlapping calls are the kernel's calls and interleave as the
 *       kernel orders them (e.g. one thread blocked in {@link #recv} while another {@link #send}s).
 *       {@link #close()} may race any call: a call that is in flight while it runs, or starts after
 *       it, throws {@link dev.autolowat.api.ConnectionClosedException} — never another exception,
 *       and never acts on a descriptor that was released (the number may name another socket by
 *       then); a blocking {@link #recv} is woken and throws it too. The same holds for closing the
 *       session.</li>
 *   <li>The simulator ({@code dev.autolowat.sim.SimConnection}) is a deterministic single-threaded
 *       model: calls on one session, {@link #close()} included, must not overlap (confine a session
 *       to one thread at a time, or serialise the calls).</li>
 * </ul>
 */
public interface Connection extends AutoCloseable {
    /** How this pair was made. */
    ConnectOptions options();

    // ---- the peer ----

    /**
     * The peer sends {@code data} as segments of the given lengths, in order; each length
     * {@code >= 1}, summing to {@code data.length}. With no lengths, {@code data} is one write
     * (cut only by the MSS and the window). A segment longer than the MSS is cut into
     * MSS-sized segments; data beyond the receiver's window waits at the peer and arrives as the
     * reader frees space.
     *
     * <p>The whole array is sent, on every backend: the simulator queues what the window does not
     * take at the peer; a kernel's socket buffers hold a few MiB, so the native backend keeps
     * sending as a reader (another thread) frees room — and when no byte more is accepted for its
     * bound (1 s), that is an error, not a short count.
     *
     * @return the number of bytes the peer accepted ({@code data.length}), or {@code -EPIPE} once the
     *         peer shut down its write side
     * @throws dev.autolowat.api.AutoLowatException when the backend cannot hand over the whole array
     *         within its bound (native: {@code dev.autolowat.kernel.socket.SendTimeoutException})
     */
    int send(byte[] data, int... segmentLengths);

    /**
     * The peer sends {@code data} cut into segments of the given lengths, but the network delivers
     * them in {@code deliveryOrder} (a permutation of segment indexes). Segments that arrive ahead
     * of a gap wait in the out-of-order queue and are released in sequence order when it fills (H1).
     *
     * @throws UnsupportedOperationException when {@link Capabilities#outOfOrder()} is false
     */
    int sendOutOfOrder(byte[] data, int[] segmentLengths, int[] deliveryOrder);

    /** The peer calls {@code shutdown(SHUT_WR)}: a FIN follows its data. */
    int peerShutdownWrite();

    /** {@code getsockopt} on the peer socket (rule K3's client side). */
    int peerGetsockopt(int level, int optname);

    // ---- the accepted socket ----

    /**
     * {@code recv(fd, dst + offset, length, flags)}.
     *
     * <p>A {@code length} of 0 is answered as Linux's {@code tcp_recvmsg} answers it, on every backend
     * (SDK decision, docs/semantics.md "recv of length 0"): non-blocking, 0 when data or a FIN is
     * queued or the read side is shut down, else {@code -EAGAIN}; blocking, it waits until something
     * arrives or the timeout and returns 0 either way. It copies nothing and runs no hook.
     *
     * @return bytes copied, 0 at end of stream, or {@code -EAGAIN} (non-blocking with nothing
     *         queued, or a blocking call that timed out before anything arrived)
     * @throws dev.autolowat.api.ConnectionClosedException when the connection is closed, also by
     *         another thread while the call blocks
     */
    int recv(byte[] dst, int offset, int length, RecvMode mode);

    /** {@code shutdown(fd, how)} on the accepted socket. */
    int shutdown(Shutdown how);

    /**
     * {@code setsockopt(fd, level, optname, &value, 4)} on the accepted socket. Cgroup setsockopt
     * programs run first (A2).
     */
    int setsockopt(int level, int optname, int value);

    /** {@code getsockopt(fd, level, optname)} on the accepted socket: the value, or {@code -errno}. */
    int getsockopt(int level, int optname);

    /**
     * Adds the accepted socket to a SOCKMAP (F4): 0, {@code -EBUSY} when its RCVQ flag is set, or
     * {@code -EOPNOTSUPP} for an MPTCP socket (not a TCP socket a sockmap takes).
     */
    int addToSockmap();

    /** Removes the accepted socket from the SOCKMAP: 0, or {@code -ENOENT}. */
    int removeFromSockmap();

    /** The accepted socket's sock_ops flag word (F1/F2). */
    int cbFlags();

    /** Edge-triggered wakeups of the accepted socket so far (as {@link Observation#edgeWakeups()}, cheaper). */
    long edgeWakeups();

    /** Level-triggered readability of the accepted socket now (as {@link Observation#readable()}, cheaper). */
    boolean readable();

    /** The current observation of the accepted socket; the invocation log is drained. */
    Observation observe();

    /**
     * The accepted socket's value in the per-socket map ({@code SK_STORAGE}) called {@code map} — what
     * {@code bpf_sk_storage_get} finds for it — or empty when it has none. This is how a program's
     * per-connection state (e.g. the reference policy's A2 state, its own invocation log) is read
     * through the SPI; a kernel names the socket by its descriptor, the simulator by its model.
     * An MPTCP socket has none: a kernel runs sock_ops programs on its subflows (F3).
     *
     * @throws UnknownMapException      when no program attached to the session declared {@code map}
     * @throws IllegalArgumentException when {@code map} is not an {@code SK_STORAGE} map (read it with
     *                                  {@link BackendSession#maps()})
     */
    Optional<byte[]> socketStorage(String map);

    /** Whether {@link #close()} was called (on this connection; see also its session's). */
    boolean isClosed();

    /**
     * Closes both sockets. Idempotent; any other call afterwards throws
     * {@link dev.autolowat.api.ConnectionClosedException}. On a thread-safe backend it may be called
     * from any thread while other calls are in flight (see "Threads" above): it wakes them, and
     * returns once the sockets are released.
     */
    @Override
    void close();

    // ---- conveniences ----

    /** {@code setsockopt(SOL_SOCKET, SO_RCVLOWAT, value)} (K2, H4). */
    default int setRcvLowat(int value) {
        return setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, value);
    }

    /** {@code setsockopt(SOL_SOCKET, SO_RCVBUF, value)} (K4). */
    default int setRcvBuf(int value) {
        return setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF, value);
    }

    /** {@code getsockopt(SOL_SOCKET, SO_RCVLOWAT)} (K4). */
    default int rcvLowat() {
        return getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT);
    }

    /** {@code getsockopt(SOL_SOCKET, SO_RCVBUF)} (K4). */
    default int rcvBuf() {
        return getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF);
    }

    /** The reference policy's enable call (A2): {@code setsockopt(0xdeadbeef, 0x8badf00d, value)}. */
    default int enableAutoLowat(int value) {
        return setsockopt(SockOpt.AUTOLOWAT_LEVEL, SockOpt.AUTOLOWAT_OPTNAME, value);
    }
}
