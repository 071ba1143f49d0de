package dev.autolowat.sim.tcp;

/**
 * Rule F3's guards as a seam of the socket model: asked before the flag word changes (F1, F2). The
 * reference is {@link TcpSocketModel#rcvqGuard}; {@link Mutants} replaces it for
 * {@link dev.autolowat.sim.SimFault#WRONG_FLAG_GUARD}.
 */
interface FlagGuard {
    /**
     * @param newWord the word the socket's flags are about to become
     * @return 0, or the negative errno of the first failing guard (the word then stays unchanged)
     */
    int check(TcpSocketModel socket, int newWord);

    /** The contract's guards. */
    FlagGuard REFERENCE = TcpSocketModel::rcvqGuard;
}
