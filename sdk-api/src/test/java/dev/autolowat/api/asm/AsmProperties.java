package dev.autolowat.api.asm;

import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsmProperties {

    /** Opcodes of the instruction set, so that random programs are not all "unknown opcode". */
    private static final Integer[] KNOWN_OPCODES = {
        0x07, 0x0f, 0x04, 0x0c, 0x17, 0x1f, 0x37, 0x3f, 0x87, 0x84, 0xb7, 0xbf, 0xb4, 0xbc, 0x97, 0x9c,
        0xd4, 0xdc, 0xd7, 0x05, 0x06, 0x15, 0x1d, 0x16, 0x1e, 0x45, 0x4d, 0x55, 0xa6, 0xdd, 0x85, 0x95,
        0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x63, 0x6b, 0x73, 0x7b, 0x62, 0x6a, 0x72, 0x7a,
        0xc3, 0xdb, 0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0xe5, 0xc2,
    };
    private static final Pattern LINE = Pattern.compile(" *(\\d+): \\([0-9a-f]{2}\\) \\S.*");

    /** Any instruction: random opcode, register fields, offset and imm; a 64-bit constant for LD_IMM64. */
    static Gen<Instruction> instructions() {
        Gen<Integer> opcodes = Gen.ints(0, 3).flatMap(kind -> kind == 0 ? Gen.constant(Opcode.LD_IMM64) : Gen.ints(0, 255));
        return opcodes.<Instruction>flatMap(opcode -> c -> new Instruction(opcode, c.intBetween(0, 15), c.intBetween(0, 15),
                (short) c.intBetween(Short.MIN_VALUE, Short.MAX_VALUE),
                opcode == Opcode.LD_IMM64 ? c.between(Long.MIN_VALUE, Long.MAX_VALUE) : c.intBetween(Integer.MIN_VALUE, Integer.MAX_VALUE)));
    }

    /** One or two slots: a well-formed LD_IMM64, a known opcode with random fields, or 8 random bytes. */
    static Gen<byte[]> slotBytes() {
        Gen<Integer> known = Gen.oneOf(KNOWN_OPCODES);
        return Gen.ints(0, 3).<byte[]>flatMap(kind -> switch (kind) {
            case 0 -> instructions().map(i -> new Instruction(Opcode.LD_IMM64, i.dst(), i.src(), i.offset(), i.constant()).toBytes());
            case 1 -> known.<byte[]>flatMap(op -> c -> new Instruction(op == Opcode.LD_IMM64 ? 0x95 : op, c.intBetween(0, 15),
                    c.intBetween(0, 15), (short) c.intBetween(Short.MIN_VALUE, Short.MAX_VALUE),
                    c.intBetween(Integer.MIN_VALUE, Integer.MAX_VALUE)).toBytes());
            default -> c -> {
                byte[] b = new byte[8];
                for (int i = 0; i < 8; i++) {
                    b[i] = (byte) c.intBetween(0, 255);
                }
                return b;
            };
        });
    }

    /** Random well-framed bytecode of 1..80 slots with random relocations. */
    static Gen<BpfBytecode> randomBytecode() {
        return slotBytes().listOf(1, 40).<BpfBytecode>flatMap(parts -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            parts.forEach(out::writeBytes);
            byte[] code = out.toByteArray();
            return c -> {
                List<Relocation> relocs = new ArrayList<>();
                for (int slot = 0; slot < code.length / 8; slot++) {
                    switch (c.intBetween(0, 7)) {
                        case 1 -> relocs.add(new Relocation.MapRef(slot, c.intBetween(0, 5)));
                        case 2 -> relocs.add(new Relocation.KfuncRef(slot, "bpf_kfunc"));
                        case 3 -> relocs.add(new Relocation.FieldRef(slot, "tcp_sock", "copied_seq"));
                        default -> { }
                    }
                }
                return BpfBytecode.of(code, relocs);
            };
        });
    }

    @Test
    @DisplayName("any instruction encodes and decodes to itself")
    void encodeDecodeRoundTrip() {
        Property.forAll("any instruction encodes and decodes to itself", instructions()).check(insn -> {
            byte[] bytes = insn.toBytes();
            assertEquals(insn.slots() * 8, bytes.length);
            assertEquals(insn, Instruction.decode(bytes, 0));
            assertEquals(List.of(insn), BpfBytecode.of(List.of(insn), List.of()).instructions());
        });
    }

    @Test
    @DisplayName("the disassembler never throws on random bytes, and prints one numbered line per instruction")
    void disassemblerNeverThrows() {
        Property.forAll("the disassembler never throws on random bytes", randomBytecode()).check(code -> {
            List<String> lines = Disassembler.lines(code);
            int previous = -1;
            for (String line : lines) {
                var m = LINE.matcher(line);
                assertTrue(m.matches(), "malformed line: '" + line + "'");
                assertTrue(!line.contains("null"), line);
                int slot = Integer.parseInt(m.group(1));
                assertTrue(slot > previous && slot < code.slots(), "slot numbers increase inside the program: " + lines);
                previous = slot;
            }
            assertTrue(lines.size() >= (code.slots() + 1) / 2 && lines.size() <= code.slots());
            assertEquals(String.join("\n", lines) + "\n", Disassembler.disassemble(code));
        });
    }

    /** One step of a random program: a 1-slot or 2-slot instruction, or a reference to a label. */
    record Step(int kind, int label) {
        static final int MOV = 0;
        static final int LDDW = 1;
        static final int JUMP = 2;
        static final int JA32 = 3;
        static final int CALL = 4;
    }

    /** Steps of a random program, and for each label the index of the step it marks (steps.size() = the final exit). */
    record Layout(List<Step> steps, List<Integer> labelPositions) {
    }

    static Gen<Layout> layouts() {
        return Gen.ints(1, 4).flatMap(labels -> {
            Gen<Step> step = Gen.zip(Gen.ints(0, 4), Gen.ints(0, labels - 1), Step::new);
            return step.listOf(1, 40).flatMap(steps -> Gen.ints(0, steps.size()).listOf(labels, labels)
                    .map(positions -> new Layout(steps, positions)));
        });
    }

    @Test
    @DisplayName("jumps and calls reach their labels, forward or backward, counting LD_IMM64 as two slots")
    void labelsResolve() {
        Property.forAll("jumps and calls reach their labels", layouts()).check(layout -> {
            Assembler a = new Assembler();
            Map<Integer, Step> referencing = new HashMap<>();
            int slot = 0;
            for (int i = 0; i <= layout.steps().size(); i++) {
                for (int l = 0; l < layout.labelPositions().size(); l++) {
                    if (layout.labelPositions().get(l) == i) {
                        a.label("L" + l);
                    }
                }
                if (i == layout.steps().size()) {
                    a.exit();
                    break;
                }
                Step s = layout.steps().get(i);
                String target = "L" + s.label();
                switch (s.kind()) {
                    case Step.MOV -> a.mov64(Reg.R0, i);
                    case Step.LDDW -> a.lddw(Reg.R1, (long) i << 33);
                    case Step.JUMP -> a.jeq(Reg.R0, i, target);
                    case Step.JA32 -> a.ja32(target);
                    default -> a.callLabel(target);
                }
                if (s.kind() >= Step.JUMP) {
                    referencing.put(slot, s);
                }
                slot += s.kind() == Step.LDDW ? 2 : 1;
            }
            int[] labelSlot = new int[layout.labelPositions().size()];
            int[] stepSlot = new int[layout.steps().size() + 1];
            for (int i = 0, s = 0; i <= layout.steps().size(); i++) {
                stepSlot[i] = s;
                s += i < layout.steps().size() && layout.steps().get(i).kind() == Step.LDDW ? 2 : 1;
            }
            for (int l = 0; l < labelSlot.length; l++) {
                labelSlot[l] = stepSlot[layout.labelPositions().get(l)];
            }

            BpfBytecode code = a.build();
            byte[] bytes = code.toByteArray();
            for (Map.Entry<Integer, Step> e : referencing.entrySet()) {
                Instruction insn = Instruction.decode(bytes, e.getKey());
                int delta = e.getValue().kind() == Step.JUMP ? insn.offset() : insn.imm();
                assertEquals(labelSlot[e.getValue().label()], e.getKey() + 1 + delta,
                        "instruction at slot " + e.getKey() + " (" + Disassembler.format(insn) + ") misses L" + e.getValue().label());
            }
        });
    }
}
