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

    /** Number of 8-byte slots of the linked program. */
    public int slots() {
        return bytecode.slots();
    }

    /** The program's own {@link dev.autolowat.api.program.ProgramType}, if the SDK's backends can attach it. */
    public boolean attachableBySdk() {
        return sectionInfo.sdkType().isPresent();
    }
}
