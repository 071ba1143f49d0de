package dev.autolowat.sim.tcp;

/** A growable FIFO of ints that stops allocating once warm (see {@link ByteRing}). */
final class IntRing {
    private int[] buf = new int[16];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(int value) {
        if (size == buf.length) {
            int[] grown = new int[buf.length << 1];
            for (int i = 0; i < size; i++) {
                grown[i] = buf[(head + i) & (buf.length - 1)];
            }
            buf = grown;
            head = 0;
        }
        buf[(head + size) & (buf.length - 1)] = value;
        size++;
    }

    int peekFirst() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        return buf[head];
    }

    int peekLast() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        return buf[(head + size - 1) & (buf.length - 1)];
    }

    void setFirst(int value) {
        buf[head] = value;
    }

    void setLast(int value) {
        buf[(head + size - 1) & (buf.length - 1)] = value;
    }

    int removeFirst() {
        int value = peekFirst();
        head = (head + 1) & (buf.length - 1);
        size--;
        return value;
    }

    void clear() {
        head = 0;
        size = 0;
    }
}
