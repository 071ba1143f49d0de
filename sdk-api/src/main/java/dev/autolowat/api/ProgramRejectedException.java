package dev.autolowat.api;

/**
 * A backend refused to load or attach a program: the program form is not supported by this
 * backend, the program needs a kernel feature that is missing, the program is already attached,
 * or its bytecode was rejected. The message names the program and the reason.
 */
public class ProgramRejectedException extends AutoLowatException {
    public ProgramRejectedException(String message) {
        super(message);
    }

    public ProgramRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
