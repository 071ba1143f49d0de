package dev.autolowat.sim.vm;

import dev.autolowat.api.program.MapSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Global data in the VM (docs/objects.md "Global data in SDK programs"): a map with an initial value
 * starts with it; a frozen one ({@code .rodata}, {@code BPF_F_RDONLY_PROG}) is read through its value
 * pointer and a store there faults, naming the map.
 */
class FrozenMapTest {
    private static final byte[] SEVEN = {7, 0, 0, 0, 9, 0, 0, 0};

    /** r1 = &map.value + 4; r0 = *(u32 *)(r1 - 4) + *(u32 *)r1; optionally *(u32 *)r1 = 1. */
    private static Asm readThenMaybeWrite(boolean write) {
        Asm a = new Asm().ldMapValue(1, 0, 4).ldx(W, 0, 1, -4).ldx(W, 2, 1, 0).alu64x(dev.autolowat.api.asm.Opcode.ADD, 0, 2);
        if (write) {
            a.st(W, 1, 0, 1);
        }
        return a.exit();
    }

    @ParameterizedTest(name = "{0}: initial value read through BPF_PSEUDO_MAP_VALUE (offset 4)")
    @EnumSource(VmOptions.ExecutionMode.class)
    void initialValueIsRead(VmOptions.ExecutionMode mode) {
        VmHarness h = VmHarness.raw(mode);
        assertEquals(16, h.run(readThenMaybeWrite(true), MapSpec.globalData("g.data", SEVEN, false)));
        assertEquals(1, h.maps.view("g.data").lookup(0)[4], "a writable map takes the store");
    }

    @ParameterizedTest(name = "{0}: a frozen map is read-only for programs")
    @EnumSource(VmOptions.ExecutionMode.class)
    void frozenFaultsOnStore(VmOptions.ExecutionMode mode) {
        VmHarness h = VmHarness.raw(mode);
        assertEquals(16, h.run(readThenMaybeWrite(false), MapSpec.globalData("g.rodata", SEVEN, true)));
        BpfVmException e = assertThrows(BpfVmException.class,
                () -> VmHarness.raw(mode).run(readThenMaybeWrite(true), MapSpec.globalData("g.rodata", SEVEN, true)));
        assertTrue(e.getMessage().contains("g.rodata") && e.getMessage().contains("read-only"), e.getMessage());
    }

    /** key 0 and an 8-byte value on the stack; r0 = bpf_map_update_elem(map, &key, &value, 0) or bpf_map_delete_elem(map, &key). */
    private static Asm updateOrDelete(boolean update) {
        Asm a = new Asm().st(W, 10, -4, 0).st(DW, 10, -16, 5)
                .ldMap(1, 0).mov64x(2, 10).add64(2, -4);
        if (update) {
            a.mov64x(3, 10).add64(3, -16).mov64(4, 0).call(dev.autolowat.api.asm.Helper.MAP_UPDATE_ELEM.id());
        } else {
            a.call(dev.autolowat.api.asm.Helper.MAP_DELETE_ELEM.id());
        }
        return a.exit();
    }

    @ParameterizedTest(name = "{0}: a program's update/delete of a frozen map is the verifier's \"write into map forbidden\"")
    @EnumSource(VmOptions.ExecutionMode.class)
    void frozenRefusesHelperWrites(VmOptions.ExecutionMode mode) {
        VmHarness writable = VmHarness.raw(mode);
        assertEquals(0, writable.run(updateOrDelete(true), MapSpec.globalData("g.data", SEVEN, false)));
        assertEquals(5, writable.maps.view("g.data").lookup(0)[0], "a writable map takes the update");
        for (boolean update : new boolean[] {true, false}) {
            BpfVmException e = assertThrows(BpfVmException.class,
                    () -> VmHarness.raw(mode).run(updateOrDelete(update), MapSpec.globalData("g.rodata", SEVEN, true)));
            assertTrue(e.getMessage().contains("write into map forbidden") && e.getMessage().contains("g.rodata"),
                    e.getMessage());
        }
    }
}
