package dev.autolowat.api.spi;

import java.util.List;

/**
 * What a backend observes on the accepted socket after a step; two backends agree on a step when
 * their observations are equal.
 *
 * @param rcvLowat     {@code getsockopt(SO_RCVLOWAT)} (K4)
 * @param rcvBuf       {@code getsockopt(SO_RCVBUF)} (K4)
 * @param readable     a level-triggered {@code epoll_wait} reports {@code EPOLLIN} (H3)
 * @param edgeWakeups  edge-triggered events since the connection was made (H3: packets or calls
 *                     after which at least one wakeup happened)
 * @param cbFlags      the socket's sock_ops flag word (F1/F2)
 * @param queuedBytes  {@code ioctl(FIONREAD)}: bytes ready to read
 * @param invocations  program invocations on the accepted socket since the previous observation
 * @param droppedInvocations invocation-log entries lost since the connection was made, because more
 *                     than the log holds were written between two observations (the oldest go
 *                     first). The log's size is the backend's (the simulator keeps 16,384 entries, a
 *                     kernel program's ring what it declares), so this says whether
 *                     {@code invocations} is complete — compare invocations where it is 0 on both
 *                     sides; it is not a rule of the contract.
 */
public record Observation(int rcvLowat, int rcvBuf, boolean readable, long edgeWakeups, int cbFlags,
                          int queuedBytes, List<Invocation> invocations, long droppedInvocations) {
    public Observation {
        invocations = List.copyOf(invocations);
        if (droppedInvocations < 0) {
            throw new IllegalArgumentException("dropped invocations cannot be negative, got " + droppedInvocations);
        }
    }

    /** An observation with a complete invocation log (nothing dropped). */
    public Observation(int rcvLowat, int rcvBuf, boolean readable, long edgeWakeups, int cbFlags, int queuedBytes,
                       List<Invocation> invocations) {
        this(rcvLowat, rcvBuf, readable, edgeWakeups, cbFlags, queuedBytes, invocations, 0);
    }
}
