package dev.autolowat.sim.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The field layout of a context or kernel object the VM exposes: which byte ranges are fields,
 * their sizes, which may be written, and which access rule applies.
 *
 * <ul>
 *   <li>{@link Rule#UAPI}: the rule of the kernel's {@code *_is_valid_access()} functions for
 *       uapi structs ({@code struct bpf_sock_ops}, {@code bpf_sockopt}, {@code bpf_sock},
 *       {@code bpf_tcp_sock}): {@code off % size == 0}, whole-field accesses only, except fields
 *       marked narrow, which also take aligned 1/2-byte loads inside their first
 *       {@link Member#narrowSpan} bytes, and fields marked narrow-at-start
 *       ({@link Member#narrowAtStart}), which take 1/2-byte loads at their first byte only.</li>
 *   <li>{@link Rule#BTF}: kernel objects reached through BTF pointers ({@code tcp_sock},
 *       {@code bpf_sock_ops_kern}, {@code sk_buff}): any load that stays inside one member;
 *       pointer members only as whole 8-byte loads; never a store.</li>
 * </ul>
 */
final class Layout {
    enum Rule { UAPI, BTF }

    enum Kind { SCALAR, POINTER, BYTES }

    /** One field. {@code id} is the field's index in {@link #members}. */
    static final class Member {
        final String name;
        final int off;
        final int size;
        final Kind kind;
        final boolean writable;
        final int narrowSpan;
        /**
         * Narrower loads only at the field's first byte: the kernel's {@code *_is_valid_access()}
         * matches the field with {@code case offsetof(...)} (one offset) rather than
         * {@code bpf_ctx_range(...)} (every byte), so a 1-byte load at {@code off + 1} falls to the
         * default case and is refused.
         */
        final boolean narrowAtStart;
        /** Non-null: the field exists but this program type may not touch it, and why. */
        final String denied;
        int id;

        Member(String name, int off, int size, Kind kind, boolean writable, int narrowSpan, boolean narrowAtStart,
               String denied) {
            this.name = name;
            this.off = off;
            this.size = size;
            this.kind = kind;
            this.writable = writable;
            this.narrowSpan = narrowSpan;
            this.narrowAtStart = narrowAtStart;
            this.denied = denied;
        }
    }

    final String name;
    final int size;
    final Rule rule;
    final Member[] members;
    private final Member[] byByte;
    private final Map<String, Member> byName = new LinkedHashMap<>();

    private Layout(String name, int size, Rule rule, List<Member> members) {
        this.name = name;
        this.size = size;
        this.rule = rule;
        this.members = members.toArray(new Member[0]);
        this.byByte = new Member[size];
        for (int i = 0; i < this.members.length; i++) {
            Member m = this.members[i];
            m.id = i;
            for (int b = m.off; b < m.off + m.size; b++) {
                if (byByte[b] != null) {
                    throw new IllegalStateException(name + ": " + m.name + " overlaps " + byByte[b].name);
                }
                byByte[b] = m;
            }
            byName.put(m.name, m);
        }
    }

    Member member(String field) {
        return byName.get(field);
    }

    Iterable<String> fieldNames() {
        return byName.keySet();
    }

    /**
     * The member an access of {@code size} bytes at {@code off} touches, or a {@link Fault} that
     * says why the access is invalid (the same words whether found at load time or at run time).
     */
    Member check(long off, int size, boolean write) {
        String reason = reason(off, size, write);
        if (reason != null) {
            throw new Fault(reason);
        }
        return byByte[(int) off];
    }

    /** Null when the access is valid, else why not. */
    String reason(long off, int size, boolean write) {
        if (off < 0 || off >= size()) {
            return "invalid " + name + " access off=" + off + " size=" + size + ": outside the " + this.size
                    + "-byte struct";
        }
        Member m = byByte[(int) off];
        if (m == null) {
            return "invalid " + name + " access off=" + off + " size=" + size + ": no field there";
        }
        if (m.denied == null) {
            if (write ? rule == Rule.UAPI && m.writable && off == m.off && size == m.size : readOk(m, off, size)) {
                return null;
            }
        }
        String at = name + "." + m.name + " (off=" + off + " size=" + size + ")";
        if (m.denied != null) {
            return "invalid access to " + at + ": " + m.denied;
        }
        if (write) {
            if (rule == Rule.BTF) {
                return "invalid write to " + at + ": kernel objects are read-only for this program type";
            }
            if (!m.writable) {
                return "invalid write to " + at + ": the field is read-only";
            }
            if (off != m.off || size != m.size) {
                return "invalid write to " + at + ": only whole-field " + m.size + "-byte writes are allowed";
            }
            return null;
        }
        if (m.kind == Kind.POINTER) {
            if (off != m.off || size != 8) {
                return "invalid read of " + at + ": a pointer field is read with one 8-byte load";
            }
            return null;
        }
        if (rule == Rule.BTF) {
            if (off + size > m.off + m.size) {
                return "invalid read of " + at + ": the access runs past the end of the field (" + m.size
                        + " bytes)";
            }
            return null;
        }
        if (off % size != 0) {
            return "invalid bpf_context access " + at + ": misaligned";
        }
        if (off == m.off && size == m.size) {
            return null;
        }
        if (narrowOk(m, off, size)) {
            return null;
        }
        return "invalid bpf_context access " + at + ": the field is " + m.size + " bytes and "
                + (m.narrowAtStart ? "narrower loads must start at its first byte (offset " + m.off + ")"
                : m.narrowSpan > 0 ? "narrower loads must stay in its first " + m.narrowSpan + " bytes"
                : "is read whole (no narrow loads)");
    }

    /** The happy path of {@link #reason} for reads, without building any message. */
    private boolean readOk(Member m, long off, int size) {
        if (m.kind == Kind.POINTER) {
            return off == m.off && size == 8;
        }
        if (rule == Rule.BTF) {
            return off + size <= m.off + m.size;
        }
        if (off % size != 0) {
            return false;
        }
        return (off == m.off && size == m.size) || narrowOk(m, off, size);
    }

    /** An aligned load narrower than the field that the field's narrow rule allows. */
    private static boolean narrowOk(Member m, long off, int size) {
        if (size >= m.size) {
            return false;
        }
        if (m.narrowAtStart) {
            return off == m.off;
        }
        return m.narrowSpan > 0 && off + size <= m.off + m.narrowSpan;
    }

    int size() {
        return size;
    }

    static Builder builder(String name, int size, Rule rule) {
        return new Builder(name, size, rule);
    }

    static final class Builder {
        private final String name;
        private final int size;
        private final Rule rule;
        private final List<Member> members = new ArrayList<>();

        private Builder(String name, int size, Rule rule) {
            this.name = name;
            this.size = size;
            this.rule = rule;
        }

        Builder scalar(String field, int off, int size) {
            members.add(new Member(field, off, size, Kind.SCALAR, false, 0, false, null));
            return this;
        }

        Builder narrow(String field, int off, int size, int span) {
            members.add(new Member(field, off, size, Kind.SCALAR, false, span, false, null));
            return this;
        }

        /**
         * A field whose narrower loads (1 or 2 bytes, aligned) must start at its first byte: the
         * kernel matches it with {@code case offsetof(...)} and {@code bpf_ctx_narrow_access_ok()}.
         */
        Builder narrowAtStart(String field, int off, int size) {
            members.add(new Member(field, off, size, Kind.SCALAR, false, 0, true, null));
            return this;
        }

        Builder writable(String field, int off, int size) {
            members.add(new Member(field, off, size, Kind.SCALAR, true, 0, false, null));
            return this;
        }

        Builder pointer(String field, int off) {
            members.add(new Member(field, off, 8, Kind.POINTER, false, 0, false, null));
            return this;
        }

        Builder bytes(String field, int off, int size) {
            members.add(new Member(field, off, size, Kind.BYTES, false, 0, false, null));
            return this;
        }

        Builder denied(String field, int off, int size, String why) {
            members.add(new Member(field, off, size, Kind.SCALAR, false, 0, false, why));
            return this;
        }

        Layout build() {
            return new Layout(name, size, rule, members);
        }
    }
}
