package dev.autolowat.api.object;

import dev.autolowat.api.program.BpfBytecode;

import java.util.List;
import java.util.Objects;

/**
 * One program of a {@link BpfObject}, linked as libbpf links it: the function's own instructions,
 * then every {@code .text} subprogram it calls (directly or not) appended once, in the order the
 * calls are first met, with each call's imm pointing at its copy. What only a backend can complete
 * is left as named references: maps, global data, kfuncs ({@link #relocations()}) and CO-RE sites
 * ({@link #coreRelocations()}).
 *
 * @param name            the function's name ({@code autolowat_rcvq})
 * @param section         its ELF section ({@code sockops})
 * @param sectionInfo     what the section name says: program and attach type (libbpf's rules)
 * @param bytecode        the linked instructions, relocation sites not yet completed
 * @param relocations     map, global-data, kfunc and subprogram references, by linked slot
 * @param coreRelocations CO-RE sites by linked slot (from {@code .BTF.ext})
 * @param functions       BTF func_info: the program and each appended subprogram, by start slot
 * @param lines           BTF line_info by linked slot (empty when the object has none)
 */
public record ObjectProgram(String name, String section, ProgramSection sectionInfo, BpfBytecode bytecode,
                            List<ObjectRelocation> relocations, List<CoreRelocation> coreRelocations,
                            List<FuncInfo> functions, List<LineInfo> lines) {
    public ObjectProgram {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(sectionInfo, "sectionInfo");
        Objects.requireNonNull(bytecode, "bytecode");
        relocations = List.copyOf(relocations);
        coreRelocations = List.copyOf(coreRelocations);
        functions = List.copyOf(functions);
        lines = List.copyOf(lines);
    }

    /**
     * A function of the linked program ({@code struct bpf_func_info}).
     *
     * @param slot   where it starts
     * @param typeId its FUNC type in the object's BTF (0 when the object has no {@code .BTF.ext})
     * @param name   its name
     */
    public record FuncInfo(int slot, int typeId, String name) {
    }

    /**
     * A source line ({@code struct bpf_line_info}).
     *
     * @param slot   the first instruction of the line
     * @param file   the source file as compiled
     * @param source the line's text as clang recorded it
     * @param line   the line number
     * @param column the column
     * @param fileNameOffset where {@code file} is in the object's BTF string section
     * @param sourceOffset   where {@code source} is there (a kernel loading the program with the
     *                       object's BTF takes both offsets as they are)
     */
    public record LineInfo(int slot, String file, String source, int line, int column, int fileNameOffset,
                           int sourceOffset) {
    }

    /**
     * The program in the backends' vocabulary ({@link dev.autolowat.api.asm.Relocation}), ready for the
     * one relocation step ({@link dev.autolowat.api.asm.Relocations}): each map named once in
     * {@link Portable#maps()} in order of first use, a map reference as a {@code MapRef} to its index, a
     * global-data reference as a {@code MapRef} on an {@code LD_IMM64} with src
     * {@code BPF_PSEUDO_MAP_VALUE} and the offset in its second slot's imm, a kfunc call as a
     * {@code KfuncRef} by name (bpf-to-bpf calls are linked already).
     *
     * @param code this program's instructions, CO-RE relocated for a target or as read ({@link #bytecode()})
     */
    public Portable portable(BpfBytecode code) {
        byte[] insns = code.toByteArray();
        List<String> maps = new java.util.ArrayList<>();
        List<dev.autolowat.api.asm.Relocation> out = new java.util.ArrayList<>();
        for (ObjectRelocation r : relocations) {
            if (r instanceof ObjectRelocation.MapReference m) {
                out.add(new dev.autolowat.api.asm.Relocation.MapRef(m.slot(), indexOf(maps, m.map())));
            } else if (r instanceof ObjectRelocation.MapValueReference v) {
                dev.autolowat.api.asm.Encoding.setMapValue(insns, v.slot(), 0, v.offset());
                out.add(new dev.autolowat.api.asm.Relocation.MapRef(v.slot(), indexOf(maps, v.map())));
            } else if (r instanceof ObjectRelocation.KfuncCall k) {
                out.add(new dev.autolowat.api.asm.Relocation.KfuncRef(k.slot(), k.name()));
            }
        }
        return new Portable(BpfBytecode.of(insns, out), List.copyOf(maps));
    }

    private static int indexOf(List<String> maps, String map) {
        int i = maps.indexOf(map);
        if (i < 0) {
            maps.add(map);
            return maps.size() - 1;
        }
        return i;
    }

    /**
     * {@link #portable}'s result.
     *
     * @param code the instructions with {@code MapRef}/{@code KfuncRef} relocations
     * @param maps the object's map names, by {@code MapRef} index
     */
    public record Portable(BpfBytecode code, List<String> maps) {
    }

    /** Number of 8-byte slots of the linked program. */
    public int slots() {
        return bytecode.slots();
    }

    /** The program's own {@link dev.autolowat.api.program.ProgramType}, if the SDK's backends can attach it. */
    public boolean attachableBySdk() {
        return sectionInfo.sdkType().isPresent();
    }
}
