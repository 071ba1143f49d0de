package dev.autolowat.kernel.socket;

import dev.autolowat.kernel.KernelEnvironmentException;
import dev.autolowat.kernel.sys.ErrnoNames;

import java.util.Set;

/**
 * A system call needed to <em>build</em> a {@link NativeTcpPair} (socket, bind, listen, connect,
 * accept, epoll setup) failed, so there is no connection to run rules on. Calls made on a built
 * pair never throw this: they return the kernel's result or {@code -errno} (decision D3).
 *
 * <p>The message names the call, the errno by name and number, and what to do. When the machine
 * simply lacks something — no IPv6 ({@code EAFNOSUPPORT}), no {@code ::1} on loopback
 * ({@code EADDRNOTAVAIL}), a protocol the kernel was built without — {@link #notSupportedByMachine()}
 * is true, and tests report the rule as "not supported by this machine" rather than as a pass.
 */
public class NativeSocketException extends KernelEnvironmentException {

    /** Errnos that mean "this machine does not offer it", not "something is broken". */
    private static final Set<Integer> UNSUPPORTED = Set.of(
            92,  // ENOPROTOOPT
            93,  // EPROTONOSUPPORT
            94,  // ESOCKTNOSUPPORT
            96,  // EPFNOSUPPORT
            97,  // EAFNOSUPPORT
            99); // EADDRNOTAVAIL

    private final String call;
    private final int errno;

    /**
     * @param call   the failed call as written in the message, e.g. {@code bind(AF_INET6 [::1]:0)}
     * @param result the call's {@code -errno}
     * @param advice what the reader can do about it (may be empty)
     */
    public NativeSocketException(String call, int result, String advice) {
        super(message(call, result, advice));
        this.call = call;
        this.errno = result < 0 ? -result : 0;
    }

    private static String message(String call, int result, String advice) {
        return call + " returned " + ErrnoNames.describe(result) + (advice == null || advice.isEmpty() ? "" : ": " + advice);
    }

    /** The failed call, as written in the message. */
    public String call() {
        return call;
    }

    /** The positive errno number the call failed with. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EADDRNOTAVAIL}. */
    public String errnoName() {
        return ErrnoNames.name(errno);
    }

    /**
     * Whether the failure means this machine does not offer what was asked (an address family, a
     * loopback address, a protocol), as opposed to a fault: such tests are skipped with
     * "not supported by this machine", never passed.
     */
    public boolean notSupportedByMachine() {
        return UNSUPPORTED.contains(errno);
    }

    /** {@code machine} when {@link #notSupportedByMachine()}. */
    @Override
    public java.util.Optional<String> unsupportedBy() {
        return notSupportedByMachine() ? java.util.Optional.of("machine") : java.util.Optional.empty();
    }
}
