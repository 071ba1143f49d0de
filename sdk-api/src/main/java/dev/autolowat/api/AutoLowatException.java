package dev.autolowat.api;

/**
 * Base of the SDK's exceptions. Messages say what is wrong and what to do about it.
 * Kernel-level failures of a program's helper calls are not exceptions: they are
 * {@code -errno} return values, as in the kernel.
 */
public class AutoLowatException extends RuntimeException {
    public AutoLowatException(String message) {
        super(message);
    }

    public AutoLowatException(String message, Throwable cause) {
        super(message, cause);
    }
}
