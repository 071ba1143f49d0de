package dev.autolowat.api.asm;

import dev.autolowat.api.program.BpfBytecode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HexFormat;
import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R5;
import static dev.autolowat.api.asm.Reg.R6;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DisassemblerTest {

    @Test
    @DisplayName("a representative program reads like bpftool prog dump xlated")
    void representativeProgram() {
        BpfBytecode code = new Assembler()
                .mov64(R6, R1)
                .ldxw(R2, R6, SockOpsCtx.OP)
                .jne(R2, 21, "out")
                .call(Helper.SKB_LOAD_BYTES)
                .callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .loadMap(R1, 0)
                .ldxField(Opcode.W, R3, R2, "tcp_sock", "copied_seq")
                .stxField(Opcode.W, R2, R3, "sock", "sk_rcvlowat")
                .lddw(R4, 0x100000000L)
                .add32(R4, -1)
                .mov32(R5, R4)
                .sdiv64(R5, 3)
                .smod32(R5, R4)
                .neg64(R5)
                .neg32(R5)
                .movsx64(R1, R2, 8)
                .movsx32(R1, R2, 16)
                .be16(R1)
                .le64(R1)
                .bswap32(R1)
                .ldxsxb(R1, R2, 0)
                .stxdw(R10, R1, -8)
                .stw(R10, -12, -1)
                .atomicAdd(Opcode.DW, R1, R2, 0)
                .atomicOr(Opcode.W, R1, R2, 4)
                .atomicFetchAnd(Opcode.DW, R1, R2, 0)
                .atomicFetchXor(Opcode.W, R1, R2, 0)
                .atomicXchg(Opcode.DW, R1, R3, -8)
                .atomicCmpxchg(Opcode.DW, R1, R3, 0)
                .jgt32(R1, 5, "out")
                .jsle(R1, R2, "out")
                .jslt32(R1, R2, "out")
                .jset(R1, -1, "out")
                .callLabel("sub")
                .label("out")
                .mov64(R0, 1)
                .exit()
                .label("sub")
                .ja("out")
                .ja32("out")
                .build();
        String expected = """
                   0: (bf) r6 = r1
                   1: (61) r2 = *(u32 *)(r6 +0)
                   2: (55) if r2 != 0x15 goto pc+33
                   3: (85) call bpf_skb_load_bytes#26
                   4: (85) call bpf_sock_ops_tcp_set_rcvlowat (kfunc)
                   5: (18) r1 = map[id:0]
                   7: (61) r3 = *(u32 *)(r2 +0) ; tcp_sock.copied_seq
                   8: (63) *(u32 *)(r2 +0) = r3 ; sock.sk_rcvlowat
                   9: (18) r4 = 0x100000000
                  11: (04) w4 += -1
                  12: (bc) w5 = w4
                  13: (37) r5 s/= 3
                  14: (9c) w5 s%= w4
                  15: (87) r5 = -r5
                  16: (84) w5 = -w5
                  17: (bf) r1 = (s8)r2
                  18: (bc) w1 = (s16)w2
                  19: (dc) r1 = be16 r1
                  20: (d4) r1 = le64 r1
                  21: (d7) r1 = bswap32 r1
                  22: (91) r1 = *(s8 *)(r2 +0)
                  23: (7b) *(u64 *)(r10 -8) = r1
                  24: (62) *(u32 *)(r10 -12) = -1
                  25: (db) lock *(u64 *)(r1 +0) += r2
                  26: (c3) lock *(u32 *)(r1 +4) |= r2
                  27: (db) r2 = atomic64_fetch_and((u64 *)(r1 +0), r2)
                  28: (c3) r2 = atomic_fetch_xor((u32 *)(r1 +0), r2)
                  29: (db) r3 = atomic64_xchg((u64 *)(r1 -8), r3)
                  30: (db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r3)
                  31: (26) if w1 > 0x5 goto pc+4
                  32: (dd) if r1 s<= r2 goto pc+3
                  33: (ce) if w1 s< w2 goto pc+2
                  34: (45) if r1 & 0xffffffff goto pc+1
                  35: (85) call pc+2
                  36: (b7) r0 = 1
                  37: (95) exit
                  38: (05) goto pc-3
                  39: (06) gotol pc-4
                """;
        assertEquals(expected, Disassembler.disassemble(code));
        assertEquals(expected.lines().toList(), Disassembler.lines(code));
    }

    /** Single instructions as hex, and their text (without the slot number). */
    @DisplayName("single instructions render as disasm.c does")
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = ';', textBlock = """
            b700000001000000 ; (b7) r0 = 1
            b4010000ffffffff ; (b4) w1 = -1
            0f21000000000000 ; (0f) r1 += r2
            1c21000000000000 ; (1c) w1 -= w2
            2f21000000000000 ; (2f) r1 *= r2
            3f21000000000000 ; (3f) r1 /= r2
            4f21000000000000 ; (4f) r1 |= r2
            5f21000000000000 ; (5f) r1 &= r2
            6701000020000000 ; (67) r1 <<= 32
            7701000020000000 ; (77) r1 >>= 32
            9f21000000000000 ; (9f) r1 %= r2
            af21000000000000 ; (af) r1 ^= r2
            c701000003000000 ; (c7) r1 s>>= 3
            cc21000000000000 ; (cc) w1 s>>= w2
            bf21200000000000 ; (bf) r1 = (s32)r2
            bf21010000000001 ; (bf) r1 = addr_space_cast(r2, 256, 0)
            d401000010000000 ; (d4) r1 = le16 r1
            dc01000040000000 ; (dc) r1 = be64 r1
            7121030000000000 ; (71) r1 = *(u8 *)(r2 +3)
            6921feff00000000 ; (69) r1 = *(u16 *)(r2 -2)
            79a1f8ff00000000 ; (79) r1 = *(u64 *)(r10 -8)
            8921000000000000 ; (89) r1 = *(s16 *)(r2 +0)
            8121000000000000 ; (81) r1 = *(s32 *)(r2 +0)
            731affff00000000 ; (73) *(u8 *)(r10 -1) = r1
            7a0af0ffffffffff ; (7a) *(u64 *)(r10 -16) = -1
            c321000001000000 ; (c3) r2 = atomic_fetch_add((u32 *)(r1 +0), r2)
            c3210000e1000000 ; (c3) r2 = atomic_xchg((u32 *)(r1 +0), r2)
            c3210000f1000000 ; (c3) r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)
            db210000a0000000 ; (db) lock *(u64 *)(r1 +0) ^= r2
            db21000050000000 ; (db) lock *(u64 *)(r1 +0) &= r2
            db21000041000000 ; (db) r2 = atomic64_fetch_or((u64 *)(r1 +0), r2)
            db21000011000000 ; (db) unknown atomic operation 0x11
            2000000010000000 ; (20) r0 = *(u32 *)skb[16]
            5020000004000000 ; (50) r0 = *(u8 *)skb[r2 + 4]
            8500000001000000 ; (85) call bpf_map_lookup_elem#1
            85000000d3000000 ; (85) call bpf_cgrp_storage_delete#211
            850000000f270000 ; (85) call unknown#9999
            8510000005000000 ; (85) call pc+5
            8520000007000000 ; (85) call kernel-function#7
            9500000000000000 ; (95) exit
            0500050000000000 ; (05) goto pc+5
            0500fdff00000000 ; (05) goto pc-3
            06000000fdffffff ; (06) gotol pc-3
            e500020000000000 ; (e5) may_goto pc+2
            1501020005000000 ; (15) if r1 == 0x5 goto pc+2
            1d21020000000000 ; (1d) if r1 == r2 goto pc+2
            2d21020000000000 ; (2d) if r1 > r2 goto pc+2
            3501020005000000 ; (35) if r1 >= 0x5 goto pc+2
            a501020005000000 ; (a5) if r1 < 0x5 goto pc+2
            bd21020000000000 ; (bd) if r1 <= r2 goto pc+2
            6501020005000000 ; (65) if r1 s> 0x5 goto pc+2
            7e21020000000000 ; (7e) if w1 s>= w2 goto pc+2
            5e21020000000000 ; (5e) if w1 != w2 goto pc+2
            46010200ffffffff ; (46) if w1 & 0xffffffff goto pc+2
            c200000000000000 ; (c2) nospec
            ff00000000000000 ; (ff) unknown opcode
            0000000000000000 ; (00) unknown opcode
            8d00000000000000 ; (8d) unknown opcode
            8600000000000000 ; (86) unknown opcode
            9600000000000000 ; (96) unknown opcode
            0d00000000000000 ; (0d) unknown opcode
            f500000000000000 ; (f5) unknown opcode
            e400000000000000 ; (e4) unknown opcode
            8c00000000000000 ; (8c) unknown opcode
            df01000010000000 ; (df) unknown opcode
            a100000000000000 ; (a1) unknown opcode
            9900000000000000 ; (99) unknown opcode
            d300000000000000 ; (d3) unknown opcode
            6300000000000000 ; (63) *(u32 *)(r0 +0) = r0
            e300000000000000 ; (e3) unknown opcode
            3800000000000000 ; (38) unknown opcode
            """)
    void singleInstructions(String hex, String text) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertEquals(text, Disassembler.format(Instruction.decode(bytes, 0)));
        assertEquals("   0: " + text + "\n", Disassembler.disassemble(BpfBytecode.of(bytes)));
    }

    @Test
    @DisplayName("LD_IMM64 forms: constants, map fds and values, and the two-slot numbering")
    void ldImm64Forms() {
        BpfBytecode code = BpfBytecode.of(List.of(
                new Instruction(Opcode.LD_IMM64, 1, 0, (short) 0, -1L),
                new Instruction(Opcode.LD_IMM64, 2, Opcode.PSEUDO_MAP_FD, (short) 0, 7),
                new Instruction(Opcode.LD_IMM64, 3, Opcode.PSEUDO_MAP_VALUE, (short) 0, (16L << 32) | 7),
                new Instruction(Opcode.LD_IMM64, 4, Opcode.PSEUDO_MAP_IDX, (short) 0, 2),
                new Instruction(Opcode.LD_IMM64, 5, 0, (short) 0, 0),
                new Instruction(Opcode.JMP | Opcode.EXIT, 0, 0, (short) 0, 0)),
                List.of(new Relocation.MapRef(8, 3)));
        assertEquals("""
                   0: (18) r1 = 0xffffffffffffffff
                   2: (18) r2 = map[id:7]
                   4: (18) r3 = map[id:7][0]+16
                   6: (18) r4 = map[idx:2]
                   8: (18) r5 = map[id:3]
                  10: (95) exit
                """, Disassembler.disassemble(code));
    }

    @Test
    @DisplayName("a truncated or malformed LD_IMM64 is shown, not thrown; the next slot is its own line")
    void invalidLdImm64() {
        assertEquals("   0: (18) invalid ld_imm64: no second slot\n",
                Disassembler.disassemble(BpfBytecode.of(HexFormat.of().parseHex("1801000001000000"))));
        assertEquals("""
                   0: (18) invalid ld_imm64: the second slot must be zero but for its imm
                   1: (95) exit
                """, Disassembler.disassemble(BpfBytecode.of(HexFormat.of().parseHex("1801000001000000" + "9500000000000000"))));
    }

    @Test
    @DisplayName("a relocation on an instruction it does not fit is shown as a comment")
    void misplacedRelocations() {
        BpfBytecode code = BpfBytecode.of(List.of(
                new Instruction(0x95, 0, 0, (short) 0, 0),
                new Instruction(0x95, 0, 0, (short) 0, 0)),
                List.of(new Relocation.MapRef(0, 1), new Relocation.KfuncRef(1, "f")));
        assertEquals(List.of("   0: (95) exit ; map[id:1]", "   1: (95) exit ; kfunc f"), Disassembler.lines(code));
    }

    @Test
    @DisplayName("slot numbers are right-aligned in four columns, then widen")
    void slotNumbers() {
        Assembler a = new Assembler();
        for (int i = 0; i < 10_001; i++) {
            a.mov64(R0, 0);
        }
        List<String> lines = Disassembler.lines(a.build());
        assertEquals("   9: (b7) r0 = 0", lines.get(9));
        assertEquals("9999: (b7) r0 = 0", lines.get(9999));
        assertEquals("10000: (b7) r0 = 0", lines.get(10000));
    }

    @DisplayName("the disassembler names every Helper as Helper.kernelName()")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Helper.class)
    void helperNames(Helper h) {
        assertEquals(h.kernelName(), HelperNames.of(h.id()));
        assertEquals("(85) call " + h.kernelName() + "#" + h.id(),
                Disassembler.format(new Instruction(0x85, 0, 0, (short) 0, h.id())));
    }
}
