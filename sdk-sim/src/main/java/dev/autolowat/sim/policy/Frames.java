package dev.autolowat.sim.policy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Frames in the reference policy's format (rule A1): an 8-byte descriptor
 * {@code {u32 header_len, u32 payload_len}} in host byte order (little-endian on x86-64), then the
 * header and payload bytes.
 */
public final class Frames {
    /** Size of the A1 descriptor. */
    public static final int DESCRIPTOR_SIZE = ReferenceAutoLowat.DESCRIPTOR_SIZE;

    private Frames() {
    }

    /**
     * One frame of {@code frameSize} bytes. The header takes up to 100 bytes, as in the series'
     * selftest (a 258-byte frame is {@code {100, 150}}); the payload the rest.
     *
     * @throws IllegalArgumentException when {@code frameSize < 8}
     */
    public static byte[] frame(int frameSize) {
        if (frameSize < DESCRIPTOR_SIZE) {
            throw new IllegalArgumentException("a frame needs at least the " + DESCRIPTOR_SIZE
                    + "-byte descriptor, got " + frameSize + " bytes");
        }
        int header = Math.min(100, frameSize - DESCRIPTOR_SIZE);
        return frame(header, frameSize - DESCRIPTOR_SIZE - header);
    }

    /** A frame with the given descriptor values; header and payload bytes are zero (as in the selftest). */
    public static byte[] frame(int headerLen, int payloadLen) {
        if (headerLen < 0 || payloadLen < 0) {
            throw new IllegalArgumentException("header and payload lengths must not be negative: "
                    + headerLen + ", " + payloadLen);
        }
        long total = (long) DESCRIPTOR_SIZE + headerLen + payloadLen;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("frame of " + total + " bytes does not fit a Java array");
        }
        byte[] out = new byte[(int) total];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(headerLen).putInt(payloadLen);
        return out;
    }

    /**
     * Cuts {@code length} bytes into {@code segments} nearly equal segments (the first ones one byte
     * longer when it does not divide), each at least one byte.
     */
    public static int[] evenCuts(int length, int segments) {
        if (segments < 1 || segments > length) {
            throw new IllegalArgumentException("cannot cut " + length + " bytes into " + segments
                    + " segments of at least one byte");
        }
        int[] cuts = new int[segments];
        for (int i = 0; i < segments; i++) {
            cuts[i] = length / segments + (i < length % segments ? 1 : 0);
        }
        return cuts;
    }
}
