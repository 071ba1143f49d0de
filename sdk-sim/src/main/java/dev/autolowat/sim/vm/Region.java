package dev.autolowat.sim.vm;

/**
 * What a pointer register points into. Every load and store goes through the region of its base
 * register, which checks bounds, access size and writability; a violation is a {@link Fault}.
 *
 * <p>Subclasses: {@link MemRegion} (stack frames, map values, socket-storage values, the optval
 * buffer of a setsockopt program), {@link ViewRegion} (contexts and kernel objects whose fields are
 * read live from the model), {@link BpfMap} (a map pointer, which cannot be dereferenced).
 */
abstract class Region {
    /** The fake address of offset 0 (see {@link AddressSpace}). */
    final long base;
    /** What kind of region this is, so the interpreter can dispatch without a virtual call. */
    final int kind;
    /** The VM that numbered this region first, and its number there (see {@code Vm.idOf}). */
    Vm owner;
    int ownId;
    /** A hint: the number a VM last gave this region (checked against that VM's table before use). */
    int dynId;

    static final int OTHER = 0;
    static final int MEM = 1;
    static final int STACK = 2;
    static final int VIEW = 3;

    Region(long base) {
        this(base, OTHER);
    }

    Region(long base, int kind) {
        this.base = base;
        this.kind = kind;
    }

    /** Human-readable kind, used in fault messages: "stack of frame 0", "map value of 'log'"... */
    abstract String describe();

    /**
     * Loads {@code size} bytes at {@code ptrOff + insnOff} into {@code vm.regs[dst]} (and its tag).
     *
     * @param ptrOff the base register's offset from {@link #base}
     * @param insnOff the instruction's offset field (after relocation)
     * @param signExtend whether the load is a sign-extending {@code LDX MEMSX}
     */
    void load(Vm vm, int dst, long ptrOff, int insnOff, int size, boolean signExtend) {
        throw new Fault("invalid mem access: " + describe() + " cannot be read");
    }

    /**
     * Stores the low {@code size} bytes of {@code value}; {@code valueTag} is the region of the
     * stored register when it holds a pointer (only the stack may hold spilled pointers).
     */
    void store(Vm vm, long ptrOff, int insnOff, int size, long value, Region valueTag) {
        throw new Fault("invalid mem access: " + describe() + " is read-only");
    }

    /** Whether {@code ptr += scalar} is allowed (the kernel refuses it on map and socket pointers). */
    boolean arithmeticAllowed() {
        return true;
    }

    /** The memory behind this region, when helpers may read or write it as a buffer; else null. */
    MemRegion asMemory() {
        return null;
    }

    static long mask(int size) {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    static long extend(long v, int size, boolean signExtend) {
        if (size == 8) {
            return v;
        }
        if (signExtend) {
            int shift = 64 - size * 8;
            return (v << shift) >> shift;
        }
        return v & mask(size);
    }

    @Override
    public String toString() {
        return describe();
    }
}
