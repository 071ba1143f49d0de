package dev.autolowat.sim;

import dev.autolowat.api.spi.Invocation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The invocation log of one socket (op, seq, end_seq, skb_len per program run), kept in primitive
 * arrays so that logging allocates nothing per event once warm; records are made only when a
 * test observes them.
 */
final class InvocationLog {
    private int[] entries = new int[4 * 64];
    private int size;

    void add(int op, int seq, int endSeq, int skbLen) {
        if (size + 4 > entries.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        entries[size++] = op;
        entries[size++] = seq;
        entries[size++] = endSeq;
        entries[size++] = skbLen;
    }

    /** The entries logged since the previous drain. */
    List<Invocation> drain() {
        List<Invocation> out = new ArrayList<>(size / 4);
        for (int i = 0; i < size; i += 4) {
            out.add(new Invocation(entries[i], entries[i + 1], entries[i + 2], entries[i + 3]));
        }
        size = 0;
        return out;
    }

    int pending() {
        return size / 4;
    }
}
