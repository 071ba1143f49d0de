package dev.autolowat.sim.vm;

/**
 * One frame's 512-byte stack ({@code MAX_BPF_STACK}); r10 points at its end. As in the kernel,
 * stack accesses must be naturally aligned, and a pointer can be spilled with an aligned 8-byte
 * store and filled back with an aligned 8-byte load (the slot remembers the pointer's region).
 * Reading part of a spilled pointer, or spilling with a narrower store, is refused as the
 * verifier refuses it. The frame is zero-filled when it is entered.
 *
 * <p>Only the bytes written since the last {@link #reset} are cleared: every write to
 * {@link #data} (a store, an atomic, a helper writing into a stack buffer through {@link #clobber})
 * widens the dirty range {@code [dirtyLo, dirtyHi)}, and outside it the frame is all zero with no
 * spilled pointer. Translated code widens it once per method, on entry, by the range its stores
 * through r10 can write (their offsets are constants; {@code JitCompiler}, D26): a range wider
 * than what was written only costs zeroing bytes that are zero already. Translated code of a program
 * that writes every byte of frame 0 before it reads it does not mark its stores at all (D27): what
 * it leaves in frame 0 stays there, unread, and only this program ever runs in that frame.
 */
final class StackRegion extends MemRegion {
    static final int SIZE = 512;
    /**
     * Per 8-byte slot: 0, or the VM's region number of the pointer spilled there (see {@code Vm.idOf}).
     * Translated code reads and writes it directly for accesses through r10 (see {@code JitCompiler}).
     */
    final int[] spilled = new int[SIZE / 8];
    /** Lowest byte index written since the last reset ({@link #SIZE} when none). */
    private int dirtyLo = SIZE;
    /** One past the highest byte index written since the last reset (0 when none). */
    private int dirtyHi;

    StackRegion(long base, int frame) {
        super(base, "stack of frame " + frame, new byte[SIZE], 0, SIZE, true, STACK);
    }

    /** Zero-fills the frame and forgets every spilled pointer (only the range written since the last reset). */
    void reset() {
        int lo = dirtyLo;
        int hi = dirtyHi;
        if (lo < hi) {
            // whole 8-byte slots: the bytes of a slot outside [lo, hi) are zero already, and a few
            // 8-byte stores are cheaper than a byte loop over the few dozen bytes a program dirties
            for (int slot = lo >> 3, end = (hi + 7) >> 3; slot < end; slot++) {
                write8(data, slot << 3, 0L);
                spilled[slot] = 0;
            }
            dirtyLo = SIZE;
            dirtyHi = 0;
        }
    }

    /** Records that {@code [at, at+len)} of {@link #data} may have been written. */
    void dirty(int at, int len) {
        if (at < dirtyLo) {
            dirtyLo = Math.max(at, 0);
        }
        int end = at + len;
        if (end > dirtyHi) {
            dirtyHi = Math.min(end, SIZE);
        }
    }

    private static void aligned(long off, int size) {
        if (off % size != 0) {
            throw new Fault("misaligned stack access off " + (off - SIZE) + " (from r10) size " + size);
        }
    }

    /**
     * A load from the stack: {@code Vm.load} and the translated code call it directly for every region
     * of kind {@link #STACK} (so {@link Region#load} is never used for one).
     */
    void loadStack(Vm vm, int dst, long ptrOff, int insnOff, int size, boolean signExtend) {
        long off = ptrOff + insnOff;
        int at = check(off, size, "stack read");
        aligned(off, size);
        int tag = spilled[at >> 3];
        if (tag != Vm.SCALAR && size != 8) {
            throw new Fault("invalid size of register fill: " + size + " bytes of a spilled pointer ("
                    + vm.region(tag).describe() + ")");
        }
        vm.regs[dst] = Region.extend(read(data, at, size), size, signExtend);
        vm.kinds[dst] = tag;
    }

    /**
     * A store into the stack, called directly as {@link #loadStack} is; {@code valueKind}: the stored
     * register's kind (scalar or a region number).
     */
    void storeStack(Vm vm, long ptrOff, int insnOff, int size, long value, int valueKind) {
        long off = ptrOff + insnOff;
        int at = check(off, size, "stack write");
        aligned(off, size);
        if (valueKind != Vm.SCALAR && size != 8) {
            throw new Fault("invalid size of register spill: a pointer (" + vm.region(valueKind).describe()
                    + ") needs an 8-byte store");
        }
        spilled[at >> 3] = valueKind;
        dirty(at, size);
        write(data, at, size, value);
    }

    /** A helper or an atomic wrote {@code [at, at+len)} as plain bytes: those slots hold no pointer now. */
    void clobber(int at, int len) {
        dirty(at, len);
        for (int slot = at >> 3; slot <= (at + len - 1) >> 3 && slot < spilled.length; slot++) {
            spilled[slot] = 0;
        }
    }

    boolean holdsPointer(int at, int len) {
        for (int slot = at >> 3; slot <= (at + len - 1) >> 3 && slot < spilled.length; slot++) {
            if (spilled[slot] != 0) {
                return true;
            }
        }
        return false;
    }
}
