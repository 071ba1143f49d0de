package dev.autolowat.api.object;

import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfKind;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An object's {@code .BTF} made acceptable to the kernel's BTF verifier, with the fix-ups libbpf
 * applies before {@code BPF_BTF_LOAD} (documented behaviour of {@code btf_fixup_datasec} and of its
 * extern handling, re-implemented):
 *
 * <ul>
 *   <li>clang writes DATASEC sizes and variable offsets as 0 (it knows them only after layout):
 *       they are set from the ELF section's size and each variable's symbol;</li>
 *   <li>kfunc declarations ({@code extern ... __ksym}) are FUNCs of linkage {@code extern}, listed in
 *       a {@code .ksyms} DATASEC; the kernel accepts neither, so their linkage becomes global, their
 *       unnamed parameters take the name {@code dummy_ksym} (a global FUNC's parameters must be
 *       named) and each {@code .ksyms} entry points at one added dummy {@code int} VAR, 4 bytes apart;</li>
 *   <li>extern VARs (linkage 2) become global allocated (1).</li>
 * </ul>
 *
 * Type ids and string offsets of the original are kept (types and strings are only appended), so
 * func_info, line_info and map key/value type ids from the object stay valid.
 */
final class KernelBtfFixup {
    private static final int HEADER = 24;
    private static final int KIND_VAR = 14;
    private static final int KIND_INT = 1;

    private KernelBtfFixup() {
    }

    static byte[] apply(Btf btf, ElfFile elf) {
        byte[] d = btf.bytes();
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        if (btf.byteOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw elf.error("the object's .BTF is big-endian; only little-endian objects are read");
        }
        int hdrLen = b.getInt(4);
        int typeOff = b.getInt(8);
        int typeLen = b.getInt(12);
        int strOff = b.getInt(16);
        int strLen = b.getInt(20);

        Map<String, ElfFile.Section> sections = new HashMap<>();
        for (ElfFile.Section s : elf.sections()) {
            sections.putIfAbsent(s.name(), s);
        }
        ByteArrayOutputStream extraStrings = new ByteArrayOutputStream();
        ByteArrayOutputStream extraTypes = new ByteArrayOutputStream();
        int nextId = btf.typeCount() + 1;
        int dummyVar = 0;
        int dummyName = 0;

        for (int id = 1; id <= btf.typeCount(); id++) {
            BtfKind kind = btf.kind(id);
            int rec = btf.recordOffset(id);
            if (kind == BtfKind.FUNC && btf.linkage(id) == 2) {
                // extern FUNC (a kfunc declaration) -> global: the kernel refuses linkage 2
                int info = b.getInt(rec + 4);
                b.putInt(rec + 4, (info & 0xffff0000) | 1);
            } else if (kind == BtfKind.VAR && btf.linkage(id) == 2) {
                b.putInt(rec + 12, 1);
            } else if (kind == BtfKind.DATASEC) {
                String name = btf.name(id);
                int vlen = btf.vlen(id);
                if (name.equals(".ksyms") || name.equals(".kconfig")) {
                    int offset = 0;
                    for (int i = 0; i < vlen; i++) {
                        int at = rec + 12 + 12 * i;
                        int member = b.getInt(at);
                        if (btf.kind(member) == BtfKind.FUNC) {
                            if (dummyVar == 0) {
                                int intType = findInt(btf);
                                if (intType == 0) {
                                    intType = nextId++;
                                    writeType(extraTypes, 0, KIND_INT << 24, 4, 32);     // int, 4 bytes, 32 bits
                                }
                                dummyName = strLen + extraStrings.size();
                                extraStrings.writeBytes("dummy_ksym\0".getBytes(StandardCharsets.US_ASCII));
                                dummyVar = nextId++;
                                writeType(extraTypes, dummyName, KIND_VAR << 24, intType, 1); // global allocated
                            }
                            // the kernel checks a global FUNC's parameters have names; a declaration's
                            // have none: they borrow the dummy variable's name, as libbpf does
                            int proto = btf.recordOffset(btf.referencedType(member));
                            for (int k = 0; k < btf.vlen(btf.referencedType(member)); k++) {
                                int param = proto + 12 + 8 * k;
                                if (b.getInt(param) == 0 && b.getInt(param + 4) != 0) {
                                    b.putInt(param, dummyName);
                                }
                            }
                            b.putInt(at, dummyVar);
                        }
                        b.putInt(at + 4, offset);
                        b.putInt(at + 8, 4);
                        offset += 4;
                    }
                    b.putInt(rec + 8, offset);
                    continue;
                }
                ElfFile.Section s = sections.get(name);
                if (s == null) {
                    continue; // a DATASEC for a section the object does not have: left as clang wrote it
                }
                b.putInt(rec + 8, (int) s.size());
                for (int i = 0; i < vlen; i++) {
                    int at = rec + 12 + 12 * i;
                    String var = btf.name(b.getInt(at));
                    for (ElfFile.Symbol sym : elf.symbols()) {
                        if (sym.name().equals(var) && sym.sectionIndex() == s.index()) {
                            b.putInt(at + 4, (int) sym.value());
                            break;
                        }
                    }
                }
            }
        }
        if (extraTypes.size() == 0) {
            return d;
        }
        // rebuild: header, types (original + added), strings (original + added)
        byte[] types = new byte[typeLen + extraTypes.size()];
        System.arraycopy(d, hdrLen + typeOff, types, 0, typeLen);
        System.arraycopy(extraTypes.toByteArray(), 0, types, typeLen, extraTypes.size());
        byte[] strings = new byte[strLen + extraStrings.size()];
        System.arraycopy(d, hdrLen + strOff, strings, 0, strLen);
        System.arraycopy(extraStrings.toByteArray(), 0, strings, strLen, extraStrings.size());
        ByteBuffer out = ByteBuffer.allocate(HEADER + types.length + strings.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) Btf.MAGIC).put((byte) Btf.VERSION).put((byte) 0).putInt(HEADER)
                .putInt(0).putInt(types.length).putInt(types.length).putInt(strings.length)
                .put(types).put(strings);
        return out.array();
    }

    private static int findInt(Btf btf) {
        for (int id : btf.typesNamed("int")) {
            if (btf.kind(id) == BtfKind.INT && btf.sizeOf(id).orElse(0) == 4) {
                return id;
            }
        }
        return 0;
    }

    private static void writeType(ByteArrayOutputStream out, int nameOff, int info, int sizeOrType, int extra) {
        ByteBuffer t = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(nameOff).putInt(info).putInt(sizeOrType).putInt(extra);
        out.writeBytes(t.array());
    }
}
