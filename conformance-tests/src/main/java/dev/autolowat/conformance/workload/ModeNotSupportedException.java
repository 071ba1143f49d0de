package dev.autolowat.conformance.workload;

import dev.autolowat.api.AutoLowatException;

/**
 * A workload's {@link ReaderMode} cannot run on a backend: BPF AutoLOWAT on a kernel without the
 * series (no op 21). Thrown before anything is measured, so that no numbers of another mode are
 * reported under this mode's name.
 */
public final class ModeNotSupportedException extends AutoLowatException {
    private final ReaderMode mode;
    private final String backend;

    public ModeNotSupportedException(ReaderMode mode, String backend, String reason) {
        super(mode.label() + " is not supported by this kernel on backend '" + backend + "': " + reason);
        this.mode = mode;
        this.backend = backend;
    }

    public ReaderMode mode() {
        return mode;
    }

    public String backend() {
        return backend;
    }
}
