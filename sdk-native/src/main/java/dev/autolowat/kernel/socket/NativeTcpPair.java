package dev.autolowat.kernel.socket;

import com.sun.jna.Memory;
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

/**
 * A real, connected TCP pair over loopback (IPv4 or IPv6, optionally MPTCP): a listener, the
 * client ("peer", which sends) and the accepted socket (which reads, and on which the rules are
 * observed). Its methods mirror {@link dev.autolowat.api.spi.Connection}: every system call returns
 * the kernel's convention — a result or {@code -errno}, never an exception for a kernel error
 * (decision D3) — so observations can be compared call by call with the simulator.
 *
 * <h2>Driving exact segments (kernel-facts.md)</h2>
 * The client has {@code TCP_NODELAY}, so Nagle does not hold a small segment back and merge it
 * with the next one. {@link #sendSegment} makes exactly one {@code send()} per segment, then waits,
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
 * <h2>Resources</h2>
 * All descriptors are {@code O_CLOEXEC}. They are closed by {@link #close()} (idempotent) and,
 * when construction fails half-way, before the exception leaves {@link #open}. Not thread-safe:
 * one thread drives a pair.
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

    private final ConnectOptions options;
    private final int listener;
    private final int client;
    private final int accepted;
    private final int levelEpoll;
    private final int edgeEpoll;
    private final int port;
    private final Memory events = new Memory((long) MAX_EVENTS * LibC.EPOLL_EVENT_SIZE);

    private long edgeWakeups;
    private boolean lastArrivalSeen = true;
    private boolean closed;

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
            switch (-result) {
                case 97: // EAFNOSUPPORT
                    return options.family() == Family.INET6
                            ? "this kernel has no IPv6 (booted with ipv6.disable=1, or built without CONFIG_IPV6)"
                            : "this kernel has no IPv4 sockets";
                case 99: // EADDRNOTAVAIL
                    return options.family() == Family.INET6
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

    // ---- identity ----

    /** How this pair was made. */
    public ConnectOptions options() {
        return options;
    }

    /** The listening port on loopback, chosen by the kernel. */
    public int port() {
        return port;
    }

    /** The listener's descriptor (kept open for the pair's lifetime). */
    public int listenerFd() {
        checkOpen();
        return listener;
    }

    /** The client ("peer") socket's descriptor. */
    public int clientFd() {
        checkOpen();
        return client;
    }

    /** The accepted socket's descriptor: the one rules are observed on. */
    public int acceptedFd() {
        checkOpen();
        return accepted;
    }

    // ---- the peer ----

    /**
     * The peer sends one segment: exactly one blocking {@code send(client, data[offset..offset+length),
     * MSG_NOSIGNAL)}, bounded by {@link #SEND_TIMEOUT}; then waits, bounded by {@link #ARRIVAL_TIMEOUT},
     * until FIONREAD (or {@code tcpi_bytes_received}) on the accepted socket has grown by the bytes
     * sent; then drains the edge epoll.
     * Whether the bytes were seen in time is {@link #lastArrivalSeen()} (not seen: the receive window
     * is full, the rest waits at the peer).
     *
     * @return the bytes the peer's kernel accepted (less than {@code length} only if the send
     *         buffer stayed full for {@link #SEND_TIMEOUT}), or {@code -errno}: {@code -EPIPE} after
     *         {@link #peerShutdownWrite()}
     * @throws IllegalArgumentException  when {@code length < 1}
     * @throws IndexOutOfBoundsException when the range is outside {@code data}
     */
    public int sendSegment(byte[] data, int offset, int length) {
        checkOpen();
        Objects.requireNonNull(data, "data");
        if (length < 1) {
            throw new IllegalArgumentException("a segment has at least 1 byte, got " + length);
        }
        Objects.checkFromIndexSize(offset, length, data.length);
        int before = LibC.fionread(accepted);
        long receivedBefore = bytesReceived();
        int sent;
        try (Memory buf = new Memory(length)) {
            buf.write(0, data, offset, length);
            sent = (int) LibC.send(client, buf, length, LibC.MSG_NOSIGNAL);
        }
        if (sent > 0 && (before >= 0 || receivedBefore >= 0)) {
            lastArrivalSeen = awaitQueued(before < 0 ? -1 : (long) before + sent,
                    receivedBefore < 0 ? -1 : receivedBefore + sent);
        } else {
            lastArrivalSeen = sent <= 0;
        }
        drainEdges();
        return sent;
    }

    /**
     * The peer sends {@code data} cut into segments of the given lengths, one {@link #sendSegment}
     * each, in order (each length {@code >= 1}, summing to {@code data.length}).
     *
     * @return {@code data.length}, or the first {@code -errno} (the remaining segments are not sent)
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
            if (r < len) {
                return offset;
            }
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
        checkOpen();
        int r = LibC.shutdown(client, LibC.SHUT_WR);
        if (r == 0) {
            lastArrivalSeen = awaitPoll(LibC.POLLRDHUP);
        }
        drainEdges();
        return r;
    }

    /** {@code getsockopt(client, level, optname)} of an int option: the value, or {@code -errno} (K3's client side). */
    public int peerGetsockopt(int level, int optname) {
        checkOpen();
        return LibC.getsockoptInt(client, level, optname);
    }

    /** {@code setsockopt(client, level, optname, &value, 4)}: 0 or {@code -errno}. */
    public int peerSetsockopt(int level, int optname, int value) {
        checkOpen();
        int r = LibC.setsockoptInt(client, level, optname, value);
        drainEdges();
        return r;
    }

    // ---- the accepted socket ----

    /**
     * {@code recv(accepted, dst + offset, length, flags)} (rule H5). Non-blocking:
     * {@code MSG_DONTWAIT}, returns whatever is queued (at least 1 byte) whatever the lowat, or
     * {@code -EAGAIN}. Blocking: sets {@code SO_RCVTIMEO} to {@code mode.timeoutMillis()} and waits
     * for {@code min(length, SO_RCVLOWAT)} bytes, FIN, an error or the timeout — then returns what it
     * copied, or {@code -EAGAIN} when nothing came. Drains the edge epoll afterwards.
     *
     * @return bytes copied, 0 at end of stream, or {@code -errno}
     */
    public int recv(byte[] dst, int offset, int length, RecvMode mode) {
        checkOpen();
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(mode, "mode");
        Objects.checkFromIndexSize(offset, length, dst.length);
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
    }

    /** {@code shutdown(accepted, how)}: 0 or {@code -errno}. Drains the edge epoll afterwards. */
    public int shutdown(Shutdown how) {
        checkOpen();
        Objects.requireNonNull(how, "how");
        int r = LibC.shutdown(accepted, how.how());
        drainEdges();
        return r;
    }

    /**
     * {@code setsockopt(accepted, level, optname, &value, 4)}: 0 or {@code -errno}. For
     * {@code SO_RCVLOWAT} this is rule K2 (negative = INT_MAX, capped, may grow SO_RCVBUF) and runs
     * the wakeup rule (H4). Drains the edge epoll afterwards.
     */
    public int setsockopt(int level, int optname, int value) {
        checkOpen();
        int r = LibC.setsockoptInt(accepted, level, optname, value);
        drainEdges();
        return r;
    }

    /** {@code getsockopt(accepted, level, optname)} of an int option (K4): the value, or {@code -errno}. */
    public int getsockopt(int level, int optname) {
        checkOpen();
        return LibC.getsockoptInt(accepted, level, optname);
    }

    /** {@code ioctl(accepted, FIONREAD)}: bytes ready to read, or {@code -errno}. */
    public int queuedBytes() {
        checkOpen();
        return LibC.fionread(accepted);
    }

    /**
     * Level-triggered readability of the accepted socket now: {@code epoll_wait} with timeout 0 on the
     * level-triggered epoll reports {@code EPOLLIN} (rule H3). Changes no state.
     *
     * @throws NativeSocketException if {@code epoll_wait} itself fails (it cannot, on a valid epoll)
     */
    public boolean readable() {
        checkOpen();
        int n = waitNow(levelEpoll, "level");
        for (int i = 0; i < n; i++) {
            if ((LibC.epollEvents(events, i) & LibC.EPOLLIN) != 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code readable()}'s full event word: {@code EPOLLIN}, {@code EPOLLRDHUP}, {@code EPOLLHUP}... or 0. */
    public int levelEvents() {
        checkOpen();
        int n = waitNow(levelEpoll, "level");
        int mask = 0;
        for (int i = 0; i < n; i++) {
            mask |= LibC.epollEvents(events, i);
        }
        return mask;
    }

    /**
     * Edge-triggered events on the accepted socket since the pair was built (rule H3: steps after
     * which at least one wakeup happened; H4: a lowered lowat wakes). Drains the edge epoll first.
     */
    public long edgeWakeups() {
        checkOpen();
        drainEdges();
        return edgeWakeups;
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

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes both epolls, the accepted socket, the client and the listener. Idempotent; any other
     * call afterwards throws {@link IllegalStateException}.
     *
     * @throws NativeSocketException if a {@code close} fails with anything but {@code EINTR} (all
     *                               descriptors are still released first)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
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
        events.close();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "NativeTcpPair[" + options.family() + (options.mptcp() ? " MPTCP" : "") + ", port " + port
                + (closed ? ", closed" : ", fds listener=" + listener + " client=" + client + " accepted=" + accepted)
                + "]";
    }

    // ---- internals ----

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this NativeTcpPair is closed");
        }
    }

    /** Counts the events the edge-triggered epoll holds now, emptying it. */
    private void drainEdges() {
        while (true) {
            int n = waitNow(edgeEpoll, "edge");
            edgeWakeups += n;
            if (n < MAX_EVENTS) {
                return;
            }
        }
    }

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
            if (System.nanoTime() - deadline > 0) {
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
            if ((r < 0 && r != -4) || System.nanoTime() - deadline > 0) {
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
