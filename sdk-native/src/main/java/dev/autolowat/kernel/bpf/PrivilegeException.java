package dev.autolowat.kernel.bpf;

/**
 * {@code bpf(2)} refused with {@code EPERM} or {@code EACCES} because the process lacks the
 * privileges: the message says {@value #ADVICE}, and shows the effective uid and capability set
 * seen in {@code /proc/self/status}.
 */
public class PrivilegeException extends BpfException {
    /** What to do, as every message of this exception says it. */
    public static final String ADVICE = "bpf() needs root or CAP_BPF+CAP_NET_ADMIN (+CAP_PERFMON for some helpers);"
            + " run as root or grant the capabilities";

    public PrivilegeException(BpfCommand command, int errno, String context) {
        super(command, errno, ADVICE + (context == null || context.isEmpty() ? "" : " (" + context + ")"));
    }
}
