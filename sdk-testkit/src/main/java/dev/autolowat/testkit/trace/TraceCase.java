package dev.autolowat.testkit.trace;

import dev.autolowat.api.spi.Family;

import java.util.List;
import java.util.Objects;

/**
 * One case of a trace file: the A1 frames the peer sends (their bytes are computed, never stored),
 * the address families to run it over, and the steps on the accepted socket.
 *
 * @param name     the case's name (unique in its file)
 * @param frames   the frames, in order; the stream is their concatenation, then zero bytes
 * @param families the families the case runs over (the selftest's cases: IPv4 and IPv6)
 * @param steps    actions and expectations, in order
 * @param line     the line of the case in its file (0 when built in code)
 */
public record TraceCase(String name, List<Frame> frames, List<Family> families, List<TraceStep> steps, int line) {
    /** Largest u32. */
    public static final long U32_MAX = 0xFFFF_FFFFL;

    public TraceCase {
        Objects.requireNonNull(name, "name");
        frames = List.copyOf(frames);
        families = List.copyOf(families);
        steps = List.copyOf(steps);
        if (families.isEmpty()) {
            throw new IllegalArgumentException("a case runs over at least one family");
        }
    }

    /**
     * One A1 frame: an 8-byte descriptor {@code {u32 header_len, u32 payload_len}} little-endian,
     * then {@code header_len} and {@code payload_len} zero bytes (as in the series' selftest).
     * Both fields are u32 (0 to {@value TraceCase#U32_MAX}), so frames of 2 GiB and more — which
     * the policy must disable on (A5) — can be written down; only the bytes a step sends are made.
     */
    public record Frame(long headerLen, long payloadLen) {
        public Frame {
            if (headerLen < 0 || headerLen > U32_MAX || payloadLen < 0 || payloadLen > U32_MAX) {
                throw new IllegalArgumentException("frame lengths are u32 (0.." + U32_MAX + "), got [" + headerLen
                        + ", " + payloadLen + "]");
            }
        }

        /** A1: 8 + header_len + payload_len, in 64 bits (never wraps). */
        public long length() {
            return 8 + headerLen + payloadLen;
        }

        @Override
        public String toString() {
            return "[" + headerLen + ", " + payloadLen + "]";
        }
    }

    /** The total length of the frames (64-bit). */
    public long framesLength() {
        long sum = 0;
        for (Frame f : frames) {
            sum += f.length();
        }
        return sum;
    }

    /**
     * Bytes {@code [offset, offset + length)} of the stream: the frames' descriptors and zero bytes
     * elsewhere, also past the last frame.
     */
    public byte[] bytes(long offset, int length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + offset + ", " + length);
        }
        byte[] out = new byte[length];
        long start = 0;
        long end = offset + length;
        for (Frame f : frames) {
            if (start >= end) {
                break;
            }
            for (int k = 0; k < 8; k++) {
                long at = start + k;
                if (at >= offset && at < end) {
                    long field = k < 4 ? f.headerLen() : f.payloadLen();
                    out[(int) (at - offset)] = (byte) (field >>> (8 * (k % 4)));
                }
            }
            start += f.length();
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
