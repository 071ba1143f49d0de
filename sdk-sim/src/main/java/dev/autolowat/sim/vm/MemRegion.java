package dev.autolowat.sim.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Plain memory: a slice {@code [start, start+length)} of a byte array. Map values, socket-storage
 * values, the optval buffer and (through {@link StackRegion}) stack frames. Bounds are checked on
 * every access; pointers cannot be stored here (only the stack takes spilled pointers).
 */
class MemRegion extends Region {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    final byte[] data;
    final int start;
    final int length;
    final boolean writable;
    private final String name;

    MemRegion(long base, String name, byte[] data, int start, int length, boolean writable) {
        this(base, name, data, start, length, writable, MEM);
    }

    MemRegion(long base, String name, byte[] data, int start, int length, boolean writable, int kind) {
        super(base, kind);
        this.name = name;
        this.data = data;
        this.start = start;
        this.length = length;
        this.writable = writable;
    }

    @Override
    String describe() {
        return name;
    }

    @Override
    MemRegion asMemory() {
        return this;
    }

    /** Checks {@code [off, off+size)} against the region and returns the array index of {@code off}. */
    final int check(long off, long size, String access) {
        if (off < 0 || size < 0 || off + size > length) {
            throw outOfBounds(off, size, access);
        }
        return start + (int) off;
    }

    private Fault outOfBounds(long off, long size, String access) {
        return new Fault("invalid " + access + ": " + size + " bytes at offset " + off + " of " + describe()
                + " (" + length + " bytes)");
    }

    /**
     * A load from plain memory: {@code Vm.load} calls it directly for every region of kind {@link #MEM}
     * (so {@link Region#load} is never used for one; the stack has its own, {@link StackRegion}).
     */
    final void loadMem(Vm vm, int dst, long ptrOff, int insnOff, int size, boolean signExtend) {
        vm.regs[dst] = loadValue(ptrOff, insnOff, size, signExtend);
        vm.kinds[dst] = Vm.SCALAR;
    }

    /** The value {@link #loadMem} loads (a scalar), checked the same way. */
    final long loadValue(long ptrOff, int insnOff, int size, boolean signExtend) {
        long off = ptrOff + insnOff;
        int at = check(off, size, "read");
        return Region.extend(read(data, at, size), size, signExtend);
    }

    /** A store into plain memory: {@code Vm.store} calls it directly for every region of kind {@link #MEM}. */
    final void storeMem(long ptrOff, int insnOff, int size, long value, Region valueTag) {
        long off = ptrOff + insnOff;
        if (!writable) {
            throw new Fault("invalid write: " + describe() + " is read-only");
        }
        if (valueTag != null) {
            throw new Fault("leaks addr into " + describe() + ": only the stack can hold a pointer ("
                    + valueTag.describe() + ")");
        }
        write(data, check(off, size, "write"), size, value);
    }

    static long read(byte[] a, int at, int size) {
        return switch (size) {
            case 1 -> read1(a, at);
            case 2 -> read2(a, at);
            case 4 -> read4(a, at);
            default -> read8(a, at);
        };
    }

    static void write(byte[] a, int at, int size, long v) {
        switch (size) {
            case 1 -> write1(a, at, v);
            case 2 -> write2(a, at, v);
            case 4 -> write4(a, at, v);
            default -> write8(a, at, v);
        }
    }

    // One method per size (zero-extending reads): translated code calls the one it needs, and these
    // stay small enough for C2 to inline within the budget of a large translated method.

    static long read1(byte[] a, int at) {
        return a[at] & 0xffL;
    }

    static long read2(byte[] a, int at) {
        return (short) SHORT.get(a, at) & 0xffffL;
    }

    static long read4(byte[] a, int at) {
        return (int) INT.get(a, at) & 0xffff_ffffL;
    }

    static long read8(byte[] a, int at) {
        return (long) LONG.get(a, at);
    }

    static void write1(byte[] a, int at, long v) {
        a[at] = (byte) v;
    }

    static void write2(byte[] a, int at, long v) {
        SHORT.set(a, at, (short) v);
    }

    static void write4(byte[] a, int at, long v) {
        INT.set(a, at, (int) v);
    }

    static void write8(byte[] a, int at, long v) {
        LONG.set(a, at, v);
    }

    /** Read-modify-write for the atomic instructions; see {@link Vm}. */
    void checkAtomic(long off, int size) {
        if (!writable) {
            throw new Fault("BPF_ATOMIC into " + describe() + " is not allowed: it is read-only");
        }
        if (off % size != 0) {
            throw new Fault("misaligned atomic access of " + size + " bytes at offset " + off + " of " + describe());
        }
    }
}
