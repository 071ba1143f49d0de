package dev.autolowat.api;

/**
 * The Linux errno values the contract uses. Kernel calls in this SDK follow the kernel's
 * convention: a non-negative result, or {@code -errno} (rules F1–F4, K1–K3, H5).
 * Exceptions are reserved for API misuse.
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    EINTR(4),
    E2BIG(7),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    EINVAL(22),
    ENOSPC(28),
    EPIPE(32),
    ERANGE(34),
    ENOSYS(38),
    ENOPROTOOPT(92),
    EPROTONOSUPPORT(93),
    EOPNOTSUPP(95),
    EAFNOSUPPORT(97),
    ENOTCONN(107),
    ETIMEDOUT(110);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The positive errno number. */
    public int code() {
        return code;
    }

    /** The kernel return convention for this error: {@code -code()}. */
    public int negative() {
        return -code;
    }

    /** The errno for a positive number, or {@code null} when this SDK does not name it. */
    public static Errno ofCode(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /**
     * Describes a kernel-convention return value: {@code "-16 (EBUSY)"} for errors, the plain
     * number otherwise.
     */
    public static String describeResult(long result) {
        if (result >= 0) {
            return Long.toString(result);
        }
        Errno e = result >= -4095 ? ofCode((int) -result) : null;
        return result + (e == null ? "" : " (" + e.name() + ")");
    }
}
