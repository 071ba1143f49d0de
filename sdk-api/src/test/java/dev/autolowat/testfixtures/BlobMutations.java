package dev.autolowat.testfixtures;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Edits of a binary blob (a BTF blob, an ELF object) for the reader properties of several modules
 * ({@code BtfProperties}, {@code BpfObjectProperties}, sdk-sim's {@code ObjectSimulatorProperties}).
 * A fixture package of its own: sdk-api's packages belong to its module, so other modules' tests can
 * only use test-jar classes outside them.
 */
public final class BlobMutations {
    private BlobMutations() {
    }

    /** One edit of a blob. */
    public sealed interface Mutation {
        byte[] apply(byte[] blob);
    }

    public record SetByte(int position, int value) implements Mutation {
        public byte[] apply(byte[] b) {
            if (b.length > 0) {
                b[Math.floorMod(position, b.length)] = (byte) value;
            }
            return b;
        }
    }

    public record FlipBit(int position, int bit) implements Mutation {
        public byte[] apply(byte[] b) {
            if (b.length > 0) {
                b[Math.floorMod(position, b.length)] ^= (byte) (1 << bit);
            }
            return b;
        }
    }

    /** Writes an "interesting" u32 (0, 1, -1, the blob length, a random value...) at a 4-aligned word. */
    public record SetWord(int word, int value, boolean header) implements Mutation {
        public byte[] apply(byte[] b) {
            int words = header ? dev.autolowat.api.btf.Btf.HEADER_SIZE / 4 : b.length / 4;
            if (words > 0) {
                int at = 4 * Math.floorMod(word, words);
                if (at + 4 <= b.length) {
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
                }
            }
            return b;
        }
    }

    public record Truncate(int length) implements Mutation {
        public byte[] apply(byte[] b) {
            return Arrays.copyOf(b, Math.floorMod(length, b.length + 1));
        }
    }

    public record Delete(int position, int count) implements Mutation {
        public byte[] apply(byte[] b) {
            if (b.length == 0) {
                return b;
            }
            int at = Math.floorMod(position, b.length);
            int n = Math.min(count, b.length - at);
            byte[] out = new byte[b.length - n];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(b, at + n, out, at, b.length - at - n);
            return out;
        }
    }
}
