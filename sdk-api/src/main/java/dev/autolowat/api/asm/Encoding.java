package dev.autolowat.api.asm;

import java.util.Optional;

/**
 * The one owner of the instruction encoding ({@code struct bpf_insn}: {@code u8 code; u8 dst:4,
 * src:4; s16 off; s32 imm}, little-endian, {@code LD_IMM64} two slots with the high half of its
 * constant in the second slot's imm) on a program's bytes, and of the rule for where each kind of
 * reference may sit. Everything that reads or rewrites encoded programs goes through it: the
 * {@link Instruction} record, the object reader's linking (subprogram calls, kfunc calls), CO-RE
 * relocation, the native loaders (map fds, kfunc BTF ids, field offsets) and the simulator's loader
 * (which decodes slots into its own arrays but checks relocations with {@link #misplaced}), so that
 * their checks cannot disagree.
 *
 * <p>The methods take a program's bytes and a slot; they check nothing beyond what they say (the
 * caller has checked that the slot is inside the program, {@link #slotCount}).
 */
public final class Encoding {
    /** Bytes of one slot. */
    public static final int SLOT_SIZE = 8;

    private Encoding() {
    }

    // ---- reading ----

    /** Number of slots of {@code code}. */
    public static int slotCount(byte[] code) {
        return code.length / SLOT_SIZE;
    }

    /** The opcode byte of {@code slot}. */
    public static int opcode(byte[] code, int slot) {
        return code[slot * SLOT_SIZE] & 0xff;
    }

    /** The destination register field (4 bits). */
    public static int dst(byte[] code, int slot) {
        return code[slot * SLOT_SIZE + 1] & 0x0f;
    }

    /** The source register or pseudo-source field (4 bits). */
    public static int src(byte[] code, int slot) {
        return (code[slot * SLOT_SIZE + 1] >>> 4) & 0x0f;
    }

    /** The signed 16-bit offset. */
    public static short offset(byte[] code, int slot) {
        int at = slot * SLOT_SIZE + 2;
        return (short) ((code[at] & 0xff) | (code[at + 1] & 0xff) << 8);
    }

    /** The signed 32-bit immediate. */
    public static int imm(byte[] code, int slot) {
        return getInt(code, slot * SLOT_SIZE + 4);
    }

    /** The 64-bit constant of an {@code LD_IMM64} at {@code slot} (both slots' imm). */
    public static long imm64(byte[] code, int slot) {
        return (imm(code, slot) & 0xffff_ffffL) | ((long) imm(code, slot + 1) << 32);
    }

    // ---- what an opcode is ----

    /** Whether {@code opcode} is the two-slot {@code LD_IMM64}. */
    public static boolean isLoadImm64(int opcode) {
        return opcode == Opcode.LD_IMM64;
    }

    /**
     * Whether {@code opcode} is a memory load or store, by the kernel's verifier: {@code LDX} with mode
     * {@code MEM} or {@code MEMSX} (sign-extending, not 8 bytes), {@code ST} and {@code STX} with mode
     * {@code MEM} (the kernel rejects {@code ST}/{@code STX} with {@code MEMSX}; {@code STX|ATOMIC} is an
     * atomic operation, not a store whose offset names a field). Where a field offset (a
     * {@link Relocation.FieldRef}, a CO-RE byte-offset site) may be patched.
     */
    public static boolean isLoadStore(int opcode) {
        int cls = opcode & 0x07;
        int mode = opcode & 0xe0;
        if (cls == Opcode.LDX) {
            return mode == Opcode.MEM || mode == Opcode.MEMSX && (opcode & 0x18) != Opcode.DW;
        }
        return (cls == Opcode.ST || cls == Opcode.STX) && mode == Opcode.MEM;
    }

    /** Bytes a load or store of {@code opcode} moves (its size field: 1, 2, 4 or 8). */
    public static int accessSize(int opcode) {
        return switch (opcode & 0x18) {
            case Opcode.W -> 4;
            case Opcode.H -> 2;
            case Opcode.B -> 1;
            default -> 8;
        };
    }

    /** The size field for an access of {@code bytes} (1, 2, 4 or 8). */
    public static int sizeField(int bytes) {
        return switch (bytes) {
            case 4 -> Opcode.W;
            case 2 -> Opcode.H;
            case 1 -> Opcode.B;
            case 8 -> Opcode.DW;
            default -> throw new IllegalArgumentException("no load or store of " + bytes + " bytes");
        };
    }

    /** Whether the instruction at {@code slot} is a {@code CALL} (helper, subprogram or kfunc). */
    public static boolean isCall(byte[] code, int slot) {
        return opcode(code, slot) == (Opcode.JMP | Opcode.CALL);
    }

    /** Whether the instruction at {@code slot} is a kfunc call ({@code CALL} with src {@code BPF_PSEUDO_KFUNC_CALL}). */
    public static boolean isKfuncCall(byte[] code, int slot) {
        return isCall(code, slot) && src(code, slot) == Opcode.PSEUDO_KFUNC_CALL;
    }

    /** Whether the instruction at {@code slot} is a bpf-to-bpf call ({@code CALL} with src {@code BPF_PSEUDO_CALL}). */
    public static boolean isSubprogramCall(byte[] code, int slot) {
        return isCall(code, slot) && src(code, slot) == Opcode.PSEUDO_CALL;
    }

    /**
     * The slots that are the second half of an {@code LD_IMM64} (no instruction starts there), walking
     * the program from its first slot.
     */
    public static boolean[] secondSlots(byte[] code) {
        int n = slotCount(code);
        boolean[] second = new boolean[n];
        for (int slot = 0; slot < n; slot++) {
            if (isLoadImm64(opcode(code, slot)) && slot + 1 < n) {
                second[++slot] = true;
            }
        }
        return second;
    }

    /**
     * Why {@code r} cannot sit where it does in {@code code}, or empty when it can — the rule every
     * loader applies (the simulator's and the kernel's): inside the program and not on the second half
     * of an {@code LD_IMM64}; a {@link Relocation.MapRef} on an {@code LD_IMM64} of a map (src 0,
     * {@code BPF_PSEUDO_MAP_FD} or {@code BPF_PSEUDO_MAP_VALUE}) naming one of the program's
     * {@code mapCount} maps; a {@link Relocation.FieldRef} on a load or store ({@link #isLoadStore}); a
     * {@link Relocation.KfuncRef} on a kfunc call.
     *
     * @param second the program's {@link #secondSlots}
     */
    public static Optional<String> misplaced(Relocation r, byte[] code, boolean[] second, int mapCount) {
        int slot = r.slot();
        if (slot >= slotCount(code)) {
            return Optional.of("relocation " + r + " points outside the " + slotCount(code) + "-slot program");
        }
        if (second[slot]) {
            return Optional.of("relocation " + r + " points at the second slot of an LD_IMM64");
        }
        int opcode = opcode(code, slot);
        if (r instanceof Relocation.MapRef m) {
            if (!isLoadImm64(opcode)) {
                return Optional.of("map relocation " + r + " on an instruction that is not LD_IMM64 (opcode 0x"
                        + Integer.toHexString(opcode) + ")");
            }
            if (m.mapIndex() >= mapCount) {
                return Optional.of("map relocation names map index " + m.mapIndex() + " but the program declares "
                        + mapCount + " map(s)");
            }
            int src = src(code, slot);
            if (src != 0 && src != Opcode.PSEUDO_MAP_FD && src != Opcode.PSEUDO_MAP_VALUE) {
                return Optional.of("map relocation on an LD_IMM64 with pseudo source " + src
                        + " (use 0/PSEUDO_MAP_FD for the map, PSEUDO_MAP_VALUE for its value)");
            }
        } else if (r instanceof Relocation.FieldRef f) {
            if (!isLoadStore(opcode)) {
                return Optional.of("field relocation " + f.struct() + "." + f.field() + " on an instruction that is not "
                        + "a load or store (opcode 0x" + Integer.toHexString(opcode) + "; LDX MEM/MEMSX, ST/STX MEM)");
            }
        } else if (r instanceof Relocation.KfuncRef k) {
            if (!isKfuncCall(code, slot)) {
                return Optional.of("kfunc relocation " + k.name() + " on an instruction that is not a kfunc call"
                        + " (CALL with src PSEUDO_KFUNC_CALL)");
            }
        }
        return Optional.empty();
    }

    // ---- rewriting ----

    /** Sets the source field, keeping the destination. */
    public static void setSrc(byte[] code, int slot, int src) {
        int at = slot * SLOT_SIZE + 1;
        code[at] = (byte) ((src & 0x0f) << 4 | (code[at] & 0x0f));
    }

    /** Sets the offset. */
    public static void setOffset(byte[] code, int slot, short offset) {
        int at = slot * SLOT_SIZE + 2;
        code[at] = (byte) offset;
        code[at + 1] = (byte) (offset >>> 8);
    }

    /** Sets the 32-bit immediate. */
    public static void setImm(byte[] code, int slot, int imm) {
        putInt(code, slot * SLOT_SIZE + 4, imm);
    }

    /** Sets an {@code LD_IMM64}'s 64-bit constant (both slots' imm). */
    public static void setImm64(byte[] code, int slot, long value) {
        setImm(code, slot, (int) value);
        setImm(code, slot + 1, (int) (value >>> 32));
    }

    /** Sets the size field of a load or store to {@code bytes}, keeping class and mode. */
    public static void setAccessSize(byte[] code, int slot, int bytes) {
        int at = slot * SLOT_SIZE;
        code[at] = (byte) ((code[at] & ~0x18) | sizeField(bytes));
    }

    /**
     * An {@code LD_IMM64} of a map as a kernel takes it: src {@code BPF_PSEUDO_MAP_FD}, imm the map's fd
     * (the simulator's handle), the second slot's imm 0.
     */
    public static void setMapFd(byte[] code, int slot, int fd) {
        setSrc(code, slot, Opcode.PSEUDO_MAP_FD);
        setImm(code, slot, fd);
        setImm(code, slot + 1, 0);
    }

    /** An {@code LD_IMM64} of an address inside a map's value: src {@code BPF_PSEUDO_MAP_VALUE}, the fd, then the offset. */
    public static void setMapValue(byte[] code, int slot, int fd, int offset) {
        setSrc(code, slot, Opcode.PSEUDO_MAP_VALUE);
        setImm(code, slot, fd);
        setImm(code, slot + 1, offset);
    }

    /**
     * A kfunc call: src {@code BPF_PSEUDO_KFUNC_CALL}, imm the function's BTF id ({@code 0} until a
     * backend knows it), offset 0 (vmlinux, no {@code fd_array} index).
     */
    public static void setKfunc(byte[] code, int slot, int btfId) {
        setSrc(code, slot, Opcode.PSEUDO_KFUNC_CALL);
        setOffset(code, slot, (short) 0);
        setImm(code, slot, btfId);
    }

    /** Points the bpf-to-bpf call at {@code slot} to {@code targetSlot} (imm relative to the next slot). */
    public static void setCallTarget(byte[] code, int slot, int targetSlot) {
        setImm(code, slot, targetSlot - slot - 1);
    }

    /** Overwrites the slot with a whole instruction: {@code code}, registers, offset and imm. */
    public static void setSlot(byte[] code, int slot, int opcode, int dst, int src, short offset, int imm) {
        int at = slot * SLOT_SIZE;
        code[at] = (byte) opcode;
        code[at + 1] = (byte) ((src & 0x0f) << 4 | (dst & 0x0f));
        setOffset(code, slot, offset);
        setImm(code, slot, imm);
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
