package dev.autolowat.sim;

import dev.autolowat.api.event.RecvmsgDone;

/** The reusable {@link RecvmsgDone} of one socket (H2). */
final class SimRecvmsgDone implements RecvmsgDone {
    private int copied;

    void set(int copied) {
        this.copied = copied;
    }

    @Override
    public int bytesCopied() {
        return copied;
    }

    @Override
    public String toString() {
        return "RecvmsgDone[copied=" + copied + "]";
    }
}
