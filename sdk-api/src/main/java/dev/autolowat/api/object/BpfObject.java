package dev.autolowat.api.object;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.asm.Encoding;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfKind;
import dev.autolowat.api.program.BpfBytecode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A compiled BPF object ({@code clang -target bpf -c prog.c -o prog.o}) read the way libbpf reads
 * it, in pure Java: programs by section name, BTF-defined maps, global data, license, {@code .BTF}
 * and {@code .BTF.ext} (func_info, line_info, CO-RE relocations), with bpf-to-bpf calls linked.
 * Immutable once opened; it holds no native resource.
 *
 * <pre>{@code
 * BpfObject obj = BpfObject.open(Path.of("examples/bpf/autolowat_policy.o"));
 * ObjectProgram rcvq = obj.program("autolowat_rcvq");      // SEC("sockops")
 * rcvq.sectionInfo().sdkType();                            // Optional[SOCK_OPS]
 * obj.map("autolowat_state");                              // SK_STORAGE, value 32 bytes
 * }</pre>
 *
 * <p>What a backend completes at load time is left named: map fds ({@link ObjectRelocation}),
 * kfunc ids, CO-RE offsets against its target BTF ({@link CoreRelocation}). See
 * {@code docs/objects.md} for what is supported and how it matches libbpf.
 *
 * <p>Every problem in the file is a {@link BpfObjectFormatException} that names the file, the
 * section and what is wrong (also a malformed {@code .BTF}, whose {@code BtfFormatException} is its
 * cause); reading never allocates more than the file's size justifies.
 */
public final class BpfObject {
    /** Files larger than this are refused before reading (a BPF object is kilobytes to a few MiB). */
    public static final long MAX_FILE_SIZE = 256L << 20;

    private static final int BTF_EXT_MAGIC = 0xEB9F;
    private static final int MAX_SUBPROGRAM_DEPTH = 8;
    /** {@code BPF_OBJ_NAME_LEN}: kernel object names have at most 15 characters. */
    private static final int OBJ_NAME_LEN = 16;

    private final String origin;
    private final String name;
    private final String license;
    private final Btf btf;
    private final byte[] btfForKernel;
    private final List<ObjectMap> maps;
    private final List<ObjectProgram> programs;

    private BpfObject(String origin, String name, String license, Btf btf, byte[] btfForKernel, List<ObjectMap> maps,
                      List<ObjectProgram> programs) {
        this.origin = origin;
        this.name = name;
        this.license = license;
        this.btf = btf;
        this.btfForKernel = btfForKernel;
        this.maps = maps;
        this.programs = programs;
    }

    /**
     * Reads {@code file}.
     *
     * @throws BpfObjectFormatException when the file is missing, unreadable or not a BPF object
     *                                  the SDK can read (the message says which and why)
     */
    public static BpfObject open(Path file) {
        Objects.requireNonNull(file, "file");
        String origin = file.toString();
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_SIZE) {
                throw new BpfObjectFormatException(origin, "the file is " + size + " bytes; BPF objects are far smaller"
                        + " (limit " + MAX_FILE_SIZE + "): is this the right file?");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BpfObjectFormatException(origin, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new BpfObjectFormatException(origin, "permission denied", e);
        } catch (IOException e) {
            throw new BpfObjectFormatException(origin, "cannot read it: " + e.getMessage(), e);
        }
        return read(bytes, origin, objectName(file.getFileName() == null ? origin : file.getFileName().toString()));
    }

    /**
     * Reads an object from memory; {@code name} is its file name ({@code policy.o}), which names it in
     * errors and gives the global-data maps their libbpf names.
     */
    public static BpfObject open(byte[] bytes, String name) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
        return read(bytes.clone(), name, objectName(name));
    }

    /**
     * A program's or map's name as the kernel keeps it: its first 15 characters
     * ({@code BPF_OBJ_NAME_LEN} is 16 with the NUL); libbpf cuts it the same way.
     */
    public static String kernelName(String name) {
        return name.length() < OBJ_NAME_LEN ? name : name.substring(0, OBJ_NAME_LEN - 1);
    }

    /** The file (or name) it was read from. */
    public String origin() {
        return origin;
    }

    /** The object's name as libbpf forms it: the file name up to its first dot. */
    public String name() {
        return name;
    }

    /** The {@code license} section's string, or empty when the object has none. */
    public String license() {
        return license;
    }

    /** The object's own {@code .BTF}, when it has one (clang {@code -g}). */
    public Optional<Btf> btf() {
        return Optional.ofNullable(btf);
    }

    /**
     * The object's {@code .BTF} as a kernel accepts it ({@code BPF_BTF_LOAD}): with libbpf's fix-ups
     * (DATASEC sizes and variable offsets from the ELF file, kfunc declarations made global and given
     * a dummy variable in {@code .ksyms}); type ids and string offsets are those of {@link #btf()}.
     * A copy; empty when the object has no BTF.
     */
    public Optional<byte[]> btfForKernel() {
        return Optional.ofNullable(btfForKernel).map(byte[]::clone);
    }

    /** Every map: {@code .maps} declarations in order, then global-data sections in section order. */
    public List<ObjectMap> maps() {
        return maps;
    }

    /** Every program, in section and then offset order (subprograms of {@code .text} are not programs). */
    public List<ObjectProgram> programs() {
        return programs;
    }

    /**
     * The program named {@code name}.
     *
     * @throws BpfObjectFormatException naming the programs the object has, when none is called so
     */
    public ObjectProgram program(String name) {
        for (ObjectProgram p : programs) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new BpfObjectFormatException(origin, "no program named '" + name + "'; it has "
                + programs.stream().map(p -> p.name() + " (" + p.section() + ")").toList());
    }

    /**
     * The programs of section {@code section} ({@code "sockops"}).
     *
     * @throws BpfObjectFormatException when no program is in that section (naming the sections there are)
     */
    public List<ObjectProgram> programsInSection(String section) {
        List<ObjectProgram> out = programs.stream().filter(p -> p.section().equals(section)).toList();
        if (out.isEmpty()) {
            throw new BpfObjectFormatException(origin, "no program in section '" + section + "'; its program sections are "
                    + programs.stream().map(ObjectProgram::section).distinct().toList());
        }
        return out;
    }

    /** The map named {@code name}, if declared. */
    public Optional<ObjectMap> map(String name) {
        return maps.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return "BpfObject[" + origin + ": " + programs.size() + " programs, " + maps.size() + " maps, license '"
                + license + "']";
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    /** libbpf's object name: the base name up to its first dot. */
    static String objectName(String fileName) {
        int slash = fileName.lastIndexOf('/');
        String base = slash >= 0 ? fileName.substring(slash + 1) : fileName;
        int dot = base.indexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    private static BpfObject read(byte[] bytes, String origin, String objName) {
        try {
            return new Reader(ElfFile.parse(origin, bytes), objName).read();
        } catch (BpfObjectFormatException e) {
            throw e;
        } catch (AutoLowatException e) {
            // a malformed .BTF (BtfFormatException) or a lookup in it: one documented type for callers
            throw new BpfObjectFormatException(origin, e.getMessage(), e);
        } catch (IllegalArgumentException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            // checks below should catch everything first; this keeps the contract if one is missed
            throw new BpfObjectFormatException(origin, "corrupt object (" + e.getMessage() + ")", e);
        }
    }

    /** One read of one file. */
    private static final class Reader {
        private final ElfFile elf;
        private final String origin;
        private final String objName;
        private Btf btf;
        private BtfExtInfo ext = BtfExtInfo.EMPTY;
        private final Map<Integer, ObjectMap> mapBySection = new HashMap<>();
        /** .maps declarations by variable name (clang leaves DATASEC offsets 0; libbpf matches symbols by name too). */
        private final Map<String, ObjectMap> mapByName = new HashMap<>();
        private final List<ObjectMap> maps = new ArrayList<>();
        private int mapsSection = -1;
        /** Relocations of each executable section, by byte offset. */
        private final Map<Integer, Map<Long, ElfFile.Rel>> relocsBySection = new HashMap<>();

        Reader(ElfFile elf, String objName) {
            this.elf = elf;
            this.origin = elf.origin();
            this.objName = objName;
        }

        BpfObject read() {
            String license = "";
            for (ElfFile.Section s : elf.sections()) {
                switch (s.name()) {
                    case "license" -> license = cString(elf.contents(s));
                    case ".BTF" -> btf = Btf.parse(elf.contents(s), origin + " (.BTF)");
                    case "maps" -> throw elf.error("legacy map definitions (section 'maps', struct bpf_map_def) are "
                            + "not supported: declare maps with __uint/__type in SEC(\".maps\"), as libbpf 1.0 requires");
                    case ".maps" -> mapsSection = s.index();
                    default -> {
                    }
                }
            }
            for (ElfFile.Section s : elf.sections()) {
                if (s.name().equals(".BTF.ext")) {
                    if (btf == null) {
                        throw elf.error(".BTF.ext without .BTF: the object is corrupt");
                    }
                    ext = BtfExtInfo.parse(elf, elf.contents(s), btf);
                }
            }
            readMapsSection();
            readGlobalData();
            readRelocationTables();
            List<ObjectProgram> programs = readPrograms();
            byte[] forKernel = btf == null ? null : KernelBtfFixup.apply(btf, elf);
            return new BpfObject(origin, objName, license, btf, forKernel, List.copyOf(maps), List.copyOf(programs));
        }

        // ---- maps ----

        private void readMapsSection() {
            if (mapsSection < 0) {
                return;
            }
            if (btf == null) {
                throw elf.error("section .maps needs the object's BTF to describe its maps, and the object has no .BTF "
                        + "(compile with clang -g)");
            }
            int datasec = btf.typeId(BtfKind.DATASEC, ".maps").orElseThrow(
                    () -> elf.error("the object's BTF has no DATASEC '.maps' describing section .maps"));
            for (Btf.VarSecInfo v : btf.datasecVars(datasec)) {
                if (btf.kind(v.type()) != BtfKind.VAR) {
                    throw elf.error("DATASEC .maps lists type [" + v.type() + "], a " + btf.kind(v.type()) + ", not a VAR");
                }
                String mapName = btf.name(v.type());
                ObjectMap m = mapDefinition(mapName, btf.resolve(btf.referencedType(v.type())));
                maps.add(m);
                if (mapByName.put(mapName, m) != null) {
                    throw elf.error("two maps named '" + mapName + "' in .maps");
                }
            }
        }

        /** A BTF map definition: a struct whose members encode values as {@code int (*name)[value]}. */
        private ObjectMap mapDefinition(String mapName, int structId) {
            if (btf.kind(structId) != BtfKind.STRUCT) {
                throw elf.error("map '" + mapName + "' is not a struct in BTF (" + btf.kind(structId) + ")");
            }
            int type = -1, maxEntries = 0, flags = 0, keySize = -1, valueSize = -1, keyType = 0, valueType = 0;
            for (Btf.Member m : btf.members(structId)) {
                switch (m.name()) {
                    case "type" -> type = uintMember(mapName, m);
                    case "max_entries" -> maxEntries = uintMember(mapName, m);
                    case "map_flags" -> flags = uintMember(mapName, m);
                    case "key_size" -> keySize = checkSize(mapName, "key_size", uintMember(mapName, m), keySize);
                    case "value_size" -> valueSize = checkSize(mapName, "value_size", uintMember(mapName, m), valueSize);
                    case "key" -> {
                        keyType = pointee(mapName, m);
                        keySize = checkSize(mapName, "key", typeSize(mapName, keyType), keySize);
                    }
                    case "value" -> {
                        valueType = pointee(mapName, m);
                        valueSize = checkSize(mapName, "value", typeSize(mapName, valueType), valueSize);
                    }
                    case "numa_node", "map_extra" -> uintMember(mapName, m);
                    case "pinning" -> {
                        if (uintMember(mapName, m) != 0) {
                            throw elf.error("map '" + mapName + "' asks for pinning: pinned maps are not supported "
                                    + "(the SDK's sessions own their maps)");
                        }
                    }
                    case "values" -> throw elf.error("map '" + mapName + "' declares inner maps (values): "
                            + "map-in-map is not supported");
                    default -> throw elf.error("map '" + mapName + "' has an unknown definition member '" + m.name()
                            + "' (known: type, max_entries, map_flags, key, value, key_size, value_size, numa_node, "
                            + "map_extra, pinning)");
                }
            }
            if (type < 0) {
                throw elf.error("map '" + mapName + "' has no type (add __uint(type, BPF_MAP_TYPE_...))");
            }
            return new ObjectMap(mapName, ObjectMap.Kind.BTF_DEFINED, type, Math.max(keySize, 0), Math.max(valueSize, 0),
                    maxEntries, flags, keyType, valueType, ".maps", null);
        }

        private int uintMember(String mapName, Btf.Member m) {
            int ptr = m.type();
            if (btf.kind(ptr) != BtfKind.PTR || btf.kind(btf.referencedType(ptr)) != BtfKind.ARRAY) {
                throw elf.error("map '" + mapName + "': member '" + m.name() + "' is not encoded as __uint "
                        + "(int (*" + m.name() + ")[N])");
            }
            long n = btf.array(btf.referencedType(ptr)).elements();
            if (n < 0 || n > 0xffffffffL) {
                throw elf.error("map '" + mapName + "': " + m.name() + " = " + n + " does not fit 32 bits");
            }
            return (int) n;
        }

        private int pointee(String mapName, Btf.Member m) {
            if (btf.kind(m.type()) != BtfKind.PTR) {
                throw elf.error("map '" + mapName + "': member '" + m.name() + "' is not encoded as __type (T *"
                        + m.name() + ")");
            }
            return btf.referencedType(m.type());
        }

        private int typeSize(String mapName, int typeId) {
            long size = btf.sizeOf(typeId).orElseThrow(() -> elf.error("map '" + mapName + "': type [" + typeId
                    + "] has no size"));
            if (size <= 0 || size > Integer.MAX_VALUE) {
                throw elf.error("map '" + mapName + "': a key or value of " + size + " bytes");
            }
            return (int) size;
        }

        private int checkSize(String mapName, String what, int size, int earlier) {
            if (earlier >= 0 && earlier != size) {
                throw elf.error("map '" + mapName + "': " + what + " gives " + size + " bytes, but an earlier member said "
                        + earlier);
            }
            return size;
        }

        /** {@code .data}, {@code .rodata}, {@code .bss} (and {@code .data.*} etc.): one-entry ARRAY maps. */
        private void readGlobalData() {
            for (ElfFile.Section s : elf.sections()) {
                String n = s.name();
                boolean data = n.equals(".data") || n.startsWith(".data.");
                boolean rodata = n.equals(".rodata") || n.startsWith(".rodata.");
                boolean bss = n.equals(".bss") || n.startsWith(".bss.");
                if (!(data || rodata || bss) || s.size() == 0) {
                    continue;
                }
                int flags = ObjectMap.F_MMAPABLE | (rodata ? ObjectMap.F_RDONLY_PROG : 0);
                int datasec = btf == null ? 0 : btf.typeId(BtfKind.DATASEC, n).orElse(0);
                ObjectMap m = new ObjectMap(internalMapName(n), ObjectMap.Kind.GLOBAL_DATA, 2, 4, (int) s.size(), 1,
                        flags, 0, datasec, n, elf.contents(s));
                maps.add(m);
                mapBySection.put(s.index(), m);
            }
        }

        /**
         * libbpf's name for a global-data map: as much of the object name as fits before the section
         * name in 15 characters (the section name counted as at least 7), none for custom
         * {@code .data.*} sections; characters the kernel refuses become {@code _}.
         */
        private String internalMapName(String section) {
            int sfxLen = Math.min(Math.max(7, section.length()), OBJ_NAME_LEN - 1);
            int pfxLen = section.indexOf('.', 1) >= 0 ? 0 : Math.min(OBJ_NAME_LEN - sfxLen - 1, objName.length());
            String raw = objName.substring(0, pfxLen) + section.substring(0, Math.min(sfxLen, section.length()));
            StringBuilder out = new StringBuilder(raw.length());
            for (char c : raw.toCharArray()) {
                out.append(Character.isLetterOrDigit(c) && c < 0x80 || c == '_' || c == '.' ? c : '_');
            }
            return out.toString();
        }

        // ---- programs ----

        private void readRelocationTables() {
            for (ElfFile.Section s : elf.sections()) {
                if (s.type() != ElfFile.SHT_REL && s.type() != ElfFile.SHT_RELA) {
                    continue;
                }
                if (s.info() <= 0 || s.info() >= elf.sections().size()) {
                    throw elf.error("relocation section " + s.name() + " applies to section " + s.info()
                            + ", which does not exist");
                }
                ElfFile.Section target = elf.section(s.info());
                if (!target.executable()) {
                    continue; // .rel.BTF, .rel.BTF.ext, .rel.debug_*: addresses for debuggers, not for loaders
                }
                Map<Long, ElfFile.Rel> byOffset = new HashMap<>();
                for (ElfFile.Rel r : elf.relocations(s)) {
                    if (r.offset() < 0 || r.offset() % 8 != 0 || r.offset() + 8 > target.size()) {
                        throw elf.error("relocation in " + s.name() + " at byte " + r.offset() + " is not on an "
                                + "instruction of " + target.name() + " (" + target.size() + " bytes)");
                    }
                    if (byOffset.put(r.offset(), r) != null) {
                        throw elf.error("two relocations for byte " + r.offset() + " of " + target.name());
                    }
                }
                relocsBySection.put(target.index(), byOffset);
            }
        }

        /** A function of an executable section: a program, or a {@code .text} subprogram. */
        private record Function(String name, ElfFile.Section section, int firstSlot, int slots, byte[] code) {
        }

        private List<ObjectProgram> readPrograms() {
            Map<String, Function> subprograms = new LinkedHashMap<>();
            Map<Long, Function> subprogramsBySlot = new HashMap<>();
            List<Function> mains = new ArrayList<>();
            for (ElfFile.Symbol sym : elf.symbols()) {
                if (sym.type() != ElfFile.STT_FUNC || sym.undefined() || sym.sectionIndex() >= ElfFile.SHN_LORESERVE) {
                    continue;
                }
                ElfFile.Section s = elf.section(sym.sectionIndex());
                if (!s.executable()) {
                    throw elf.error("function " + sym.name() + " is in section " + s.name() + ", which is not executable");
                }
                if (sym.value() % 8 != 0 || sym.size() % 8 != 0 || sym.size() == 0
                        || sym.value() + sym.size() > s.size() || sym.value() < 0) {
                    throw elf.error("function " + sym.name() + " (bytes " + sym.value() + "+" + sym.size() + ") is not a "
                            + "whole number of instructions inside section " + s.name() + " (" + s.size() + " bytes)");
                }
                byte[] all = elf.contents(s);
                byte[] code = new byte[(int) sym.size()];
                System.arraycopy(all, (int) sym.value(), code, 0, code.length);
                Function f = new Function(sym.name(), s, (int) (sym.value() / 8), (int) (sym.size() / 8), code);
                if (s.name().equals(".text")) {
                    subprograms.put(sym.name(), f);
                    subprogramsBySlot.put(sym.value() / 8, f);
                } else {
                    mains.add(f);
                }
            }
            if (mains.isEmpty()) {
                throw elf.error("no programs: no function in a program section (SEC(\"sockops\") and the like); "
                        + "functions in .text are subprograms");
            }
            List<ObjectProgram> out = new ArrayList<>();
            for (Function f : mains) {
                out.add(link(f, subprogramsBySlot));
            }
            return out;
        }

        /** libbpf's linking: the program, then each called subprogram appended once, in order of first call. */
        private ObjectProgram link(Function main, Map<Long, Function> subprogramsBySlot) {
            List<Function> parts = new ArrayList<>();
            List<Integer> partStart = new ArrayList<>();
            parts.add(main);
            partStart.add(0);
            int total = main.slots();
            ByteBuffer linked = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            List<ObjectRelocation> relocations = new ArrayList<>();
            Map<Function, Integer> placed = new HashMap<>();
            placed.put(main, 0);
            // scan the growing program in order: parts appended while scanning are scanned too
            for (int p = 0; p < parts.size(); p++) {
                Function f = parts.get(p);
                int base = partStart.get(p);
                Map<Long, ElfFile.Rel> rels = relocsBySection.getOrDefault(f.section().index(), Map.of());
                for (int i = 0; i < f.slots(); i++) {
                    int opcode = Encoding.opcode(f.code(), i);
                    int src = Encoding.src(f.code(), i);
                    int imm = Encoding.imm(f.code(), i);
                    long sectionByte = (long) (f.firstSlot() + i) * 8;
                    ElfFile.Rel rel = rels.get(sectionByte);
                    boolean call = opcode == (Opcode.JMP | Opcode.CALL);
                    if (rel != null) {
                        relocations.add(classify(f, i, base + i, opcode, src, imm, rel, subprogramsBySlot, parts,
                                partStart, placed));
                        if (call && src == Opcode.PSEUDO_CALL) {
                            total = partStart.get(partStart.size() - 1) + parts.get(parts.size() - 1).slots();
                        }
                    } else if (call && src == Opcode.PSEUDO_CALL) {
                        // a call inside the same section without a relocation: the imm is relative
                        long targetSlot = (long) f.firstSlot() + i + imm + 1;
                        if (!f.section().name().equals(".text")) {
                            throw elf.error("function " + f.name() + " calls slot " + targetSlot + " of its own section "
                                    + f.section().name() + ": bpf-to-bpf calls go to .text subprograms");
                        }
                        relocations.add(callTo(f, i, base + i, targetSlot, subprogramsBySlot, parts, partStart, placed));
                        total = partStart.get(partStart.size() - 1) + parts.get(parts.size() - 1).slots();
                    }
                    if (opcode == Opcode.LD_IMM64) {
                        i++; // second slot
                    }
                }
            }
            if (total > BpfBytecode.MAX_INSNS) {
                throw elf.error("program " + main.name() + " links to " + total + " instructions, above the kernel's "
                        + BpfBytecode.MAX_INSNS);
            }
            byte[] code = new byte[total * 8];
            for (int p = 0; p < parts.size(); p++) {
                System.arraycopy(parts.get(p).code(), 0, code, partStart.get(p) * 8, parts.get(p).code().length);
            }
            // point each call at its subprogram's copy; mark kfunc calls as libbpf does (clang emits
            // an extern call as src 1, imm -1; the kernel wants src BPF_PSEUDO_KFUNC_CALL and the
            // function's BTF id, which only the backend knows: 0 until then)
            for (ObjectRelocation r : relocations) {
                if (r instanceof ObjectRelocation.SubprogramCall c) {
                    Encoding.setCallTarget(code, c.slot(), c.targetSlot());
                } else if (r instanceof ObjectRelocation.KfuncCall k) {
                    Encoding.setKfunc(code, k.slot(), 0);
                }
            }
            BpfBytecode bytecode;
            try {
                bytecode = BpfBytecode.of(code);
                bytecode.instructions(); // an LD_IMM64 cut in half is a corrupt object, say so now
            } catch (IllegalArgumentException e) {
                throw elf.error("program " + main.name() + ": " + e.getMessage());
            }
            List<ObjectProgram.FuncInfo> functions = new ArrayList<>();
            List<ObjectProgram.LineInfo> lines = new ArrayList<>();
            List<CoreRelocation> core = new ArrayList<>();
            for (int p = 0; p < parts.size(); p++) {
                Function f = parts.get(p);
                int shift = partStart.get(p) - f.firstSlot();
                String sec = f.section().name();
                int funcType = 0;
                for (BtfExtInfo.Func fi : ext.funcs(sec)) {
                    if (fi.slot() == f.firstSlot()) {
                        funcType = fi.typeId();
                    }
                }
                functions.add(new ObjectProgram.FuncInfo(partStart.get(p), funcType, f.name()));
                for (ObjectProgram.LineInfo li : ext.lines(sec)) {
                    if (inside(f, li.slot())) {
                        lines.add(new ObjectProgram.LineInfo(li.slot() + shift, li.file(), li.source(), li.line(),
                                li.column(), li.fileNameOffset(), li.sourceOffset()));
                    }
                }
                for (CoreRelocation cr : ext.core(sec)) {
                    if (inside(f, cr.slot())) {
                        core.add(new CoreRelocation(cr.slot() + shift, cr.localTypeId(), cr.accessString(), cr.kind(),
                                cr.description()));
                    }
                }
            }
            lines.sort(java.util.Comparator.comparingInt(ObjectProgram.LineInfo::slot));
            core.sort(java.util.Comparator.comparingInt(CoreRelocation::slot));
            relocations.sort(java.util.Comparator.comparingInt(ObjectRelocation::slot));
            return new ObjectProgram(main.name(), main.section().name(), ProgramSection.of(main.section().name()),
                    bytecode, relocations, core, functions, lines);
        }

        private static boolean inside(Function f, int sectionSlot) {
            return sectionSlot >= f.firstSlot() && sectionSlot < f.firstSlot() + f.slots();
        }

        private ObjectRelocation classify(Function f, int i, int linkedSlot, int opcode, int src, int imm, ElfFile.Rel rel,
                                          Map<Long, Function> subprogramsBySlot, List<Function> parts,
                                          List<Integer> partStart, Map<Function, Integer> placed) {
            ElfFile.Symbol sym = elf.symbols().get(rel.symbol());
            String where = "instruction " + i + " of " + f.name() + " (" + f.section().name() + ")";
            String symName = sym.name().isEmpty() && !sym.undefined() && sym.sectionIndex() < ElfFile.SHN_LORESERVE
                    ? elf.section(sym.sectionIndex()).name() : sym.name();
            if (opcode == Opcode.LD_IMM64) {
                if (sym.undefined()) {
                    throw elf.error(where + " loads the address of extern '" + symName + "': __ksym and __kconfig "
                            + "variables are not supported (kfunc calls are)");
                }
                if (sym.sectionIndex() >= ElfFile.SHN_LORESERVE) {
                    throw elf.error(where + " refers to symbol '" + symName + "' of a special section ("
                            + sym.sectionIndex() + ")");
                }
                ElfFile.Section s = elf.section(sym.sectionIndex());
                if (s.index() == mapsSection) {
                    ObjectMap m = mapByName.get(sym.name());
                    if (m == null) {
                        throw elf.error(where + " refers to '" + symName + "' in .maps, which the BTF does not describe");
                    }
                    return new ObjectRelocation.MapReference(linkedSlot, m.name());
                }
                ObjectMap global = mapBySection.get(s.index());
                if (global != null) {
                    long offset = (long) imm + sym.value();
                    if (offset < 0 || offset >= Math.max(1, global.valueSize())) {
                        throw elf.error(where + " refers to byte " + offset + " of " + s.name() + " ("
                                + global.valueSize() + " bytes)");
                    }
                    return new ObjectRelocation.MapValueReference(linkedSlot, global.name(), (int) offset);
                }
                if (s.executable()) {
                    throw elf.error(where + " takes the address of function '" + symName + "' (a callback, e.g. for "
                            + "bpf_loop): function pointers are not supported yet");
                }
                throw elf.error(where + " refers to '" + symName + "' in section " + s.name()
                        + ", which is neither .maps nor global data");
            }
            if (opcode == (Opcode.JMP | Opcode.CALL)) {
                if (src == Opcode.PSEUDO_KFUNC_CALL || sym.undefined()) {
                    if (!sym.undefined()) {
                        throw elf.error(where + " calls kfunc '" + symName + "', which the object defines itself");
                    }
                    return new ObjectRelocation.KfuncCall(linkedSlot, sym.name());
                }
                if (src == Opcode.PSEUDO_CALL) {
                    ElfFile.Section s = elf.section(sym.sectionIndex());
                    if (!s.name().equals(".text")) {
                        throw elf.error(where + " calls into section " + s.name() + ": subprograms must be in .text");
                    }
                    if (sym.value() % 8 != 0) {
                        throw elf.error(where + " calls byte " + sym.value() + " of .text, not an instruction");
                    }
                    long targetSlot = sym.value() / 8 + imm + 1L;
                    return callTo(f, i, linkedSlot, targetSlot, subprogramsBySlot, parts, partStart, placed);
                }
                throw elf.error(where + " is a helper call with a relocation (src " + src + "); not a BPF object clang writes");
            }
            throw elf.error(where + " has a relocation (type " + rel.type() + ", symbol '" + symName + "') on opcode 0x"
                    + Integer.toHexString(opcode) + "; only LD_IMM64 and CALL are relocated");
        }

        private ObjectRelocation callTo(Function f, int i, int linkedSlot, long targetSlot,
                                        Map<Long, Function> subprogramsBySlot, List<Function> parts,
                                        List<Integer> partStart, Map<Function, Integer> placed) {
            Function target = subprogramsBySlot.get(targetSlot);
            if (target == null) {
                throw elf.error("instruction " + i + " of " + f.name() + " calls slot " + targetSlot + " of .text, "
                        + "where no function starts");
            }
            Integer start = placed.get(target);
            if (start == null) {
                int last = parts.size() - 1;
                start = partStart.get(last) + parts.get(last).slots();
                parts.add(target);
                partStart.add(start);
                placed.put(target, start);
            }
            return new ObjectRelocation.SubprogramCall(linkedSlot, target.name(), start);
        }

        private static String cString(byte[] b) {
            int n = 0;
            while (n < b.length && b[n] != 0) {
                n++;
            }
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }
    }

    /** {@code .BTF.ext}: func_info, line_info and CO-RE relocations, by section name (slots in the section). */
    static final class BtfExtInfo {
        static final BtfExtInfo EMPTY = new BtfExtInfo(Map.of(), Map.of(), Map.of());

        record Func(int slot, int typeId) {
        }

        private final Map<String, List<Func>> funcs;
        private final Map<String, List<ObjectProgram.LineInfo>> lines;
        private final Map<String, List<CoreRelocation>> core;

        private BtfExtInfo(Map<String, List<Func>> funcs, Map<String, List<ObjectProgram.LineInfo>> lines,
                           Map<String, List<CoreRelocation>> core) {
            this.funcs = funcs;
            this.lines = lines;
            this.core = core;
        }

        List<Func> funcs(String section) {
            return funcs.getOrDefault(section, List.of());
        }

        List<ObjectProgram.LineInfo> lines(String section) {
            return lines.getOrDefault(section, List.of());
        }

        List<CoreRelocation> core(String section) {
            return core.getOrDefault(section, List.of());
        }

        static BtfExtInfo parse(ElfFile elf, byte[] d, Btf btf) {
            ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
            if (d.length < 8) {
                throw elf.error(".BTF.ext is " + d.length + " bytes, too short for its header");
            }
            int magic = b.getShort(0) & 0xffff;
            if (magic != BTF_EXT_MAGIC) {
                throw elf.error(".BTF.ext has magic 0x" + Integer.toHexString(magic) + ", expected 0xeb9f");
            }
            long hdrLen = Integer.toUnsignedLong(b.getInt(4));
            if (hdrLen < 24 || hdrLen > d.length) {
                throw elf.error(".BTF.ext header length " + hdrLen + " is outside 24.." + d.length);
            }
            Map<String, List<Func>> funcs = new HashMap<>();
            Map<String, List<ObjectProgram.LineInfo>> lines = new HashMap<>();
            Map<String, List<CoreRelocation>> core = new HashMap<>();
            subsection(elf, b, hdrLen, 8, "func_info", 8, btf, (sec, at) ->
                    funcs.computeIfAbsent(sec, k -> new ArrayList<>()).add(new Func(slot(elf, b, at, "func_info"),
                            b.getInt(at + 4))));
            subsection(elf, b, hdrLen, 16, "line_info", 16, btf, (sec, at) -> {
                int lineCol = b.getInt(at + 12);
                lines.computeIfAbsent(sec, k -> new ArrayList<>()).add(new ObjectProgram.LineInfo(
                        slot(elf, b, at, "line_info"), string(elf, btf, b.getInt(at + 4)), string(elf, btf, b.getInt(at + 8)),
                        lineCol >>> 10, lineCol & 0x3ff, b.getInt(at + 4), b.getInt(at + 8)));
            });
            if (hdrLen >= 32) {
                subsection(elf, b, hdrLen, 24, "core_relo", 16, btf, (sec, at) -> {
                    int typeId = b.getInt(at + 4);
                    String access = string(elf, btf, b.getInt(at + 8));
                    int kindValue = b.getInt(at + 12);
                    CoreRelocation.Kind kind = CoreRelocation.Kind.of(kindValue);
                    if (kind == null) {
                        throw elf.error("CO-RE relocation in " + sec + " has unknown kind " + kindValue);
                    }
                    if (typeId <= 0 || typeId > btf.typeCount()) {
                        throw elf.error("CO-RE relocation in " + sec + " names type [" + typeId + "], which .BTF lacks");
                    }
                    core.computeIfAbsent(sec, k -> new ArrayList<>()).add(new CoreRelocation(slot(elf, b, at, "core_relo"),
                            typeId, access, kind, CoreAccess.describe(elf, btf, typeId, access, kind)));
                });
            }
            return new BtfExtInfo(funcs, lines, core);
        }

        private interface RecordReader {
            void read(String section, int at);
        }

        /** One info subsection: {@code u32 rec_size}, then per section {@code {name_off, num_info, records}}. */
        private static void subsection(ElfFile elf, ByteBuffer b, long hdrLen, int headerField, String what,
                                       int minRecord, Btf btf, RecordReader reader) {
            long off = Integer.toUnsignedLong(b.getInt(headerField));
            long len = Integer.toUnsignedLong(b.getInt(headerField + 4));
            if (len == 0) {
                return;
            }
            long start = hdrLen + off;
            long end = start + len;
            int size = b.capacity();
            if (start > size || end > size || len < 4) {
                throw elf.error(".BTF.ext " + what + " lies at bytes " + start + ".." + end + ", beyond its " + size + " bytes");
            }
            long recSize = Integer.toUnsignedLong(b.getInt((int) start));
            if (recSize < minRecord || recSize > 1024) {
                throw elf.error(".BTF.ext " + what + " records are " + recSize + " bytes (at least " + minRecord + ")");
            }
            long at = start + 4;
            while (at < end) {
                if (at + 8 > end) {
                    throw elf.error(".BTF.ext " + what + " is truncated at byte " + at);
                }
                String section = string(elf, btf, b.getInt((int) at));
                long n = Integer.toUnsignedLong(b.getInt((int) at + 4));
                at += 8;
                if (n * recSize > end - at) {
                    throw elf.error(".BTF.ext " + what + " for section " + section + " claims " + n + " records of "
                            + recSize + " bytes, beyond the end of the subsection");
                }
                for (long k = 0; k < n; k++) {
                    reader.read(section, (int) at);
                    at += recSize;
                }
            }
        }

        private static int slot(ElfFile elf, ByteBuffer b, int at, String what) {
            long insnOff = Integer.toUnsignedLong(b.getInt(at));
            if (insnOff % 8 != 0) {
                throw elf.error(".BTF.ext " + what + " names byte " + insnOff + ", not an instruction boundary");
            }
            return (int) (insnOff / 8);
        }

        private static String string(ElfFile elf, Btf btf, int offset) {
            return btf.stringAt(offset).orElseThrow(() -> elf.error(".BTF.ext names string offset "
                    + Integer.toUnsignedString(offset) + ", outside the .BTF string section"));
        }
    }
}
