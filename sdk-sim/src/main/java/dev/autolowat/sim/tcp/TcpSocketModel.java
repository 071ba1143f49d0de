package dev.autolowat.sim.tcp;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.Seq;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.program.StorageKey;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.sim.SocketState;
import dev.autolowat.sim.SimConfig;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated TCP socket: the state the contract talks about and the receive path that changes
 * it. Everything here is deterministic and single-threaded; the sequence of calls is the scenario.
 *
 * <p>What is modelled, with the rule that governs it:
 * <ul>
 *   <li>u32 {@code rcv_nxt}/{@code copied_seq} with {@code before()/after()} comparisons (H6);</li>
 *   <li>the in-order receive queue, the out-of-order queue released in sequence order, FIN (H1);</li>
 *   <li>the RCVQ hook points, before the wakeup decision (H1) and after recvmsg (H2);</li>
 *   <li>the wakeup rule with memory pressure and the one-MSS window condition (H3, H4);</li>
 *   <li>recv semantics: the {@code tcp_recvmsg()} loop (H5); the flag word and its guards (F1–F4);</li>
 *   <li>the rcvlowat setters, the cap and rcvbuf growth, the user's socket options (K1–K4).</li>
 * </ul>
 * Receive memory and the advertised window are approximations, documented in
 * {@code docs/simulator.md} together with the regime in which they are exact.
 *
 * <p>This class is the reference: it has no fault branch. Three seams — the F3 guards
 * ({@link FlagGuard}), the K1/K2 cap ({@link LowatCap}) and the hook points with their order relative
 * to the wakeup decision ({@link HookPoints}) — are chosen once, at construction, by {@link Mutants}
 * from the configuration's {@link dev.autolowat.sim.SimFault}s (test-only mutants for conformance
 * suites); without faults each is its reference.
 *
 * <p>Tests and tools read a socket through {@link SocketState}; the connection that owns it drives it
 * through the calls below.
 */
public final class TcpSocketModel implements SocketState {
    /** {@code TCP_MSS_DEFAULT}: the initial receiver MSS estimate ({@code icsk_ack.rcv_mss}). */
    static final int TCP_MSS_DEFAULT = 536;
    /**
     * {@code SOCK_MIN_RCVBUF} on x86-64: {@code TCP_SKB_MIN_TRUESIZE = 2048 + SKB_DATA_ALIGN(sizeof(struct
     * sk_buff))} = 2304 (measured on 6.18 by the conformance suite: SO_RCVBUF 0 reads 2304).
     */
    public static final int SOCK_MIN_RCVBUF = 2304;
    /** {@code TCP_DEFAULT_SCALING_RATIO} out of 256: half of the buffer is window until data arrives. */
    static final int DEFAULT_SCALING_RATIO = 128;
    /** The largest window a SYN can carry (no scaling yet). */
    static final int MAX_SYN_WINDOW = 65535;

    private final SimConfig config;
    private final boolean mptcp;
    private final int advMss;
    private RcvQueueHooks hooks = RcvQueueHooks.NONE;

    // ---- the seams (reference, or a SimFault's decorator), fixed at construction ----
    private final FlagGuard flagGuard;
    private final LowatCap lowatCapRule;
    private final HookPoints hookPoints;

    // ---- socket state (F, K) ----
    private int rcvLowat = 1;
    private int rcvBuf;
    private boolean rcvBufLocked;
    private int cbFlags;
    private boolean inSockmap;
    private boolean hasStructSocket;
    private final Map<StorageKey<?>, Object> storage = new IdentityHashMap<>();

    // ---- receive path (H) ----
    private int rcvNxt;
    private int copiedSeq;
    /** {@code sk_receive_queue} and {@code sk_rmem_alloc}. */
    private final ReceiveQueue queue = new ReceiveQueue();
    /** {@code SOCK_DONE}: FIN received. */
    private boolean sockDone;
    /** {@code sk_shutdown & RCV_SHUTDOWN}: FIN received or local SHUT_RD. */
    private boolean rcvShutdown;
    /** {@code sk_shutdown & SEND_SHUTDOWN}: local SHUT_WR (the socket left ESTABLISHED). */
    private boolean sendShutdown;
    private int rcvMss = TCP_MSS_DEFAULT;
    /** {@code tp->scaling_ratio}: window bytes per 256 bytes of receive memory, learned from segments. */
    private int scalingRatio = DEFAULT_SCALING_RATIO;
    /** {@code rcv_wup + rcv_wnd}: the right edge of the last advertised window. */
    private int windowRightEdge;
    /**
     * The largest window this socket has advertised (the handshake's included): the peer's
     * {@code tp->max_window}, which bounds the peer's segment size ({@link PeerSender#currentMss}).
     */
    private int maxAdvertisedWindow;
    private final List<OooSegment> outOfOrder = new ArrayList<>();

    // ---- wakeups ----
    private final Wakeups wakeups = new Wakeups();

    private record OooSegment(int seq, byte[] payload, boolean fin) {
    }

    /**
     * A socket in ESTABLISHED state whose peer starts sending at {@code peerIsn + 1}.
     *
     * @param advMss the largest segment the peer sends (caps the receiver's MSS estimate)
     */
    public TcpSocketModel(SimConfig config, boolean mptcp, int peerIsn, int advMss) {
        this.config = config;
        this.mptcp = mptcp;
        this.advMss = advMss;
        this.flagGuard = Mutants.flagGuard(config);
        this.lowatCapRule = Mutants.lowatCap(config);
        this.hookPoints = Mutants.hookPoints(config);
        this.rcvBuf = config.tcpRmemDefault();
        this.rcvNxt = peerIsn + 1;
        this.copiedSeq = rcvNxt;
        int window = winFromSpace(rcvBuf);
        window = Math.min(window, MAX_SYN_WINDOW);
        if (window > advMss) {
            window = window / advMss * advMss;
        }
        this.windowRightEdge = rcvNxt + window;
        this.maxAdvertisedWindow = window;
    }

    /** Where op 21 goes (the programs' dispatch); {@code null} for none. */
    public void setHooks(RcvQueueHooks hooks) {
        this.hooks = hooks == null ? RcvQueueHooks.NONE : hooks;
    }

    RcvQueueHooks hooks() {
        return hooks;
    }

    /** Marks the socket as accepted: it now has a {@code struct socket} (K3). */
    public void markAccepted() {
        hasStructSocket = true;
    }

    // =====================================================================================
    // Observables
    // =====================================================================================

    @Override
    public int rcvNxt() {
        return rcvNxt;
    }

    @Override
    public int copiedSeq() {
        return copiedSeq;
    }

    @Override
    public int rcvLowat() {
        return rcvLowat;
    }

    @Override
    public int rcvBuf() {
        return rcvBuf;
    }

    @Override
    public boolean rcvBufLocked() {
        return rcvBufLocked;
    }

    @Override
    public int cbFlags() {
        return cbFlags;
    }

    @Override
    public boolean isMptcp() {
        return mptcp;
    }

    @Override
    public boolean inSockmap() {
        return inSockmap;
    }

    @Override
    public boolean hasStructSocket() {
        return hasStructSocket;
    }

    @Override
    public int rmemAlloc() {
        return queue.rmemAlloc();
    }

    @Override
    public int rcvMss() {
        return rcvMss;
    }

    @Override
    public boolean finReceived() {
        return sockDone;
    }

    @Override
    public long edgeWakeups() {
        return wakeups.edges();
    }

    /** Segments waiting in the out-of-order queue. */
    @Override
    public int outOfOrderSegments() {
        return outOfOrder.size();
    }

    /** {@code rcv_nxt - copied_seq} as the kernel computes it (a FIN counts one). */
    @Override
    public int avail() {
        return rcvNxt - copiedSeq;
    }

    /**
     * {@code ioctl(FIONREAD)} = {@code tcp_inq()}: bytes readable, the FIN not counted. A SOCKMAP
     * member answers from its psock instead ({@code tcp_bpf_ioctl}): the bytes queued there, which
     * is 0 here since no verdict program redirects data into it — plus {@code tcp_inq()} on kernels
     * whose {@code tcp_bpf_ioctl} counts the receive queue when there is no verdict program
     * ({@link SimConfig#sockmapInqCountsReceiveQueue()}, e.g. Debian's 6.12.117).
     */
    @Override
    public int inq() {
        if (inSockmap && !config.sockmapInqCountsReceiveQueue()) {
            return 0;
        }
        int answer = rcvNxt - copiedSeq;
        if (answer != 0 && sockDone) {
            answer--;
        }
        return answer;
    }

    /** Whether {@code sk_receive_queue} holds anything (F3's third guard). */
    boolean receiveQueueNonEmpty() {
        return !queue.isEmpty();
    }

    /**
     * Rule H3 as the kernel's {@code tcp_epollin_ready()}: {@code avail > 0} and
     * ({@code avail >= target}, or receive memory under pressure, or the receive window down to
     * one MSS).
     */
    boolean epollinReady(int target) {
        int avail = rcvNxt - copiedSeq;
        if (avail <= 0) {
            return false;
        }
        return avail >= target || memoryPressure() || receiveWindow() <= rcvMss;
    }

    /**
     * One level-triggered {@code epoll_wait} for {@code EPOLLIN} (H3): polled only while the item is
     * on the ready list ({@link Wakeups#listed()}), then {@link #pollReadable()}. Like the kernel's
     * wait, it takes the item off the list when it finds the socket not readable.
     */
    public boolean readable() {
        if (!wakeups.listed()) {
            return false;
        }
        boolean ready = pollReadable();
        if (!ready) {
            wakeups.unlist();
        }
        return ready;
    }

    /** What {@code tcp_poll()} answers now for {@code EPOLLIN}: RCV_SHUTDOWN, or H3's rule at {@code sk_rcvlowat}. */
    @Override
    public boolean pollReadable() {
        return rcvShutdown || epollinReady(rcvLowat);
    }

    /** {@code tcp_rmem_pressure()}: {@code sk_rmem_alloc > rcvbuf - rcvbuf/8} (no global pressure modelled). */
    @Override
    public boolean memoryPressure() {
        return queue.rmemAlloc() > rcvBuf - (rcvBuf >> 3);
    }

    /** {@code tcp_receive_window()}: what is left of the last advertised window. */
    @Override
    public int receiveWindow() {
        int left = windowRightEdge - rcvNxt;
        return Math.max(left, 0);
    }

    // =====================================================================================
    // F: the flag word
    // =====================================================================================

    private int allFlags() {
        return CbFlags.allFlags(config.kernelHasSeries());
    }

    /**
     * Rule F3: the guards, checked only when RCVQ goes from clear to set ({@link FlagGuard#REFERENCE}).
     *
     * @return 0, or the negative errno of the first failing guard
     */
    int rcvqGuard(int newWord) {
        if ((newWord & CbFlags.RCVQ) == 0 || (cbFlags & CbFlags.RCVQ) != 0) {
            return 0;
        }
        if (inSockmap) {
            return Errno.EBUSY.negative();
        }
        if (mptcp) {
            return Errno.EOPNOTSUPP.negative();
        }
        if (receiveQueueNonEmpty()) {
            return Errno.EBUSY.negative();
        }
        return 0;
    }

    /**
     * Rule F1: {@code bpf_sock_ops_cb_flags_set()}: the word becomes {@code flags & ALL}; the
     * return value is {@code flags & ~ALL}, or a guard's {@code -errno} with the word unchanged (F3).
     */
    public int cbFlagsSet(int flags) {
        int newWord = flags & allFlags();
        int guard = flagGuard.check(this, newWord);
        if (guard != 0) {
            return guard;
        }
        cbFlags = newWord;
        return flags & ~allFlags();
    }

    /**
     * Rule F2: {@code bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)}: unsupported bits give
     * {@code -EINVAL}; the guards of F3 apply; 0 on success.
     */
    public int setCbFlagsSockopt(int flags) {
        if ((flags & ~allFlags()) != 0) {
            return Errno.EINVAL.negative();
        }
        int guard = flagGuard.check(this, flags);
        if (guard != 0) {
            return guard;
        }
        cbFlags = flags;
        return 0;
    }

    /**
     * Rule F4: adding a socket with RCVQ set to a SOCKMAP fails with {@code -EBUSY}. Before that,
     * as the kernel's {@code sock_map_update_elem}: an MPTCP socket is not a TCP socket a sockmap
     * takes, and only an ESTABLISHED one is admitted (after the peer's FIN it is CLOSE_WAIT, after a
     * local SHUT_WR FIN_WAIT1/LAST_ACK) — both {@code -EOPNOTSUPP}. Adding a member again is a no-op
     * returning 0.
     */
    public int addToSockmap() {
        if (mptcp || !established()) {
            return Errno.EOPNOTSUPP.negative();
        }
        if ((cbFlags & CbFlags.RCVQ) != 0) {
            return Errno.EBUSY.negative();
        }
        inSockmap = true;
        return 0;
    }

    /** Leaves the SOCKMAP: 0, or {@code -ENOENT} when not a member. */
    public int removeFromSockmap() {
        if (!inSockmap) {
            return Errno.ENOENT.negative();
        }
        inSockmap = false;
        return 0;
    }

    // =====================================================================================
    // K: rcvlowat and rcvbuf
    // =====================================================================================

    /** The lowat cap: {@code sk_rcvbuf/2} once SO_RCVBUF was set, else {@code tcp_rmem[2]/2}. */
    int lowatCap() {
        return rcvBufLocked ? rcvBuf >> 1 : config.lowatCapUnlocked();
    }

    /**
     * The body of the kernel's {@code tcp_set_rcvlowat()} for {@code val >= 0}: cap, store
     * ({@code 0 → 1}), optionally the wakeup check, then rcvbuf growth when not locked.
     */
    private void setRcvlowatCapped(int val, boolean wakeupCheck) {
        val = lowatCapRule.apply(this, val);
        rcvLowat = val == 0 ? 1 : val;
        if (wakeupCheck) {
            dataReady();
        }
        if (rcvBufLocked) {
            return;
        }
        int space = spaceFromWin(val);
        if (space > rcvBuf) {
            rcvBuf = space;
        }
    }

    /**
     * Rule K1 (the kfunc body; the op check is the caller's): {@code val < 0} → {@code -EINVAL}
     * and nothing changes; otherwise capped, stored, rcvbuf may grow; no wakeup check.
     */
    public int kfuncSetRcvlowat(int val) {
        if (val < 0) {
            return Errno.EINVAL.negative();
        }
        setRcvlowatCapped(val, false);
        return 0;
    }

    /**
     * Rule K2 with H4: userspace {@code setsockopt(SO_RCVLOWAT)}: negative means INT_MAX, then as
     * K1, with the wakeup check.
     */
    public int userSetRcvlowat(int val) {
        setRcvlowatCapped(val < 0 ? Integer.MAX_VALUE : val, true);
        return 0;
    }

    /**
     * Rule K3 (the op-21 refusal is the caller's): with a {@code struct socket} as K2; before accept
     * the value is stored as given (0 → 1, negative → INT_MAX), no cap, no growth, no wakeup.
     */
    public int bpfSetsockoptRcvlowat(int val) {
        if (val < 0) {
            val = Integer.MAX_VALUE;
        }
        if (!hasStructSocket) {
            rcvLowat = val == 0 ? 1 : val;
            return 0;
        }
        setRcvlowatCapped(val, true);
        return 0;
    }

    /**
     * Rule K4: userspace {@code setsockopt(SO_RCVBUF)}: bounded by {@code rmem_max} (compared as u32, so
     * a negative value means rmem_max), doubled, at least {@code SOCK_MIN_RCVBUF}, and locked.
     */
    public int setRcvBuf(int val) {
        long bounded = Math.min(Integer.toUnsignedLong(val), config.rmemMax());
        bounded = Math.min(bounded, Integer.MAX_VALUE / 2);
        rcvBufLocked = true;
        rcvBuf = (int) Math.max(bounded * 2, SOCK_MIN_RCVBUF);
        return 0;
    }

    /**
     * The kernel's part of a userspace {@code setsockopt()} (after any cgroup program, A2):
     * {@code SO_RCVLOWAT} is K2, {@code SO_RCVBUF} K4; an option value shorter than an int is
     * {@code -EINVAL} for them; any other option {@code -ENOPROTOOPT}.
     *
     * @param optlen the option's length in bytes ({@link Integer#BYTES} for an int from the caller)
     */
    public int setsockopt(int level, int optname, int value, int optlen) {
        if (level == SockOpt.SOL_SOCKET && (optname == SockOpt.SO_RCVLOWAT || optname == SockOpt.SO_RCVBUF)) {
            if (optlen < Integer.BYTES) {
                return Errno.EINVAL.negative();
            }
            return optname == SockOpt.SO_RCVLOWAT ? userSetRcvlowat(value) : setRcvBuf(value);
        }
        return Errno.ENOPROTOOPT.negative();
    }

    /** Userspace {@code getsockopt()}: {@code SO_RCVLOWAT} and {@code SO_RCVBUF}; else {@code -ENOPROTOOPT}. */
    public int getsockopt(int level, int optname) {
        if (level == SockOpt.SOL_SOCKET && optname == SockOpt.SO_RCVLOWAT) {
            return rcvLowat;
        }
        if (level == SockOpt.SOL_SOCKET && optname == SockOpt.SO_RCVBUF) {
            return rcvBuf;
        }
        return Errno.ENOPROTOOPT.negative();
    }

    /** {@code tcp_win_from_space()}. */
    private int winFromSpace(int space) {
        return (int) (((long) space * scalingRatio) >> 8);
    }

    /** {@code tcp_space_from_win()}: 2x with the default ratio; truncated to int as the kernel does. */
    private int spaceFromWin(int win) {
        return (int) (((long) win << 8) / scalingRatio);
    }

    // =====================================================================================
    // Per-socket storage (sk_storage)
    // =====================================================================================

    @SuppressWarnings("unchecked")
    public <T> T storage(StorageKey<T> key, boolean create) {
        Object value = storage.get(key);
        if (value == null && create) {
            value = key.newValue();
            storage.put(key, value);
        }
        return (T) value;
    }

    @Override
    public <T> T storage(StorageKey<T> key) {
        return storage(key, false);
    }

    public int deleteStorage(StorageKey<?> key) {
        return storage.remove(key) != null ? 0 : Errno.ENOENT.negative();
    }

    // =====================================================================================
    // H: the receive path
    // =====================================================================================

    /**
     * A packet arrives in order from the peer: its payload is the first {@code len} bytes of
     * {@code source}, which are moved to the receive queue. See {@link #arrive}.
     */
    void arriveInOrder(int seq, ByteRing source, int len, boolean fin) {
        if (seq != rcvNxt) {
            throw new IllegalStateException("model error: in-order arrival at seq " + Seq.unsigned(seq)
                    + " but rcv_nxt is " + Seq.unsigned(rcvNxt));
        }
        queue.appendPayload(source, len);
        enqueue(seq, len, fin);
        afterArrival(fin);
    }

    /**
     * A packet arrives (possibly out of order) carrying {@code payload}. In-order data is queued and
     * hooked (H1), then segments waiting in the out-of-order queue that are now in order are
     * released one by one in sequence order and hooked, then the wakeup rule runs once (H3).
     * Out-of-order data waits without a hook and without a wakeup.
     */
    public void arrive(int seq, byte[] payload, boolean fin) {
        if (Seq.after(seq, rcvNxt)) {
            insertOutOfOrder(new OooSegment(seq, payload, fin));
            return;
        }
        if (seq != rcvNxt) {
            throw new IllegalStateException("model error: retransmission of old data at seq " + Seq.unsigned(seq));
        }
        queue.appendPayload(payload);
        enqueue(seq, payload.length, fin);
        afterArrival(fin);
    }

    private void insertOutOfOrder(OooSegment segment) {
        int i = outOfOrder.size();
        while (i > 0 && Seq.after(outOfOrder.get(i - 1).seq(), segment.seq())) {
            i--;
        }
        outOfOrder.add(i, segment);
    }

    /** Appends a segment whose payload is already at the end of {@link #queue}; runs H1. */
    private void enqueue(int seq, int len, boolean fin) {
        int endSeq = seq + len + (fin ? 1 : 0);
        int truesize = len + config.skbOverhead();
        queue.addSkb(len, truesize, fin);
        rcvNxt = endSeq;
        measureRcvMss(len, truesize);
        if (fin) {
            sockDone = true;
            rcvShutdown = true;
        }
        if (hookEnabled()) {
            hookPoints.segmentQueued(this, seq, len, fin);
        }
    }

    /**
     * {@code tcp_measure_rcv_mss()}: a segment at least as large as the current estimate raises it
     * (capped by the peer's MSS) and, when its size changed, re-learns the scaling ratio from the
     * segment's payload/truesize. Smaller segments leave both alone (the kernel's small-segment
     * heuristics need segments without PSH, which this peer does not send).
     */
    private void measureRcvMss(int len, int truesize) {
        if (len < rcvMss || len == 0) {
            return;
        }
        if (len != rcvMss) {
            int ratio = (int) (((long) len << 8) / truesize);
            scalingRatio = Math.max(1, Math.min(255, ratio));
        }
        rcvMss = Math.min(len, advMss);
    }

    /** {@code tp->scaling_ratio} (out of 256). */
    int scalingRatio() {
        return scalingRatio;
    }

    /** Op 21 runs: the simulated kernel has the series and RCVQ is set. */
    boolean hookEnabled() {
        return config.kernelHasSeries() && (cbFlags & CbFlags.RCVQ) != 0;
    }

    private void afterArrival(boolean finSeen) {
        boolean fin = finSeen;
        while (!outOfOrder.isEmpty() && outOfOrder.get(0).seq() == rcvNxt && !sockDone) {
            OooSegment next = outOfOrder.remove(0);
            queue.appendPayload(next.payload());
            enqueue(next.seq(), next.payload().length, next.fin());
            fin |= next.fin();
        }
        if (fin) {
            // tcp_fin(): sk_state_change() wakes the reader whatever the lowat.
            wake();
        }
        dataReady();
        hookPoints.wakeupDecided(this);
        sendAck();
        endStep();
    }

    /** {@code tcp_data_ready()}: wake when {@link #epollinReady} at {@code sk_rcvlowat}, or after FIN. */
    private void dataReady() {
        if (epollinReady(rcvLowat) || sockDone) {
            wake();
        }
    }

    private void wake() {
        wakeups.wake();
    }

    /**
     * Ends one observable step (an arriving packet or a call): the wakeups it caused collapse into
     * one edge-triggered event (H3).
     */
    public void endStep() {
        wakeups.endStep();
    }

    /**
     * The receiver ACKs: the advertised right edge moves to {@code rcv_nxt + window}, never back; the
     * window this ACK carries ({@code edge - rcv_nxt}) may raise the peer's {@code max_window}.
     */
    void sendAck() {
        int edge = rcvNxt + currentWindow();
        if (Seq.after(edge, windowRightEdge)) {
            windowRightEdge = edge;
        }
        int advertised = windowRightEdge - rcvNxt;
        if (advertised > maxAdvertisedWindow) {
            maxAdvertisedWindow = advertised;
        }
    }

    /** The largest window advertised so far, the handshake's included (the peer's {@code tp->max_window}). */
    @Override
    public int maxAdvertisedWindow() {
        return maxAdvertisedWindow;
    }

    /** The window the receiver would advertise now: free receive memory scaled to window. */
    private int currentWindow() {
        int free = rcvBuf - queue.rmemAlloc();
        return free <= 0 ? 0 : winFromSpace(free);
    }

    /**
     * Copies queued payload {@code [index, index+len)} (index 0 = the first unread byte) to {@code dst}.
     * The hook of H1 uses it to read the segment just queued.
     */
    public void loadQueuedBytes(int index, byte[] dst, int dstOff, int len) {
        queue.peek(index, dst, dstOff, len);
    }

    /**
     * Bytes of payload in the receive queue (FIN excluded) as an H1 call sees it: the call finds its
     * segment's payload at the end ({@link RcvQueueHooks#onSegmentEnqueued}). The hook points answer
     * ({@link HookPoints#queuedPayload}): a mutant that holds H1 calls back shows each the queue up to
     * its own segment.
     */
    public int queuedPayload() {
        return hookPoints.queuedPayload(this);
    }

    /** Bytes of payload in the receive queue now (FIN excluded). */
    int queueBytes() {
        return queue.payloadBytes();
    }

    // =====================================================================================
    // H5: tcp_recvmsg()
    // =====================================================================================

    /**
     * Rules H5 and H2: one {@code recv()} of up to {@code length} bytes into {@code dst[offset..]}, as
     * {@code tcp_recvmsg()}: copies until the blocking target ({@code sock_rcvlowat()}: the smaller of
     * {@code sk_rcvlowat} and {@code length}) is met, the FIN or RCV_SHUTDOWN is reached, or — non-blocking —
     * nothing more is queued; a blocking call that runs dry first advertises the space it freed and lets
     * the peer send ({@code wait}), and returns what it has when nothing comes (the timeout). Then the
     * recvmsg-done hook (H2), the ACK, what the peer sends on it, and the end of the step (H3).
     * Arguments are the caller's to check.
     *
     * @return bytes copied; 0 at the FIN or after SHUT_RD; {@code -EAGAIN} when nothing was there
     */
    public int recvmsg(byte[] dst, int offset, int length, RecvMode mode, ReceiveWait wait) {
        if (length == 0) {
            return recvZero(mode, wait);
        }
        // sock_rcvlowat(): the blocking target (H5).
        int target = Math.max(1, Math.min(length, rcvLowat));
        int copied = 0;
        while (true) {
            if (copied == 0 && atFin()) {
                consumeFin();
                break;
            }
            boolean finBefore = sockDone && avail() == 0;
            copied += copyQueued(dst, offset + copied, length - copied);
            boolean atEnd = sockDone && avail() == 0;
            if (copied >= target || copied == length || atEnd || finBefore || rcvShutdown || !mode.blocking()) {
                break;
            }
            // Blocking: before sleeping, the receiver advertises the space it freed; the peer sends
            // what now fits. Nothing else can arrive in a deterministic world, so if nothing came the
            // wait runs into its timeout.
            sendAck();
            if (wait.peerSends() == 0) {
                wait.timedOut(mode.timeoutMillis());
                break;
            }
        }
        int result;
        if (copied > 0) {
            result = copied;
        } else if (rcvShutdown) {
            result = 0;
        } else {
            result = Errno.EAGAIN.negative();
        }
        recvmsgDone(copied);
        sendAck();
        wait.peerSends();
        endStep();
        return result;
    }

    /**
     * {@code recv} of length 0, as {@code tcp_recvmsg_locked} answers it (SDK decision, docs/semantics.md
     * "recv of length 0"): its loop runs once and copies nothing. Non-blocking: 0 when anything is
     * queued (data, or a FIN, which it consumes) or the read side is shut down, else {@code -EAGAIN}.
     * Blocking: with nothing queued it waits for something to arrive or the timeout, and returns 0
     * either way. No recvmsg-done hook (nothing was copied), no wakeup.
     */
    private int recvZero(RecvMode mode, ReceiveWait wait) {
        boolean something = avail() > 0 || rcvShutdown;
        if (!something && mode.blocking()) {
            // As the blocking loop: the peer sends what the window takes; if nothing can arrive, the
            // wait runs into its timeout.
            sendAck();
            if (wait.peerSends() == 0) {
                wait.timedOut(mode.timeoutMillis());
            }
            endStep();
            return 0;
        }
        consumeFin();
        return something ? 0 : Errno.EAGAIN.negative();
    }

    /**
     * Rule H5, one pass of {@code tcp_recvmsg()}'s copy loop: copies up to {@code len} queued bytes and
     * consumes a FIN that directly follows them. Does not run H2.
     *
     * @return bytes copied
     */
    int copyQueued(byte[] dst, int off, int len) {
        boolean finBefore = queue.finQueued();
        int copied = queue.copy(dst, off, len);
        // found_fin_ok: a FIN read with the data before it takes its sequence number too.
        copiedSeq += copied + (finBefore && !queue.finQueued() ? 1 : 0);
        return copied;
    }

    /** Whether the next thing to read is a FIN. */
    boolean atFin() {
        return queue.atFin();
    }

    /** Consumes a FIN that is the next thing in the queue (a recv that returns 0). */
    void consumeFin() {
        if (queue.atFin()) {
            copiedSeq++;
            queue.takeFin();
        }
    }

    /** Rule H2: runs the recvmsg-done hook after a recvmsg copied {@code copied > 0} bytes. */
    void recvmsgDone(int copied) {
        if (copied > 0 && hookEnabled()) {
            hookPoints.recvmsgDone(this, copied);
        }
    }

    /** Whether a reader can expect no more data: FIN received or local SHUT_RD. */
    @Override
    public boolean rcvShutdown() {
        return rcvShutdown;
    }

    /** Whether the socket is still ESTABLISHED: no FIN received, no local SHUT_WR. */
    boolean established() {
        return !sockDone && !sendShutdown;
    }

    /**
     * Local {@code shutdown(how)}: SHUT_WR sends the socket's FIN and leaves ESTABLISHED; SHUT_RD sets
     * RCV_SHUTDOWN, and {@code sk_state_change()} wakes the reader (H4).
     */
    public int shutdown(Shutdown how) {
        if (how != Shutdown.READ) {
            shutdownWrite();
        }
        if (how != Shutdown.WRITE) {
            shutdownRead();
        }
        return 0;
    }

    /** Local {@code shutdown(SHUT_WR)}: the socket sends its FIN and leaves ESTABLISHED. */
    void shutdownWrite() {
        sendShutdown = true;
    }

    /** Local {@code shutdown(SHUT_RD)}: RCV_SHUTDOWN, and {@code sk_state_change()} wakes the reader. */
    void shutdownRead() {
        rcvShutdown = true;
        wake();
        endStep();
    }

    /** Drops everything (close). */
    public void close() {
        queue.clear();
        outOfOrder.clear();
        storage.clear();
    }
}
