package dev.autolowat.api.btf;

import dev.autolowat.api.AutoLowatException;

/**
 * A BTF blob is malformed: the message names the blob, the byte offset (from the start of the blob,
 * header included) and what was wrong there, e.g.
 * {@code malformed BTF (the vmlinux BTF of kernel 6.18.0) at byte 5316 (0x14c4): type [180] has
 * unknown kind 20 (info 0x14000000); this reader knows kinds 1 (INT) to 19 (ENUM64)}.
 *
 * <p>{@link Btf#parse} checks the header, the section bounds, every record's length, every string
 * offset and every type reference, so queries on a parsed {@link Btf} never index out of bounds.
 * A few problems can only be seen when a query follows a chain of types (a typedef cycle, an array
 * larger than 4 GiB, a struct member of a type that has no size); the query then throws this
 * exception, naming the type's record.
 */
public class BtfFormatException extends AutoLowatException {
    private final long offset;
    private final String problem;

    /**
     * @param origin  what was parsed, e.g. {@code the vmlinux BTF of kernel 6.18.0}
     * @param offset  byte offset in the blob where the problem is
     * @param problem what is wrong there
     */
    public BtfFormatException(String origin, long offset, String problem) {
        super("malformed BTF (" + origin + ") at byte " + offset + " (0x" + Long.toHexString(offset) + "): " + problem);
        this.offset = offset;
        this.problem = problem;
    }

    /** The byte offset, from the start of the blob, where the problem is. */
    public long offset() {
        return offset;
    }

    /** What is wrong, without the blob's name and offset. */
    public String problem() {
        return problem;
    }
}
