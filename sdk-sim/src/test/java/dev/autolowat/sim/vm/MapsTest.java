package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.autolowat.api.asm.Opcode.JEQ;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The map types of the VM, through their userspace view and through programs. */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class MapsTest {
    /** Every test of this class runs once per execution mode (interpreter and translated code). */
    @Parameter
    VmOptions.ExecutionMode mode;

    private static byte[] key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(k).array();
    }

    private static byte[] val(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static BpfMap map(MapSpec spec) {
        VmMaps maps = new VmMaps();
        maps.check("t", List.of(spec));
        return maps.resolve(List.of(spec)).get(0);
    }

    @Test
    @DisplayName("ARRAY: zero-filled values, u32 index keys, BPF_NOEXIST is -EEXIST, out of range -E2BIG, delete -EINVAL")
    void array() {
        BpfMap m = map(new MapSpec("arr", MapType.ARRAY, 4, 8, 3));
        assertArrayEquals(new byte[8], m.lookup(2));
        assertNull(m.lookup(3));
        assertEquals(0, m.update(key(1), val(7), 0));
        assertArrayEquals(val(7), m.lookup(1));
        assertEquals(Errno.EEXIST.negative(), m.update(key(1), val(8), 1));
        assertEquals(0, m.update(key(1), val(8), 2));
        assertEquals(Errno.E2BIG.negative(), m.update(key(3), val(8), 0));
        assertEquals(Errno.EINVAL.negative(), m.update(key(0), val(8), 4));
        assertEquals(Errno.EINVAL.negative(), m.delete(key(0)));
        assertEquals(3, m.entries().size());
        assertThrows(IllegalArgumentException.class, () -> m.lookup(new byte[3]));
        assertThrows(UnsupportedOperationException.class, () -> m.drainRecords());
    }

    @Test
    @DisplayName("HASH: BPF_NOEXIST/BPF_EXIST, full at max_entries (-E2BIG), delete -ENOENT when absent")
    void hash() {
        BpfMap m = map(new MapSpec("h", MapType.HASH, 4, 8, 2));
        assertNull(m.lookup(5));
        assertEquals(Errno.ENOENT.negative(), m.update(key(5), val(1), 2));
        assertEquals(0, m.update(key(5), val(1), 1));
        assertEquals(Errno.EEXIST.negative(), m.update(key(5), val(1), 1));
        assertEquals(0, m.update(key(6), val(2), 0));
        assertEquals(Errno.E2BIG.negative(), m.update(key(7), val(3), 0));
        assertEquals(0, m.update(key(6), val(9), 0), "updating a present key in a full map works");
        assertEquals(0, m.delete(key(5)));
        assertEquals(Errno.ENOENT.negative(), m.delete(key(5)));
        assertEquals(0, m.update(key(7), val(3), 0));
        assertArrayEquals(val(9), m.lookup(6));
        assertArrayEquals(val(3), m.lookup(7));
        assertEquals(2, m.entries().size());
    }

    record Op(int kind, int key, long value, int flags) {
    }

    static Gen<List<Op>> hashOps() {
        return Gen.zip(Gen.ints(0, 2), Gen.zip(Gen.ints(0, 40), Gen.zip(Gen.longs(0, 1000), Gen.ints(0, 2),
                (v, f) -> new long[] {v, f}), (k, vf) -> new long[] {k, vf[0], vf[1]}),
                (kind, kvf) -> new Op(kind, (int) kvf[0], kvf[1], (int) kvf[2])).listOf(0, 200);
    }

    @Test
    @DisplayName("HASH behaves like a bounded java.util.HashMap under any sequence of updates, deletes and lookups "
            + "(linear probing with backward-shift deletion)")
    void hashProperty() {
        Property.forAll("vm hash map = bounded HashMap", hashOps()).tries(500).check(ops -> {
            BpfMap m = map(new MapSpec("h", MapType.HASH, 4, 8, 16));
            Map<Integer, Long> model = new HashMap<>();
            for (Op op : ops) {
                if (!updateOrDelete(m, model, op, 16)) {
                    Long v = model.get(op.key());
                    byte[] got = m.lookup(key(op.key()));
                    if (v == null) {
                        assertNull(got, op.toString());
                    } else {
                        assertArrayEquals(val(v), got, op.toString());
                    }
                }
            }
            assertEquals(model.size(), m.entries().size());
            for (Map.Entry<Integer, Long> e : model.entrySet()) {
                assertArrayEquals(val(e.getValue()), m.lookup(key(e.getKey())));
            }
        });
    }

    /**
     * Applies an update (kind 0) or a delete (kind 1) to the map and to the model, asserting the map's
     * answer (kernel/bpf/hashtab.c: -EEXIST for BPF_NOEXIST on a present key, -ENOENT for BPF_EXIST on
     * an absent one and for deleting it, -E2BIG for a new key at max_entries); false for a lookup.
     */
    private static boolean updateOrDelete(BpfMap m, Map<Integer, Long> model, Op op, int maxEntries) {
        switch (op.kind()) {
            case 0 -> {
                boolean present = model.containsKey(op.key());
                int expected = op.flags() == 1 && present ? Errno.EEXIST.negative()
                        : op.flags() == 2 && !present ? Errno.ENOENT.negative()
                        : !present && model.size() == maxEntries ? Errno.E2BIG.negative() : 0;
                assertEquals(expected, m.update(key(op.key()), val(op.value()), op.flags()), op.toString());
                if (expected == 0) {
                    model.put(op.key(), op.value());
                }
                return true;
            }
            case 1 -> {
                assertEquals(model.remove(op.key()) != null ? 0 : Errno.ENOENT.negative(), m.delete(key(op.key())),
                        op.toString());
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    static Gen<List<Op>> longHashOps() {
        return Gen.zip(Gen.ints(0, 2), Gen.zip(Gen.ints(0, 11), Gen.zip(Gen.longs(0, 1000), Gen.ints(0, 2),
                (v, f) -> new long[] {v, f}), (k, vf) -> new long[] {k, vf[0], vf[1]}),
                (kind, kvf) -> new Op(kind, (int) kvf[0], kvf[1], (int) kvf[2])).listOf(150, 400);
    }

    @Test
    @DisplayName("HASH, crowded (12 keys, max_entries 6, a 16-slot table): long sequences keep it a bounded map "
            + "(kernel/bpf/hashtab.c: -EEXIST, -ENOENT, -E2BIG at max_entries) through full tables, collisions, "
            + "deletions that shift probe runs across the table's end, and the slot-0 key")
    void hashPropertyCrowded() {
        // hashProperty's sequences are short (4 operations on average): these run long enough to fill the map,
        // empty it and fill it again, so a wrong count or a probe run broken by a deletion shows
        Property.forAll("crowded vm hash map = bounded HashMap", longHashOps()).tries(150).check(ops -> {
            BpfMap m = map(new MapSpec("h", MapType.HASH, 4, 8, 6));
            Map<Integer, Long> model = new HashMap<>();
            for (Op op : ops) {
                updateOrDelete(m, model, op, 6);
                for (int k = 0; k <= 11; k++) {
                    Long v = model.get(k);
                    byte[] got = m.lookup(k);
                    if (v == null) {
                        assertNull(got, op + ": key " + k);
                    } else {
                        assertArrayEquals(val(v), got, op + ": key " + k);
                    }
                }
            }
            Map<Integer, Long> listed = new HashMap<>();
            for (BpfMapView.Entry e : m.entries()) {
                listed.put(ByteBuffer.wrap(e.key()).order(ByteOrder.LITTLE_ENDIAN).getInt(),
                        ByteBuffer.wrap(e.value()).order(ByteOrder.LITTLE_ENDIAN).getLong());
            }
            assertEquals(model, listed, "entries()");
        });
    }

    @Test
    @DisplayName("HASH/ARRAY from userspace: flags above BPF_EXIST are -EINVAL (hashtab.c htab_map_update_elem, "
            + "syscall.c: BPF_F_LOCK without a spin lock); a frozen map is -EPERM before any other check "
            + "(syscall.c map_update_elem: no FMODE_CAN_WRITE)")
    void userspaceUpdateErrors() {
        BpfMap h = map(new MapSpec("h", MapType.HASH, 4, 8, 2));
        assertEquals(Errno.EINVAL.negative(), h.update(key(1), val(1), 4));
        assertEquals(Errno.EINVAL.negative(), h.update(key(1), val(1), -1));
        assertNull(h.lookup(1), "a refused update changes nothing");
        BpfMap frozen = map(MapSpec.globalData("g.rodata", val(7), true));
        assertEquals(Errno.EPERM.negative(), frozen.update(key(0), val(8), 0));
        assertEquals(Errno.EPERM.negative(), frozen.update(key(5), val(8), 0), "-EPERM, not -E2BIG");
        assertEquals(Errno.EPERM.negative(), frozen.update(key(0), val(8), 1), "-EPERM, not -EEXIST");
        assertEquals(Errno.EPERM.negative(), frozen.update(key(0), val(8), 4), "-EPERM, not -EINVAL");
        assertArrayEquals(val(7), frozen.lookup(0));
    }

    @Test
    @DisplayName("the map view checks key and value sizes of every call (the syscall copies key_size and value_size bytes)")
    void viewChecksSizes() {
        BpfMap h = map(new MapSpec("h", MapType.HASH, 4, 8, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.update(new byte[5], val(1), 0));
        assertEquals("map h has 4-byte keys, got 5 bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.update(key(1), new byte[9], 0));
        assertEquals("map h has 8-byte values, got 9 bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.update(key(1), null, 0));
        assertEquals("map h has 8-byte values, got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.delete(new byte[5]));
        assertEquals("map h has 4-byte keys, got 5 bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.lookup(null));
        assertEquals("map h has 4-byte keys, got null", e.getMessage());
        assertEquals(List.of(), h.entries(), "the refused calls stored nothing");
        assertEquals("h", h.name());
        assertEquals("BpfMap[" + h.spec() + "]", h.toString());
    }

    @Test
    @DisplayName("u32 keys are little-endian in every byte: lookup(int) of a HASH map, ARRAY indexes and SK_STORAGE "
            + "socket numbers in entries()")
    void u32Keys() {
        BpfMap h = map(new MapSpec("h", MapType.HASH, 4, 8, 2));
        assertEquals(0, h.update(new byte[] {4, 3, 2, 1}, val(9), 0));
        assertArrayEquals(val(9), h.lookup(0x01020304));
        assertNull(h.lookup(0x04030201));
        BpfMap a = map(new MapSpec("a", MapType.ARRAY, 4, 1, 300));
        assertArrayEquals(new byte[] {43, 1, 0, 0}, a.entries().get(299).key());
        SkStorageMap st = (SkStorageMap) map(new MapSpec("st", MapType.SK_STORAGE, 4, 8, 0));
        Object s1 = new Object();
        Object s2 = new Object();
        st.get(s1, true, null, 0);
        st.get(s2, true, null, 0);
        List<BpfMapView.Entry> entries = st.entries();
        assertArrayEquals(key(1), entries.get(0).key(), "the first socket with a value is number 1");
        assertArrayEquals(key(2), entries.get(1).key(), "the next one 2");
    }

    @Test
    @DisplayName("map entries compare by content (key and value bytes)")
    void entryEquality() {
        BpfMapView.Entry e = new BpfMapView.Entry(new byte[] {1}, new byte[] {2});
        assertEquals(new BpfMapView.Entry(new byte[] {1}, new byte[] {2}), e);
        assertEquals(new BpfMapView.Entry(new byte[] {1}, new byte[] {2}).hashCode(), e.hashCode());
        assertNotEquals(new BpfMapView.Entry(new byte[] {3}, new byte[] {2}), e);
        assertNotEquals(new BpfMapView.Entry(new byte[] {1}, new byte[] {3}), e);
        assertNotEquals((Object) "entry", e);
    }

    @Test
    @DisplayName("VmMaps: an ARRAY's values take 8-byte slots and at most 256 MiB, a HASH at most 2^22 entries "
            + "(checked before anything is created); one name with two specs in a program is refused; clear() drops every map")
    void mapLimits() {
        VmMaps maps = new VmMaps();
        // value size 1 rounds up to 8 bytes: 2^25 entries are exactly 256 MiB, one more is too many
        maps.check("p", List.of(new MapSpec("a", MapType.ARRAY, 4, 1, 1 << 25)));
        assertThrows(ProgramRejectedException.class,
                () -> maps.check("p", List.of(new MapSpec("a", MapType.ARRAY, 4, 1, (1 << 25) + 1))));
        maps.check("p", List.of(new MapSpec("h", MapType.HASH, 4, 8, 1 << 22)));
        assertThrows(ProgramRejectedException.class,
                () -> maps.check("p", List.of(new MapSpec("h", MapType.HASH, 4, 8, (1 << 22) + 1))));
        MapSpec one = new MapSpec("m", MapType.HASH, 4, 8, 2);
        maps.check("p", List.of(one, one));
        ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                () -> maps.check("p", List.of(one, new MapSpec("m", MapType.HASH, 4, 8, 3))));
        assertTrue(e.getMessage().contains("with different specs"), e.getMessage());
        maps.resolve(List.of(one));
        assertEquals(List.of("m"), maps.names());
        maps.clear();
        assertEquals(List.of(), maps.names());
        assertNull(maps.view("m"));
    }

    @Test
    @DisplayName("RINGBUF: a record of 264 bytes (a length above 255) is drained whole, and a ring is never filled "
            + "to the last byte (ringbuf.c __bpf_ringbuf_reserve: new_prod_pos - cons_pos > mask fails)")
    void ringbufLengthsAndFullRing() {
        MapSpec ring = new MapSpec("rb", MapType.RINGBUF, 0, 0, 4096);
        Asm big = new Asm();
        for (int i = 0; i < 33; i++) {
            big.st(DW, 10, -264 + 8 * i, i + 1);
        }
        big.ldMap(1, 0).mov64x(2, 10).add64(2, -264).mov64(3, 264).mov64(4, 0).call(Helper.RINGBUF_OUTPUT.id()).exit();
        VmHarness h = VmHarness.raw(mode);
        assertEquals(0, h.run(big, ring));
        List<byte[]> records = h.maps.view("rb").drainRecords();
        assertEquals(1, records.size());
        assertEquals(264, records.get(0).length);
        ByteBuffer b = ByteBuffer.wrap(records.get(0)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 33; i++) {
            assertEquals(i + 1, b.getLong());
        }
        // 8-byte records take 16 bytes: 256 would fill the 4096-byte ring exactly, so 255 fit
        Asm small = new Asm()
                .mov64(7, 0).mov64(8, 0)
                .label("top")
                .stx(DW, 10, 7, -8)
                .ldMap(1, 0).mov64x(2, 10).add64(2, -8).mov64(3, 8).mov64(4, 0).call(Helper.RINGBUF_OUTPUT.id())
                .jmp(JEQ, 0, 0, "ok").add64(8, 1).label("ok")
                .add64(7, 1).jmp(dev.autolowat.api.asm.Opcode.JLT, 7, 300, "top")
                .mov64x(0, 8).exit();
        VmHarness h2 = VmHarness.raw(mode);
        assertEquals(300 - 255, h2.run(small, ring), "records that did not fit");
        records = h2.maps.view("rb").drainRecords();
        assertEquals(255, records.size());
        for (int i = 0; i < 255; i++) {
            assertArrayEquals(val(i), records.get(i));
        }
    }

    @Test
    @DisplayName("SK_STORAGE: after bpf_sk_storage_delete, or once the socket is forgotten (closed), a lookup without "
            + "F_CREATE finds nothing and F_CREATE makes a fresh value (bpf_local_storage.c)")
    void skStorageAfterDelete() {
        MapSpec st = new MapSpec("st", MapType.SK_STORAGE, 4, 8, 0);
        VmHarness h = VmHarness.raw(mode);
        // flags in r4: 1 creates (from init 0x42), 0 only looks up; returns the value or -1 for NULL
        java.util.function.IntFunction<Asm> get = flags -> new Asm().ldx(DW, 2, 1, dev.autolowat.api.asm.SockOpsCtx.SK)
                .st(DW, 10, -8, 0x42).ldMap(1, 0).mov64x(3, 10).add64(3, -8).mov64(4, flags)
                .call(Helper.SK_STORAGE_GET.id()).jmp(JEQ, 0, 0, "null").ldx(DW, 0, 0, 0).exit().label("null").ret(-1);
        Asm bump = new Asm().ldx(DW, 2, 1, dev.autolowat.api.asm.SockOpsCtx.SK).ldMap(1, 0).mov64(3, 0).mov64(4, 0)
                .call(Helper.SK_STORAGE_GET.id()).jmp(JEQ, 0, 0, "null")
                .st(DW, 0, 0, 7).ret(0).label("null").ret(-1);
        Asm delete = new Asm().ldx(DW, 2, 1, dev.autolowat.api.asm.SockOpsCtx.SK).ldMap(1, 0)
                .call(Helper.SK_STORAGE_DELETE.id()).exit();
        VmProgram create = h.load(get.apply(1), st);
        VmProgram lookup = h.load(get.apply(0), st);
        VmProgram write = h.load(bump, st);
        VmProgram del = h.load(delete, st);
        assertEquals(0x42, create.runSockOps(h.input));
        assertEquals(0, write.runSockOps(h.input));
        assertEquals(7, lookup.runSockOps(h.input));
        assertEquals(0, del.runSockOps(h.input));
        assertEquals(-1, lookup.runSockOps(h.input), "deleted: no value without F_CREATE");
        assertEquals(0x42, create.runSockOps(h.input), "F_CREATE after the delete: a fresh value from init");
        assertEquals(0, write.runSockOps(h.input));
        h.maps.forgetSocket(h.socket);
        assertNull(h.maps.view("st").storageOf(h.socket));
        assertEquals(-1, lookup.runSockOps(h.input), "forgotten: no value without F_CREATE");
        assertEquals(0x42, create.runSockOps(h.input), "a fresh value, not the forgotten one");
    }

    @Test
    @DisplayName("RINGBUF: bpf_ringbuf_output records are drained in order; a full ring answers -EAGAIN; bad flags -EINVAL")
    void ringbuf() {
        MapSpec ring = new MapSpec("rb", MapType.RINGBUF, 0, 0, 4096);
        // write the op and the clock (16 bytes) 300 times: 300 * 24 bytes > 4096, so some fail
        Asm a = new Asm()
                .mov64(7, 0).mov64(8, 0)
                .label("top")
                .ldx(W, 2, 1, 0).stx(DW, 10, 2, -16)
                .stx(DW, 10, 7, -8)
                .stx(DW, 10, 1, -24)
                .ldMap(1, 0).mov64x(2, 10).add64(2, -16).mov64(3, 16).mov64(4, 0).call(Helper.RINGBUF_OUTPUT.id())
                .ldx(DW, 1, 10, -24)
                .jmp(JEQ, 0, 0, "ok").add64(8, 1).label("ok")
                .add64(7, 1).jmp(dev.autolowat.api.asm.Opcode.JLT, 7, 300, "top")
                .mov64x(0, 8).exit();
        VmHarness h = VmHarness.raw(mode);
        VmProgram p = h.load(a, ring);
        long failed = p.runSockOps(h.input);
        int fit = 4096 / 24;
        assertEquals(300 - fit, failed, "records that did not fit");
        BpfMapView view = h.maps.view("rb");
        List<byte[]> records = view.drainRecords();
        assertEquals(fit, records.size());
        for (int i = 0; i < fit; i++) {
            ByteBuffer b = ByteBuffer.wrap(records.get(i)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(4, b.getLong());
            assertEquals(i, b.getLong());
        }
        assertEquals(0, view.drainRecords().size());
        assertEquals(0, p.runSockOps(h.input) - (300 - fit), "drained: the ring takes the same number again");
        Asm badFlags = new Asm().st(DW, 10, -8, 0).ldMap(1, 0).mov64x(2, 10).add64(2, -8).mov64(3, 8).mov64(4, 4)
                .call(Helper.RINGBUF_OUTPUT.id()).exit();
        assertEquals(Errno.EINVAL.negative(), VmHarness.raw(mode).run(badFlags, ring));
    }

    @Test
    @DisplayName("SK_STORAGE through helpers: F_CREATE with an initial value, lookup without, delete, flags other than F_CREATE")
    void skStorage() {
        MapSpec st = new MapSpec("st", MapType.SK_STORAGE, 4, 8, 0);
        VmHarness h = VmHarness.raw(mode);
        // get(create, init = 0x42) ; returns *(u64*)value
        Asm create = new Asm().ldx(DW, 2, 1, dev.autolowat.api.asm.SockOpsCtx.SK).st(DW, 10, -8, 0x42)
                .ldMap(1, 0).mov64x(3, 10).add64(3, -8).mov64(4, 1).call(Helper.SK_STORAGE_GET.id())
                .jmp(JEQ, 0, 0, "null").ldx(DW, 0, 0, 0).exit().label("null").ret(-1);
        assertEquals(0x42, h.run(create, st));
        assertArrayEquals(val(0x42), h.maps.view("st").storageOf(h.socket));
        Asm weird = new Asm().ldx(DW, 2, 1, dev.autolowat.api.asm.SockOpsCtx.SK).ldMap(1, 0).mov64(3, 0).mov64(4, 3)
                .call(Helper.SK_STORAGE_GET.id()).exit();
        assertEquals(0, h.run(weird, st), "flags other than F_CREATE: NULL");
        Asm delete = new Asm().ldx(DW, 2, 1, dev.autolowat.api.asm.SockOpsCtx.SK).ldMap(1, 0)
                .call(Helper.SK_STORAGE_DELETE.id()).exit();
        assertEquals(0, h.run(delete, st));
        assertEquals(Errno.ENOENT.negative(), h.run(delete, st));
        assertNull(h.maps.view("st").storageOf(h.socket));
        // a NULL socket argument aborts (ctx->sk must be checked first in the kernel)
        Asm nullSk = new Asm().mov64(2, 0).ldMap(1, 0).mov64(3, 0).mov64(4, 1).call(Helper.SK_STORAGE_GET.id()).exit();
        BpfVmException e = assertThrows(BpfVmException.class, () -> VmHarness.raw(mode).run(nullSk, st));
        assertEquals(true, e.reason().contains("NULL"), e.getMessage());
    }
}
