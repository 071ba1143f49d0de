package dev.autolowat.api.asm;

import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R5;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R7;
import static dev.autolowat.api.asm.Reg.R8;
import static dev.autolowat.api.asm.Reg.R9;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssemblerTest {

    private static Instruction insn(int opcode, int dst, int src, int off, long imm) {
        return new Instruction(opcode, dst, src, (short) off, imm);
    }

    private static Arguments of(String name, Consumer<Assembler> emit, Instruction expected) {
        return Arguments.of(name, emit, expected, null);
    }

    private static Arguments of(String name, Consumer<Assembler> emit, Instruction expected, Relocation reloc) {
        return Arguments.of(name, emit, expected, reloc);
    }

    /**
     * Every builder method with the instruction it must emit. Each is assembled at slot 1, after
     * {@code label("t")} on slot 0, so label references resolve to the offset -2.
     */
    static Stream<Arguments> everyMethod() {
        int k64 = Opcode.ALU64 | Opcode.K;
        int x64 = Opcode.ALU64 | Opcode.X;
        int k32 = Opcode.ALU | Opcode.K;
        int x32 = Opcode.ALU | Opcode.X;
        int jk = Opcode.JMP | Opcode.K;
        int jx = Opcode.JMP | Opcode.X;
        int jk32 = Opcode.JMP32 | Opcode.K;
        int jx32 = Opcode.JMP32 | Opcode.X;
        int stxa = Opcode.STX | Opcode.ATOMIC;
        return Stream.of(
                // ALU64, K and X
                of("add64 K", a -> a.add64(R1, -7), insn(k64 | Opcode.ADD, 1, 0, 0, -7)),
                of("add64 X", a -> a.add64(R1, R2), insn(x64 | Opcode.ADD, 1, 2, 0, 0)),
                of("sub64 K", a -> a.sub64(R3, 1), insn(k64 | Opcode.SUB, 3, 0, 0, 1)),
                of("sub64 X", a -> a.sub64(R3, R4), insn(x64 | Opcode.SUB, 3, 4, 0, 0)),
                of("mul64 K", a -> a.mul64(R5, 1000), insn(k64 | Opcode.MUL, 5, 0, 0, 1000)),
                of("mul64 X", a -> a.mul64(R5, R6), insn(x64 | Opcode.MUL, 5, 6, 0, 0)),
                of("div64 K", a -> a.div64(R7, 3), insn(k64 | Opcode.DIV, 7, 0, 0, 3)),
                of("div64 X", a -> a.div64(R7, R8), insn(x64 | Opcode.DIV, 7, 8, 0, 0)),
                of("sdiv64 K", a -> a.sdiv64(R9, -3), insn(k64 | Opcode.DIV, 9, 0, 1, -3)),
                of("sdiv64 X", a -> a.sdiv64(R9, R0), insn(x64 | Opcode.DIV, 9, 0, 1, 0)),
                of("mod64 K", a -> a.mod64(R0, 10), insn(k64 | Opcode.MOD, 0, 0, 0, 10)),
                of("mod64 X", a -> a.mod64(R0, R1), insn(x64 | Opcode.MOD, 0, 1, 0, 0)),
                of("smod64 K", a -> a.smod64(R1, 10), insn(k64 | Opcode.MOD, 1, 0, 1, 10)),
                of("smod64 X", a -> a.smod64(R1, R2), insn(x64 | Opcode.MOD, 1, 2, 1, 0)),
                of("or64 K", a -> a.or64(R2, 0x80), insn(k64 | Opcode.OR, 2, 0, 0, 0x80)),
                of("or64 X", a -> a.or64(R2, R3), insn(x64 | Opcode.OR, 2, 3, 0, 0)),
                of("and64 K", a -> a.and64(R3, 0xff), insn(k64 | Opcode.AND, 3, 0, 0, 0xff)),
                of("and64 X", a -> a.and64(R3, R4), insn(x64 | Opcode.AND, 3, 4, 0, 0)),
                of("lsh64 K", a -> a.lsh64(R4, 32), insn(k64 | Opcode.LSH, 4, 0, 0, 32)),
                of("lsh64 X", a -> a.lsh64(R4, R5), insn(x64 | Opcode.LSH, 4, 5, 0, 0)),
                of("rsh64 K", a -> a.rsh64(R5, 32), insn(k64 | Opcode.RSH, 5, 0, 0, 32)),
                of("rsh64 X", a -> a.rsh64(R5, R6), insn(x64 | Opcode.RSH, 5, 6, 0, 0)),
                of("arsh64 K", a -> a.arsh64(R6, 63), insn(k64 | Opcode.ARSH, 6, 0, 0, 63)),
                of("arsh64 X", a -> a.arsh64(R6, R7), insn(x64 | Opcode.ARSH, 6, 7, 0, 0)),
                of("xor64 K", a -> a.xor64(R7, -1), insn(k64 | Opcode.XOR, 7, 0, 0, -1)),
                of("xor64 X", a -> a.xor64(R7, R8), insn(x64 | Opcode.XOR, 7, 8, 0, 0)),
                of("mov64 K", a -> a.mov64(R0, Integer.MIN_VALUE), insn(k64 | Opcode.MOV, 0, 0, 0, Integer.MIN_VALUE)),
                of("mov64 X", a -> a.mov64(R6, R1), insn(x64 | Opcode.MOV, 6, 1, 0, 0)),
                of("neg64", a -> a.neg64(R8), insn(k64 | Opcode.NEG, 8, 0, 0, 0)),
                of("movsx64 8", a -> a.movsx64(R1, R2, 8), insn(x64 | Opcode.MOV, 1, 2, 8, 0)),
                of("movsx64 16", a -> a.movsx64(R1, R2, 16), insn(x64 | Opcode.MOV, 1, 2, 16, 0)),
                of("movsx64 32", a -> a.movsx64(R1, R2, 32), insn(x64 | Opcode.MOV, 1, 2, 32, 0)),
                of("alu64 generic", a -> a.alu64(Opcode.XOR, R1, 5), insn(k64 | Opcode.XOR, 1, 0, 0, 5)),
                of("alu64 generic X", a -> a.alu64(Opcode.SUB, R1, R9), insn(x64 | Opcode.SUB, 1, 9, 0, 0)),
                // ALU (32-bit), K and X
                of("add32 K", a -> a.add32(R1, 1), insn(k32 | Opcode.ADD, 1, 0, 0, 1)),
                of("add32 X", a -> a.add32(R1, R2), insn(x32 | Opcode.ADD, 1, 2, 0, 0)),
                of("sub32 K", a -> a.sub32(R1, 1), insn(k32 | Opcode.SUB, 1, 0, 0, 1)),
                of("sub32 X", a -> a.sub32(R1, R2), insn(x32 | Opcode.SUB, 1, 2, 0, 0)),
                of("mul32 K", a -> a.mul32(R1, 3), insn(k32 | Opcode.MUL, 1, 0, 0, 3)),
                of("mul32 X", a -> a.mul32(R1, R2), insn(x32 | Opcode.MUL, 1, 2, 0, 0)),
                of("div32 K", a -> a.div32(R1, 3), insn(k32 | Opcode.DIV, 1, 0, 0, 3)),
                of("div32 X", a -> a.div32(R1, R2), insn(x32 | Opcode.DIV, 1, 2, 0, 0)),
                of("sdiv32 K", a -> a.sdiv32(R1, 3), insn(k32 | Opcode.DIV, 1, 0, 1, 3)),
                of("sdiv32 X", a -> a.sdiv32(R1, R2), insn(x32 | Opcode.DIV, 1, 2, 1, 0)),
                of("mod32 K", a -> a.mod32(R1, 3), insn(k32 | Opcode.MOD, 1, 0, 0, 3)),
                of("mod32 X", a -> a.mod32(R1, R2), insn(x32 | Opcode.MOD, 1, 2, 0, 0)),
                of("smod32 K", a -> a.smod32(R1, 3), insn(k32 | Opcode.MOD, 1, 0, 1, 3)),
                of("smod32 X", a -> a.smod32(R1, R2), insn(x32 | Opcode.MOD, 1, 2, 1, 0)),
                of("or32 K", a -> a.or32(R1, 3), insn(k32 | Opcode.OR, 1, 0, 0, 3)),
                of("or32 X", a -> a.or32(R1, R2), insn(x32 | Opcode.OR, 1, 2, 0, 0)),
                of("and32 K", a -> a.and32(R1, 3), insn(k32 | Opcode.AND, 1, 0, 0, 3)),
                of("and32 X", a -> a.and32(R1, R2), insn(x32 | Opcode.AND, 1, 2, 0, 0)),
                of("lsh32 K", a -> a.lsh32(R1, 3), insn(k32 | Opcode.LSH, 1, 0, 0, 3)),
                of("lsh32 X", a -> a.lsh32(R1, R2), insn(x32 | Opcode.LSH, 1, 2, 0, 0)),
                of("rsh32 K", a -> a.rsh32(R1, 3), insn(k32 | Opcode.RSH, 1, 0, 0, 3)),
                of("rsh32 X", a -> a.rsh32(R1, R2), insn(x32 | Opcode.RSH, 1, 2, 0, 0)),
                of("arsh32 K", a -> a.arsh32(R1, 3), insn(k32 | Opcode.ARSH, 1, 0, 0, 3)),
                of("arsh32 X", a -> a.arsh32(R1, R2), insn(x32 | Opcode.ARSH, 1, 2, 0, 0)),
                of("xor32 K", a -> a.xor32(R1, 3), insn(k32 | Opcode.XOR, 1, 0, 0, 3)),
                of("xor32 X", a -> a.xor32(R1, R2), insn(x32 | Opcode.XOR, 1, 2, 0, 0)),
                of("mov32 K", a -> a.mov32(R1, -1), insn(k32 | Opcode.MOV, 1, 0, 0, -1)),
                of("mov32 X", a -> a.mov32(R1, R2), insn(x32 | Opcode.MOV, 1, 2, 0, 0)),
                of("neg32", a -> a.neg32(R3), insn(k32 | Opcode.NEG, 3, 0, 0, 0)),
                of("movsx32 8", a -> a.movsx32(R1, R2, 8), insn(x32 | Opcode.MOV, 1, 2, 8, 0)),
                of("movsx32 16", a -> a.movsx32(R1, R2, 16), insn(x32 | Opcode.MOV, 1, 2, 16, 0)),
                of("alu32 generic", a -> a.alu32(Opcode.ARSH, R1, 2), insn(k32 | Opcode.ARSH, 1, 0, 0, 2)),
                of("alu32 generic X", a -> a.alu32(Opcode.MUL, R1, R2), insn(x32 | Opcode.MUL, 1, 2, 0, 0)),
                // byte swaps
                of("le16", a -> a.le16(R1), insn(0xd4, 1, 0, 0, 16)),
                of("le32", a -> a.le32(R1), insn(0xd4, 1, 0, 0, 32)),
                of("le64", a -> a.le64(R1), insn(0xd4, 1, 0, 0, 64)),
                of("be16", a -> a.be16(R2), insn(0xdc, 2, 0, 0, 16)),
                of("be32", a -> a.be32(R2), insn(0xdc, 2, 0, 0, 32)),
                of("be64", a -> a.be64(R2), insn(0xdc, 2, 0, 0, 64)),
                of("bswap16", a -> a.bswap16(R3), insn(0xd7, 3, 0, 0, 16)),
                of("bswap32", a -> a.bswap32(R3), insn(0xd7, 3, 0, 0, 32)),
                of("bswap64", a -> a.bswap64(R3), insn(0xd7, 3, 0, 0, 64)),
                // jumps (label "t" is at slot 0, the jump at slot 1: offset -2)
                of("ja", a -> a.ja("t"), insn(0x05, 0, 0, -2, 0)),
                of("ja32", a -> a.ja32("t"), insn(0x06, 0, 0, 0, -2)),
                of("jeq K", a -> a.jeq(R1, 5, "t"), insn(jk | Opcode.JEQ, 1, 0, -2, 5)),
                of("jeq X", a -> a.jeq(R1, R2, "t"), insn(jx | Opcode.JEQ, 1, 2, -2, 0)),
                of("jne K", a -> a.jne(R2, 21, "t"), insn(jk | Opcode.JNE, 2, 0, -2, 21)),
                of("jne X", a -> a.jne(R1, R2, "t"), insn(jx | Opcode.JNE, 1, 2, -2, 0)),
                of("jgt K", a -> a.jgt(R1, 5, "t"), insn(jk | Opcode.JGT, 1, 0, -2, 5)),
                of("jgt X", a -> a.jgt(R1, R2, "t"), insn(jx | Opcode.JGT, 1, 2, -2, 0)),
                of("jge K", a -> a.jge(R1, 5, "t"), insn(jk | Opcode.JGE, 1, 0, -2, 5)),
                of("jge X", a -> a.jge(R1, R2, "t"), insn(jx | Opcode.JGE, 1, 2, -2, 0)),
                of("jlt K", a -> a.jlt(R1, 5, "t"), insn(jk | Opcode.JLT, 1, 0, -2, 5)),
                of("jlt X", a -> a.jlt(R1, R2, "t"), insn(jx | Opcode.JLT, 1, 2, -2, 0)),
                of("jle K", a -> a.jle(R1, 5, "t"), insn(jk | Opcode.JLE, 1, 0, -2, 5)),
                of("jle X", a -> a.jle(R1, R2, "t"), insn(jx | Opcode.JLE, 1, 2, -2, 0)),
                of("jsgt K", a -> a.jsgt(R1, -5, "t"), insn(jk | Opcode.JSGT, 1, 0, -2, -5)),
                of("jsgt X", a -> a.jsgt(R1, R2, "t"), insn(jx | Opcode.JSGT, 1, 2, -2, 0)),
                of("jsge K", a -> a.jsge(R1, -5, "t"), insn(jk | Opcode.JSGE, 1, 0, -2, -5)),
                of("jsge X", a -> a.jsge(R1, R2, "t"), insn(jx | Opcode.JSGE, 1, 2, -2, 0)),
                of("jslt K", a -> a.jslt(R1, -5, "t"), insn(jk | Opcode.JSLT, 1, 0, -2, -5)),
                of("jslt X", a -> a.jslt(R1, R2, "t"), insn(jx | Opcode.JSLT, 1, 2, -2, 0)),
                of("jsle K", a -> a.jsle(R1, -5, "t"), insn(jk | Opcode.JSLE, 1, 0, -2, -5)),
                of("jsle X", a -> a.jsle(R1, R2, "t"), insn(jx | Opcode.JSLE, 1, 2, -2, 0)),
                of("jset K", a -> a.jset(R1, 4, "t"), insn(jk | Opcode.JSET, 1, 0, -2, 4)),
                of("jset X", a -> a.jset(R1, R2, "t"), insn(jx | Opcode.JSET, 1, 2, -2, 0)),
                of("jeq32 K", a -> a.jeq32(R1, 5, "t"), insn(jk32 | Opcode.JEQ, 1, 0, -2, 5)),
                of("jeq32 X", a -> a.jeq32(R1, R2, "t"), insn(jx32 | Opcode.JEQ, 1, 2, -2, 0)),
                of("jne32 K", a -> a.jne32(R1, 5, "t"), insn(jk32 | Opcode.JNE, 1, 0, -2, 5)),
                of("jne32 X", a -> a.jne32(R1, R2, "t"), insn(jx32 | Opcode.JNE, 1, 2, -2, 0)),
                of("jgt32 K", a -> a.jgt32(R1, 5, "t"), insn(jk32 | Opcode.JGT, 1, 0, -2, 5)),
                of("jgt32 X", a -> a.jgt32(R1, R2, "t"), insn(jx32 | Opcode.JGT, 1, 2, -2, 0)),
                of("jge32 K", a -> a.jge32(R1, 5, "t"), insn(jk32 | Opcode.JGE, 1, 0, -2, 5)),
                of("jge32 X", a -> a.jge32(R1, R2, "t"), insn(jx32 | Opcode.JGE, 1, 2, -2, 0)),
                of("jlt32 K", a -> a.jlt32(R1, 5, "t"), insn(jk32 | Opcode.JLT, 1, 0, -2, 5)),
                of("jlt32 X", a -> a.jlt32(R1, R2, "t"), insn(jx32 | Opcode.JLT, 1, 2, -2, 0)),
                of("jle32 K", a -> a.jle32(R1, 5, "t"), insn(jk32 | Opcode.JLE, 1, 0, -2, 5)),
                of("jle32 X", a -> a.jle32(R1, R2, "t"), insn(jx32 | Opcode.JLE, 1, 2, -2, 0)),
                of("jsgt32 K", a -> a.jsgt32(R1, 5, "t"), insn(jk32 | Opcode.JSGT, 1, 0, -2, 5)),
                of("jsgt32 X", a -> a.jsgt32(R1, R2, "t"), insn(jx32 | Opcode.JSGT, 1, 2, -2, 0)),
                of("jsge32 K", a -> a.jsge32(R1, 5, "t"), insn(jk32 | Opcode.JSGE, 1, 0, -2, 5)),
                of("jsge32 X", a -> a.jsge32(R1, R2, "t"), insn(jx32 | Opcode.JSGE, 1, 2, -2, 0)),
                of("jslt32 K", a -> a.jslt32(R1, 5, "t"), insn(jk32 | Opcode.JSLT, 1, 0, -2, 5)),
                of("jslt32 X", a -> a.jslt32(R1, R2, "t"), insn(jx32 | Opcode.JSLT, 1, 2, -2, 0)),
                of("jsle32 K", a -> a.jsle32(R1, 5, "t"), insn(jk32 | Opcode.JSLE, 1, 0, -2, 5)),
                of("jsle32 X", a -> a.jsle32(R1, R2, "t"), insn(jx32 | Opcode.JSLE, 1, 2, -2, 0)),
                of("jset32 K", a -> a.jset32(R1, 5, "t"), insn(jk32 | Opcode.JSET, 1, 0, -2, 5)),
                of("jset32 X", a -> a.jset32(R1, R2, "t"), insn(jx32 | Opcode.JSET, 1, 2, -2, 0)),
                of("jump generic", a -> a.jump(Opcode.JGE, R3, 9, "t"), insn(jk | Opcode.JGE, 3, 0, -2, 9)),
                of("jump generic X", a -> a.jump(Opcode.JSET, R3, R4, "t"), insn(jx | Opcode.JSET, 3, 4, -2, 0)),
                of("jump32 generic", a -> a.jump32(Opcode.JLT, R3, 9, "t"), insn(jk32 | Opcode.JLT, 3, 0, -2, 9)),
                of("jump32 generic X", a -> a.jump32(Opcode.JEQ, R3, R4, "t"), insn(jx32 | Opcode.JEQ, 3, 4, -2, 0)),
                // calls and exit
                of("call helper", a -> a.call(Helper.SKB_LOAD_BYTES), insn(0x85, 0, 0, 0, 26)),
                of("call helper id", a -> a.call(6), insn(0x85, 0, 0, 0, 6)),
                of("callKfunc", a -> a.callKfunc("bpf_sock_ops_tcp_set_rcvlowat"), insn(0x85, 0, 2, 0, 0),
                        new Relocation.KfuncRef(1, "bpf_sock_ops_tcp_set_rcvlowat")),
                of("callLabel", a -> a.callLabel("t"), insn(0x85, 0, 1, 0, -2)),
                of("exit", Assembler::exit, insn(0x95, 0, 0, 0, 0)),
                // loads and stores
                of("ldx B", a -> a.ldx(Opcode.B, R1, R2, 3), insn(0x71, 1, 2, 3, 0)),
                of("ldxb", a -> a.ldxb(R1, R2, 3), insn(0x71, 1, 2, 3, 0)),
                of("ldxh", a -> a.ldxh(R1, R2, -2), insn(0x69, 1, 2, -2, 0)),
                of("ldxw", a -> a.ldxw(R2, R6, SockOpsCtx.OP), insn(0x61, 2, 6, 0, 0)),
                of("ldxdw", a -> a.ldxdw(R1, R10, -8), insn(0x79, 1, 10, -8, 0)),
                of("ldxsx H", a -> a.ldxsx(Opcode.H, R1, R2, 4), insn(0x89, 1, 2, 4, 0)),
                of("ldxsxb", a -> a.ldxsxb(R1, R2, 0), insn(0x91, 1, 2, 0, 0)),
                of("ldxsxh", a -> a.ldxsxh(R1, R2, 0), insn(0x89, 1, 2, 0, 0)),
                of("ldxsxw", a -> a.ldxsxw(R1, R2, 0), insn(0x81, 1, 2, 0, 0)),
                of("stx W", a -> a.stx(Opcode.W, R1, R2, 8), insn(0x63, 1, 2, 8, 0)),
                of("stxb", a -> a.stxb(R10, R1, -1), insn(0x73, 10, 1, -1, 0)),
                of("stxh", a -> a.stxh(R10, R1, -2), insn(0x6b, 10, 1, -2, 0)),
                of("stxw", a -> a.stxw(R10, R1, -4), insn(0x63, 10, 1, -4, 0)),
                of("stxdw", a -> a.stxdw(R10, R1, -8), insn(0x7b, 10, 1, -8, 0)),
                of("st DW", a -> a.st(Opcode.DW, R10, -16, -1), insn(0x7a, 10, 0, -16, -1)),
                of("stb", a -> a.stb(R10, -1, 0x7f), insn(0x72, 10, 0, -1, 0x7f)),
                of("sth", a -> a.sth(R10, -2, 0x7fff), insn(0x6a, 10, 0, -2, 0x7fff)),
                of("stw", a -> a.stw(R10, -4, 7), insn(0x62, 10, 0, -4, 7)),
                of("stdw", a -> a.stdw(R10, -8, 0), insn(0x7a, 10, 0, -8, 0)),
                of("ldxField", a -> a.ldxField(Opcode.W, R3, R2, "tcp_sock", "copied_seq"), insn(0x61, 3, 2, 0, 0),
                        new Relocation.FieldRef(1, "tcp_sock", "copied_seq")),
                of("ldxField +off", a -> a.ldxField(Opcode.H, R3, R2, "sock", "sk_rcvlowat", 2), insn(0x69, 3, 2, 2, 0),
                        new Relocation.FieldRef(1, "sock", "sk_rcvlowat")),
                of("stxField", a -> a.stxField(Opcode.W, R2, R3, "sock", "sk_rcvlowat"), insn(0x63, 2, 3, 0, 0),
                        new Relocation.FieldRef(1, "sock", "sk_rcvlowat")),
                of("stxField +off", a -> a.stxField(Opcode.B, R2, R3, "sock", "sk_rcvlowat", 1), insn(0x73, 2, 3, 1, 0),
                        new Relocation.FieldRef(1, "sock", "sk_rcvlowat")),
                // 64-bit immediates and maps
                of("lddw", a -> a.lddw(R1, 0x1122334455667788L), insn(0x18, 1, 0, 0, 0x1122334455667788L)),
                of("lddw negative", a -> a.lddw(R9, -2), insn(0x18, 9, 0, 0, -2)),
                of("loadMap", a -> a.loadMap(R1, 3), insn(0x18, 1, 1, 0, 0), new Relocation.MapRef(1, 3)),
                // atomics, 32 and 64 bits
                of("atomicAdd W", a -> a.atomicAdd(Opcode.W, R1, R2, 4), insn(stxa | Opcode.W, 1, 2, 4, 0x00)),
                of("atomicAdd DW", a -> a.atomicAdd(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0x00)),
                of("atomicOr W", a -> a.atomicOr(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0x40)),
                of("atomicOr DW", a -> a.atomicOr(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0x40)),
                of("atomicAnd W", a -> a.atomicAnd(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0x50)),
                of("atomicAnd DW", a -> a.atomicAnd(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0x50)),
                of("atomicXor W", a -> a.atomicXor(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0xa0)),
                of("atomicXor DW", a -> a.atomicXor(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0xa0)),
                of("atomicFetchAdd W", a -> a.atomicFetchAdd(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0x01)),
                of("atomicFetchAdd DW", a -> a.atomicFetchAdd(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0x01)),
                of("atomicFetchOr W", a -> a.atomicFetchOr(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0x41)),
                of("atomicFetchOr DW", a -> a.atomicFetchOr(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0x41)),
                of("atomicFetchAnd W", a -> a.atomicFetchAnd(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0x51)),
                of("atomicFetchAnd DW", a -> a.atomicFetchAnd(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0x51)),
                of("atomicFetchXor W", a -> a.atomicFetchXor(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0xa1)),
                of("atomicFetchXor DW", a -> a.atomicFetchXor(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0xa1)),
                of("atomicXchg W", a -> a.atomicXchg(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0xe1)),
                of("atomicXchg DW", a -> a.atomicXchg(Opcode.DW, R1, R2, 0), insn(stxa | Opcode.DW, 1, 2, 0, 0xe1)),
                of("atomicCmpxchg W", a -> a.atomicCmpxchg(Opcode.W, R1, R2, 0), insn(stxa | Opcode.W, 1, 2, 0, 0xf1)),
                of("atomicCmpxchg DW", a -> a.atomicCmpxchg(Opcode.DW, R1, R2, -8), insn(stxa | Opcode.DW, 1, 2, -8, 0xf1)),
                of("atomic generic", a -> a.atomic(Opcode.DW, Opcode.OR | Opcode.FETCH, R1, R2, 0),
                        insn(stxa | Opcode.DW, 1, 2, 0, 0x41)),
                // escape hatch
                of("raw", a -> a.raw(insn(0x20, 0, 0, 0, 12)), insn(0x20, 0, 0, 0, 12)));
    }

    @DisplayName("every builder method emits its kernel encoding, which decodes to itself")
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMethod")
    void everyMethodRoundTrips(String name, Consumer<Assembler> emit, Instruction expected, Relocation reloc) {
        Assembler a = new Assembler().label("t").exit();
        emit.accept(a);
        a.exit();
        BpfBytecode code = a.build();

        List<Instruction> decoded = code.instructions();
        assertEquals(3, decoded.size(), "instructions: " + decoded);
        assertEquals(expected, decoded.get(1));
        assertEquals(expected, Instruction.decode(expected.toBytes(), 0), "decode(encode(x)) == x");
        assertEquals(reloc == null ? List.of() : List.of(reloc), code.relocations());
        assertEquals(code, BpfBytecode.of(decoded, code.relocations()), "re-encoding gives the same bytes");
        assertEquals(2 + expected.slots(), code.slots());
        String text = Disassembler.format(expected, reloc);
        assertTrue(!text.contains("unknown") && !text.contains("invalid"), "disassembles cleanly: " + text);
    }

    static Stream<Arguments> handEncoded() {
        return Stream.of(
                Arguments.of("mov64 r6 = r1", (Consumer<Assembler>) a -> a.mov64(R6, R1), "bf16000000000000"),
                Arguments.of("mov64 r0 = 1", (Consumer<Assembler>) a -> a.mov64(R0, 1), "b700000001000000"),
                Arguments.of("ldxw r2 = *(u32 *)(r6 +0)", (Consumer<Assembler>) a -> a.ldxw(R2, R6, 0), "6162000000000000"),
                Arguments.of("stxdw *(u64 *)(r10 -8) = r1", (Consumer<Assembler>) a -> a.stxdw(R10, R1, -8), "7b1af8ff00000000"),
                Arguments.of("stw *(u32 *)(r10 -4) = 7", (Consumer<Assembler>) a -> a.stw(R10, -4, 7), "620afcff07000000"),
                Arguments.of("call bpf_skb_load_bytes", (Consumer<Assembler>) a -> a.call(Helper.SKB_LOAD_BYTES), "850000001a000000"),
                Arguments.of("call kfunc", (Consumer<Assembler>) a -> a.callKfunc("f"), "8520000000000000"),
                Arguments.of("exit", (Consumer<Assembler>) Assembler::exit, "9500000000000000"),
                Arguments.of("lddw r1 = 0x1122334455667788",
                        (Consumer<Assembler>) a -> a.lddw(R1, 0x1122334455667788L), "1801000088776655" + "0000000044332211"),
                Arguments.of("lddw r2 = -1", (Consumer<Assembler>) a -> a.lddw(R2, -1), "18020000ffffffff" + "00000000ffffffff"),
                Arguments.of("loadMap r1", (Consumer<Assembler>) a -> a.loadMap(R1, 0), "1811000000000000" + "0000000000000000"),
                Arguments.of("sdiv64 r1 s/= 3", (Consumer<Assembler>) a -> a.sdiv64(R1, 3), "3701010003000000"),
                Arguments.of("smod32 w1 s%= w2", (Consumer<Assembler>) a -> a.smod32(R1, R2), "9c21010000000000"),
                Arguments.of("movsx64 r1 = (s8)r2", (Consumer<Assembler>) a -> a.movsx64(R1, R2, 8), "bf21080000000000"),
                Arguments.of("movsx32 w1 = (s16)w2", (Consumer<Assembler>) a -> a.movsx32(R1, R2, 16), "bc21100000000000"),
                Arguments.of("be16 r1", (Consumer<Assembler>) a -> a.be16(R1), "dc01000010000000"),
                Arguments.of("le32 r1", (Consumer<Assembler>) a -> a.le32(R1), "d401000020000000"),
                Arguments.of("bswap64 r3", (Consumer<Assembler>) a -> a.bswap64(R3), "d703000040000000"),
                Arguments.of("neg32 w3", (Consumer<Assembler>) a -> a.neg32(R3), "8403000000000000"),
                Arguments.of("ldxsxb r1 = *(s8 *)(r2 +0)", (Consumer<Assembler>) a -> a.ldxsxb(R1, R2, 0), "9121000000000000"),
                Arguments.of("atomic64_fetch_add", (Consumer<Assembler>) a -> a.atomicFetchAdd(Opcode.DW, R1, R2, 0), "db21000001000000"),
                Arguments.of("atomic_cmpxchg (u32)", (Consumer<Assembler>) a -> a.atomicCmpxchg(Opcode.W, R1, R2, 8), "c3210800f1000000"),
                Arguments.of("lock xor (u64)", (Consumer<Assembler>) a -> a.atomicXor(Opcode.DW, R10, R9, -16), "db9af0ffa0000000"));
    }

    @DisplayName("encodings match the kernel's rules byte for byte")
    @ParameterizedTest(name = "{0}")
    @MethodSource("handEncoded")
    void handEncodedBytes(String name, Consumer<Assembler> emit, String hex) {
        Assembler a = new Assembler();
        emit.accept(a);
        byte[] bytes = a.build().toByteArray();
        assertEquals(hex, HexFormat.of().formatHex(bytes));
        Instruction decoded = Instruction.decode(HexFormat.of().parseHex(hex), 0);
        assertEquals(hex, HexFormat.of().formatHex(decoded.toBytes()));
    }

    @Test
    @DisplayName("the issue's example assembles: jne skips forward over an LD_IMM64 counted as two slots")
    void issueExample() {
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxw(R2, R6, SockOpsCtx.OP)
                .jne(R2, 21, "out")
                .call(Helper.SKB_LOAD_BYTES)
                .callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .loadMap(R1, 0)
                .ldxField(Opcode.W, R3, R2, "tcp_sock", "copied_seq")
                .label("out")
                .mov64(R0, 1)
                .exit();
        BpfBytecode code = a.build();
        assertEquals(10, code.slots());
        assertEquals(10, a.slots());
        List<Instruction> insns = code.instructions();
        // slot 2 jumps to slot 8: 3 (call) 4 (kfunc) 5-6 (map) 7 (field) are skipped, offset 5
        assertEquals(insn(0x55, 2, 0, 5, 21), insns.get(2));
        assertEquals(List.of(
                new Relocation.KfuncRef(4, "bpf_sock_ops_tcp_set_rcvlowat"),
                new Relocation.MapRef(5, 0),
                new Relocation.FieldRef(7, "tcp_sock", "copied_seq")), code.relocations());
    }

    @Test
    @DisplayName("backward jumps count LD_IMM64 as two slots")
    void backwardJumpOverLdImm64() {
        BpfBytecode code = new Assembler()
                .label("top")           // slot 0
                .lddw(R1, 1L << 40)     // 0-1
                .loadMap(R2, 0)         // 2-3
                .add64(R1, 1)           // 4
                .jlt(R1, R2, "top")     // 5: 0 - 6 = -6
                .ja32("top")            // 6: imm 0 - 7 = -7
                .callLabel("fn")        // 7: 9 - 8 = +1
                .exit()                 // 8
                .label("fn")
                .mov64(R0, 0)           // 9
                .exit()
                .build();
        List<Instruction> insns = code.instructions();
        assertEquals(-6, insns.get(3).offset());
        assertEquals(-7, insns.get(4).imm());
        assertEquals(1, insns.get(5).imm());
        assertEquals(Opcode.PSEUDO_CALL, insns.get(5).src());
    }

    @Test
    @DisplayName("several labels may mark one instruction, and a label may be used before or after it is defined")
    void labelsForwardBackwardAndShared() {
        BpfBytecode code = new Assembler()
                .ja("b")                // 0 -> 3: +2
                .label("a").label("a2")
                .lddw(R0, 7)            // 1-2
                .label("b")
                .jeq(R0, 7, "a2")       // 3 -> 1: -3
                .jeq(R0, 8, "a")        // 4 -> 1: -4
                .exit()
                .build();
        List<Instruction> insns = code.instructions();
        assertEquals(2, insns.get(0).offset());
        assertEquals(-3, insns.get(2).offset());
        assertEquals(-4, insns.get(3).offset());
    }

    @Test
    @DisplayName("build() may be called again after more instructions are added")
    void buildIsRepeatable() {
        Assembler a = new Assembler().mov64(R0, 0);
        assertEquals(1, a.build().slots());
        a.exit();
        assertEquals(2, a.build().slots());
        assertEquals(a.build(), a.build());
    }

    // ---- errors ----

    @Test
    @DisplayName("an undefined label fails build() naming the label and the slot that uses it")
    void undefinedLabel() {
        Assembler a = new Assembler().mov64(R0, 0).jeq(R0, 0, "nowhere").exit();
        IllegalStateException e = assertThrows(IllegalStateException.class, a::build);
        assertTrue(e.getMessage().contains("'nowhere'"), e.getMessage());
        assertTrue(e.getMessage().contains("slot 1"), e.getMessage());
    }

    @Test
    @DisplayName("an undefined call target fails build() naming it")
    void undefinedCallTarget() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Assembler().callLabel("sub").exit().build());
        assertTrue(e.getMessage().contains("'sub'"), e.getMessage());
    }

    @Test
    @DisplayName("a label defined twice is rejected at once, naming the label and its first slot")
    void duplicateLabel() {
        Assembler a = new Assembler().label("x").mov64(R0, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.label("x"));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertTrue(e.getMessage().contains("slot 0"), e.getMessage());
    }

    @Test
    @DisplayName("a jump to a label that marks no instruction fails, naming the label")
    void labelAtEnd() {
        Assembler a = new Assembler().ja("end").exit().label("end");
        IllegalStateException e = assertThrows(IllegalStateException.class, a::build);
        assertTrue(e.getMessage().contains("'end'"), e.getMessage());
    }

    @Test
    @DisplayName("a 16-bit jump offset of 32767 is fine, 32768 fails naming the label; ja32 reaches further")
    void offsetOverflow() {
        // jump at slot 0 to slot 32768: offset 32767
        Assembler ok = new Assembler().ja("far");
        for (int i = 0; i < 32767; i++) {
            ok.mov64(R0, 0);
        }
        ok.label("far").exit();
        assertEquals(32767, ok.build().instructions().get(0).offset());

        Assembler tooFar = new Assembler().jeq(R1, 0, "far");
        for (int i = 0; i < 32766; i++) {
            tooFar.mov64(R0, 0);
        }
        tooFar.lddw(R0, 0).label("far").exit();   // far is at slot 32769: offset 32768
        IllegalStateException e = assertThrows(IllegalStateException.class, tooFar::build);
        assertTrue(e.getMessage().contains("'far'"), e.getMessage());
        assertTrue(e.getMessage().contains("32768"), e.getMessage());

        Assembler back = new Assembler().label("top");
        for (int i = 0; i < 32768; i++) {
            back.mov64(R0, 0);
        }
        back.ja("top");                          // at slot 32768: offset -32769
        IllegalStateException e2 = assertThrows(IllegalStateException.class, back::build);
        assertTrue(e2.getMessage().contains("'top'") && e2.getMessage().contains("-32769"), e2.getMessage());

        Assembler longJump = new Assembler().ja32("far");
        for (int i = 0; i < 40000; i++) {
            longJump.mov64(R0, 0);
        }
        longJump.label("far").exit();
        assertEquals(40000, longJump.build().instructions().get(0).imm());
    }

    @Test
    @DisplayName("building an empty program fails")
    void emptyProgram() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Assembler().build());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    @DisplayName("bad operands are rejected with IllegalArgumentException")
    void badOperands() {
        Assembler a = new Assembler();
        List<Runnable> bad = new ArrayList<>();
        bad.add(() -> a.label(" "));
        bad.add(() -> a.ja(""));
        bad.add(() -> a.movsx64(R1, R2, 12));
        bad.add(() -> a.movsx32(R1, R2, 32));
        bad.add(() -> a.ldx(4, R1, R2, 0));             // bytes, not the size field
        bad.add(() -> a.ldxsx(Opcode.DW, R1, R2, 0));
        bad.add(() -> a.ldxw(R1, R2, 32768));
        bad.add(() -> a.stxw(R1, R2, -32769));
        bad.add(() -> a.atomicAdd(Opcode.B, R1, R2, 0));
        bad.add(() -> a.atomic(Opcode.DW, 0x11, R1, R2, 0));
        bad.add(() -> a.alu64(Opcode.NEG, R1, 0));
        bad.add(() -> a.alu32(Opcode.END, R1, R2));
        bad.add(() -> a.alu64(0x05, R1, 0));
        bad.add(() -> a.jump(Opcode.CALL, R1, 0, "x"));
        bad.add(() -> a.jump32(Opcode.JA, R1, R2, "x"));
        bad.add(() -> a.loadMap(R1, -1));
        bad.add(() -> a.callKfunc(" "));
        bad.add(() -> a.ldxField(Opcode.W, R1, R2, "", "f"));
        for (Runnable r : bad) {
            assertThrows(IllegalArgumentException.class, r::run);
        }
        assertEquals(0, a.slots(), "a rejected instruction is not emitted");
        assertThrows(NullPointerException.class, () -> a.mov64(null, R1));
        assertThrows(NullPointerException.class, () -> a.call((Helper) null));
    }

    // ---- programs ----

    private static final List<MapSpec> MAPS = List.of(
            new MapSpec("lowat", MapType.SK_STORAGE, 4, 8, 0),
            new MapSpec("events", MapType.RINGBUF, 0, 0, 4096));

    @Test
    @DisplayName("program() makes a sock_ops Bytecode with the maps in index order")
    void sockOpsProgram() {
        SockOpsProgram.Bytecode p = new Assembler().loadMap(R1, 1).mov64(R0, 1).exit().program("lowat_ops", "GPL", MAPS);
        assertEquals("lowat_ops", p.name());
        assertEquals("GPL", p.license());
        assertEquals(MAPS, p.maps());
        assertEquals(List.of(new Relocation.MapRef(0, 1)), p.code().relocations());
    }

    @Test
    @DisplayName("sockoptProgram() makes a setsockopt Bytecode")
    void sockoptProgram() {
        SockoptProgram.Bytecode p = new Assembler()
                .ldxw(R2, R1, SockoptCtx.OPTNAME).mov64(R0, 1).exit()
                .sockoptProgram("lowat_sockopt", "GPL", List.of());
        assertEquals("lowat_sockopt", p.name());
        assertEquals(3, p.code().slots());
    }

    @Test
    @DisplayName("a map index without a map fails program(), naming the index and the map count")
    void mapIndexOutOfRange() {
        Assembler a = new Assembler().loadMap(R1, 2).exit();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.program("p", "GPL", MAPS));
        assertTrue(e.getMessage().contains("map index 2") && e.getMessage().contains("2 map"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.sockoptProgram("p", "GPL", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Assembler().exit().program("bad name!", "GPL", List.of()));
    }
}
