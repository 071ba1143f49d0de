package dev.autolowat.sim.tcp;

/**
 * The cap of rules K1/K2 as a seam of the socket model: what {@code tcp_set_rcvlowat()} stores for a
 * requested non-negative value before {@code 0 → 1}. {@link Mutants} replaces it for
 * {@link dev.autolowat.sim.SimFault#LOWAT_NOT_CAPPED}.
 */
interface LowatCap {
    /** The value after the cap, for {@code val >= 0}. */
    int apply(TcpSocketModel socket, int val);

    /** {@code min(val, cap)}, the cap being {@link TcpSocketModel#lowatCap()}. */
    LowatCap REFERENCE = (socket, val) -> Math.min(val, socket.lowatCap());
}
