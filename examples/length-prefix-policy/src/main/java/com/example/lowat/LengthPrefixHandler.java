package com.example.lowat;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.event.RecvmsgDone;
import dev.autolowat.api.event.SegmentEnqueued;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.StorageKey;

/**
 * A Java sock_ops handler (simulator only) for frames with a 4-byte big-endian length prefix that
 * does not count itself (Thrift framed, Kafka). It enables itself: on every accepted connection
 * ({@code PASSIVE_ESTABLISHED_CB}, the receive queue still empty) it sets the RCVQ flag, and from then
 * on the socket calls it on op 21 for every queued segment (H1) and after every read (H2). Each time
 * it sets {@code sk_rcvlowat} so that the reader wakes once per complete frame.
 *
 * <p>All sequence numbers are TCP's u32, kept in {@code int}s and compared by subtraction, so that
 * they wrap.
 */
public final class LengthPrefixHandler implements SockOpsHandler {
    /** Bytes of the length prefix. */
    public static final int PREFIX = 4;
    /** Frames longer than this disable the policy (the socket falls back to lowat 1). */
    public static final int MAX_FRAME = 1 << 20;

    /** Per-socket parse state (per-socket storage, like an sk_storage map). */
    static final class State {
        int next;               // seq where the next length prefix starts (= end of the last parsed frame)
        int lastComplete;       // end of the frame before it
        final byte[] prefix = new byte[PREFIX];
        int have;               // prefix bytes collected so far
    }

    private static final StorageKey<State> STATE = StorageKey.create("lenprefix_state", State::new);

    /** This handler as a program to attach: {@code session.attach(LengthPrefixHandler.program())}. */
    public static SockOpsProgram program() {
        return SockOpsProgram.of("lenprefix", new LengthPrefixHandler());
    }

    /** Every op other than 21: enable on a new accepted connection. */
    @Override
    public int onOp(SockOpsContext ctx) {
        if (ctx.op() != SockOpsOp.PASSIVE_ESTABLISHED_CB) {
            return 1;
        }
        State s = ctx.storage(STATE, true);
        s.next = ctx.rcvNxt();
        s.lastComplete = s.next;
        // F1: replaces the flag word and returns the bits this kernel does not support (0x80 without the series).
        int unsupported = ctx.cbFlagsSet(ctx.cbFlags() | CbFlags.RCVQ);
        if (unsupported != 0) {
            ctx.deleteStorage(STATE);
        }
        return 1;
    }

    /** Op 21: a segment was queued (parse it) or a read finished (only the target moves). */
    @Override
    public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {
        State s = ctx.storage(STATE, false);
        if (s == null) {
            return 1;
        }
        if (event instanceof SegmentEnqueued seg) {
            if (seg.fin() || !parse(seg, s)) {
                disable(ctx);
                return 1;
            }
        } else if (!(event instanceof RecvmsgDone)) {
            return 1;
        }
        int target = target(s, ctx.rcvNxt(), ctx.copiedSeq());
        if (target != ctx.rcvLowat()) {
            ctx.tcpSetRcvlowat(target);      // K1: the kfunc, allowed only in op 21
        }
        return 1;
    }

    /** Walks the length prefixes inside {@code seg}; false when a frame is too long. */
    private static boolean parse(SegmentEnqueued seg, State s) {
        int pos = s.next + s.have;                          // the next prefix byte to read
        while (seg.endSeq() - pos > 0 && pos - seg.seq() >= 0) {
            int n = Math.min(PREFIX - s.have, seg.endSeq() - pos);
            if (seg.loadBytes(pos - seg.seq(), s.prefix, s.have, n) < 0) {
                return false;
            }
            s.have += n;
            pos += n;
            if (s.have < PREFIX) {
                break;                                      // the rest of the prefix comes later
            }
            long body = ((s.prefix[0] & 0xffL) << 24) | ((s.prefix[1] & 0xff) << 16) | ((s.prefix[2] & 0xff) << 8)
                    | (s.prefix[3] & 0xff);
            if (PREFIX + body > MAX_FRAME) {
                return false;
            }
            s.lastComplete = s.next;
            s.next += (int) (PREFIX + body);
            s.have = 0;
            pos = s.next;
        }
        return true;
    }

    /**
     * The lowat: all complete frames not yet read; else the end of the frame being received; else
     * (nothing queued) the next prefix.
     */
    static int target(State s, int rcvNxt, int copiedSeq) {
        int complete = s.next - rcvNxt <= 0 ? s.next : s.lastComplete;
        if (complete - copiedSeq > 0) {
            return complete - copiedSeq;
        }
        if (s.next - rcvNxt > 0) {
            return s.next - copiedSeq;
        }
        return s.next + PREFIX - copiedSeq;
    }

    /** Gives up on this socket: lowat 1, no more op-21 calls. */
    private static void disable(SockOpsContext ctx) {
        ctx.tcpSetRcvlowat(1);
        ctx.cbFlagsSet(ctx.cbFlags() & ~CbFlags.RCVQ);
        ctx.deleteStorage(STATE);
    }
}
