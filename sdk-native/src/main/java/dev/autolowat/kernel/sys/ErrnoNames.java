package dev.autolowat.kernel.sys;

import dev.autolowat.api.Errno;

import java.util.Map;

/**
 * Names of Linux errno values (x86-64), for messages: the SDK's own {@link Errno} first, then a
 * small table of the codes socket, epoll and {@code bpf(2)} calls can return that the SDK does not
 * name (EADDRNOTAVAIL, EMFILE, ECONNREFUSED, the kernel-internal ENOTSUPP 524...).
 *
 * <p>Kernel calls in this SDK return a result or {@code -errno} (rules K2, K4, H5 and the SDK's
 * decision D3); {@link #describe(long)} renders such a value as {@code "-99 (EADDRNOTAVAIL)"}.
 */
public final class ErrnoNames {

    private static final Map<Integer, String> EXTRA = Map.ofEntries(
            Map.entry(3, "ESRCH"),
            Map.entry(5, "EIO"),
            Map.entry(6, "ENXIO"),
            Map.entry(10, "ECHILD"),
            Map.entry(19, "ENODEV"),
            Map.entry(20, "ENOTDIR"),
            Map.entry(21, "EISDIR"),
            Map.entry(23, "ENFILE"),
            Map.entry(24, "EMFILE"),
            Map.entry(25, "ENOTTY"),
            Map.entry(88, "ENOTSOCK"),
            Map.entry(89, "EDESTADDRREQ"),
            Map.entry(90, "EMSGSIZE"),
            Map.entry(91, "EPROTOTYPE"),
            Map.entry(94, "ESOCKTNOSUPPORT"),
            Map.entry(96, "EPFNOSUPPORT"),
            Map.entry(98, "EADDRINUSE"),
            Map.entry(99, "EADDRNOTAVAIL"),
            Map.entry(100, "ENETDOWN"),
            Map.entry(101, "ENETUNREACH"),
            Map.entry(103, "ECONNABORTED"),
            Map.entry(104, "ECONNRESET"),
            Map.entry(105, "ENOBUFS"),
            Map.entry(106, "EISCONN"),
            Map.entry(108, "ESHUTDOWN"),
            Map.entry(111, "ECONNREFUSED"),
            Map.entry(113, "EHOSTUNREACH"),
            Map.entry(114, "EALREADY"),
            Map.entry(115, "EINPROGRESS"),
            Map.entry(524, "ENOTSUPP"));

    private ErrnoNames() {
    }

    /**
     * The symbolic name of a positive errno number ({@code 11 -> "EAGAIN"}, {@code 99 ->
     * "EADDRNOTAVAIL"}), or {@code "errno N"} when neither the SDK nor this table names it.
     */
    public static String name(int code) {
        Errno e = Errno.ofCode(code);
        if (e != null) {
            return e.name();
        }
        String extra = EXTRA.get(code);
        return extra != null ? extra : "errno " + code;
    }

    /** Whether {@link #name(int)} knows a symbolic name for {@code code}. */
    public static boolean isNamed(int code) {
        return Errno.ofCode(code) != null || EXTRA.containsKey(code);
    }

    /**
     * A kernel-convention result for a message: the plain number when {@code result >= 0},
     * otherwise {@code "-99 (EADDRNOTAVAIL)"} (as {@link Errno#describeResult(long)}, with this
     * class's larger table).
     */
    public static String describe(long result) {
        if (result >= 0 || result < -4095) {
            return Errno.describeResult(result);
        }
        return result + " (" + name((int) -result) + ")";
    }
}
