package dev.autolowat.kernel.socket;

import com.sun.jna.Memory;
import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.kernel.sys.LibC;
import dev.autolowat.kernel.sys.Sockaddr;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

/**
 * A real, connected TCP pair over loopback (IPv4 or IPv6, optionally MPTCP): a listener, the
 * client ("peer", which sends) and the accepted socket (which reads, and on which the rules are
 * observed). Its methods mirror {@link dev.autolowat.api.spi.Connection}: every system call returns
 * the kernel's convention — a result or {@code -errno}, never an exception for a kernel error
 * (decision D3) — so observations can be compared call by call with the simulator.
 *
 * <h2>Driving exact segments (kernel-facts.md)</h2>
 * The client has {@code TCP_NODELAY}, so Nagle does not hold a small segment back and merge it
 * with the next one. {@link #sendSegment} makes exactly one {@code send()} per segment (more only for
 * the rest of a segment the socket buffers cannot hold, as a reader frees room), then waits,
 * bounded by {@link #ARRIVAL_TIMEOUT}, until {@code ioctl(FIONREAD)} on the accepted socket shows the
 * bytes (or, for a socket in a SOCKMAP, whose FIONREAD counts only the psock's queue,
 * {@code TCP_INFO}'s {@code tcpi_bytes_received}): loopback usually delivers before {@code send()}
 * returns, but not always. The kernel may
 * coalesce a segment into the previous queued one; what userspace sees does not change.
 *
 * <h2>Observing readiness (rules H3, H4, H5)</h2>
 * Two epoll instances watch the accepted socket for {@code EPOLLIN}:
 * <ul>
 *   <li>a <em>level-triggered</em> one, asked with timeout 0 by {@link #readable()} — the socket is
 *       readable when FIN arrived or {@code avail >= SO_RCVLOWAT} (H3);</li>
 *   <li>an <em>edge-triggered</em> ({@code EPOLLET}) one that the pair drains after every step (a
 *       segment, a recv, a setsockopt, a shutdown) and whose events it counts:
 *       {@link #edgeWakeups()}. Each counted event is a step after which at least one wakeup
 *       happened; several wakeups within one step (FIN's state change plus data-ready) are one
 *       event (H3). Lowering SO_RCVLOWAT below what is queued wakes the reader (H4).</li>
 * </ul>
 * Non-blocking {@link #recv} uses {@code MSG_DONTWAIT} and returns whatever is queued whatever the
 * lowat; a blocking one sets {@code SO_RCVTIMEO} and waits for {@code min(len, SO_RCVLOWAT)} bytes,
 * FIN, an error or the timeout (H5). {@code setsockopt(SO_RCVLOWAT)} is rule K2 and
 * {@code getsockopt} rule K4.
 *
 * <h2>Resources and threads</h2>
 * All descriptors are {@code O_CLOEXEC}. The pair is their one owner, and of its native buffer,
 * with the discipline of the JDK's {@code AbstractInterruptibleChannel} and {@code FileDescriptor}
 * (and Netty's {@code FileDescriptor} state word): every call counts itself <em>in flight</em> while it
 * uses a descriptor number; {@link #close()} refuses new calls, wakes blocked ones
 * ({@code shutdown(SHUT_RDWR)} on both sockets, which keeps the numbers valid), waits for the calls in
 * flight to leave and only then closes the descriptors and frees the buffer. So no call can reach a
 * descriptor number after its {@code close} (the number may already name another file), and no call
 * reads a freed buffer. When construction fails half-way the descriptors are closed before the
 * exception leaves {@link #open}.
 *
 * <p>Thread-safe: any method may be called from any thread. Each call is the kernel's call (two
 * threads' calls interleave as the kernel orders them); the pair's own bookkeeping — the
 * edge-triggered epoll, its event buffer and {@link #edgeWakeups()} — is updated under a lock.
 * {@link #close()} may be called from any thread at any time: a call that starts after it, or is in
 * flight while it runs, throws {@link ConnectionClosedException} (its kernel result, made
 * meaningless by the shutdown, is dropped). A blocking {@link #recv} is woken by it.
 */
public final class NativeTcpPair implements AutoCloseable {

    /** How long {@link #sendSegment} and {@link #peerShutdownWrite()} wait for the data or FIN to arrive. */
    public static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(1);
    /** Bound of connect and accept while building the pair. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Bound of a blocking send from the peer ({@code SO_SNDTIMEO}), e.g. when the receive window is full. */
    public static final Duration SEND_TIMEOUT = Duration.ofSeconds(1);

    /** The construction steps, in order; a failure in any of them closes what was opened (tests inject failures by name). */
    static final List<String> STEPS = List.of("socket(listener)", "bind", "listen", "getsockname",
            "socket(client)", "setsockopt(client, TCP_NODELAY)", "setsockopt(client, SO_SNDTIMEO)", "connect",
            "accept4", "epoll_create1(level)", "epoll_ctl(level)", "epoll_create1(edge)", "epoll_ctl(edge)");

    private static final int MAX_EVENTS = 4;
    /** Bytes of {@code struct tcp_info} asked for, and the offset of {@code tcpi_bytes_received} in it. */
    private static final int TCP_INFO_SIZE = 256;
    private static final int TCPI_BYTES_RECEIVED = 128;
    private static final long POLL_INTERVAL_NANOS = 20_000;
    /** The most bytes one {@code send()} is handed (the native copy of a segment is made chunk by chunk). */
    private static final int SEND_CHUNK = 4 << 20;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    /**
     * How long {@link #close()} waits for calls in flight to leave after waking them. Every call is
     * bounded (the longest: a send's {@link #SEND_TIMEOUT} plus its {@link #ARRIVAL_TIMEOUT}), and the
     * shutdown ends blocking ones at once; should one still be inside after this, the last call to
     * leave closes the descriptors instead.
     */
    static final long CLOSE_WAIT_NANOS = 5_000_000_000L;

    private final ConnectOptions options;
    private final int listener;
    private final int client;
    private final int accepted;
    private final int levelEpoll;
    private final int edgeEpoll;
    private final int port;
    /** The epoll event buffer; read and written only under its own monitor, freed only when nothing is in flight. */
    private final Memory events = new Memory((long) MAX_EVENTS * LibC.EPOLL_EVENT_SIZE);

    /** Guarded by {@code events}. */
    private long edgeWakeups;
    private volatile boolean lastArrivalSeen = true;

    /** Guards {@link #inFlight}, {@link #closing}, {@link #released}. */
    private final Object state = new Object();
    /** Calls between {@link #enter()} and {@link #leave()}. */
    private int inFlight;
    /** {@link #close()} began: no call enters any more. Volatile for the bounded waits' early exit. */
    private volatile boolean closing;
    /** The descriptors are closed and the buffer freed. */
    private boolean released;
    /** How many {@link #close()} calls wait for the calls in flight (none: the last call to leave releases). */
    private int closersWaiting;
    /** What closing the descriptors reported, for the {@link #close()} that waits. */
    private NativeSocketException releaseFailure;

    private NativeTcpPair(ConnectOptions options, int[] fds, int port) {
        this.options = options;
        this.listener = fds[0];
        this.client = fds[1];
        this.accepted = fds[2];
        this.levelEpoll = fds[3];
        this.edgeEpoll = fds[4];
        this.port = port;
    }

    /** A plain TCP pair over the loopback of {@code family}. */
    public static NativeTcpPair open(Family family) {
        return open(ConnectOptions.of(family));
    }

    /**
     * Builds a connected pair over loopback ({@code 127.0.0.1} or {@code ::1}, port chosen by the
     * kernel), MPTCP on both ends when {@code options.mptcp()}.
     *
     * @throws MptcpUnavailableException when MPTCP was asked for and the kernel refuses it (the
     *                                   message says how to enable it: {@code sysctl net.mptcp.enabled=1})
     * @throws NativeSocketException     when any other call needed to build the pair fails; no
     *                                   descriptor is left open
     */
    public static NativeTcpPair open(ConnectOptions options) {
        return open(options, step -> { });
    }

    /** As {@link #open(ConnectOptions)}; {@code beforeStep} runs before each of {@link #STEPS} (tests inject failures). */
    static NativeTcpPair open(ConnectOptions options, Consumer<String> beforeStep) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(beforeStep, "beforeStep");
        Builder b = new Builder(options, beforeStep);
        try {
            return b.build();
        } catch (RuntimeException | Error e) {
            b.closeAll(e);
            throw e;
        }
    }

    /** Opens the descriptors one by one, remembering them so a failure can close them all. */
    private static final class Builder {
        private final ConnectOptions options;
        private final Consumer<String> beforeStep;
        private final int[] fds = {-1, -1, -1, -1, -1};
        private final int domain;
        private final int protocol;
        private final String familyName;

        Builder(ConnectOptions options, Consumer<String> beforeStep) {
            this.options = options;
            this.beforeStep = beforeStep;
            this.domain = options.family() == Family.INET ? LibC.AF_INET : LibC.AF_INET6;
            this.protocol = options.mptcp() ? LibC.IPPROTO_MPTCP : 0;
            this.familyName = options.family() == Family.INET ? "AF_INET" : "AF_INET6";
        }

        NativeTcpPair build() {
            step(0);
            fds[0] = socket("listener", LibC.SOCK_NONBLOCK);
            Sockaddr any = Sockaddr.loopback(options.family(), 0);
            step(1);
            check("bind(" + familyName + " " + any + ")", LibC.bind(fds[0], any));
            step(2);
            check("listen(listener, 1)", LibC.listen(fds[0], 1));
            step(3);
            Sockaddr bound = Sockaddr.empty(options.family());
            check("getsockname(listener)", LibC.getsockname(fds[0], bound));
            Sockaddr target = Sockaddr.loopback(options.family(), bound.port());

            step(4);
            fds[1] = socket("client", 0);
            step(5);
            check("setsockopt(client, SOL_TCP, TCP_NODELAY, 1)",
                    LibC.setsockoptInt(fds[1], LibC.SOL_TCP, LibC.TCP_NODELAY, 1));
            step(6);
            // SO_SNDTIMEO bounds both the blocking connect below and every later blocking send.
            check("setsockopt(client, SOL_SOCKET, SO_SNDTIMEO)",
                    LibC.setsockoptTimeval(fds[1], LibC.SOL_SOCKET, LibC.SO_SNDTIMEO, CONNECT_TIMEOUT.toMillis()));
            step(7);
            check("connect(client, " + target + ")", LibC.connect(fds[1], target));
            check("setsockopt(client, SOL_SOCKET, SO_SNDTIMEO)",
                    LibC.setsockoptTimeval(fds[1], LibC.SOL_SOCKET, LibC.SO_SNDTIMEO, SEND_TIMEOUT.toMillis()));

            step(8);
            fds[2] = accept();

            step(9);
            fds[3] = epoll("level");
            step(10);
            check("epoll_ctl(level, EPOLL_CTL_ADD, accepted, EPOLLIN)",
                    LibC.epollCtl(fds[3], LibC.EPOLL_CTL_ADD, fds[2], LibC.EPOLLIN, fds[2]));
            step(11);
            fds[4] = epoll("edge");
            step(12);
            check("epoll_ctl(edge, EPOLL_CTL_ADD, accepted, EPOLLIN | EPOLLET)",
                    LibC.epollCtl(fds[4], LibC.EPOLL_CTL_ADD, fds[2], LibC.EPOLLIN | LibC.EPOLLET, fds[2]));

            NativeTcpPair pair = new NativeTcpPair(options, fds, bound.port());
            // Nothing is readable yet; whatever the edge epoll holds now is not a wakeup of a step.
            pair.drainEdges();
            pair.edgeWakeups = 0;
            return pair;
        }

        private void step(int index) {
            beforeStep.accept(STEPS.get(index));
        }

        private int socket(String role, int extraType) {
            int type = LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | extraType;
            int fd = LibC.socket(domain, type, protocol);
            if (fd < 0) {
                String call = "socket(" + familyName + ", SOCK_STREAM, " + (options.mptcp() ? "IPPROTO_MPTCP=262" : "0")
                        + ") for the " + role;
                if (options.mptcp() && (fd == -92 || fd == -93)) {
                    throw new MptcpUnavailableException(call, fd);
                }
                throw new NativeSocketException(call, fd, advice(fd));
            }
            return fd;
        }

        private int accept() {
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            while (true) {
                int fd = LibC.accept4(fds[0], LibC.SOCK_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                long left = deadline - System.nanoTime();
                if ((fd != -11 && fd != -4) || left <= 0) {
                    throw new NativeSocketException("accept4(listener, SOCK_CLOEXEC)", fd,
                            fd == -11 ? "the loopback connection was not ready to accept within " + CONNECT_TIMEOUT.toMillis()
                                    + " ms (is a firewall filtering lo?)" : advice(fd));
                }
                int r = LibC.pollOne(fds[0], LibC.POLLIN, (int) Math.max(1, Math.min(left / 1_000_000, 100)));
                if (r < 0 && r != -4) {
                    throw new NativeSocketException("poll(listener, POLLIN)", r, "");
                }
            }
        }

        private int epoll(String which) {
            int fd = LibC.epollCreate1(LibC.EPOLL_CLOEXEC);
            if (fd < 0) {
                throw new NativeSocketException("epoll_create1(EPOLL_CLOEXEC) for the " + which + "-triggered epoll",
                        fd, advice(fd));
            }
            return fd;
        }

        private void check(String call, int result) {
            if (result < 0) {
                throw new NativeSocketException(call, result, advice(result));
            }
        }

        private String advice(int result) {
            return NativeTcpPair.advice(options.family(), result);
        }

        /** Closes every descriptor opened so far, newest first; failures are attached to {@code cause}. */
        void closeAll(Throwable cause) {
            for (int i = fds.length - 1; i >= 0; i--) {
                if (fds[i] >= 0) {
                    int r = LibC.close(fds[i]);
                    if (r < 0 && r != -4) {
                        cause.addSuppressed(new NativeSocketException("close(" + fds[i] + ")", r,
                                "while cleaning up a failed construction"));
                    }
                    fds[i] = -1;
                }
            }
        }
    }

    /** What to do about {@code -errno} {@code result} of a call building a pair of {@code family}, or "". */
    static String advice(Family family, int result) {
        switch (-result) {
            case 101: // ENETUNREACH
                return "no route to the loopback address: the loopback interface is down; bring it up with"
                        + " `ip link set lo up`" + (family == Family.INET6 ? " (and check `ip -6 addr show lo` for ::1)" : "");
            case 97: // EAFNOSUPPORT
                return family == Family.INET6
                        ? "this kernel has no IPv6 (booted with ipv6.disable=1, or built without CONFIG_IPV6)"
                        : "this kernel has no IPv4 sockets";
            case 99: // EADDRNOTAVAIL
                return family == Family.INET6
                        ? "::1 is not configured on the loopback interface; enable IPv6 on lo with "
                        + "`sysctl -w net.ipv6.conf.lo.disable_ipv6=0` and check `ip -6 addr show lo`"
                        : "127.0.0.1 is not configured on the loopback interface; bring it up with `ip link set lo up`";
            case 24: // EMFILE
            case 23: // ENFILE
                return "too many open files; close pairs that are no longer needed (or raise `ulimit -n`)";
            case 111: // ECONNREFUSED
            case 110: // ETIMEDOUT
            case 11:  // EAGAIN (SO_SNDTIMEO expired during connect)
                return "the loopback connection did not complete within " + CONNECT_TIMEOUT.toMillis()
                        + " ms; is a firewall filtering the lo interface?";
            default:
                return "";
        }
    }

    // ---- identity ----

    /** How this pair was made. */
    public ConnectOptions options() {
        return options;
    }

    /** The listening port on loopback, chosen by the kernel. */
    public int port() {
        return port;
    }

    /**
     * The listener's descriptor (kept open for the pair's lifetime). Only a number: once the pair is
     * closed it may name another file, so use it from the thread that will close the pair, or
     * through {@link #withAcceptedFd}.
     */
    public int listenerFd() {
        checkOpen();
        return listener;
    }

    /** The client ("peer") socket's descriptor; only a number, as {@link #listenerFd()} says. */
    public int clientFd() {
        checkOpen();
        return client;
    }

    /** The accepted socket's descriptor: the one rules are observed on; only a number, as {@link #listenerFd()} says. */
    public int acceptedFd() {
        checkOpen();
        return accepted;
    }

    /**
     * Runs {@code op} with the accepted socket's descriptor, counted in flight: the descriptor stays
     * open (a racing {@link #close()} waits) until {@code op} returns. For calls made on the
     * descriptor by others — the session's SOCKHASH update, the flag observer's {@code setsockopt}.
     *
     * @throws ConnectionClosedException when the pair is closed, or was closed while {@code op} ran
     */
    public int withAcceptedFd(IntUnaryOperator op) {
        Objects.requireNonNull(op, "op");
        return call(() -> op.applyAsInt(accepted));
    }

    // ---- the peer ----

    /**
     * The peer sends one segment: one blocking {@code send(client, data[offset..offset+length),
     * MSG_NOSIGNAL)} — repeated for the rest while the kernel accepts only part of it (the send
     * buffer and the receive window are full: backpressure), each bounded by {@link #SEND_TIMEOUT} —
     * then waits, bounded by {@link #ARRIVAL_TIMEOUT}, until FIONREAD (or
     * {@code tcpi_bytes_received}) on the accepted socket has grown by the bytes sent; then drains
     * the edge epoll. A segment that fits the buffers is exactly one {@code send()}; more than they
     * hold (a few MiB on loopback) arrives only as a reader — another thread — frees room.
     * Whether the bytes were seen in time is {@link #lastArrivalSeen()}.
     *
     * @return {@code length}, or {@code -errno}: {@code -EPIPE} after {@link #peerShutdownWrite()}
     * @throws SendTimeoutException      when no byte more was accepted for {@link #SEND_TIMEOUT}
     *                                   (nobody reads); the bytes accepted before stay sent
     * @throws IllegalArgumentException  when {@code length < 1}
     * @throws IndexOutOfBoundsException when the range is outside {@code data}
     * @throws ConnectionClosedException when the pair is closed, or closed during the call
     */
    public int sendSegment(byte[] data, int offset, int length) {
        checkOpen();
        Objects.requireNonNull(data, "data");
        if (length < 1) {
            throw new IllegalArgumentException("a segment has at least 1 byte, got " + length);
        }
        Objects.checkFromIndexSize(offset, length, data.length);
        return call(() -> sendSegmentInFlight(data, offset, length));
    }

    private int sendSegmentInFlight(byte[] data, int offset, int length) {
        int before = LibC.fionread(accepted);
        long receivedBefore = bytesReceived();
        int sent = 0;
        int chunk = Math.min(length, SEND_CHUNK);
        try (Memory buf = new Memory(chunk)) {
            while (sent < length && !closing) {
                int n = Math.min(chunk, length - sent);
                buf.write(0, data, offset + sent, n);
                int r = (int) LibC.send(client, buf, n, LibC.MSG_NOSIGNAL);
                if (r > 0) {
                    sent += r;
                } else if (r == -EAGAIN) {
                    // SO_SNDTIMEO ran out with nothing accepted: nobody frees room
                    drainEdges();
                    throw new SendTimeoutException(sent, length);
                } else if (r != -EINTR) {
                    lastArrivalSeen = true;
                    drainEdges();
                    return r;
                }
            }
        }
        if (sent > 0 && (before >= 0 || receivedBefore >= 0)) {
            lastArrivalSeen = awaitQueued(before < 0 ? -1 : (long) before + sent,
                    receivedBefore < 0 ? -1 : receivedBefore + sent);
        } else {
            lastArrivalSeen = true;
        }
        drainEdges();
        return sent;
    }

    /**
     * The peer sends {@code data} cut into segments of the given lengths, one {@link #sendSegment}
     * each, in order (each length {@code >= 1}, summing to {@code data.length}).
     *
     * @return {@code data.length}, or the first {@code -errno} (the remaining segments are not sent)
     * @throws SendTimeoutException     when a segment stalled (see {@link #sendSegment})
     * @throws IllegalArgumentException when the lengths do not cut {@code data} exactly
     */
    public int send(byte[] data, int... segmentLengths) {
        checkOpen();
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(segmentLengths, "segmentLengths");
        long sum = 0;
        for (int len : segmentLengths) {
            if (len < 1) {
                throw new IllegalArgumentException("every segment length is >= 1, got " + len);
            }
            sum += len;
        }
        if (sum != data.length) {
            throw new IllegalArgumentException("segment lengths sum to " + sum + ", data has " + data.length + " bytes");
        }
        int offset = 0;
        for (int len : segmentLengths) {
            int r = sendSegment(data, offset, len);
            if (r < 0) {
                return r;
            }
            offset += r;
        }
        return offset;
    }

    /**
     * Whether the bytes of the last {@link #sendSegment} showed up in the accepted socket's queue within
     * {@link #ARRIVAL_TIMEOUT} (true too when the send itself failed: there was nothing to wait for).
     */
    public boolean lastArrivalSeen() {
        checkOpen();
        return lastArrivalSeen;
    }

    /**
     * The peer calls {@code shutdown(SHUT_WR)}: a FIN follows its data. On success, waits (bounded by
     * {@link #ARRIVAL_TIMEOUT}) until the accepted socket has received the FIN — seen with a
     * zero-timeout {@code poll(POLLRDHUP)}, which registers nothing and so disturbs no epoll — then
     * drains the edge epoll. Rule H3: FIN makes the socket readable and wakes the reader.
     *
     * @return 0, or {@code -errno}
     */
    public int peerShutdownWrite() {
        return call(() -> {
            int r = LibC.shutdown(client, LibC.SHUT_WR);
            if (r == 0) {
                lastArrivalSeen = awaitPoll(LibC.POLLRDHUP);
            }
            drainEdges();
            return r;
        });
    }

    /** {@code getsockopt(client, level, optname)} of an int option: the value, or {@code -errno} (K3's client side). */
    public int peerGetsockopt(int level, int optname) {
        return call(() -> LibC.getsockoptInt(client, level, optname));
    }

    /** {@code setsockopt(client, level, optname, &value, 4)}: 0 or {@code -errno}. */
    public int peerSetsockopt(int level, int optname, int value) {
        return call(() -> {
            int r = LibC.setsockoptInt(client, level, optname, value);
            drainEdges();
            return r;
        });
    }

    // ---- the accepted socket ----

    /**
     * {@code recv(accepted, dst + offset, length, flags)} (rule H5). Non-blocking:
     * {@code MSG_DONTWAIT}, returns whatever is queued (at least 1 byte) whatever the lowat, or
     * {@code -EAGAIN}. Blocking: sets {@code SO_RCVTIMEO} to {@code mode.timeoutMillis()} and waits
     * for {@code min(length, SO_RCVLOWAT)} bytes, FIN, an error or the timeout — then returns what it
     * copied, or {@code -EAGAIN} when nothing came. Drains the edge epoll afterwards. A
     * {@link #close()} from another thread wakes a blocking call, which then throws
     * {@link ConnectionClosedException}.
     *
     * @return bytes copied, 0 at end of stream, or {@code -errno}
     */
    public int recv(byte[] dst, int offset, int length, RecvMode mode) {
        checkOpen();
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(mode, "mode");
        Objects.checkFromIndexSize(offset, length, dst.length);
        return call(() -> {
            int r;
            try (Memory buf = new Memory(Math.max(1, length))) {
                if (mode.blocking()) {
                    r = LibC.setsockoptTimeval(accepted, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, mode.timeoutMillis());
                    if (r == 0) {
                        r = (int) LibC.recv(accepted, buf, length, 0);
                    }
                } else {
                    r = (int) LibC.recv(accepted, buf, length, LibC.MSG_DONTWAIT);
                }
                if (r > 0) {
                    buf.read(0, dst, offset, r);
                }
            }
            drainEdges();
            return r;
        });
    }

    /** {@code shutdown(accepted, how)}: 0 or {@code -errno}. Drains the edge epoll afterwards. */
    public int shutdown(Shutdown how) {
        Objects.requireNonNull(how, "how");
        return call(() -> {
            int r = LibC.shutdown(accepted, how.how());
            drainEdges();
            return r;
        });
    }

    /**
     * {@code setsockopt(accepted, level, optname, &value, 4)}: 0 or {@code -errno}. For
     * {@code SO_RCVLOWAT} this is rule K2 (negative = INT_MAX, capped, may grow SO_RCVBUF) and runs
     * the wakeup rule (H4). Drains the edge epoll afterwards.
     */
    public int setsockopt(int level, int optname, int value) {
        return call(() -> {
            int r = LibC.setsockoptInt(accepted, level, optname, value);
            drainEdges();
            return r;
        });
    }

    /** {@code getsockopt(accepted, level, optname)} of an int option (K4): the value, or {@code -errno}. */
    public int getsockopt(int level, int optname) {
        return call(() -> LibC.getsockoptInt(accepted, level, optname));
    }

    /** {@code ioctl(accepted, FIONREAD)}: bytes ready to read, or {@code -errno}. */
    public int queuedBytes() {
        return call(() -> LibC.fionread(accepted));
    }

    /**
     * Level-triggered readability of the accepted socket now: {@code epoll_wait} with timeout 0 on the
     * level-triggered epoll reports {@code EPOLLIN} (rule H3). Changes no state.
     *
     * @throws NativeSocketException if {@code epoll_wait} itself fails (it cannot, on a valid epoll)
     */
    public boolean readable() {
        return (levelEvents() & LibC.EPOLLIN) != 0;
    }

    /** {@code readable()}'s full event word: {@code EPOLLIN}, {@code EPOLLRDHUP}, {@code EPOLLHUP}... or 0. */
    public int levelEvents() {
        return call(() -> {
            synchronized (events) {
                int n = waitNow(levelEpoll, "level");
                int mask = 0;
                for (int i = 0; i < n; i++) {
                    mask |= LibC.epollEvents(events, i);
                }
                return mask;
            }
        });
    }

    /**
     * Edge-triggered events on the accepted socket since the pair was built (rule H3: steps after
     * which at least one wakeup happened; H4: a lowered lowat wakes). Drains the edge epoll first.
     * With several threads calling, each thread's steps are counted as they are drained.
     */
    public long edgeWakeups() {
        checkOpen();
        long[] result = new long[1];
        call(() -> {
            synchronized (events) {
                drainEdges();
                result[0] = edgeWakeups;
            }
            return 0;
        });
        return result[0];
    }

    // ---- conveniences, as in Connection ----

    /** {@code setsockopt(SOL_SOCKET, SO_RCVLOWAT, value)} (K2, H4). */
    public int setRcvLowat(int value) {
        return setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, value);
    }

    /** {@code setsockopt(SOL_SOCKET, SO_RCVBUF, value)} (K4). */
    public int setRcvBuf(int value) {
        return setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF, value);
    }

    /** {@code getsockopt(SOL_SOCKET, SO_RCVLOWAT)} (K4). */
    public int rcvLowat() {
        return getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT);
    }

    /** {@code getsockopt(SOL_SOCKET, SO_RCVBUF)} (K4). */
    public int rcvBuf() {
        return getsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF);
    }

    // ---- lifetime ----

    /** Whether {@link #close()} was called (the descriptors may still be in use by calls in flight). */
    public boolean isClosed() {
        return closing;
    }

    /** How many calls are in flight now (for tests). */
    int inFlight() {
        synchronized (state) {
            return inFlight;
        }
    }

    /**
     * Closes both epolls, the accepted socket, the client and the listener, and frees the event
     * buffer — once no call is in flight: calls in flight are woken first ({@code shutdown(SHUT_RDWR)}
     * of both sockets) and waited for, up to {@link #CLOSE_WAIT_NANOS} (past that, the last of them
     * to leave closes the descriptors). Idempotent; safe from any thread; any other call afterwards,
     * or in flight meanwhile, throws {@link ConnectionClosedException}.
     *
     * @throws NativeSocketException if a {@code close} fails with anything but {@code EINTR} (all
     *                               descriptors are still released first)
     */
    @Override
    public void close() {
        synchronized (state) {
            if (!closing) {
                closing = true;
                if (inFlight > 0) {
                    // Wake what blocks (a recv waiting for data, a send waiting for window). shutdown
                    // leaves the numbers allocated, so the calls in flight still act on these sockets.
                    LibC.shutdown(accepted, LibC.SHUT_RDWR);
                    LibC.shutdown(client, LibC.SHUT_RDWR);
                }
            }
            // Every close() returns only once the descriptors are released (or the wait ran out),
            // so a second closer — the session closing its connections — cannot run ahead.
            closersWaiting++;
            long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
            boolean interrupted = false;
            try {
                while (inFlight > 0 && !released) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        state.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                closersWaiting--;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (inFlight == 0 && !released) {
                releaseLocked();
            }
            NativeSocketException failure = releaseFailure;
            releaseFailure = null;
            if (failure != null) {
                throw failure;
            }
        }
    }

    @Override
    public String toString() {
        return "NativeTcpPair[" + options.family() + (options.mptcp() ? " MPTCP" : "") + ", port " + port
                + (closing ? ", closed" : ", fds listener=" + listener + " client=" + client + " accepted=" + accepted)
                + "]";
    }

    // ---- internals: the in-flight discipline ----

    private void checkOpen() {
        if (closing) {
            throw closed(false, null);
        }
    }

    /** The exception of a call on a closed pair; {@code during}: closed while the call was in flight. */
    private ConnectionClosedException closed(boolean during, Throwable failure) {
        ConnectionClosedException e = new ConnectionClosedException(during
                ? "this native connection was closed (by another thread) during the call; its result is dropped (" + this + ")"
                : "this native connection is closed (" + this + "); make a new one with session.connect()");
        if (failure != null) {
            e.addSuppressed(failure);
        }
        return e;
    }

    private void enter() {
        synchronized (state) {
            if (closing) {
                throw closed(false, null);
            }
            inFlight++;
        }
    }

    /** Leaves; returns whether the pair was closed meanwhile (then the call's result is meaningless). */
    private boolean leave() {
        synchronized (state) {
            inFlight--;
            if (!closing) {
                return false;
            }
            if (inFlight == 0) {
                if (closersWaiting > 0) {
                    state.notifyAll();
                } else if (!released) {
                    releaseLocked();
                    releaseFailure = null; // no close() waits to report it; the descriptors are released anyway
                }
            }
            return true;
        }
    }

    /**
     * Runs {@code op} in flight: a result obtained while {@link #close()} ran is replaced by
     * {@link ConnectionClosedException} — so is a failure, which is then suppressed in it.
     */
    private int call(IntSupplier op) {
        enter();
        int r;
        try {
            r = op.getAsInt();
        } catch (RuntimeException | Error e) {
            if (leave() && !(e instanceof ConnectionClosedException)) {
                throw closed(true, e);
            }
            throw e;
        }
        if (leave()) {
            throw closed(true, null);
        }
        return r;
    }

    /** Closes the descriptors, newest first, and frees the buffer; the caller holds {@code state}, nothing is in flight. */
    private void releaseLocked() {
        released = true;
        NativeSocketException failure = null;
        for (int fd : new int[]{edgeEpoll, levelEpoll, accepted, client, listener}) {
            int r = LibC.close(fd);
            if (r < 0 && r != -4) {
                NativeSocketException e = new NativeSocketException("close(" + fd + ")", r, "");
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        synchronized (events) {
            events.close();
        }
        releaseFailure = failure;
    }

    /** Counts the events the edge-triggered epoll holds now, emptying it. */
    private void drainEdges() {
        synchronized (events) {
            while (true) {
                int n = waitNow(edgeEpoll, "edge");
                edgeWakeups += n;
                if (n < MAX_EVENTS) {
                    return;
                }
            }
        }
    }

    /** {@code epoll_wait(epfd, events, MAX_EVENTS, 0)}, retried on EINTR; the caller holds {@code events}. */
    private int waitNow(int epfd, String which) {
        while (true) {
            int n = LibC.epollWait(epfd, events, MAX_EVENTS, 0);
            if (n >= 0) {
                return n;
            }
            if (n != -4) {
                throw new NativeSocketException("epoll_wait(" + which + "-triggered epoll " + epfd + ", timeout 0)", n, "");
            }
        }
    }
    /**
     * Waits, bounded, until FIONREAD on the accepted socket is at least {@code queuedTarget}, or its
     * {@code tcpi_bytes_received} (TCP_INFO) at least {@code receivedTarget} (-1: not used). Both are
     * needed: FIONREAD of a socket in a SOCKMAP/SOCKHASH counts only the psock's queue (the kernel's
     * {@code tcp_bpf_ioctl}), so it stays 0 while the bytes sit in the receive queue.
     */
    private boolean awaitQueued(long queuedTarget, long receivedTarget) {
        if (arrived(queuedTarget, receivedTarget)) {
            return true;
        }
        long deadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
        while (true) {
            if (System.nanoTime() - deadline > 0 || closing) {
                return false;
            }
            LockSupport.parkNanos(POLL_INTERVAL_NANOS);
            if (arrived(queuedTarget, receivedTarget)) {
                settle();
                return true;
            }
        }
    }

    private boolean arrived(long queuedTarget, long receivedTarget) {
        if (queuedTarget >= 0) {
            int q = LibC.fionread(accepted);
            if (q >= queuedTarget) {
                return true;
            }
        }
        if (receivedTarget >= 0) {
            long r = bytesReceived();
            return r >= receivedTarget;
        }
        return false;
    }

    /**
     * {@code tcpi_bytes_received} of the accepted socket ({@code getsockopt(SOL_TCP, TCP_INFO)}, the
     * u64 at offset 128 of {@code struct tcp_info}), or -1 when unavailable (an MPTCP socket: its
     * TCP_INFO describes a subflow, which may run ahead of the MPTCP socket's own queue).
     */
    private long bytesReceived() {
        if (options.mptcp()) {
            return -1;
        }
        try (Memory info = new Memory(TCP_INFO_SIZE)) {
            info.clear();
            int[] len = {TCP_INFO_SIZE};
            int r = LibC.getsockopt(accepted, LibC.SOL_TCP, LibC.TCP_INFO, info, len);
            if (r < 0 || len[0] < TCPI_BYTES_RECEIVED + 8) {
                return -1;
            }
            return info.getLong(TCPI_BYTES_RECEIVED);
        }
    }

    /** Waits, bounded, until a zero-timeout poll of the accepted socket reports one of {@code mask}. */
    private boolean awaitPoll(short mask) {
        long deadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
        boolean first = true;
        while (true) {
            int r = LibC.pollOne(accepted, mask, 0);
            if (r > 0 && (r & mask) != 0) {
                if (!first) {
                    settle();
                }
                return true;
            }
            if ((r < 0 && r != -4) || System.nanoTime() - deadline > 0 || closing) {
                return false;
            }
            first = false;
            LockSupport.parkNanos(POLL_INTERVAL_NANOS);
        }
    }

    /**
     * After bytes were seen to arrive late (the receive path ran outside the sender's {@code send()},
     * in a softirq on another CPU), gives that path a moment to reach its wakeup: the queue is
     * updated just before {@code sk_data_ready} runs.
     */
    private static void settle() {
        LockSupport.parkNanos(1_000_000);
    }
}
