package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
                switch (op.kind()) {
                    case 0 -> {
                        boolean present = model.containsKey(op.key());
                        int expected = op.flags() == 1 && present ? Errno.EEXIST.negative()
                                : op.flags() == 2 && !present ? Errno.ENOENT.negative()
                                : !present && model.size() == 16 ? Errno.E2BIG.negative() : 0;
                        assertEquals(expected, m.update(key(op.key()), val(op.value()), op.flags()), op.toString());
                        if (expected == 0) {
                            model.put(op.key(), op.value());
                        }
                    }
                    case 1 -> assertEquals(model.remove(op.key()) != null ? 0 : Errno.ENOENT.negative(),
                            m.delete(key(op.key())), op.toString());
                    default -> {
                        Long v = model.get(op.key());
                        byte[] got = m.lookup(key(op.key()));
                        if (v == null) {
                            assertNull(got, op.toString());
                        } else {
                            assertArrayEquals(val(v), got, op.toString());
                        }
                    }
                }
            }
            assertEquals(model.size(), m.entries().size());
            for (Map.Entry<Integer, Long> e : model.entrySet()) {
                assertArrayEquals(val(e.getValue()), m.lookup(key(e.getKey())));
            }
        });
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
