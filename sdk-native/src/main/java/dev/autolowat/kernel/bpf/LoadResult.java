package dev.autolowat.kernel.bpf;

/**
 * What {@code BPF_PROG_LOAD} or {@code BPF_BTF_LOAD} returned: a new descriptor or {@code -errno},
 * with the verifier's log when one was asked for.
 *
 * @param result      the new descriptor (&gt;= 0) or {@code -errno}
 * @param log         the log the kernel wrote (empty when none was asked for or nothing was written)
 * @param logTrueSize the size the whole log needs, NUL included ({@code log_true_size}, Linux 6.4+;
 *                    0 when the kernel does not report it)
 * @param logSize     the size of the buffer that was offered
 */
public record LoadResult(long result, String log, int logTrueSize, int logSize) {
    /** Whether a descriptor came back. */
    public boolean ok() {
        return result >= 0;
    }

    /** The positive errno, or 0 on success. */
    public int errno() {
        return result < 0 ? (int) -result : 0;
    }

    /** Whether the kernel had more log than the buffer held. */
    public boolean logTruncated() {
        return logTrueSize > logSize && logSize > 0;
    }
}
