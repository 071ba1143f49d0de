package com.example.lowat;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.StorageKey;

/**
 * The README's handler: records of a fixed size. It enables itself when a connection is accepted
 * and then keeps {@code sk_rcvlowat} at "every complete record queued, else the rest of the current
 * record", so the reader wakes once per record.
 */
public final class FixedSizeRecords implements SockOpsHandler {
    private static final StorageKey<int[]> START = StorageKey.create("records_start", () -> new int[1]);
    private final int size;

    public FixedSizeRecords(int size) {
        this.size = size;
    }

    @Override
    public int onOp(SockOpsContext ctx) {                       // every op but 21
        if (ctx.op() == SockOpsOp.PASSIVE_ESTABLISHED_CB) {     // accepted, receive queue empty (F3)
            ctx.storage(START, true)[0] = ctx.rcvNxt();         // the stream's first byte
            ctx.cbFlagsSet(ctx.cbFlags() | CbFlags.RCVQ);        // F1: from now on op 21 runs (H1/H2)
        }
        return 1;
    }

    @Override
    public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {   // a segment queued, or a read done
        int start = ctx.storage(START, false)[0];
        int queued = ctx.rcvNxt() - ctx.copiedSeq();                       // u32 sequence arithmetic
        int partial = Integer.remainderUnsigned(ctx.rcvNxt() - start, size);  // bytes of the unfinished record
        int target = queued > partial ? queued - partial                    // every complete record
                : size - Integer.remainderUnsigned(ctx.copiedSeq() - start, size);  // the rest of this one
        if (target != ctx.rcvLowat()) {
            ctx.tcpSetRcvlowat(target);                                     // K1, only in op 21
        }
        return 1;
    }
}
