package dev.autolowat.kernel.bpf;

import dev.autolowat.kernel.KernelEnvironmentException;
import dev.autolowat.kernel.sys.ErrnoNames;

/**
 * A {@code bpf(2)} command failed. The message names the command as the kernel does
 * ({@code BPF_MAP_CREATE}), the errno by name and number ({@code EINVAL (22)}) and the reason in
 * the terms of that command, e.g. which attribute the kernel refuses, and what to do.
 *
 * <p>Subclasses: {@link PrivilegeException} (EPERM/EACCES where the process lacks the
 * capabilities). A verifier rejection is a {@link VerifierRejectedException}, which is a
 * {@link dev.autolowat.api.ProgramRejectedException} instead.
 */
public class BpfException extends KernelEnvironmentException {
    private final BpfCommand command;
    private final int errno;
    private final String reason;

    /**
     * @param command the failed command
     * @param errno   the positive errno the kernel returned
     * @param reason  what it means for this command and what to do (may be empty)
     */
    public BpfException(BpfCommand command, int errno, String reason) {
        super(message(command, errno, reason));
        this.command = command;
        this.errno = errno;
        this.reason = reason == null ? "" : reason;
    }

    static String message(BpfCommand command, int errno, String reason) {
        return "bpf(" + command.kernelName() + ") failed with " + ErrnoNames.name(errno) + " (" + errno + ")"
                + (reason == null || reason.isEmpty() ? "" : ": " + reason);
    }

    /** The command that failed. */
    public BpfCommand command() {
        return command;
    }

    /** The positive errno number. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EINVAL}. */
    public String errnoName() {
        return ErrnoNames.name(errno);
    }

    /** The reason as written in the message (without the command and errno). */
    public String reason() {
        return reason;
    }
}
