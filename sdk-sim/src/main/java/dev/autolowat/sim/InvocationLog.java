package dev.autolowat.sim;

import dev.autolowat.api.spi.Invocation;

import java.util.ArrayList;
import java.util.List;

/**
 * The invocation log of one socket (op, seq, end_seq, skb_len per dispatch), kept in a primitive
 * ring so that logging allocates nothing per event once warm; records are made only when a test
 * observes them.
 *
 * <p>The log is bounded like the map a kernel program logs into: it keeps the newest
 * {@value #CAPACITY} entries since the last {@link #drain()} and counts the ones it had to drop.
 * Step-by-step observation (the conformance suite) never comes near the bound; a long workload that
 * never observes does not grow without limit.
 */
final class InvocationLog {
    static final int CAPACITY = 16_384;
    private static final int FIELDS = 4;

    private int[] entries = new int[FIELDS * 64];
    private int head;
    private int size;
    private long dropped;

    void add(int op, int seq, int endSeq, int skbLen) {
        if (size == CAPACITY) {
            head = (head + 1) % CAPACITY;
            size--;
            dropped++;
        } else if (size * FIELDS == entries.length) {
            grow();
        }
        int capacityEntries = entries.length / FIELDS;
        int at = ((head + size) % capacityEntries) * FIELDS;
        entries[at] = op;
        entries[at + 1] = seq;
        entries[at + 2] = endSeq;
        entries[at + 3] = skbLen;
        size++;
    }

    private void grow() {
        int capacityEntries = entries.length / FIELDS;
        int[] grown = new int[Math.min(entries.length * 2, CAPACITY * FIELDS)];
        for (int i = 0; i < size; i++) {
            System.arraycopy(entries, ((head + i) % capacityEntries) * FIELDS, grown, i * FIELDS, FIELDS);
        }
        entries = grown;
        head = 0;
    }

    /** The entries logged since the previous drain, oldest first. */
    List<Invocation> drain() {
        int capacityEntries = entries.length / FIELDS;
        List<Invocation> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int at = ((head + i) % capacityEntries) * FIELDS;
            out.add(new Invocation(entries[at], entries[at + 1], entries[at + 2], entries[at + 3]));
        }
        head = 0;
        size = 0;
        return out;
    }

    /**
     * Entries dropped (because the log was full: the oldest ones go first) since the previous call;
     * the connection adds them up ({@code AbstractConnection.droppedInvocations()}).
     */
    long takeDropped() {
        long n = dropped;
        dropped = 0;
        return n;
    }

    int pending() {
        return size;
    }

    @Override
    public String toString() {
        return "InvocationLog[" + size + " pending, " + dropped + " dropped]";
    }
}
