package dev.autolowat.api.btf;

import dev.autolowat.api.AutoLowatException;

import java.util.List;

/**
 * A query on a well-formed {@link Btf} asked for something this BTF does not have in the form
 * asked: a struct that does not exist, a member that the struct does not have, a dotted path that
 * goes through a member that is not a struct or union, an enumerator with different values in
 * different enums. The message names the struct and field, the kernel ({@code uname -r}) the BTF
 * came from, and a few similar names that do exist, e.g. {@code struct tcp_sock has no member
 * 'copied_seqq' in the vmlinux BTF of kernel 6.18.0 (/sys/kernel/btf/vmlinux); similar members:
 * copied_seq, urg_seq, ...}.
 *
 * <p>For the native backend this means the program cannot be relocated for this kernel (a
 * {@code FieldRef} names a field the kernel does not have); the simulator is not involved.
 */
public class BtfLookupException extends AutoLowatException {
    private final String struct;
    private final String field;
    private final List<String> similar;

    public BtfLookupException(String message, String struct, String field, List<String> similar) {
        super(message);
        this.struct = struct;
        this.field = field;
        this.similar = List.copyOf(similar);
    }

    /** The struct (or enum) asked for; null when the query named none. */
    public String struct() {
        return struct;
    }

    /** The field (or enumerator) asked for, dotted as given; null when the query named none. */
    public String field() {
        return field;
    }

    /** Existing names close to the one asked for, nearest first (at most a few; may be empty). */
    public List<String> similar() {
        return similar;
    }
}
