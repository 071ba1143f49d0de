package dev.autolowat.testfixtures;

import dev.autolowat.testkit.Choices;
import dev.autolowat.testkit.Gen;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Edits of a BPF ELF object for the object reader's fuzz properties: structural edits aimed at what a
 * reader trusts (ELF header fields, section headers, the BTF headers' lengths) and byte edits
 * ({@link BlobMutations}). Used by sdk-api's {@code BpfObjectProperties} and sdk-sim's
 * {@code ObjectSimulatorProperties}.
 */
public final class ObjectEdits {
    private ObjectEdits() {
    }

    /** Edits that aim at the structures a reader trusts: header fields, section headers, BTF lengths. */
    public record Structural(int target, int which, int value) implements Edit {
        public byte[] apply(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (b.length < 64) {
                return b;
            }
            long shoff = buf.getLong(40);
            int shnum = buf.getShort(60) & 0xffff;
            switch (Math.floorMod(target, 3)) {
                case 0 -> { // an ELF header field
                    int[] fields = {16, 18, 40, 58, 60, 62};
                    int at = fields[Math.floorMod(which, fields.length)];
                    if (at == 40) {
                        buf.putLong(at, value);
                    } else {
                        buf.putShort(at, (short) value);
                    }
                }
                case 1 -> { // a section header's offset, size, link, info or entsize
                    if (shnum == 0 || shoff < 0 || shoff > b.length) {
                        return b;
                    }
                    int sec = Math.floorMod(which, shnum);
                    long at = shoff + 64L * sec;
                    int[] fields = {24, 32, 40, 44, 56};
                    long f = at + fields[Math.floorMod(value, fields.length)];
                    if (f + 8 <= b.length) {
                        buf.putLong((int) f, interesting(value, b.length));
                    }
                }
                default -> { // a word inside .BTF or .BTF.ext's headers: the (which mod 2)-th magic found
                    int skip = Math.floorMod(which, 2);
                    for (int i = 0; i + 32 < b.length; i += 4) {
                        if ((buf.getShort(i) & 0xffff) != 0xEB9F) {
                            continue;
                        }
                        if (skip-- == 0) {
                            buf.putInt(i + 4 * (1 + Math.floorMod(value, 7)), interesting(value >>> 3, b.length));
                            break;
                        }
                    }
                }
            }
            return b;
        }

        private static int interesting(int v, int length) {
            return switch (Math.floorMod(v, 6)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> length;
                case 3 -> length + 8;
                case 4 -> Integer.MAX_VALUE;
                default -> v;
            };
        }
    }

    /** Either a structural edit or one of the BTF properties' byte edits. */
    public interface Edit {
        byte[] apply(byte[] b);
    }

    public record ByteEdit(BlobMutations.Mutation m) implements Edit {
        public byte[] apply(byte[] b) {
            return m.apply(b);
        }
    }

    /** A structural or byte edit of an object file. */
    public static Gen<Edit> edit() {
        return c -> c.chance(2)
                ? new Structural(c.intBetween(0, 2), c.intBetween(0, 64), c.intBetween(Integer.MIN_VALUE, Integer.MAX_VALUE))
                : new ByteEdit(byteEdit(c));
    }

    private static BlobMutations.Mutation byteEdit(Choices c) {
        return switch (c.intBetween(0, 3)) {
            case 0 -> new BlobMutations.SetByte(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(0, 255));
            case 1 -> new BlobMutations.FlipBit(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(0, 7));
            case 2 -> new BlobMutations.Truncate(c.intBetween(0, Integer.MAX_VALUE));
            default -> new BlobMutations.Delete(c.intBetween(0, Integer.MAX_VALUE), c.intBetween(1, 16));
        };
    }
}
