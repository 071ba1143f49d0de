package dev.autolowat.sim.tcp;

/**
 * A growable FIFO of bytes. Capacity doubles when needed and is never given back, so a steady
 * workload stops allocating after warm-up (the simulator's hot path allocates nothing per event).
 */
final class ByteRing {
    private byte[] buf;
    private int head;
    private int size;

    ByteRing(int initialCapacity) {
        buf = new byte[Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1];
    }

    int size() {
        return size;
    }

    /** Appends {@code src[off, off+len)}. */
    void append(byte[] src, int off, int len) {
        ensureCapacity(size + len);
        int tail = (head + size) & (buf.length - 1);
        int first = Math.min(len, buf.length - tail);
        System.arraycopy(src, off, buf, tail, first);
        System.arraycopy(src, off + first, buf, 0, len - first);
        size += len;
    }

    /** Moves the first {@code len} bytes of {@code from} to the end of this ring. */
    void transferFrom(ByteRing from, int len) {
        ensureCapacity(size + len);
        int remaining = len;
        while (remaining > 0) {
            int chunk = Math.min(remaining, from.buf.length - from.head);
            append(from.buf, from.head, chunk);
            from.discard(chunk);
            remaining -= chunk;
        }
    }

    /** Copies {@code len} bytes starting {@code index} bytes after the head into {@code dst}. */
    void peek(int index, byte[] dst, int dstOff, int len) {
        int start = (head + index) & (buf.length - 1);
        int first = Math.min(len, buf.length - start);
        System.arraycopy(buf, start, dst, dstOff, first);
        System.arraycopy(buf, 0, dst, dstOff + first, len - first);
    }

    /** Removes the first {@code len} bytes, copying them to {@code dst}. */
    void take(byte[] dst, int dstOff, int len) {
        peek(0, dst, dstOff, len);
        discard(len);
    }

    void discard(int len) {
        head = (head + len) & (buf.length - 1);
        size -= len;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private void ensureCapacity(int needed) {
        if (needed <= buf.length) {
            return;
        }
        if (needed < 0 || needed > (1 << 30)) {
            throw new IllegalStateException("simulated buffer would exceed 1 GiB (" + needed + " bytes)");
        }
        int capacity = buf.length;
        while (capacity < needed) {
            capacity <<= 1;
        }
        byte[] grown = new byte[capacity];
        peek(0, grown, 0, size);
        buf = grown;
        head = 0;
    }
}
