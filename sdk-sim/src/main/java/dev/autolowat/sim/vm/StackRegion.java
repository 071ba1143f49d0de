package dev.autolowat.sim.vm;

import java.util.Arrays;

/**
 * One frame's 512-byte stack ({@code MAX_BPF_STACK}); r10 points at its end. As in the kernel,
 * stack accesses must be naturally aligned, and a pointer can be spilled with an aligned 8-byte
 * store and filled back with an aligned 8-byte load (the slot remembers the pointer's region).
 * Reading part of a spilled pointer, or spilling with a narrower store, is refused as the
 * verifier refuses it. The frame is zero-filled when it is entered.
 */
final class StackRegion extends MemRegion {
    static final int SIZE = 512;
    private final Region[] spilled = new Region[SIZE / 8];

    StackRegion(long base, int frame) {
        super(base, "stack of frame " + frame, new byte[SIZE], 0, SIZE, true);
    }

    void reset() {
        Arrays.fill(data, (byte) 0);
        Arrays.fill(spilled, null);
    }

    private static void aligned(long off, int size) {
        if (off % size != 0) {
            throw new Fault("misaligned stack access off " + (off - SIZE) + " (from r10) size " + size);
        }
    }

    @Override
    void load(Vm vm, int dst, long ptrOff, int insnOff, int size, boolean signExtend) {
        long off = ptrOff + insnOff;
        int at = check(off, size, "stack read");
        aligned(off, size);
        Region tag = spilled[at >> 3];
        if (tag != null && size != 8) {
            throw new Fault("invalid size of register fill: " + size + " bytes of a spilled pointer ("
                    + tag.describe() + ")");
        }
        vm.regs[dst] = Region.extend(read(data, at, size), size, signExtend);
        vm.tags[dst] = tag;
    }

    @Override
    void store(Vm vm, long ptrOff, int insnOff, int size, long value, Region valueTag) {
        long off = ptrOff + insnOff;
        int at = check(off, size, "stack write");
        aligned(off, size);
        if (valueTag != null && size != 8) {
            throw new Fault("invalid size of register spill: a pointer (" + valueTag.describe()
                    + ") needs an 8-byte store");
        }
        spilled[at >> 3] = valueTag;
        write(data, at, size, value);
    }

    /** A helper or an atomic wrote {@code [at, at+len)} as plain bytes: those slots hold no pointer now. */
    void clobber(int at, int len) {
        for (int slot = at >> 3; slot <= (at + len - 1) >> 3 && slot < spilled.length; slot++) {
            spilled[slot] = null;
        }
    }

    boolean holdsPointer(int at, int len) {
        for (int slot = at >> 3; slot <= (at + len - 1) >> 3 && slot < spilled.length; slot++) {
            if (spilled[slot] != null) {
                return true;
            }
        }
        return false;
    }
}
