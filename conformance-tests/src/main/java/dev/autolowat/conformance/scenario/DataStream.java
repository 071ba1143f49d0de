package dev.autolowat.conformance.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The bytes the peer sends, in order: every {@link Step.Send} takes the next bytes of the stream.
 * Either a counter ({@code byte i = i mod 256}, the default: its content decides nothing without a
 * parsing policy) or A1 frames ({@code stream frames 0:78 0:78}): 8-byte descriptors
 * {@code {u32 header_len, u32 payload_len}} little-endian followed by {@code header_len + payload_len}
 * zero bytes; past the last frame the stream is zero bytes (each 8 of them an empty frame to a parser).
 *
 * @param frames the A1 frames, or empty for the counter stream
 */
public record DataStream(List<Frame> frames) {
    /** The counter stream. */
    public static final DataStream COUNTER = new DataStream(List.of());

    /**
     * One A1 frame.
     *
     * @param headerLen  u32 {@code header_len} (0..2^32-1)
     * @param payloadLen u32 {@code payload_len}
     */
    public record Frame(long headerLen, long payloadLen) {
        public Frame {
            if (headerLen < 0 || headerLen > 0xFFFF_FFFFL || payloadLen < 0 || payloadLen > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("frame lengths are u32, got " + headerLen + ":" + payloadLen);
            }
        }

        /** 8 + header_len + payload_len (A1, 64-bit). */
        public long length() {
            return 8 + headerLen + payloadLen;
        }

        @Override
        public String toString() {
            return headerLen + ":" + payloadLen;
        }
    }

    public DataStream {
        frames = List.copyOf(frames);
    }

    public static DataStream frames(List<Frame> frames) {
        return new DataStream(frames);
    }

    public boolean isCounter() {
        return frames.isEmpty();
    }

    /** The bytes {@code [offset, offset + length)} of the stream. */
    public byte[] bytes(long offset, int length) {
        byte[] out = new byte[length];
        if (isCounter()) {
            for (int i = 0; i < length; i++) {
                out[i] = (byte) (offset + i);
            }
            return out;
        }
        long frameStart = 0;
        for (Frame f : frames) {
            long frameEnd = frameStart + f.length();
            if (frameEnd > offset && frameStart < offset + length) {
                // only the descriptor's 8 bytes are non-zero
                for (int k = 0; k < 8; k++) {
                    long at = frameStart + k;
                    if (at >= offset && at < offset + length) {
                        long field = k < 4 ? f.headerLen() : f.payloadLen();
                        out[(int) (at - offset)] = (byte) (field >>> (8 * (k % 4)));
                    }
                }
            }
            frameStart = frameEnd;
            if (frameStart >= offset + length) {
                break;
            }
        }
        return out;
    }

    /** The text after {@code stream}: {@code counter}, or {@code frames h:p h:p*n ...} (runs of equal frames as {@code *n}). */
    public String toText() {
        if (isCounter()) {
            return "counter";
        }
        StringBuilder sb = new StringBuilder("frames");
        int i = 0;
        while (i < frames.size()) {
            int j = i;
            while (j < frames.size() && frames.get(j).equals(frames.get(i))) {
                j++;
            }
            sb.append(' ').append(frames.get(i));
            if (j - i > 1) {
                sb.append('*').append(j - i);
            }
            i = j;
        }
        return sb.toString();
    }

    /** Appends {@code count} copies of {@code frame} (for builders). */
    public DataStream plus(Frame frame, int count) {
        List<Frame> out = new ArrayList<>(frames);
        for (int i = 0; i < count; i++) {
            out.add(Objects.requireNonNull(frame));
        }
        return new DataStream(out);
    }

    /** The total length of the frames (0 for the counter stream). */
    public long framesLength() {
        return frames.stream().mapToLong(Frame::length).sum();
    }

    @Override
    public String toString() {
        return toText();
    }
}
