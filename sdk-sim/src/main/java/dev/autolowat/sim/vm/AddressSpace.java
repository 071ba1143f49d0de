package dev.autolowat.sim.vm;

/**
 * Hands out the fake kernel addresses that pointer registers carry. A pointer in the VM is a
 * region plus a 64-bit value; the value is {@code region.base + offset}, so that pointer
 * arithmetic, pointer comparisons ({@code optval + 4 > optval_end}) and NULL checks behave as in
 * the kernel. The region tag, not the address, decides what a pointer may touch, so two regions
 * whose addresses happen to collide (after wrap-around) cannot reach each other.
 *
 * <p>Addresses are handed out in order, so the same scenario sees the same addresses.
 */
final class AddressSpace {
    private static final long FIRST = 0xffff_8880_0000_0000L;
    private static final long STEP = 1L << 24;
    private long next = FIRST;

    long allocate() {
        long base = next;
        next += STEP;
        if (next == 0 || Long.compareUnsigned(next, FIRST) < 0) {
            next = FIRST;
        }
        return base;
    }
}
