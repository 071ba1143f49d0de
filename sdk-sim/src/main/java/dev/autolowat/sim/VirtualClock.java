package dev.autolowat.sim;

/**
 * The simulator's time: it moves only when the model says so (a packet takes
 * {@link #PACKET_NANOS}, a blocking recv that times out waits its timeout). No thread ever sleeps.
 */
final class VirtualClock {
    /** Time charged to every packet, so that {@code bpf_ktime_get_ns()} increases along a scenario. */
    static final long PACKET_NANOS = 1_000;

    private long nanos;

    long nanos() {
        return nanos;
    }

    void advance(long delta) {
        nanos += delta;
    }
}
