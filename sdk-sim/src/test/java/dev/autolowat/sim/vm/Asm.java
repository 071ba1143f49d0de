package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.program.BpfBytecode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny test-local assembler (independent of sdk-api's Assembler, which is written in parallel):
 * raw instructions, labels for jumps and calls, and the three kinds of relocation.
 */
final class Asm {
    private final List<Instruction> insns = new ArrayList<>();
    private final List<Integer> slotOf = new ArrayList<>();
    private final List<Relocation> relocs = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    /** insn index -> label, for jumps (off) / ja32 and local calls (imm). */
    private final Map<Integer, String> fixups = new HashMap<>();
    private int slots;

    static final int W = Opcode.W;
    static final int H = Opcode.H;
    static final int B = Opcode.B;
    static final int DW = Opcode.DW;

    Asm raw(int opcode, int dst, int src, int off, long imm) {
        slotOf.add(slots);
        Instruction i = new Instruction(opcode, dst, src, (short) off, imm);
        insns.add(i);
        slots += i.slots();
        return this;
    }

    int slot() {
        return slots;
    }

    Asm label(String name) {
        labels.put(name, slots);
        return this;
    }

    // ---- ALU ----
    Asm alu64(int op, int dst, long imm) {
        return raw(Opcode.ALU64 | op | Opcode.K, dst, 0, 0, imm);
    }

    Asm alu64x(int op, int dst, int src) {
        return raw(Opcode.ALU64 | op | Opcode.X, dst, src, 0, 0);
    }

    Asm alu32(int op, int dst, long imm) {
        return raw(Opcode.ALU | op | Opcode.K, dst, 0, 0, imm);
    }

    Asm alu32x(int op, int dst, int src) {
        return raw(Opcode.ALU | op | Opcode.X, dst, src, 0, 0);
    }

    Asm mov64(int dst, long imm) {
        return alu64(Opcode.MOV, dst, imm);
    }

    Asm mov64x(int dst, int src) {
        return alu64x(Opcode.MOV, dst, src);
    }

    Asm mov32(int dst, long imm) {
        return alu32(Opcode.MOV, dst, imm);
    }

    Asm add64(int dst, long imm) {
        return alu64(Opcode.ADD, dst, imm);
    }

    Asm ldImm64(int dst, long value) {
        return raw(Opcode.LD_IMM64, dst, 0, 0, value);
    }

    /** {@code dst = map[index]} with a MapRef relocation. */
    Asm ldMap(int dst, int mapIndex) {
        relocs.add(new Relocation.MapRef(slots, mapIndex));
        return raw(Opcode.LD_IMM64, dst, Opcode.PSEUDO_MAP_FD, 0, 0);
    }

    /** {@code dst = &map[index].value + offset} (global data: {@code BPF_PSEUDO_MAP_VALUE}) with a MapRef relocation. */
    Asm ldMapValue(int dst, int mapIndex, int offset) {
        relocs.add(new Relocation.MapRef(slots, mapIndex));
        return raw(Opcode.LD_IMM64, dst, Opcode.PSEUDO_MAP_VALUE, 0, (long) offset << 32);
    }

    // ---- memory ----
    Asm ldx(int size, int dst, int src, int off) {
        return raw(Opcode.LDX | Opcode.MEM | size, dst, src, off, 0);
    }

    Asm ldxsx(int size, int dst, int src, int off) {
        return raw(Opcode.LDX | Opcode.MEMSX | size, dst, src, off, 0);
    }

    /** A load of {@code struct.field} (+{@code off}) with a FieldRef relocation. */
    Asm ldxField(int size, int dst, int src, String struct, String field, int off) {
        relocs.add(new Relocation.FieldRef(slots, struct, field));
        return ldx(size, dst, src, off);
    }

    Asm st(int size, int dst, int off, long imm) {
        return raw(Opcode.ST | Opcode.MEM | size, dst, 0, off, imm);
    }

    Asm stx(int size, int dst, int src, int off) {
        return raw(Opcode.STX | Opcode.MEM | size, dst, src, off, 0);
    }

    Asm atomic(int size, int dst, int src, int off, int op) {
        return raw(Opcode.STX | Opcode.ATOMIC | size, dst, src, off, op);
    }

    // ---- jumps ----
    Asm jmp(int op, int dst, long imm, String label) {
        fixups.put(insns.size(), label);
        return raw(Opcode.JMP | op | Opcode.K, dst, 0, 0, imm);
    }

    Asm jmpx(int op, int dst, int src, String label) {
        fixups.put(insns.size(), label);
        return raw(Opcode.JMP | op | Opcode.X, dst, src, 0, 0);
    }

    Asm jmp32(int op, int dst, long imm, String label) {
        fixups.put(insns.size(), label);
        return raw(Opcode.JMP32 | op | Opcode.K, dst, 0, 0, imm);
    }

    Asm ja(String label) {
        fixups.put(insns.size(), label);
        return raw(Opcode.JMP | Opcode.JA, 0, 0, 0, 0);
    }

    /** {@code gotol}: JMP32 | JA with the offset in imm. */
    Asm ja32(String label) {
        fixups.put(insns.size(), label);
        return raw(Opcode.JMP32 | Opcode.JA, 0, 0, 0, 0);
    }

    Asm call(int helper) {
        return raw(Opcode.JMP | Opcode.CALL, 0, 0, 0, helper);
    }

    Asm callKfunc(String name) {
        relocs.add(new Relocation.KfuncRef(slots, name));
        return raw(Opcode.JMP | Opcode.CALL, 0, Opcode.PSEUDO_KFUNC_CALL, 0, 0);
    }

    Asm callLocal(String label) {
        fixups.put(insns.size(), label);
        return raw(Opcode.JMP | Opcode.CALL, 0, Opcode.PSEUDO_CALL, 0, 0);
    }

    Asm exit() {
        return raw(Opcode.JMP | Opcode.EXIT, 0, 0, 0, 0);
    }

    private int unique;

    /**
     * Stores r0 (as u64) into ARRAY map {@code mapIndex} at the index in r1; clobbers r0-r5, r9
     * and the stack bytes r10-20..r10-9.
     */
    Asm call2store(int mapIndex) {
        String skip = "store_skip_" + unique++;
        return stx(DW, 10, 0, -16).stx(W, 10, 1, -20)
                .ldMap(1, mapIndex).mov64x(2, 10).add64(2, -20).call(1)
                .jmp(Opcode.JEQ, 0, 0, skip).ldx(DW, 9, 10, -16).stx(DW, 0, 9, 0)
                .label(skip);
    }

    /** {@code r0 = v; exit}. */
    Asm ret(long v) {
        return mov64(0, v).exit();
    }

    List<Instruction> instructions() {
        List<Instruction> out = new ArrayList<>(insns);
        for (Map.Entry<Integer, String> f : fixups.entrySet()) {
            int i = f.getKey();
            Integer target = labels.get(f.getValue());
            if (target == null) {
                throw new IllegalStateException("no label " + f.getValue());
            }
            Instruction old = out.get(i);
            int rel = target - slotOf.get(i) - 1;
            boolean useImm = (old.opcode() == (Opcode.JMP | Opcode.CALL)) || old.opcode() == (Opcode.JMP32 | Opcode.JA);
            out.set(i, useImm ? new Instruction(old.opcode(), old.dst(), old.src(), old.offset(), rel)
                    : new Instruction(old.opcode(), old.dst(), old.src(), (short) rel, old.constant()));
        }
        return out;
    }

    BpfBytecode build() {
        return BpfBytecode.of(instructions(), relocs);
    }

    /** The program as far as it is built, disassembled (how a property's counterexample shows). */
    @Override
    public String toString() {
        try {
            return "\n" + dev.autolowat.api.asm.Disassembler.disassemble(build());
        } catch (RuntimeException e) { // e.g. a jump to a label not placed yet
            return "an unfinished program (" + e.getMessage() + ")";
        }
    }

    List<Relocation> relocations() {
        return relocs;
    }
}
