package dev.autolowat.sim.policy;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.Seq;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.event.RecvmsgDone;
import dev.autolowat.api.event.SegmentEnqueued;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockoptContext;
import dev.autolowat.api.program.SockoptHandler;
import dev.autolowat.api.program.StorageKey;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A tiny in-memory TCP receive side, just enough to run the policy's handlers without the
 * simulator: {@code rcv_nxt}, {@code copied_seq}, {@code sk_rcvlowat}, the flag word, per-socket
 * storage, and the H1/H2 call points. It models F1/F2 (flag word), the F3 "queue not empty" guard,
 * K1 (kfunc with a fixed cap) and K3's refusal in op 21 - not the wakeup machinery beyond the
 * simple H3 predicate {@link #readable()}.
 *
 * <p>Like a real backend it reuses one event object per kind and one context, so that allocation
 * tests measure the policy and not the fake.
 */
final class FakeSocket {
    /** K1 cap when SO_RCVBUF was not set: tcp_rmem[2] / 2 with the default 6 MiB. */
    static final int DEFAULT_CAP = 6 * 1024 * 1024 / 2;

    final SockOpsHandler handler;
    final SockoptHandler enable;

    int rcvNxt;
    int copiedSeq;
    int rcvLowat = 1;
    int rcvBuf = 131072;
    int flags;
    boolean tcp = true;
    boolean finReceived;
    int cap = DEFAULT_CAP;

    /** Every byte ever delivered, indexed by (seq - isn); the receive queue is [copied, rcv_nxt). */
    private byte[] stream = new byte[1024];
    private final int isn;

    // Fault injection.
    /** When set, every {@code loadBytes} fails with -EFAULT. */
    boolean failLoads;
    /** When non-zero, setting RCVQ through F1/F2 fails with {@code -failRcvqSet}. */
    int failRcvqSet;
    /** When set, {@code bpf_sk_storage_get(F_CREATE)} returns NULL (ENOMEM). */
    boolean failStorageCreate;

    // Observations.
    int kfuncCalls;
    int lastKfuncArg = Integer.MIN_VALUE;
    int setsockoptRcvlowatCalls;
    int handlerInvocations;
    int lastHandlerReturn = Integer.MIN_VALUE;
    boolean lastOptionConsumed;

    final Map<StorageKey<?>, Object> storage = new IdentityHashMap<>();

    private final Ops ops = new Ops();
    private final Segment segment = new Segment();
    private final Recvd recvDone = new Recvd();

    FakeSocket(int isn, SockOpsHandler handler, SockoptHandler enable) {
        this.isn = isn;
        this.rcvNxt = isn;
        this.copiedSeq = isn;
        this.handler = handler;
        this.enable = enable;
    }

    FakeSocket(int isn) {
        this(isn, ReferenceAutoLowat.sockOpsHandler(), ReferenceAutoLowat.enableHandler());
    }

    // ------------------------------------------------------------------ userspace side

    /** Userspace {@code setsockopt(level, optname, optval)} run through the cgroup program. */
    int setsockopt(int level, int optname, byte[] optval) {
        Sockopt ctx = new Sockopt(level, optname, optval);
        int rc = enable.onSetsockopt(ctx);
        lastOptionConsumed = ctx.optlen == -1;
        return rc == 0 ? Errno.EPERM.negative() : 0;
    }

    /** A2: {@code setsockopt(fd, 0xdeadbeef, 0x8badf00d, &value, 4)}. */
    int autolowat(int value) {
        return setsockopt(dev.autolowat.api.SockOpt.AUTOLOWAT_LEVEL,
                dev.autolowat.api.SockOpt.AUTOLOWAT_OPTNAME, le32(value));
    }

    /** H1: one in-order segment carrying {@code payload[from, from+len)} and maybe FIN. */
    void deliver(byte[] payload, int from, int len, boolean fin) {
        int at = (int) Seq.distance(isn, rcvNxt);
        ensureCapacity(at + len);
        System.arraycopy(payload, from, stream, at, len);
        segment.seq = rcvNxt;
        segment.len = len;
        segment.fin = fin;
        segment.base = at;
        rcvNxt += len + (fin ? 1 : 0);
        segment.endSeq = rcvNxt;
        if (fin) {
            finReceived = true;
        }
        run(segment);
    }

    void deliver(byte[] payload) {
        deliver(payload, 0, payload.length, false);
    }

    /** A bare FIN (H1 runs for it even with no payload). */
    void deliverFin() {
        deliver(new byte[0], 0, 0, true);
    }

    /** {@code recv(n)}: copies min(n, avail) bytes and runs H2 when at least one byte was copied. */
    int recv(int n) {
        int avail = avail();
        int copied = Math.min(n, avail);
        if (copied <= 0) {
            return 0;
        }
        copiedSeq += copied;
        recvDone.bytes = copied;
        run(recvDone);
        return copied;
    }

    /** {@code rcv_nxt - copied_seq} without the FIN. */
    int avail() {
        return (int) Seq.distance(copiedSeq, rcvNxt) - (finReceived ? 1 : 0);
    }

    /** The simple H3 predicate: FIN, or avail > 0 and avail >= lowat. */
    boolean readable() {
        int avail = avail();
        return finReceived || (avail > 0 && avail >= rcvLowat);
    }

    boolean rcvqEnabled() {
        return CbFlags.rcvqEnabled(flags);
    }

    AutoLowatState state() {
        return (AutoLowatState) storage.get(ReferenceAutoLowat.STATE);
    }

    /** Pre-sizes the stream buffer so that delivering {@code bytes} more allocates nothing. */
    void reserve(int bytes) {
        ensureCapacity((int) Seq.distance(isn, rcvNxt) + bytes);
    }

    private void run(RcvQueueEvent event) {
        // H1/H2: the hook runs only while RCVQ is set.
        if (!rcvqEnabled()) {
            return;
        }
        handlerInvocations++;
        lastHandlerReturn = handler.onRcvQueue(event, ops);
    }

    private void ensureCapacity(int n) {
        if (n > stream.length) {
            stream = Arrays.copyOf(stream, Math.max(n, stream.length * 2));
        }
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    // ------------------------------------------------------------------ kernel side shared by both contexts

    private int setFlags(int newFlags) {
        boolean rcvqClearToSet = !CbFlags.rcvqEnabled(flags) && CbFlags.rcvqEnabled(newFlags);
        if (rcvqClearToSet) {
            if (failRcvqSet != 0) {
                return -failRcvqSet;
            }
            if (rcvNxt != copiedSeq) {
                return Errno.EBUSY.negative(); // F3: sk_receive_queue not empty
            }
        }
        flags = newFlags;
        return 0;
    }

    @SuppressWarnings("unchecked")
    private <T> T storageGet(StorageKey<T> key, boolean create) {
        Object v = storage.get(key);
        if (v == null && create && !failStorageCreate) {
            v = key.newValue();
            storage.put(key, v);
        }
        return (T) v;
    }

    private int storageDelete(StorageKey<?> key) {
        return storage.remove(key) == null ? Errno.ENOENT.negative() : 0;
    }

    /** The socket part of both contexts. */
    private abstract class Base implements dev.autolowat.api.program.SocketContext {
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
        public boolean isTcp() {
            return tcp;
        }

        @Override
        public <T> T storage(StorageKey<T> key, boolean create) {
            return storageGet(key, create);
        }

        @Override
        public int deleteStorage(StorageKey<?> key) {
            return storageDelete(key);
        }

        @Override
        public int setCbFlagsSockopt(int newFlags) {
            // F2: unsupported bits are -EINVAL, nothing changes.
            if ((newFlags & ~CbFlags.ALL_WITH_SERIES) != 0) {
                return Errno.EINVAL.negative();
            }
            return setFlags(newFlags);
        }

        @Override
        public int getCbFlagsSockopt() {
            return flags;
        }

        @Override
        public long ktimeNs() {
            return 0;
        }
    }

    private final class Ops extends Base implements SockOpsContext {
        @Override
        public SockOpsOp op() {
            return SockOpsOp.RCVQ_CB;
        }

        @Override
        public int cbFlags() {
            return flags;
        }

        @Override
        public int cbFlagsSet(int newFlags) {
            // F1: replaces the word with the supported bits, returns the unsupported ones.
            int rc = setFlags(newFlags & CbFlags.ALL_WITH_SERIES);
            return rc < 0 ? rc : newFlags & ~CbFlags.ALL_WITH_SERIES;
        }

        @Override
        public int tcpSetRcvlowat(int val) {
            kfuncCalls++;
            lastKfuncArg = val;
            if (val < 0) {
                return Errno.EINVAL.negative();
            }
            rcvLowat = Math.max(1, Math.min(val, cap));
            return 0;
        }

        @Override
        public int setsockoptRcvlowat(int val) {
            setsockoptRcvlowatCalls++;
            return Errno.EOPNOTSUPP.negative(); // K3: refused in op 21
        }
    }

    private final class Sockopt extends Base implements SockoptContext {
        private final int level;
        private final int optname;
        private final byte[] optval;
        int optlen;

        Sockopt(int level, int optname, byte[] optval) {
            this.level = level;
            this.optname = optname;
            this.optval = optval;
            this.optlen = optval.length;
        }

        @Override
        public int level() {
            return level;
        }

        @Override
        public int optname() {
            return optname;
        }

        @Override
        public int optlen() {
            return optlen;
        }

        @Override
        public int optvalInt() {
            if (optval.length < 4) {
                throw new IllegalStateException("optlen < 4");
            }
            return (optval[0] & 0xFF) | (optval[1] & 0xFF) << 8 | (optval[2] & 0xFF) << 16
                    | (optval[3] & 0xFF) << 24;
        }

        @Override
        public void consume() {
            optlen = -1;
        }
    }

    /** The reusable H1 event: a view of {@code stream[base, base+len)}. */
    private final class Segment implements SegmentEnqueued {
        int seq;
        int endSeq;
        int len;
        int base;
        boolean fin;

        @Override
        public int seq() {
            return seq;
        }

        @Override
        public int endSeq() {
            return endSeq;
        }

        @Override
        public boolean fin() {
            return fin;
        }

        @Override
        public int payloadLength() {
            return len;
        }

        @Override
        public int loadBytes(int offset, byte[] dst, int dstOffset, int n) {
            if (dstOffset < 0 || n > 0 && (dstOffset > dst.length || n > dst.length - dstOffset)) {
                throw new IndexOutOfBoundsException("destination range");
            }
            if (failLoads || n <= 0 || offset < 0 || offset > len - n) {
                if (n > 0) {
                    Arrays.fill(dst, dstOffset, dstOffset + n, (byte) 0);
                }
                return Errno.EFAULT.negative();
            }
            System.arraycopy(stream, base + offset, dst, dstOffset, n);
            return 0;
        }
    }

    /** The reusable H2 event. */
    private static final class Recvd implements RecvmsgDone {
        int bytes;

        @Override
        public int bytesCopied() {
            return bytes;
        }
    }
}
