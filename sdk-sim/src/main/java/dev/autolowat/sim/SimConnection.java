package dev.autolowat.sim;

import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockoptHandler;
import dev.autolowat.api.spi.AbstractConnection;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.sim.tcp.PeerSender;
import dev.autolowat.sim.tcp.RcvQueueHooks;
import dev.autolowat.sim.tcp.ReceiveWait;
import dev.autolowat.sim.SocketState;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.sim.vm.SocketInfo;
import dev.autolowat.sim.vm.SockoptInput;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A simulated loopback TCP pair, driven like Netty's {@code EmbeddedChannel}: the test makes the peer
 * send, the accepted socket read, and observes after every step. No threads, no sleeps.
 *
 * <p>Each packet that arrives is one step of the wakeup accounting (H3); so is each call on the
 * accepted socket. Arguments are checked before anything changes: a rejected call leaves the model
 * exactly as it was. The lifecycle (close, the open checks, the dropped-invocation count) is
 * {@link AbstractConnection}'s.
 *
 * <p>This is the user-facing handle: it checks arguments, runs the attached programs where the kernel
 * would (sock_ops, op 21, cgroup setsockopt) and moves the session's clock; the socket itself —
 * arrival, the receive queue, {@code tcp_recvmsg()}, socket options and wakeups — is
 * {@link TcpSocketModel}.
 */
public final class SimConnection extends AbstractConnection {
    private final SimSession session;
    private final ConnectOptions options;
    private final int mss;
    /** The connecting socket (client side, ACTIVE_ESTABLISHED_CB). It only sends. */
    private final TcpSocketModel peerSocket;
    /** The accepted socket (server side, PASSIVE_ESTABLISHED_CB): the one the contract observes. */
    private final TcpSocketModel accepted;
    private final PeerSender sender;
    private final InvocationLog log = new InvocationLog();
    private final SimSockOpsContext sockOpsContext;
    private final SimSockoptContext sockoptContext;
    private final SimSegment segment = new SimSegment();
    private final SimRecvmsgDone recvmsgDone = new SimRecvmsgDone();
    /** What bytecode programs read about each socket that the TCP model does not keep. */
    private final SocketInfo acceptedInfo;
    private final SocketInfo peerInfo;
    /** A blocking recv waits on the peer and the clock. */
    private final ReceiveWait receiveWait = new ReceiveWait() {
        @Override
        public int peerSends() {
            return advanceAndPush();
        }

        @Override
        public void timedOut(long millis) {
            session.clock().advance(millis * 1_000_000L);
        }
    };

    SimConnection(SimSession session, ConnectOptions options, int peerIsn, int clientPort) {
        super(session, "simulated connection");
        this.session = session;
        this.options = options;
        SimConfig config = session.config();
        this.mss = options.family() == Family.INET ? config.mssIpv4() : config.mssIpv6();
        this.sockOpsContext = new SimSockOpsContext(session.clock());
        this.sockoptContext = new SimSockoptContext(session.clock());
        // The reverse direction carries no data in this model; its ISN only has to exist.
        this.peerSocket = new TcpSocketModel(config, options.mptcp(), ~peerIsn, mss);
        this.peerSocket.markAccepted();
        this.accepted = new TcpSocketModel(config, options.mptcp(), peerIsn, mss);
        this.accepted.setHooks(new ProgramHooks());
        this.sender = new PeerSender(accepted, peerIsn, mss);
        boolean ipv6 = options.family() == Family.INET6;
        this.acceptedInfo = new SocketInfo(ipv6, SimSession.SERVER_PORT, clientPort, mss, ~peerIsn, peerIsn);
        this.peerInfo = new SocketInfo(ipv6, clientPort, SimSession.SERVER_PORT, mss, peerIsn, ~peerIsn);
        establish();
    }

    /**
     * The three-way handshake as sock_ops programs see it: TCP_CONNECT_CB and ACTIVE_ESTABLISHED_CB on
     * the client, then PASSIVE_ESTABLISHED_CB on the child before accept() (K3: no struct socket yet).
     */
    private void establish() {
        runOp(peerSocket, SockOpsOp.TCP_CONNECT_CB, false);
        runOp(peerSocket, SockOpsOp.ACTIVE_ESTABLISHED_CB, false);
        runOp(accepted, SockOpsOp.PASSIVE_ESTABLISHED_CB, true);
        accepted.markAccepted();
        accepted.endStep();
    }

    private void runOp(TcpSocketModel socket, SockOpsOp op, boolean logIt) {
        SockOpsHandler[] handlers = session.sockOpsHandlers();
        if (handlers.length == 0) {
            return;
        }
        if (logIt) {
            log.add(op.value(), 0, 0, 0);
        }
        sockOpsContext.input().set(socket, infoOf(socket), op.value());
        for (SockOpsHandler handler : handlers) {
            sockOpsContext.set(socket, op);
            handler.onOp(sockOpsContext);
        }
    }

    /** Dispatch of op 21 (H1, H2) to the attached programs, logged; the model says when. */
    private final class ProgramHooks implements RcvQueueHooks {
        @Override
        public void onSegmentEnqueued(TcpSocketModel socket, int seq, int endSeq, boolean fin, int payloadLength) {
            SockOpsHandler[] handlers = session.sockOpsHandlers();
            if (handlers.length == 0) {
                return;
            }
            log.add(SockOpsOp.RCVQ_CB.value(), seq, endSeq, payloadLength);
            sockOpsContext.input().set(socket, infoOf(socket), SockOpsOp.RCVQ_CB.value())
                    .segment(seq, endSeq, fin, payloadLength);
            for (SockOpsHandler handler : handlers) {
                segment.set(socket, seq, endSeq, fin, payloadLength);
                sockOpsContext.set(socket, SockOpsOp.RCVQ_CB);
                handler.onRcvQueue(segment, sockOpsContext);
            }
        }

        @Override
        public void onRecvmsgDone(TcpSocketModel socket, int copied) {
            SockOpsHandler[] handlers = session.sockOpsHandlers();
            if (handlers.length == 0) {
                return;
            }
            log.add(SockOpsOp.RCVQ_CB.value(), 0, 0, 0);
            sockOpsContext.input().set(socket, infoOf(socket), SockOpsOp.RCVQ_CB.value());
            for (SockOpsHandler handler : handlers) {
                recvmsgDone.set(copied);
                sockOpsContext.set(socket, SockOpsOp.RCVQ_CB);
                handler.onRcvQueue(recvmsgDone, sockOpsContext);
            }
        }
    }

    private SocketInfo infoOf(TcpSocketModel socket) {
        return socket == accepted ? acceptedInfo : peerInfo;
    }

    // ---- Connection ----

    @Override
    public ConnectOptions options() {
        return options;
    }

    /** The MSS the peer uses on this connection. */
    public int mss() {
        return mss;
    }

    /** The segments, written in order; the peer pushes what the window takes (send's checks: the base class). */
    @Override
    protected int implSendSegments(byte[] data, int[] lengths) {
        if (sender.finRequested()) {
            return Errno.EPIPE.negative();
        }
        int off = 0;
        for (int len : lengths) {
            sender.write(data, off, len);
            off += len;
        }
        advanceAndPush();
        session.throwPendingFault();
        return data.length;
    }

    /**
     * Sends {@code data[off, off+len)} as one write (cut only by MSS and window): the allocation-free
     * form of {@link #send(byte[], int...)} for workloads.
     */
    public int sendSegments(byte[] data, int off, int len) {
        ensureOpen();
        Objects.checkFromIndexSize(off, len, data.length);
        return len == 0 ? 0 : implSendWrite(data, off, len);
    }

    /** One write of the peer, cut only by MSS and window. */
    @Override
    protected int implSendWrite(byte[] data, int off, int len) {
        if (sender.finRequested()) {
            return Errno.EPIPE.negative();
        }
        sender.write(data, off, len);
        advanceAndPush();
        session.throwPendingFault();
        return len;
    }

    /** The peer sends what the window takes; each packet takes {@link VirtualClock#PACKET_NANOS}. */
    private int advanceAndPush() {
        int packets = sender.push();
        session.clock().advance(packets * VirtualClock.PACKET_NANOS);
        return packets;
    }

    @Override
    public int sendOutOfOrder(byte[] data, int[] segmentLengths, int[] deliveryOrder) {
        ensureOpen();
        checkSegments(data, segmentLengths);
        Objects.requireNonNull(deliveryOrder, "deliveryOrder");
        for (int len : segmentLengths) {
            if (len > mss) {
                throw new IllegalArgumentException("out-of-order segment of " + len + " bytes exceeds the MSS "
                        + mss + ": cut it into MSS-sized segments");
            }
        }
        if (deliveryOrder.length != segmentLengths.length) {
            throw new IllegalArgumentException("delivery order has " + deliveryOrder.length + " entries for "
                    + segmentLengths.length + " segments");
        }
        boolean[] seen = new boolean[segmentLengths.length];
        for (int index : deliveryOrder) {
            if (index < 0 || index >= seen.length || seen[index]) {
                throw new IllegalArgumentException("delivery order must be a permutation of 0.."
                        + (seen.length - 1) + ", got index " + index);
            }
            seen[index] = true;
        }
        if (sender.finRequested()) {
            return Errno.EPIPE.negative();
        }
        if (sender.pendingBytes() > 0) {
            throw new IllegalStateException("the peer still has " + sender.pendingBytes()
                    + " bytes waiting for window; read them before reordering new segments");
        }
        if (data.length > accepted.receiveWindow()) {
            throw new IllegalStateException("reordered data of " + data.length + " bytes does not fit the receive window of "
                    + accepted.receiveWindow() + " bytes; send less or read first");
        }
        sender.sendReordered(data, segmentLengths, deliveryOrder);
        session.clock().advance(segmentLengths.length * VirtualClock.PACKET_NANOS);
        session.throwPendingFault();
        return data.length;
    }

    @Override
    public int peerShutdownWrite() {
        ensureOpen();
        if (!sender.finRequested()) {
            sender.shutdownWrite();
            advanceAndPush();
        }
        session.throwPendingFault();
        return 0;
    }

    @Override
    public int peerGetsockopt(int level, int optname) {
        ensureOpen();
        return peerSocket.getsockopt(level, optname);
    }

    @Override
    public int recv(byte[] dst, int offset, int length, RecvMode mode) {
        ensureOpen();
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(mode, "mode");
        Objects.checkFromIndexSize(offset, length, dst.length);
        int result = accepted.recvmsg(dst, offset, length, mode, receiveWait);
        session.throwPendingFault();
        return result;
    }

    /**
     * A reader that drains what is queued without copying it anywhere: the workload form of a
     * non-blocking recv into a {@code length}-byte buffer. Allocates nothing.
     */
    public int recvDiscard(byte[] scratch, int length) {
        return recv(scratch, 0, Math.min(length, scratch.length), RecvMode.NON_BLOCKING);
    }

    @Override
    public int shutdown(Shutdown how) {
        ensureOpen();
        Objects.requireNonNull(how, "how");
        return accepted.shutdown(how);
    }

    @Override
    public int setsockopt(int level, int optname, int value) {
        ensureOpen();
        int result = cgroupSetsockopt(level, optname, value);
        accepted.endStep();
        session.throwPendingFault();
        return result;
    }

    /**
     * Cgroup setsockopt programs see the call first (A2); any refusal fails it with EPERM, and a
     * consumed option never reaches the kernel. The rest is the socket's ({@link TcpSocketModel#setsockopt}).
     */
    private int cgroupSetsockopt(int level, int optname, int value) {
        int optlen = Integer.BYTES;
        SockoptHandler[] handlers = session.sockoptHandlers();
        if (handlers.length > 0) {
            boolean refused = false;
            sockoptContext.set(accepted, acceptedInfo, level, optname, value);
            for (SockoptHandler handler : handlers) {
                if (handler.onSetsockopt(sockoptContext) == 0) {
                    refused = true;
                }
            }
            if (refused) {
                return Errno.EPERM.negative();
            }
            SockoptInput ctx = sockoptContext.input();
            if (ctx.consumed()) {
                return 0;
            }
            // __cgroup_bpf_run_filter_setsockopt(): an optlen outside [-1, the buffer] is EFAULT; otherwise
            // the kernel handles the (possibly rewritten) level/optname, and optlen 0 means "the caller's data".
            if (ctx.optlen() < -1 || ctx.optlen() > SockoptInput.BUFFER_SIZE) {
                return Errno.EFAULT.negative();
            }
            level = ctx.level();
            optname = ctx.optname();
            if (ctx.optlen() != 0) {
                optlen = ctx.optlen();
                value = ctx.value();
            }
        }
        return accepted.setsockopt(level, optname, value, optlen);
    }

    @Override
    public int getsockopt(int level, int optname) {
        ensureOpen();
        return accepted.getsockopt(level, optname);
    }

    @Override
    public int addToSockmap() {
        ensureOpen();
        return accepted.addToSockmap();
    }

    @Override
    public int removeFromSockmap() {
        ensureOpen();
        return accepted.removeFromSockmap();
    }

    @Override
    public int cbFlags() {
        ensureOpen();
        return accepted.cbFlags();
    }

    @Override
    public long edgeWakeups() {
        ensureOpen();
        return accepted.edgeWakeups();
    }

    @Override
    public boolean readable() {
        ensureOpen();
        return accepted.readable();
    }

    /**
     * The observation; its {@link Observation#droppedInvocations()} counts the log entries dropped
     * because more than {@value InvocationLog#CAPACITY} accumulated between two observations (the
     * oldest go first).
     */
    @Override
    public Observation observe() {
        ensureOpen();
        List<Invocation> drained = log.drain();
        long dropped = addDroppedInvocations(log.takeDropped());
        return new Observation(accepted.rcvLowat(), accepted.rcvBuf(), accepted.readable(), accepted.edgeWakeups(),
                accepted.cbFlags(), accepted.inq(), drained, dropped);
    }

    /** The accepted socket's value in the session's SK_STORAGE map {@code map} (the VM's, by socket model). */
    @Override
    protected Optional<byte[]> implSocketStorage(String map) {
        return Optional.ofNullable(session.map(map).storageOf(accepted));
    }

    /** The model of the connecting (peer) socket, on which TCP_CONNECT_CB and ACTIVE_ESTABLISHED_CB run. */
    TcpSocketModel peerSocket() {
        return peerSocket;
    }

    /** The accepted socket's state, read-only, for tests and tools that look below the SPI. */
    public SocketState socket() {
        return accepted;
    }

    /**
     * The accepted socket as the opaque handle the VM's programs and map views are given (the key
     * of {@code BpfMapView.storageOf}). Its type is internal to the simulator (not exported): to
     * read the socket, use {@link #socket()}.
     */
    public Object acceptedSocket() {
        return accepted;
    }

    /** The peer's sender, for this package's tests that look below the SPI (its type is internal). */
    PeerSender peer() {
        return sender;
    }

    @Override
    protected void implClose() {
        accepted.close();
        peerSocket.close();
        sender.close();
        session.forget(this);
    }
}
