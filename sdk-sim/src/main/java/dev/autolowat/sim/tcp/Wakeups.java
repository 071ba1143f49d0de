package dev.autolowat.sim.tcp;

/**
 * What the socket's wakeups leave for a waiting reader (H3, H4): an edge-triggered epoll counts one
 * event per step (an arriving packet or a call) in which the socket woke at least once; a
 * level-triggered one keeps the socket on its ready list from a wakeup until a wait finds it not
 * readable. <em>Whether</em> to wake is the socket's rule ({@link TcpSocketModel}).
 */
final class Wakeups {
    private boolean wokeInStep;
    /**
     * The level-triggered epoll's item for this socket is on its ready list. A wakeup puts it there;
     * a wait that polls it and finds it not readable takes it off. Readiness that appears without a
     * wakeup (the H2 hook or the kfunc lowering {@code sk_rcvlowat}: K1 and H2 run no wakeup check)
     * is therefore not reported until the next wakeup — measured on the patched kernel.
     */
    private boolean listed;
    private long edges;

    /** {@code sk_data_ready()} / {@code sk_state_change()} woke the reader. */
    void wake() {
        wokeInStep = true;
        listed = true;
    }

    /** Ends one observable step: its wakeups collapse into one edge-triggered event. */
    void endStep() {
        if (wokeInStep) {
            edges++;
            wokeInStep = false;
        }
    }

    long edges() {
        return edges;
    }

    /** On the level-triggered ready list. */
    boolean listed() {
        return listed;
    }

    /** A wait found the socket not readable and took it off the ready list. */
    void unlist() {
        listed = false;
    }
}
