package dev.autolowat.kernel.socket;

/**
 * The kernel refused an MPTCP socket ({@code socket(..., IPPROTO_MPTCP)}): {@code ENOPROTOOPT} when
 * MPTCP is built in but disabled in this network namespace ({@code net.mptcp.enabled = 0}),
 * {@code EPROTONOSUPPORT} when the kernel has no MPTCP (or no MPTCP over IPv6). MPTCP pairs are how
 * rule F3's MPTCP guard is checked; without them that rule is "not supported by this machine".
 */
public class MptcpUnavailableException extends NativeSocketException {

    /**
     * @param call   the refused call, e.g. {@code socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP=262)}
     * @param result its {@code -errno}
     */
    public MptcpUnavailableException(String call, int result) {
        super(call, result, advice(result));
    }

    static String advice(int result) {
        String common = "MPTCP is not available on this machine. ";
        if (result == -92) {
            return common + "ENOPROTOOPT means the kernel has MPTCP but it is disabled in this network namespace: "
                    + "enable it with `sysctl -w net.mptcp.enabled=1` (as root; check with `sysctl net.mptcp.enabled`).";
        }
        if (result == -93) {
            return common + "EPROTONOSUPPORT means the kernel was built without MPTCP (CONFIG_MPTCP, and "
                    + "CONFIG_MPTCP_IPV6 for IPv6): use a kernel built with it, then make sure "
                    + "`sysctl net.mptcp.enabled` is 1.";
        }
        return common + "Check `sysctl net.mptcp.enabled` (must be 1; set it with `sysctl -w net.mptcp.enabled=1`) "
                + "and that the kernel is built with CONFIG_MPTCP.";
    }

    /** Always true: without MPTCP, MPTCP checks are "not supported by this machine". */
    @Override
    public boolean notSupportedByMachine() {
        return true;
    }
}
