package dev.autolowat.kernel;

import dev.autolowat.api.program.InvocationLogMap;
import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.Errno;
import dev.autolowat.api.spi.AbstractConnection;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.kernel.bpf.BpfException;
import dev.autolowat.kernel.bpf.KernelMap;
import dev.autolowat.kernel.socket.NativeTcpPair;

import java.util.List;
import java.util.Optional;

/**
 * A real loopback TCP pair of a {@link NativeSession} ({@link NativeTcpPair}: IPv4, IPv6, MPTCP),
 * seen through the SPI. Every system call goes straight to the kernel and returns what it returns.
 *
 * <ul>
 *   <li>{@link #send}: each segment is its own {@code send()} from the peer (TCP_NODELAY); the pair
 *       waits (bounded) until the bytes are queued at the receiver (FIONREAD), then drains the
 *       edge-triggered epoll before the next segment, so segment boundaries and wakeup counts are
 *       exact. With no lengths, the data is one {@code send()}. The whole array is sent: what the
 *       socket buffers cannot hold (a few MiB) follows in further {@code send()} calls as a reader —
 *       another thread — frees room; when no byte more is accepted for
 *       {@link NativeTcpPair#SEND_TIMEOUT}, {@link dev.autolowat.kernel.socket.SendTimeoutException}.</li>
 *   <li>Observation: {@code SO_RCVLOWAT} / {@code SO_RCVBUF} by {@code getsockopt}, readability by a
 *       level-triggered epoll (timeout 0), wakeups by the edge-triggered epoll's event count, queued
 *       bytes by {@code FIONREAD}, the flag word through the backend's observer program
 *       ({@link FlagObserver}; an MPTCP socket, which has no TCP flag word, reads 0), and the
 *       invocation log from the session's {@value InvocationLogMap#NAME} map
 *       ({@link InvocationLogMap}; empty when no attached program declares one).</li>
 *   <li>SOCKMAP (F4): the session's backend-owned SOCKHASH (key = this connection's number, value =
 *       the accepted socket's fd), updated and deleted from userspace: 0, {@code -EOPNOTSUPP} for an
 *       MPTCP socket or a socket no longer ESTABLISHED, {@code -ENOENT} when removing a non-member. A
 *       SOCKHASH rather than a SOCKMAP because deleting an empty SOCKMAP slot is {@code -EINVAL},
 *       while the contract says {@code -ENOENT} (SDK decision F4).</li>
 *   <li>{@link #sendOutOfOrder} is unsupported: loopback delivers in order
 *       ({@code Capabilities.outOfOrder()} is false).</li>
 * </ul>
 *
 * <p><b>Threads.</b> Thread-safe, as the SPI says: the {@link NativeTcpPair} owns the descriptors and
 * native buffers and counts every call in flight; calls that use the accepted socket's descriptor
 * for someone else (the SOCKHASH update, the flag observer, the invocation log's key) run inside that
 * count too ({@link NativeTcpPair#withAcceptedFd}), so no call can reach a descriptor number after
 * {@link #close()} released it. {@link #close()} from any thread wakes a blocking {@link #recv}; calls
 * racing or following it throw {@link ConnectionClosedException}. The lifecycle — the final,
 * idempotent {@link #close()}, the open checks, the dropped-invocation count — is
 * {@link AbstractConnection}'s; the in-flight discipline is the pair's.
 */
public final class NativeConnection extends AbstractConnection {
    private final NativeSession session;
    private final NativeTcpPair pair;
    private final int number;
    /** Guarded by {@code this}: the invocation log read so far. */
    private int logSeen;

    NativeConnection(NativeSession session, NativeTcpPair pair, int number) {
        super(session, "native connection");
        this.session = session;
        this.pair = pair;
        this.number = number;
    }

    @Override
    public ConnectOptions options() {
        return pair.options();
    }

    /** The pair underneath (descriptors, {@code lastArrivalSeen()}), for tests and tools. */
    public NativeTcpPair pair() {
        ensureOpen();
        return pair;
    }

    /** The pair without the open check, for the session's bookkeeping. */
    NativeTcpPair pairUnchecked() {
        return pair;
    }

    // ---- the peer ----

    /** One {@code send()} of the peer (see the class comment). */
    @Override
    protected int implSendWrite(byte[] data, int off, int len) {
        return pair.sendSegment(data, off, len);
    }

    /** One {@code send()} per segment, each queued at the receiver before the next (see the class comment). */
    @Override
    protected int implSendSegments(byte[] data, int[] lengths) {
        return pair.send(data, lengths);
    }

    /**
     * Not supported: loopback delivers segments in order, so the native backend cannot drive the
     * out-of-order queue (H1's released segments); such scenarios run on the simulator.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public int sendOutOfOrder(byte[] data, int[] segmentLengths, int[] deliveryOrder) {
        ensureOpen();
        throw new UnsupportedOperationException("the native backend cannot deliver segments out of order: loopback TCP"
                + " delivers in order (Capabilities.outOfOrder() is false for 'native'); run out-of-order scenarios"
                + " (segments released from the out-of-order queue, H1) on the simulator");
    }

    @Override
    public int peerShutdownWrite() {
        ensureOpen();
        return pair.peerShutdownWrite();
    }

    @Override
    public int peerGetsockopt(int level, int optname) {
        ensureOpen();
        return pair.peerGetsockopt(level, optname);
    }

    // ---- the accepted socket ----

    @Override
    public int recv(byte[] dst, int offset, int length, RecvMode mode) {
        ensureOpen();
        return pair.recv(dst, offset, length, mode);
    }

    @Override
    public int shutdown(Shutdown how) {
        ensureOpen();
        return pair.shutdown(how);
    }

    @Override
    public int setsockopt(int level, int optname, int value) {
        ensureOpen();
        return pair.setsockopt(level, optname, value);
    }

    @Override
    public int getsockopt(int level, int optname) {
        ensureOpen();
        return pair.getsockopt(level, optname);
    }

    /** F4: adds the accepted socket to the session's SOCKHASH (see the class comment). */
    @Override
    public int addToSockmap() {
        ensureOpen();
        return pair.withAcceptedFd(fd -> {
            KernelMap map = session.sockhash();
            try {
                map.put(KernelMap.key(number), KernelMap.u32(fd));
                return 0;
            } catch (BpfException e) {
                return -e.errno();
            }
        });
    }

    @Override
    public int removeFromSockmap() {
        ensureOpen();
        return pair.withAcceptedFd(fd -> {
            KernelMap map = session.sockhash();
            try {
                return map.delete(KernelMap.key(number)) ? 0 : Errno.ENOENT.negative();
            } catch (BpfException e) {
                return -e.errno();
            }
        });
    }

    /** The flag word (F1/F2) read by the backend's observer; 0 for an MPTCP socket (no TCP flag word). */
    @Override
    public int cbFlags() {
        ensureOpen();
        int r = pair.withAcceptedFd(session::readCbFlags);
        return Math.max(r, 0);
    }

    @Override
    public long edgeWakeups() {
        ensureOpen();
        return pair.edgeWakeups();
    }

    @Override
    public boolean readable() {
        ensureOpen();
        return pair.readable();
    }

    @Override
    public Observation observe() {
        ensureOpen();
        int lowat = pair.rcvLowat();
        int rcvbuf = pair.rcvBuf();
        boolean readable = pair.readable();
        long edges = pair.edgeWakeups();
        int flags = cbFlags();
        int queued = pair.queuedBytes();
        List<Invocation> invocations = drainInvocations();
        return new Observation(lowat, rcvbuf, readable, edges, flags, queued, invocations, droppedInvocations());
    }

    /** The accepted socket's value in the SK_STORAGE map {@code map}, with its descriptor as the key. */
    @Override
    protected Optional<byte[]> implSocketStorage(String map) {
        return lookupByAcceptedFd(session.map(map));
    }

    /** {@code map}'s value under the accepted socket's descriptor, looked up while the descriptor is held open. */
    private Optional<byte[]> lookupByAcceptedFd(KernelMap map) {
        @SuppressWarnings("unchecked")
        Optional<byte[]>[] value = new Optional[1];
        pair.withAcceptedFd(fd -> {
            value[0] = map.lookup(KernelMap.key(fd));
            return 0;
        });
        return value[0];
    }

    /**
     * The invocations on the accepted socket logged since the previous call (or observation), from
     * the session's {@value InvocationLogMap#NAME} map; empty without one.
     */
    public List<Invocation> drainInvocations() {
        ensureOpen();
        KernelMap log = session.invocationLog();
        if (log == null) {
            return List.of();
        }
        Optional<byte[]> value = lookupByAcceptedFd(log);
        if (value.isEmpty()) {
            return List.of();
        }
        synchronized (this) {
            InvocationLogMap.Decoded d = InvocationLogMap.decode(value.get(), logSeen);
            logSeen = d.count();
            addDroppedInvocations(d.dropped());
            return d.entries();
        }
    }

    /**
     * Closes both sockets and the listener (the kernel drops the socket from the SOCKHASH), for
     * {@link #close()}, from any thread: calls in flight are woken and waited for first
     * ({@link NativeTcpPair#close()}).
     */
    @Override
    protected void implClose() {
        try {
            pair.close();
        } finally {
            session.forget(this);
        }
    }

    @Override
    public String toString() {
        return "NativeConnection#" + number + "[" + pair + "]";
    }
}
