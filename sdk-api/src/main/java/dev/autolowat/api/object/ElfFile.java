package dev.autolowat.api.object;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a relocatable ELF64 file that a BPF loader reads ({@code man 5 elf}): section
 * headers, the symbol table and {@code SHT_REL} relocation tables. Nothing else of ELF is needed:
 * BPF objects have no program headers, and clang emits no {@code SHT_RELA} for BPF.
 *
 * <p>Every offset and size is checked against the file before it is used, so a truncated or
 * corrupt file gives a {@link BpfObjectFormatException} naming the section or field, never an
 * {@link IndexOutOfBoundsException} or an allocation the file's size does not justify.
 */
final class ElfFile {
    static final int SHT_NULL = 0;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_RELA = 4;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;
    static final long SHF_WRITE = 0x1;
    static final long SHF_ALLOC = 0x2;
    static final long SHF_EXECINSTR = 0x4;

    static final int STT_NOTYPE = 0;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int STT_SECTION = 3;
    static final int STB_LOCAL = 0;
    static final int STB_GLOBAL = 1;
    static final int STB_WEAK = 2;
    static final int SHN_UNDEF = 0;
    static final int SHN_LORESERVE = 0xff00;

    /** {@code EM_BPF}. */
    static final int EM_BPF = 247;
    private static final int ET_REL = 1;
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int REL_SIZE = 16;

    /** One section header, with its name resolved. */
    record Section(int index, String name, int type, long flags, long offset, long size, int link, int info,
                   long entrySize) {
        boolean executable() {
            return (flags & SHF_EXECINSTR) != 0;
        }
    }

    /** One symbol ({@code Elf64_Sym}). */
    record Symbol(int index, String name, int type, int binding, int sectionIndex, long value, long size) {
        boolean undefined() {
            return sectionIndex == SHN_UNDEF;
        }
    }

    /** One {@code Elf64_Rel}: the byte offset in the target section, the symbol, the type. */
    record Rel(long offset, int symbol, int type) {
    }

    private final String origin;
    private final byte[] data;
    private final ByteBuffer buf;
    private final List<Section> sections;
    private final List<Symbol> symbols;

    private ElfFile(String origin, byte[] data) {
        this.origin = origin;
        this.data = data;
        this.buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.sections = readSections();
        this.symbols = readSymbols();
    }

    static ElfFile parse(String origin, byte[] data) {
        return new ElfFile(origin, data);
    }

    String origin() {
        return origin;
    }

    List<Section> sections() {
        return sections;
    }

    List<Symbol> symbols() {
        return symbols;
    }

    Section section(int index) {
        if (index <= 0 || index >= sections.size()) {
            throw error("section index " + index + " does not exist (the file has " + sections.size() + " sections)");
        }
        return sections.get(index);
    }

    /** The section's bytes (a copy); {@code SHT_NOBITS} sections ({@code .bss}) are zeros. */
    byte[] contents(Section s) {
        if (s.type() == SHT_NOBITS) {
            if (s.size() > data.length * 64L + (1 << 20)) {
                // .bss has no bytes in the file; still refuse sizes no BPF object could use
                throw error("section " + s.name() + " claims " + s.size() + " bytes of zeroed data; refused as corrupt");
            }
            return new byte[(int) s.size()];
        }
        byte[] out = new byte[(int) s.size()];
        System.arraycopy(data, (int) s.offset(), out, 0, out.length);
        return out;
    }

    /** The relocation records of a {@code SHT_REL} section, checked against the symbol table. */
    List<Rel> relocations(Section rel) {
        if (rel.type() == SHT_RELA) {
            throw error("section " + rel.name() + " is SHT_RELA; BPF objects use SHT_REL (clang -target bpf emits no RELA)");
        }
        if (rel.entrySize() != REL_SIZE && rel.entrySize() != 0) {
            throw error("section " + rel.name() + " has entries of " + rel.entrySize() + " bytes, not " + REL_SIZE);
        }
        if (rel.size() % REL_SIZE != 0) {
            throw error("section " + rel.name() + " is " + rel.size() + " bytes, not a multiple of " + REL_SIZE);
        }
        int n = (int) (rel.size() / REL_SIZE);
        List<Rel> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = (int) rel.offset() + i * REL_SIZE;
            long offset = buf.getLong(at);
            long info = buf.getLong(at + 8);
            long symbol = info >>> 32;
            if (symbol >= symbols.size()) {
                throw error("relocation " + i + " of " + rel.name() + " names symbol " + symbol + ", but the symbol table has "
                        + symbols.size());
            }
            out.add(new Rel(offset, (int) symbol, (int) info));
        }
        return out;
    }

    BpfObjectFormatException error(String problem) {
        return new BpfObjectFormatException(origin, problem);
    }

    // ---------------------------------------------------------------------------------------------

    private List<Section> readSections() {
        if (data.length < 4 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F') {
            throw error("not an ELF file (it does not start with 0x7f 'E' 'L' 'F'); a BPF object is what "
                    + "`clang -target bpf -c prog.c -o prog.o` writes");
        }
        if (data.length < EHDR_SIZE) {
            throw error("truncated ELF header: the file is " + data.length + " bytes, the ELF64 header needs " + EHDR_SIZE);
        }
        if (data[4] != 2) {
            throw error("not a 64-bit ELF file (EI_CLASS " + data[4] + "); BPF objects are ELF64");
        }
        if (data[5] == 2) {
            throw error("big-endian BPF object (clang -target bpfeb); this SDK reads little-endian objects only "
                    + "(compile with -target bpf or bpfel, as for x86-64 and arm64 kernels)");
        }
        if (data[5] != 1) {
            throw error("unknown ELF data encoding " + data[5] + " (EI_DATA must be 1, little-endian)");
        }
        int type = u16(16);
        int machine = u16(18);
        if (machine != EM_BPF) {
            throw error("not a BPF object: ELF machine " + machine + machineName(machine) + ", expected " + EM_BPF
                    + " (EM_BPF); compile with clang -target bpf");
        }
        if (type != ET_REL) {
            throw error("ELF type " + type + " is not ET_REL (1): a BPF object is a relocatable file (clang -c)");
        }
        long shoff = buf.getLong(40);
        int shentsize = u16(58);
        int shnum = u16(60);
        int shstrndx = u16(62);
        if (shnum == 0) {
            throw error("no section headers (e_shnum 0; extended section numbering is not used by BPF objects)");
        }
        if (shentsize != SHDR_SIZE) {
            throw error("section header size " + shentsize + ", expected " + SHDR_SIZE);
        }
        checkRange("the section header table", shoff, (long) shnum * SHDR_SIZE);
        if (shstrndx >= shnum) {
            throw error("section name table index " + shstrndx + " is beyond the " + shnum + " sections");
        }
        long[] raw = new long[shnum * 8];
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * SHDR_SIZE);
            raw[i * 8] = Integer.toUnsignedLong(buf.getInt(at));          // sh_name
            raw[i * 8 + 1] = Integer.toUnsignedLong(buf.getInt(at + 4));  // sh_type
            raw[i * 8 + 2] = buf.getLong(at + 8);                          // sh_flags
            raw[i * 8 + 3] = buf.getLong(at + 24);                         // sh_offset
            raw[i * 8 + 4] = buf.getLong(at + 32);                         // sh_size
            raw[i * 8 + 5] = Integer.toUnsignedLong(buf.getInt(at + 40));  // sh_link
            raw[i * 8 + 6] = Integer.toUnsignedLong(buf.getInt(at + 44));  // sh_info
            raw[i * 8 + 7] = buf.getLong(at + 56);                         // sh_entsize
        }
        long strOff = raw[shstrndx * 8 + 3];
        long strSize = raw[shstrndx * 8 + 4];
        checkRange("the section name table", strOff, strSize);
        List<Section> out = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            int stype = (int) raw[i * 8 + 1];
            long offset = raw[i * 8 + 3];
            long size = raw[i * 8 + 4];
            String name = i == 0 ? "" : string(strOff, strSize, raw[i * 8], "section " + i + "'s name");
            if (i != 0 && stype != SHT_NOBITS && stype != SHT_NULL) {
                checkRange("section " + name + " (index " + i + ")", offset, size);
            }
            if (size > Integer.MAX_VALUE) {
                throw error("section " + name + " claims " + size + " bytes");
            }
            out.add(new Section(i, name, stype, raw[i * 8 + 2], offset, size, (int) raw[i * 8 + 5],
                    (int) raw[i * 8 + 6], raw[i * 8 + 7]));
        }
        return List.copyOf(out);
    }

    private List<Symbol> readSymbols() {
        Section symtab = null;
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB) {
                if (symtab != null) {
                    throw error("two symbol tables (" + symtab.name() + " and " + s.name() + ")");
                }
                symtab = s;
            }
        }
        if (symtab == null) {
            throw error("no symbol table (SHT_SYMTAB): the loader finds programs and maps by their symbols; "
                    + "was the object stripped with --strip-all? (llvm-strip -g keeps it)");
        }
        if (symtab.size() % SYM_SIZE != 0) {
            throw error("the symbol table is " + symtab.size() + " bytes, not a multiple of " + SYM_SIZE);
        }
        if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
            throw error("the symbol table's string table index " + symtab.link() + " does not exist");
        }
        Section strtab = sections.get(symtab.link());
        int n = (int) (symtab.size() / SYM_SIZE);
        List<Symbol> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = (int) symtab.offset() + i * SYM_SIZE;
            long nameOff = Integer.toUnsignedLong(buf.getInt(at));
            int info = data[at + 4] & 0xff;
            int shndx = u16(at + 6);
            long value = buf.getLong(at + 8);
            long size = buf.getLong(at + 16);
            String name = string(strtab.offset(), strtab.size(), nameOff, "symbol " + i + "'s name");
            if (shndx != SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.size()) {
                throw error("symbol " + (name.isEmpty() ? "#" + i : name) + " is in section " + shndx
                        + ", which does not exist");
            }
            out.add(new Symbol(i, name, info & 0xf, info >>> 4, shndx, value, size));
        }
        return List.copyOf(out);
    }

    private String string(long tableOffset, long tableSize, long off, String what) {
        if (off >= tableSize) {
            throw error(what + " is at offset " + off + ", beyond its string table of " + tableSize + " bytes");
        }
        int start = (int) (tableOffset + off);
        int end = start;
        int limit = (int) (tableOffset + tableSize);
        while (end < limit && data[end] != 0) {
            end++;
        }
        if (end == limit) {
            throw error(what + " is not NUL-terminated within its string table");
        }
        return new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    private void checkRange(String what, long offset, long size) {
        if (offset < 0 || size < 0 || offset > data.length || size > data.length - offset) {
            throw error(what + " lies at bytes " + Long.toUnsignedString(offset) + ".." + Long.toUnsignedString(offset + size)
                    + ", beyond the end of the file (" + data.length + " bytes): truncated or corrupt");
        }
    }

    private int u16(int at) {
        return buf.getShort(at) & 0xffff;
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case 3 -> " (i386)";
            case 40 -> " (ARM)";
            case 62 -> " (x86-64)";
            case 183 -> " (AArch64)";
            case 243 -> " (RISC-V)";
            default -> "";
        };
    }
}
