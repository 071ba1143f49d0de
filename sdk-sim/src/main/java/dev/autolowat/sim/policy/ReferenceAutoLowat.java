package dev.autolowat.sim.policy;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Seq;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.event.SegmentEnqueued;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptContext;
import dev.autolowat.api.program.SockoptHandler;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.program.StorageKey;

/**
 * The reference AutoLOWAT policy (rules A1–A5) in the Java form of programs, as the AutoLOWAT
 * series' selftest program does it: a sock_ops program that parses the application's framing on
 * every enqueued segment and keeps {@code sk_rcvlowat} at "the end of the frames worth waking up
 * for", and a cgroup setsockopt program that enables it per socket.
 *
 * <ul>
 *   <li><b>A1</b> frame = 8-byte descriptor {@code {u32 header_len, u32 payload_len}}
 *       (little-endian), then {@code header_len} bytes, then {@code payload_len} bytes.</li>
 *   <li><b>A2</b> {@link #enableHandler()}: {@code setsockopt(fd, 0xdeadbeef, 0x8badf00d, &one, 4)}
 *       is consumed, creates the per-socket state and ORs {@link CbFlags#RCVQ} into the flag word
 *       through F2; failure is EPERM.</li>
 *   <li><b>A3</b> {@link #sockOpsHandler()} on H1 (segment enqueued): copy descriptor bytes, walk
 *       the whole frames of the segment, at most 101 passes of the walk per segment.</li>
 *   <li><b>A4</b> on H1 and H2: compute the target and set it with the K1 kfunc when it differs
 *       from {@code sk_rcvlowat}.</li>
 *   <li><b>A5</b> disable on zero bytes to copy while a descriptor is being copied (a bare FIN
 *       inside a descriptor or on a frame boundary — not while the current descriptor is complete),
 *       an oversized frame, the walk bound or a failed load.</li>
 * </ul>
 *
 * <p><b>Decisions where the contract is open</b> (the bytecode form of this policy must make the
 * same ones so that both forms produce identical observations):
 * <ol>
 *   <li>A5 deletes the per-socket state after clearing RCVQ and setting lowat 1. Nothing reads it
 *       afterwards (the hook no longer runs), deleting frees it, and if clearing the flag ever
 *       failed, later events find no state and do nothing (lowat stays 1) instead of parsing a
 *       stream the policy has given up on. Re-enabling through A2 creates a fresh state.</li>
 *   <li>A3's walk bound counts passes, as the series' program does (not a decision of ours, see
 *       SEMANTICS.md A3): each pass checks the counter, increments it, then looks whether the
 *       current frame ends in the segment. Parsing the first descriptor of the segment (before
 *       the walk) is not a pass. So 101 whole frames are fine, 101 whole frames plus a partial
 *       descriptor are fine (the parse is partial, the walk stops), and 101 whole frames plus the
 *       complete descriptor of a frame that does not end here disable (the 102nd pass).</li>
 *   <li>A3: a segment that carries payload and FIN is parsed like any other (only "zero bytes to
 *       copy" disables); the FIN itself makes the socket readable by H3.</li>
 *   <li>A3: when the next descriptor byte is not inside the segment (this cannot happen with
 *       in-order delivery of every segment, H1, and the empty queue of F3 at enable time; it can
 *       after a re-enable with unread data queued), the policy treats it as a failed load and
 *       disables (A5) rather than guessing.</li>
 *   <li>A2: the option is consumed whenever level and name match, before anything can fail, so
 *       the kernel never sees it; {@code optlen < 4} is EPERM. On failure, state created by this
 *       call is deleted; state that already existed is left untouched (it is reset only after the
 *       flag word was updated). An enable on an already enabled socket resets the state to
 *       {@code copied_seq}, as the contract text says.</li>
 * </ol>
 *
 * <p>The handlers are stateless singletons: all per-socket data lives in per-socket storage under
 * one {@link StorageKey} shared by both programs, as the two programs of the selftest share one
 * sk_storage map. Handling an event allocates nothing.
 */
public final class ReferenceAutoLowat {
    /** Name of the sock_ops program (A3–A5), as {@code bpftool prog} would show it. */
    public static final String SOCK_OPS_NAME = "autolowat";
    /** Name of the cgroup setsockopt program of the enable path (A2). */
    public static final String ENABLE_NAME = "autolowat_en";
    /** Name of the {@link Policy} returned by {@link #policy()}. */
    public static final String POLICY_NAME = "autolowat";

    /** A1: descriptor size in bytes. */
    public static final int DESCRIPTOR_SIZE = AutoLowatState.DESCRIPTOR_SIZE;
    /**
     * A3: a pass of the walk disables when the per-segment counter is above this value, so at most
     * {@code MAX_WALK + 1} = 101 passes are made per segment.
     */
    public static final int MAX_WALK = 100;

    /**
     * The per-socket state, shared by the enable path (creates it, A2) and the sock_ops handler
     * (reads it, A3/A4; deletes it, A5). One key for the whole JVM, like one map shared by the
     * two programs.
     */
    static final StorageKey<AutoLowatState> STATE =
            StorageKey.create("autolowat_state", AutoLowatState::new);

    private static final SockOpsHandler SOCK_OPS_HANDLER = new RcvqHandler();
    private static final SockoptHandler ENABLE_HANDLER = new EnableHandler();

    private ReferenceAutoLowat() {
    }

    /**
     * The sock_ops program of the policy, named {@value #SOCK_OPS_NAME}: rules A3 (parse on
     * enqueue, H1), A4 (target via the K1 kfunc, on H1 and H2) and A5 (disable).
     *
     * @return a {@link SockOpsProgram.Handler} wrapping {@link #sockOpsHandler()}
     */
    public static SockOpsProgram sockOpsProgram() {
        return SockOpsProgram.of(SOCK_OPS_NAME, SOCK_OPS_HANDLER);
    }

    /**
     * The enable path of the policy, named {@value #ENABLE_NAME}: rule A2, a cgroup setsockopt
     * program that consumes {@code setsockopt(0xdeadbeef, 0x8badf00d)} and sets RCVQ through F2.
     *
     * @return a {@link SockoptProgram.Handler} wrapping {@link #enableHandler()}
     */
    public static SockoptProgram enableProgram() {
        return SockoptProgram.of(ENABLE_NAME, ENABLE_HANDLER);
    }

    /**
     * The whole reference policy (A2–A5): {@link #sockOpsProgram()} plus {@link #enableProgram()},
     * named {@value #POLICY_NAME}.
     *
     * @return a policy with both programs; attach it to a session to get the AutoLOWAT behaviour
     */
    public static Policy policy() {
        return Policy.of(POLICY_NAME, sockOpsProgram(), enableProgram());
    }

    /**
     * The sock_ops handler alone (A3–A5 under op {@code RCVQ_CB}, H1/H2). Stateless; the same
     * instance on every call.
     *
     * @return the handler behind {@link #sockOpsProgram()}
     */
    public static SockOpsHandler sockOpsHandler() {
        return SOCK_OPS_HANDLER;
    }

    /**
     * The setsockopt handler alone (A2). Stateless; the same instance on every call.
     *
     * @return the handler behind {@link #enableProgram()}
     */
    public static SockoptHandler enableHandler() {
        return ENABLE_HANDLER;
    }

    // ---------------------------------------------------------------------------------------
    // sock_ops: A3, A4, A5
    // ---------------------------------------------------------------------------------------

    /** H1/H2 → A3/A4/A5. */
    private static final class RcvqHandler implements SockOpsHandler {
        /**
         * H1 → A3 then A4 (A5 on failure); H2 → A4 only. Always returns 1 (sock_ops programs'
         * return value is not used for op 21).
         */
        @Override
        public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {
            AutoLowatState st = ctx.storage(STATE, false);
            if (st == null) {
                // Like the selftest program: RCVQ may have been set by someone else, or the state
                // was deleted by A5 while the flag could not be cleared. Nothing to parse against.
                return 1;
            }
            if (event instanceof SegmentEnqueued seg) {
                if (!parseSegment(seg, st)) {
                    disable(ctx);
                    return 1;
                }
            }
            // H2 (RecvmsgDone): copied_seq moved, only the target changes (A4).
            setTarget(ctx, st);
            return 1;
        }

        @Override
        public String toString() {
            return "ReferenceAutoLowat.sockOps";
        }
    }

    /**
     * A3 for one segment. Returns {@code false} when A5 must disable: zero bytes to copy while a
     * descriptor is being copied, a failed load, an oversized frame or the walk bound.
     */
    static boolean parseSegment(SegmentEnqueued seg, AutoLowatState st) {
        // The segment without its FIN: [seq, seq + payload). A bare FIN has no bytes: it disables
        // only through loadDescriptor (zero bytes to copy while a descriptor is being copied).
        int copyLen = seg.payloadLength();
        int seq = seg.seq();
        int segEnd = seq + copyLen; // u32 wraparound is fine in int arithmetic

        // Finish the current descriptor first: it may have started in an earlier segment.
        if (!st.descriptorComplete()) {
            if (!loadDescriptor(seg, st, seq, copyLen)) {
                return false;
            }
            if (!st.descriptorComplete()) {
                return true; // the descriptor continues in the next segment
            }
        }

        // The walk. Every pass first checks the per-segment counter (disable above MAX_WALK), then
        // increments it, then looks whether the current frame ends in this segment: a pass that only
        // finds "still arriving" counts too, as in the series' program (A3).
        int passes = 0;
        while (true) {
            if (passes > MAX_WALK) {
                return false;
            }
            passes++;
            if (Seq.after(st.endSeq, segEnd)) {
                return true; // the frame is still arriving: its descriptor is known, wait for more
            }
            st.descSeq = st.endSeq;
            st.bufLen = 0;
            if (st.descSeq == segEnd) {
                return true; // the segment ends exactly on a frame boundary
            }
            if (!loadDescriptor(seg, st, seq, copyLen)) {
                return false;
            }
            if (!st.descriptorComplete()) {
                return true; // the next descriptor is cut by the end of the segment
            }
        }
    }

    /**
     * Copies the missing bytes of the current descriptor from the segment and, once complete,
     * computes the frame end (A1, A3). Returns {@code false} on zero bytes to copy, a failed load or
     * an oversized frame (A5).
     */
    private static boolean loadDescriptor(SegmentEnqueued seg, AutoLowatState st, int seq, int copyLen) {
        // The next descriptor byte is desc_seq + buf_len; its offset in the payload is relative to
        // seq (u32 difference, small by construction: an in-order parser never lags or leads by
        // more than one segment).
        int offset = st.descSeq + st.bufLen - seq;
        if (offset < 0 || offset >= copyLen) {
            // offset == copyLen: zero bytes to copy — a bare FIN (or an empty segment) while this
            // descriptor is being copied (A5). Otherwise the byte is not in this segment: we lost
            // sync with the stream.
            return false;
        }
        int n = Math.min(DESCRIPTOR_SIZE - st.bufLen, copyLen - offset);
        if (seg.loadBytes(offset, st.desc, st.bufLen, n) != 0) {
            return false; // bpf_skb_load_bytes failed (-EFAULT)
        }
        st.bufLen += n;
        if (st.descriptorComplete()) {
            long frameLength = st.frameLength(); // 64 bits: never wraps
            if (frameLength > Integer.MAX_VALUE) {
                return false;
            }
            st.endSeq = st.descSeq + (int) frameLength;
        }
        return true;
    }

    /**
     * A4: the target lowat, set with the K1 kfunc only when it differs from {@code sk_rcvlowat}
     * (the kfunc may also grow {@code sk_rcvbuf}; calling it needlessly is a cost on the hot path).
     */
    static void setTarget(SockOpsContext ctx, AutoLowatState st) {
        int copied = ctx.copiedSeq();
        int target;
        if (Seq.before(copied, st.descSeq)) {
            // Whole frames are queued and unread: deliver all of them in one wakeup.
            target = st.descSeq - copied;
        } else if (!st.descriptorComplete()) {
            // Nothing can be decided before the descriptor is here.
            target = DESCRIPTOR_SIZE;
        } else {
            // Wait for the end of the frame being read.
            target = st.endSeq - copied;
        }
        if (target != ctx.rcvLowat()) {
            ctx.tcpSetRcvlowat(target);
        }
    }

    /**
     * A5: clear RCVQ (F1; clearing is never refused by F3), then lowat 1 so the reader is woken by
     * any byte again, then drop the state (see the class comment, decision 1).
     */
    static void disable(SockOpsContext ctx) {
        ctx.cbFlagsSet(ctx.cbFlags() & ~CbFlags.RCVQ);
        ctx.tcpSetRcvlowat(1);
        ctx.deleteStorage(STATE);
    }

    // ---------------------------------------------------------------------------------------
    // cgroup setsockopt: A2
    // ---------------------------------------------------------------------------------------

    /** A2: the enable path. */
    private static final class EnableHandler implements SockoptHandler {
        private static final int EPERM = 0; // cgroup sockopt: returning 0 fails the call with EPERM
        private static final int PROCEED = 1;

        /** A2: 1 = proceed (consumed for our option, untouched otherwise), 0 = EPERM. */
        @Override
        public int onSetsockopt(SockoptContext ctx) {
            if (ctx.level() != SockOpt.AUTOLOWAT_LEVEL || ctx.optname() != SockOpt.AUTOLOWAT_OPTNAME) {
                return PROCEED; // not ours: untouched, the kernel handles it
            }
            // Read before consume(): consuming sets optlen to -1.
            int optlen = ctx.optlen();
            if (optlen < Integer.BYTES) {
                ctx.consume();
                return EPERM; // the value is not there (the bytecode's optval_end check)
            }
            int value = ctx.optvalInt();
            // Our private option: the kernel must never see it, whatever happens next.
            ctx.consume();
            if (value == 0) {
                return PROCEED;
            }
            if (!ctx.isTcp()) {
                return EPERM; // bpf_tcp_sock() is NULL (e.g. MPTCP)
            }
            boolean existed = ctx.storage(STATE, false) != null;
            AutoLowatState st = ctx.storage(STATE, true);
            if (st == null) {
                return EPERM; // sk_storage_get(F_CREATE) failed (-ENOMEM in the kernel)
            }
            int flags = ctx.getCbFlagsSockopt();
            if (flags < 0 || ctx.setCbFlagsSockopt(flags | CbFlags.RCVQ) < 0) {
                // F2/F3 refused (sockmap, MPTCP, non-empty queue...): leave no trace of this call.
                if (!existed) {
                    ctx.deleteStorage(STATE);
                }
                return EPERM;
            }
            // The state is (re)initialised only once the flag is set; the program runs under the
            // socket lock, so no segment can be enqueued between the two steps.
            st.reset(ctx.copiedSeq());
            return PROCEED;
        }

        @Override
        public String toString() {
            return "ReferenceAutoLowat.enable";
        }
    }
}
