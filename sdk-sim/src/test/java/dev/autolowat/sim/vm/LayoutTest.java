package dev.autolowat.sim.vm;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two access rules of {@link Layout} on layouts built here (the VM's own layouts are checked
 * against a kernel by ContextAccessTableTest): UAPI is the kernel's {@code *_is_valid_access()}
 * for uapi context structs ({@code off % size == 0}, whole fields, narrow loads only where a field
 * allows them, writes only to writable fields), BTF the rule for kernel objects (any load inside one
 * member, pointers whole, no store).
 */
class LayoutTest {
    /** 0 scalar, 4 narrow (span 2), 8 narrow at start, 12 writable, 16 pointer, 24 denied, 28..31 a hole. */
    private static Layout uapi() {
        return Layout.builder("ctx", 32, Layout.Rule.UAPI)
                .scalar("a", 0, 4)
                .narrow("flags", 4, 4, 2)
                .narrowAtStart("family", 8, 4)
                .writable("reply", 12, 4)
                .pointer("sk", 16)
                .denied("secret", 24, 4, "not for this program type")
                .build();
    }

    /** 0 an 8-byte scalar, 8 16 bytes, 24 a pointer. */
    private static Layout btf() {
        return Layout.builder("obj", 32, Layout.Rule.BTF)
                .scalar("word", 0, 8)
                .bytes("cb", 8, 16)
                .pointer("next", 24)
                .build();
    }

    private static void ok(Layout l, long off, int size, boolean write) {
        assertNull(l.reason(off, size, write), () -> (write ? "write " : "read ") + off + "/" + size);
        assertSame(l.member(fieldAt(l, off)), l.check(off, size, write));
    }

    private static String fieldAt(Layout l, long off) {
        for (Layout.Member m : l.members) {
            if (off >= m.off && off < m.off + m.size) {
                return m.name;
            }
        }
        throw new AssertionError("no member at " + off);
    }

    private static void refused(Layout l, long off, int size, boolean write, String why) {
        String reason = l.reason(off, size, write);
        assertTrue(reason != null && reason.contains(why), () -> (write ? "write " : "read ") + off + "/" + size
                + ": expected '" + why + "' in " + reason);
        Fault f = assertThrows(Fault.class, () -> l.check(off, size, write));
        assertEquals(reason, f.getMessage());
    }

    @Test
    @DisplayName("the builder keeps every member, in order, each with its index, offset, size and kind")
    void members() {
        Layout l = uapi();
        List<String> names = new ArrayList<>();
        l.fieldNames().forEach(names::add);
        assertEquals(List.of("a", "flags", "family", "reply", "sk", "secret"), names);
        assertEquals(6, l.members.length);
        for (int i = 0; i < l.members.length; i++) {
            assertEquals(i, l.members[i].id);
            assertSame(l.members[i], l.member(l.members[i].name));
        }
        assertEquals(Layout.Kind.POINTER, l.member("sk").kind);
        assertEquals(8, l.member("sk").size);
        assertEquals(Layout.Kind.BYTES, btf().member("cb").kind);
        assertTrue(l.member("reply").writable);
        assertNull(l.member("nope"));
        assertEquals(32, l.size());
        assertEquals("ctx", l.name);
        assertEquals(Layout.Rule.UAPI, l.rule);
    }

    @Test
    @DisplayName("members may not overlap: the builder's layout names both")
    void overlap() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Layout.builder("s", 16, Layout.Rule.UAPI).scalar("x", 0, 8).scalar("y", 4, 4).build());
        assertEquals("s: y overlaps x", e.getMessage());
        // adjacent is fine, and the last byte belongs to the last member
        Layout l = Layout.builder("s", 8, Layout.Rule.BTF).scalar("x", 0, 4).scalar("y", 4, 4).build();
        assertSame(l.member("y"), l.check(7, 1, false), "y's last byte");
        assertSame(l.member("x"), l.check(3, 1, false), "x's last byte");
    }

    @Test
    @DisplayName("UAPI reads: whole fields; narrow loads inside a field's span or at its first byte; aligned; pointers whole")
    void uapiReads() {
        Layout l = uapi();
        ok(l, 0, 4, false);
        refused(l, 0, 2, false, "is read whole (no narrow loads)");
        refused(l, 0, 8, false, "is read whole");
        refused(l, 2, 4, false, "misaligned");
        refused(l, 1, 1, false, "is read whole");
        ok(l, 4, 4, false);
        ok(l, 4, 1, false);
        ok(l, 5, 1, false);
        ok(l, 4, 2, false);
        refused(l, 6, 1, false, "narrower loads must stay in its first 2 bytes");
        refused(l, 6, 2, false, "narrower loads must stay in its first 2 bytes");
        ok(l, 8, 1, false);
        ok(l, 8, 2, false);
        refused(l, 9, 1, false, "narrower loads must start at its first byte (offset 8)");
        refused(l, 10, 2, false, "narrower loads must start at its first byte (offset 8)");
        ok(l, 12, 4, false);
        ok(l, 16, 8, false);
        refused(l, 16, 4, false, "a pointer field is read with one 8-byte load");
        refused(l, 20, 4, false, "a pointer field is read with one 8-byte load");
        refused(l, 24, 4, false, "not for this program type");
        refused(l, 28, 4, false, "no field there");
        refused(l, 32, 4, false, "outside the 32-byte struct");
        refused(l, -4, 4, false, "outside the 32-byte struct");
    }

    @Test
    @DisplayName("UAPI writes: only whole writable fields")
    void uapiWrites() {
        Layout l = uapi();
        ok(l, 12, 4, true);
        refused(l, 12, 2, true, "only whole-field 4-byte writes are allowed");
        refused(l, 14, 2, true, "only whole-field 4-byte writes are allowed");
        refused(l, 12, 8, true, "only whole-field 4-byte writes are allowed");
        refused(l, 0, 4, true, "the field is read-only");
        refused(l, 16, 8, true, "the field is read-only");
        refused(l, 24, 4, true, "not for this program type");
    }

    @Test
    @DisplayName("BTF: any load inside one member, none past its end; pointers whole; no store")
    void btfRules() {
        Layout l = btf();
        ok(l, 0, 8, false);
        ok(l, 2, 2, false);
        ok(l, 7, 1, false);
        ok(l, 4, 4, false);
        refused(l, 6, 4, false, "the access runs past the end of the field (8 bytes)");
        ok(l, 8, 8, false);
        ok(l, 20, 4, false);
        ok(l, 23, 1, false);
        refused(l, 22, 4, false, "runs past the end of the field (16 bytes)");
        ok(l, 24, 8, false);
        refused(l, 24, 4, false, "a pointer field is read with one 8-byte load");
        refused(l, 0, 8, true, "kernel objects are read-only");
        refused(l, 8, 4, true, "kernel objects are read-only");
    }

    @Test
    @DisplayName("reason() and check() agree on every offset and size, reads and writes")
    void reasonAndCheckAgree() {
        for (Layout l : new Layout[] {uapi(), btf()}) {
            for (long off = -2; off < l.size() + 2; off++) {
                for (int size : new int[] {1, 2, 4, 8}) {
                    for (boolean write : new boolean[] {false, true}) {
                        String reason = l.reason(off, size, write);
                        long o = off;
                        if (reason == null) {
                            assertSame(l.member(fieldAt(l, o)), l.check(o, size, write));
                        } else {
                            assertThrows(Fault.class, () -> l.check(o, size, write));
                        }
                    }
                }
            }
        }
    }
}
