package dev.autolowat.kernel.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.autolowat.kernel.sys.LibC;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code union bpf_attr} for one command: a zeroed native buffer of exactly the size that
 * command's struct needs (x86-64 layout, 8-byte aligned; pointers are {@code __aligned_u64}), and
 * the native buffers its pointer fields refer to, kept alive until the call returned and freed on
 * {@link #close()}. The kernel zero-fills the rest of the union when {@code size} is smaller than
 * its own.
 */
final class Attr implements AutoCloseable {
    private final Memory mem;
    private final int size;
    private final List<Memory> buffers = new ArrayList<>();

    Attr(int size) {
        this.size = size;
        this.mem = new Memory(size);
        mem.clear();
    }

    Attr u32(int offset, int value) {
        mem.setInt(offset, value);
        return this;
    }

    Attr u64(int offset, long value) {
        mem.setLong(offset, value);
        return this;
    }

    /** A pointer field ({@code __aligned_u64}); {@code null} stays 0. */
    Attr ptr(int offset, Pointer p) {
        mem.setLong(offset, p == null ? 0 : Pointer.nativeValue(p));
        return this;
    }

    /** A {@code char[BPF_OBJ_NAME_LEN]} field: at most 15 bytes and the NUL. */
    Attr name(int offset, String name) {
        if (name != null && !name.isEmpty()) {
            byte[] b = name.getBytes(StandardCharsets.US_ASCII);
            mem.write(offset, b, 0, Math.min(b.length, BpfSyscall.BPF_OBJ_NAME_LEN - 1));
        }
        return this;
    }

    int u32(int offset) {
        return mem.getInt(offset);
    }

    long u64(int offset) {
        return mem.getLong(offset);
    }

    /** A native copy of {@code data} that lives as long as this attr (a zeroed byte when empty). */
    Memory buffer(byte[] data) {
        Memory m = new Memory(Math.max(1, data.length));
        m.clear();
        m.write(0, data, 0, data.length);
        buffers.add(m);
        return m;
    }

    /** A zeroed native buffer of {@code bytes} bytes that lives as long as this attr. */
    Memory buffer(long bytes) {
        Memory m = new Memory(Math.max(1, bytes));
        m.clear();
        buffers.add(m);
        return m;
    }

    /** A NUL-terminated ASCII string that lives as long as this attr. */
    Memory cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return buffer(z);
    }

    /** {@code bpf(cmd, &attr, size)}: the result, or {@code -errno}. */
    long call(BpfCommand cmd) {
        try {
            return LibC.syscall(LibC.SYS_BPF, cmd.number(), mem, size);
        } finally {
            Reference.reachabilityFence(buffers);
            Reference.reachabilityFence(mem);
        }
    }

    @Override
    public void close() {
        for (Memory m : buffers) {
            m.close();
        }
        buffers.clear();
        mem.close();
    }
}
