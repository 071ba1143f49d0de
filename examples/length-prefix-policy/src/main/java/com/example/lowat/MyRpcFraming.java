package com.example.lowat;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.Policy;

import java.nio.ByteOrder;

/**
 * The framing of "MyRPC", described once and compiled to the bytecode a kernel carrying the series
 * loads (and the simulator runs in its eBPF VM): a 6-byte descriptor — a 2-byte message type, then
 * the body length as u32 big-endian — followed by the body; frame length = 6 + length.
 */
public final class MyRpcFraming {
    /** Descriptor bytes before the body. */
    public static final int HEADER = 6;

    /** The framing: one length field at offset 2, plus the constant 6. */
    public static final FramingPolicy FRAMING = FramingPolicy.builder("myrpc")
            .descriptorSize(HEADER)
            .lengthField(2, 4, ByteOrder.BIG_ENDIAN)
            .constant(HEADER)
            .build();

    private MyRpcFraming() {
    }

    /**
     * The policy: a sock_ops program (parses frames, sets the lowat with the kfunc) and its enable
     * path, a cgroup setsockopt program; a socket opts in with
     * {@code setsockopt(fd, 0xdeadbeef, 0x8badf00d, 1)} ({@code Connection.enableAutoLowat(1)}).
     */
    public static Policy policy() {
        return FRAMING.compile();
    }

    /** One frame of type {@code type} with a body of {@code bodyLength} bytes. */
    public static byte[] frame(int type, int bodyLength) {
        byte[] f = new byte[HEADER + bodyLength];
        f[0] = (byte) (type >>> 8);
        f[1] = (byte) type;
        f[2] = (byte) (bodyLength >>> 24);
        f[3] = (byte) (bodyLength >>> 16);
        f[4] = (byte) (bodyLength >>> 8);
        f[5] = (byte) bodyLength;
        for (int i = HEADER; i < f.length; i++) {
            f[i] = (byte) i;
        }
        return f;
    }
}
