package dev.autolowat.sim.vm;

import dev.autolowat.api.Errno;
import dev.autolowat.api.program.MapSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code BPF_MAP_TYPE_RINGBUF}: {@code max_entries} bytes of records. Each record takes an 8-byte
 * header plus its data rounded up to 8 bytes, as in the kernel; {@code bpf_ringbuf_output} fails
 * with {@code -EAGAIN} when the record does not fit the free space (as in the kernel, the ring is never filled
 * to the last byte). Userspace consumes with
 * {@link #drainRecords()}.
 */
final class RingBufMap extends BpfMap {
    static final int HEADER = 8;
    private final byte[] ring;
    private long producer;
    private long consumer;

    RingBufMap(AddressSpace addresses, MapSpec spec) {
        super(addresses, spec);
        ring = new byte[spec.maxEntries()];
    }

    /** {@code bpf_ringbuf_output(map, data, size, flags)}: 0, -EINVAL for bad flags, -EAGAIN when full. */
    int output(byte[] src, int off, int size, long flags) {
        if ((flags & ~3L) != 0) {
            return Errno.EINVAL.negative();
        }
        long need = HEADER + (((long) size + 7) & ~7L);
        // __bpf_ringbuf_reserve (kernel/bpf/ringbuf.c): new_prod_pos - cons_pos > rb->mask fails, so the
        // producer may run at most ring.length - 1 bytes ahead: a record that would fill the ring exactly does not fit
        if (producer - consumer + need >= ring.length) {
            return Errno.EAGAIN.negative();
        }
        put(producer, size);
        for (int i = 0; i < size; i++) {
            ring[(int) ((producer + HEADER + i) % ring.length)] = src[off + i];
        }
        producer += need;
        return 0;
    }

    private void put(long at, int value) {
        for (int i = 0; i < 4; i++) {
            ring[(int) ((at + i) % ring.length)] = (byte) (value >>> (8 * i));
        }
        for (int i = 4; i < HEADER; i++) {
            ring[(int) ((at + i) % ring.length)] = 0;
        }
    }

    @Override
    public List<byte[]> drainRecords() {
        List<byte[]> out = new ArrayList<>();
        while (consumer < producer) {
            int size = 0;
            for (int i = 0; i < 4; i++) {
                size |= (ring[(int) ((consumer + i) % ring.length)] & 0xff) << (8 * i);
            }
            byte[] record = new byte[size];
            for (int i = 0; i < size; i++) {
                record[i] = ring[(int) ((consumer + HEADER + i) % ring.length)];
            }
            out.add(record);
            consumer += HEADER + ((size + 7L) & ~7L);
        }
        return out;
    }
}
