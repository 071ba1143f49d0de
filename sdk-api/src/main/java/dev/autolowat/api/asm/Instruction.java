package dev.autolowat.api.asm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One eBPF instruction in the kernel's encoding ({@code struct bpf_insn}): an 8-bit opcode, 4-bit
 * destination and source registers, a signed 16-bit offset and a signed 32-bit immediate, little
 * endian. {@code LD_IMM64} is one instruction of two 8-byte slots; its 64-bit constant is
 * {@link #constant()} (the low half in the first slot's imm, the high half in the second's).
 *
 * @param opcode   the opcode byte (0–255)
 * @param dst      destination register number as encoded (0–15; valid programs use 0–10)
 * @param src      source register number or pseudo-source as encoded (0–15)
 * @param offset   the signed 16-bit offset
 * @param constant the immediate: a sign-extended 32-bit value, or the 64-bit value of LD_IMM64
 */
public record Instruction(int opcode, int dst, int src, short offset, long constant) {
    /** Bytes of one slot. */
    public static final int SLOT_SIZE = Encoding.SLOT_SIZE;

    public Instruction {
        if (opcode < 0 || opcode > 0xff) {
            throw new IllegalArgumentException("opcode 0x" + Integer.toHexString(opcode) + " does not fit a byte");
        }
        if (dst < 0 || dst > 0xf || src < 0 || src > 0xf) {
            throw new IllegalArgumentException("register fields must be 0..15, got dst " + dst + " src " + src);
        }
        if (opcode != Opcode.LD_IMM64 && constant != (int) constant) {
            throw new IllegalArgumentException("immediate " + constant + " does not fit 32 bits (only LD_IMM64 takes 64)");
        }
    }

    /** The 32-bit immediate (for LD_IMM64: the low half). */
    public int imm() {
        return (int) constant;
    }

    /** Whether this is the two-slot LD_IMM64. */
    public boolean isLoadImm64() {
        return opcode == Opcode.LD_IMM64;
    }

    /** Number of 8-byte slots: 2 for LD_IMM64, else 1. */
    public int slots() {
        return isLoadImm64() ? 2 : 1;
    }

    /** Appends the encoding to {@code out} (little-endian). */
    public void encode(ByteBuffer out) {
        ByteOrder saved = out.order();
        out.order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) opcode);
        out.put((byte) ((src << 4) | dst));
        out.putShort(offset);
        out.putInt((int) constant);
        if (isLoadImm64()) {
            out.put((byte) 0).put((byte) 0).putShort((short) 0);
            out.putInt((int) (constant >>> 32));
        }
        out.order(saved);
    }

    /** The encoding as bytes. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(slots() * SLOT_SIZE);
        encode(b);
        return b.array();
    }

    /**
     * Decodes the instruction at {@code slot} of {@code code}.
     *
     * @throws IllegalArgumentException when the slot is outside the code, or an LD_IMM64 lacks its
     *         second slot or has a malformed one
     */
    public static Instruction decode(byte[] code, int slot) {
        if (slot < 0 || slot >= Encoding.slotCount(code)) {
            throw new IllegalArgumentException("slot " + slot + " is outside the " + Encoding.slotCount(code) + "-slot program");
        }
        int opcode = Encoding.opcode(code, slot);
        int dst = Encoding.dst(code, slot);
        int src = Encoding.src(code, slot);
        short off = Encoding.offset(code, slot);
        if (!Encoding.isLoadImm64(opcode)) {
            return new Instruction(opcode, dst, src, off, Encoding.imm(code, slot));
        }
        if (slot + 1 >= Encoding.slotCount(code)) {
            throw new IllegalArgumentException("LD_IMM64 at slot " + slot + " has no second slot");
        }
        if (Encoding.opcode(code, slot + 1) != 0 || Encoding.dst(code, slot + 1) != 0 || Encoding.src(code, slot + 1) != 0
                || Encoding.offset(code, slot + 1) != 0) {
            throw new IllegalArgumentException("LD_IMM64 at slot " + slot + ": the second slot must be zero but for its imm");
        }
        return new Instruction(opcode, dst, src, off, Encoding.imm64(code, slot));
    }
}
