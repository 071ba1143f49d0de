package dev.autolowat.api.asm;

/**
 * The fields of an eBPF opcode byte, as {@code instruction-set.rst} defines them. An opcode is
 * {@code class | (op or size/mode) | source}.
 */
public final class Opcode {
    private Opcode() {
    }

    // ---- instruction classes (low 3 bits) ----
    public static final int LD = 0x00;
    public static final int LDX = 0x01;
    public static final int ST = 0x02;
    public static final int STX = 0x03;
    public static final int ALU = 0x04;
    public static final int JMP = 0x05;
    public static final int JMP32 = 0x06;
    public static final int ALU64 = 0x07;

    // ---- load/store: size (bits 3-4) and mode (bits 5-7) ----
    public static final int W = 0x00;
    public static final int H = 0x08;
    public static final int B = 0x10;
    public static final int DW = 0x18;
    public static final int IMM = 0x00;
    public static final int ABS = 0x20;
    public static final int IND = 0x40;
    public static final int MEM = 0x60;
    /** Sign-extending load (v4). */
    public static final int MEMSX = 0x80;
    public static final int ATOMIC = 0xc0;

    // ---- ALU/JMP source (bit 3) ----
    /** Use the 32-bit immediate. */
    public static final int K = 0x00;
    /** Use the source register. */
    public static final int X = 0x08;

    // ---- ALU operations (bits 4-7) ----
    public static final int ADD = 0x00;
    public static final int SUB = 0x10;
    public static final int MUL = 0x20;
    public static final int DIV = 0x30;
    public static final int OR = 0x40;
    public static final int AND = 0x50;
    public static final int LSH = 0x60;
    public static final int RSH = 0x70;
    public static final int NEG = 0x80;
    public static final int MOD = 0x90;
    public static final int XOR = 0xa0;
    public static final int MOV = 0xb0;
    public static final int ARSH = 0xc0;
    /** Byte swap; with source K = to little-endian ({@code TO_LE}), X = to big-endian ({@code TO_BE}). */
    public static final int END = 0xd0;

    // ---- jump operations (bits 4-7) ----
    public static final int JA = 0x00;
    public static final int JEQ = 0x10;
    public static final int JGT = 0x20;
    public static final int JGE = 0x30;
    public static final int JSET = 0x40;
    public static final int JNE = 0x50;
    public static final int JSGT = 0x60;
    public static final int JSGE = 0x70;
    public static final int CALL = 0x80;
    public static final int EXIT = 0x90;
    public static final int JLT = 0xa0;
    public static final int JLE = 0xb0;
    public static final int JSLT = 0xc0;
    public static final int JSLE = 0xd0;

    // ---- atomic operations (imm field of ATOMIC stores) ----
    public static final int FETCH = 0x01;
    public static final int XCHG = 0xe0 | FETCH;
    public static final int CMPXCHG = 0xf0 | FETCH;

    // ---- pseudo source registers ----
    /** {@code LD_IMM64} with src 1: imm is a map fd. */
    public static final int PSEUDO_MAP_FD = 1;
    /** {@code LD_IMM64} with src 2: imm is a map fd, the next imm an offset into its value. */
    public static final int PSEUDO_MAP_VALUE = 2;
    /** {@code LD_IMM64} with src 5: imm is an index into the program's map array. */
    public static final int PSEUDO_MAP_IDX = 5;
    /** {@code CALL} with src 1: a bpf-to-bpf call, imm = relative instruction offset. */
    public static final int PSEUDO_CALL = 1;
    /** {@code CALL} with src 2: a kfunc call, imm = the function's BTF id. */
    public static final int PSEUDO_KFUNC_CALL = 2;

    /** The class of an opcode. */
    public static int instructionClass(int opcode) {
        return opcode & 0x07;
    }

    /** The operation of an ALU/JMP opcode. */
    public static int operation(int opcode) {
        return opcode & 0xf0;
    }

    /** The source bit of an ALU/JMP opcode. */
    public static int source(int opcode) {
        return opcode & 0x08;
    }

    /** The size of a load/store opcode. */
    public static int size(int opcode) {
        return opcode & 0x18;
    }

    /** The mode of a load/store opcode. */
    public static int mode(int opcode) {
        return opcode & 0xe0;
    }

    /** Bytes accessed by a load/store size field. */
    public static int sizeInBytes(int size) {
        return switch (size) {
            case W -> 4;
            case H -> 2;
            case B -> 1;
            case DW -> 8;
            default -> throw new IllegalArgumentException("not a size field: 0x" + Integer.toHexString(size));
        };
    }

    /** The size field for an access of {@code bytes} bytes (1, 2, 4 or 8). */
    public static int sizeField(int bytes) {
        return switch (bytes) {
            case 1 -> B;
            case 2 -> H;
            case 4 -> W;
            case 8 -> DW;
            default -> throw new IllegalArgumentException("access size must be 1, 2, 4 or 8 bytes, got " + bytes);
        };
    }

    /** {@code LD | DW | IMM}: the two-slot 64-bit immediate load. */
    public static final int LD_IMM64 = LD | DW | IMM;
}
