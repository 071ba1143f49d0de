package dev.autolowat.api.object;

import dev.autolowat.api.AutoLowatException;

/**
 * A BPF object file the SDK cannot read: not ELF, not BPF, big-endian, truncated, corrupt, or
 * using an ELF or libbpf feature the SDK does not support. The message names the file, the section
 * or record, and what is wrong; nothing was loaded anywhere.
 */
public class BpfObjectFormatException extends AutoLowatException {
    private final String origin;
    private final String problem;

    public BpfObjectFormatException(String origin, String problem) {
        super("cannot read BPF object " + origin + ": " + problem);
        this.origin = origin;
        this.problem = problem;
    }

    public BpfObjectFormatException(String origin, String problem, Throwable cause) {
        super("cannot read BPF object " + origin + ": " + problem, cause);
        this.origin = origin;
        this.problem = problem;
    }

    /** The file (or the name given to the bytes) that was read. */
    public String origin() {
        return origin;
    }

    /** What is wrong, without the file's name. */
    public String problem() {
        return problem;
    }
}
