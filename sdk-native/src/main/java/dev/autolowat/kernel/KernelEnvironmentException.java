package dev.autolowat.kernel;

import dev.autolowat.api.AutoLowatException;

/**
 * The running system does not provide what the native backend needs from the kernel: a file
 * under {@code /proc} or {@code /sys} is missing or holds something unexpected, or a mount
 * (cgroup v2) is absent. The message names the file, says what was found there and what to do.
 *
 * <p>Examples: {@code net.ipv4.tcp_rmem} cannot be read, so the SO_RCVLOWAT cap of rules K1/K2
 * is unknown; no cgroup2 file system is mounted, so programs cannot be attached with cgroup
 * semantics (rule H6).
 */
public class KernelEnvironmentException extends AutoLowatException {
    public KernelEnvironmentException(String message) {
        super(message);
    }

    public KernelEnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
