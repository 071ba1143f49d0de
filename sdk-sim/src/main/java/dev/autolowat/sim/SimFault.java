package dev.autolowat.sim;

/**
 * Deliberate defects that can be switched on in the simulator ({@link SimConfig#withFaults}) to make
 * a <em>broken</em> backend: a test-only mutant that breaks exactly one rule of the contract while
 * still claiming full conformance (same {@link SimBackend#capabilities() capabilities}; its
 * {@link SimBackend#name() name} carries the faults, e.g. {@code sim+hook_after_wakeup}).
 *
 * <p>They exist only so that a conformance suite can prove it catches broken backends: a suite that
 * passes against a mutant does not test the rule the mutant breaks. Never enable them for anything
 * else. Without faults (the default) the simulator is unchanged and pays nothing for them: the
 * reference socket model has no branch on them; each fault is a decorator of one of its seams,
 * chosen once when a socket is created ({@code dev.autolowat.sim.tcp.Mutants}).
 *
 * <p>See {@code docs/simulator.md}, "Fault injection (for testing conformance suites)".
 */
public enum SimFault {
    /**
     * Breaks rule F3: the guards are skipped, so RCVQ can be set (by F1 {@code cbFlagsSet} and by
     * F2 {@code bpf_setsockopt(TCP_BPF_SOCK_OPS_CB_FLAGS)}) while data is queued, on a
     * SOCKMAP/SOCKHASH member and on an MPTCP socket, instead of failing with {@code -EBUSY} /
     * {@code -EOPNOTSUPP}. F4 (adding an RCVQ socket to a SOCKMAP) is left intact.
     * <p>Exists only to test conformance suites.
     */
    WRONG_FLAG_GUARD,

    /**
     * Breaks rules K1 and K2 (and K3 on a socket with a {@code struct socket}, which is K2): the cap
     * ({@code tcp_rmem[2]/2}, or {@code sk_rcvbuf/2} once SO_RCVBUF was set) is ignored, so
     * {@code sk_rcvlowat} takes the value as given (0 still becomes 1; rcvbuf growth follows the
     * uncapped value).
     * <p>Exists only to test conformance suites.
     */
    LOWAT_NOT_CAPPED,

    /**
     * Breaks rule H1 (and the H3 ordering that follows from it): op 21 for the segments of an arriving
     * packet runs <em>after</em> that packet's wakeup decision instead of before it, so a lowat the
     * program sets for a segment only takes effect from the next packet on. The hook still runs once per
     * in-order segment, in sequence order, with the right event and payload.
     * <p>Exists only to test conformance suites.
     */
    HOOK_AFTER_WAKEUP,

    /**
     * Breaks rule H2: op 21 never runs at the end of a recvmsg that copied data (no
     * {@code RecvmsgDone}, no invocation-log entry), so a policy cannot lower the lowat as the reader
     * consumes a frame.
     * <p>Exists only to test conformance suites.
     */
    RECVMSG_HOOK_MISSING
}
