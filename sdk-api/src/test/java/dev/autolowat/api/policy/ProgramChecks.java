package dev.autolowat.api.policy;

import dev.autolowat.api.asm.Disassembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Structural checks on compiled programs that need no VM: the part of the kernel's
 * {@code check_cfg} and of the loader that reads instructions one by one.
 */
final class ProgramChecks {
    private ProgramChecks() {
    }

    static final Set<Helper> SOCK_OPS_HELPERS = EnumSet.of(Helper.SKC_TO_TCP_SOCK, Helper.SK_STORAGE_GET,
            Helper.SK_STORAGE_DELETE, Helper.SKB_LOAD_BYTES, Helper.SOCK_OPS_CB_FLAGS_SET);
    static final Set<String> SOCK_OPS_KFUNCS = Set.of(FramingPolicy.KFUNC_CAST_TO_KERN_CTX,
            FramingPolicy.KFUNC_SET_RCVLOWAT);
    static final Set<String> SOCK_OPS_FIELDS = Set.of("bpf_sock_ops_kern.skb", "sk_buff.cb", "tcp_sock.copied_seq",
            "sock.sk_rcvlowat");

    /**
     * What a cgroup setsockopt program may call on a stock kernel ({@code cg_sockopt_func_proto}):
     * not {@code bpf_skc_to_tcp_sock}, which only the networking program types of
     * {@code net/core/filter.c} get (through {@code bpf_sk_base_func_proto}).
     */
    static final Set<Helper> ENABLE_HELPERS = EnumSet.of(Helper.TCP_SOCK, Helper.SK_STORAGE_GET,
            Helper.SK_STORAGE_DELETE, Helper.GETSOCKOPT, Helper.SETSOCKOPT);
    /** No BTF field access: a cgroup setsockopt program has no BTF pointer to the socket. */
    static final Set<String> ENABLE_FIELDS = Set.of();

    /** What the checks found, for assertions on top. */
    record Summary(int instructions, Set<Helper> helpers, Set<String> kfuncs, Set<String> fields, int mapLoads,
                   boolean hasBackEdge) {
    }

    /**
     * Decodes, disassembles and checks {@code code}: every jump lands on an instruction inside the
     * program (never the second slot of an LD_IMM64), no path falls off the end, every instruction is
     * reachable, the program's last instruction is {@code exit} or {@code goto}, registers are r0–r10
     * and r10 is never written, stack accesses stay in the 512-byte frame, helpers and kfuncs are in
     * the allowed sets, every map load names map 0 and every field relocation is allowed.
     */
    static Summary check(BpfBytecode code, Set<Helper> allowedHelpers, Set<String> allowedKfuncs,
                         Set<String> allowedFields) {
        List<Instruction> insns = code.instructions();
        int slots = code.slots();
        // Slot -> instruction (and which slots start an instruction).
        Instruction[] at = new Instruction[slots];
        BitSet starts = new BitSet(slots);
        int slot = 0;
        for (Instruction insn : insns) {
            at[slot] = insn;
            starts.set(slot);
            slot += insn.slots();
        }
        assertEquals(slots, slot);

        Map<Integer, Relocation> relocs = new HashMap<>();
        for (Relocation r : code.relocations()) {
            assertTrue(starts.get(r.slot()), "relocation on a non-instruction slot: " + r);
            relocs.put(r.slot(), r);
        }

        // Disassembles: one line per instruction, nothing unknown.
        List<String> lines = Disassembler.lines(code);
        assertEquals(insns.size(), lines.size());
        for (String line : lines) {
            assertFalse(line.contains("unknown") || line.contains("invalid"), line);
        }

        Set<Helper> helpers = EnumSet.noneOf(Helper.class);
        Set<String> kfuncs = new java.util.TreeSet<>();
        Set<String> fields = new java.util.TreeSet<>();
        int mapLoads = 0;
        boolean backEdge = false;
        for (int s = starts.nextSetBit(0); s >= 0; s = starts.nextSetBit(s + 1)) {
            Instruction insn = at[s];
            int cls = Opcode.instructionClass(insn.opcode());
            int op = Opcode.operation(insn.opcode());
            String where = "slot " + s + ": " + Disassembler.format(insn, relocs.get(s));
            assertTrue(insn.dst() <= 10 && (insn.src() <= 10 || cls == Opcode.LD || cls == Opcode.JMP), where);
            boolean writesDst = cls == Opcode.ALU || cls == Opcode.ALU64 || cls == Opcode.LDX || cls == Opcode.LD;
            assertFalse(writesDst && insn.dst() == 10, "r10 written at " + where);
            if ((cls == Opcode.ST || cls == Opcode.STX) && insn.dst() == 10 || cls == Opcode.LDX && insn.src() == 10) {
                int size = Opcode.sizeInBytes(Opcode.size(insn.opcode()));
                assertTrue(insn.offset() < 0 && insn.offset() >= -512 && insn.offset() + size <= 0,
                        "stack access outside the frame at " + where);
            }
            Relocation r = relocs.get(s);
            if (insn.isLoadImm64()) {
                assertTrue(r instanceof Relocation.MapRef m && m.mapIndex() == 0 && insn.src() == Opcode.PSEUDO_MAP_FD,
                        "LD_IMM64 without map 0 at " + where);
                mapLoads++;
            }
            if (r instanceof Relocation.FieldRef f) {
                assertTrue(cls == Opcode.LDX, "field relocation on a non-load at " + where);
                assertTrue(allowedFields.contains(f.struct() + "." + f.field()), "field not allowed at " + where);
                fields.add(f.struct() + "." + f.field());
            }
            if ((cls == Opcode.JMP || cls == Opcode.JMP32) && op == Opcode.CALL) {
                assertEquals(Opcode.JMP, cls, where);
                if (insn.src() == Opcode.PSEUDO_KFUNC_CALL) {
                    assertTrue(r instanceof Relocation.KfuncRef, "kfunc call without its name at " + where);
                    String name = ((Relocation.KfuncRef) r).name();
                    assertTrue(allowedKfuncs.contains(name), "kfunc " + name + " not allowed at " + where);
                    kfuncs.add(name);
                } else {
                    assertEquals(0, insn.src(), "bpf-to-bpf calls are not used: " + where);
                    Helper h = Helper.ofId(insn.imm());
                    assertNotNull(h, "unknown helper at " + where);
                    assertTrue(allowedHelpers.contains(h), "helper " + h + " not allowed at " + where);
                    helpers.add(h);
                }
            }
            for (int target : successors(insn, s)) {
                assertTrue(target >= 0 && target < slots, "jump or fall-through outside the program at " + where);
                assertTrue(starts.get(target), "jump into the middle of an LD_IMM64 at " + where);
                if (target <= s) {
                    backEdge = true;
                }
            }
        }

        // Every instruction reachable from slot 0 (the kernel refuses unreachable instructions).
        BitSet seen = new BitSet(slots);
        Deque<Integer> work = new ArrayDeque<>(List.of(0));
        while (!work.isEmpty()) {
            int s = work.pop();
            if (seen.get(s)) {
                continue;
            }
            seen.set(s);
            for (int t : successors(at[s], s)) {
                work.push(t);
            }
        }
        if (!seen.equals(starts)) {
            BitSet unreachable = (BitSet) starts.clone();
            unreachable.andNot(seen);
            fail("unreachable instructions at slots " + unreachable);
        }
        Instruction last = insns.get(insns.size() - 1);
        assertTrue(last.opcode() == (Opcode.JMP | Opcode.EXIT) || last.opcode() == (Opcode.JMP | Opcode.JA),
                "the last instruction must be exit or goto, not " + Disassembler.format(last));
        return new Summary(insns.size(), helpers, kfuncs, fields, mapLoads, backEdge);
    }

    /** Slots control may go to after the instruction at {@code slot}. */
    static int[] successors(Instruction insn, int slot) {
        int cls = Opcode.instructionClass(insn.opcode());
        int next = slot + insn.slots();
        if (cls != Opcode.JMP && cls != Opcode.JMP32) {
            return new int[] {next};
        }
        int op = Opcode.operation(insn.opcode());
        if (op == Opcode.EXIT) {
            return new int[0];
        }
        if (op == Opcode.CALL) {
            return new int[] {next};
        }
        if (op == Opcode.JA) {
            return new int[] {next + (cls == Opcode.JMP32 ? insn.imm() : insn.offset())};
        }
        return new int[] {next, next + insn.offset()};
    }

    /** Exactly one map across the policy's programs: an SK_STORAGE map with key 4 and max entries 0. */
    static void checkOneStateMap(FramingPolicy p) {
        List<MapSpec> sockOpsMaps = p.sockOpsProgram().maps();
        List<MapSpec> enableMaps = p.enableProgram().maps();
        assertEquals(1, sockOpsMaps.size(), "the sock_ops program declares exactly one map");
        assertEquals(sockOpsMaps, enableMaps, "both programs declare the same map, so backends share it by name");
        MapSpec m = sockOpsMaps.get(0);
        assertEquals(p.stateMap(), m);
        assertEquals(MapType.SK_STORAGE, m.type());
        assertEquals(4, m.keySize());
        assertEquals(0, m.maxEntries());
        assertTrue(m.valueSize() >= 16 + 2 * p.descriptorSize() && m.valueSize() % 8 == 0, m.toString());
    }
}
