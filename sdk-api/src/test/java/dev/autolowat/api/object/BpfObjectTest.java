package dev.autolowat.api.object;

import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The object reader on the committed clang objects of {@code examples/bpf/} (their C sources are
 * next to them): what libbpf would find in each, checked against what the sources declare and, for
 * the linked layout, against what {@code bpftool prog dump xlated} showed for the same object
 * (subprograms at slots 7 and 14 of {@code subprog_calls}).
 */
class BpfObjectTest {
    static final Path EXAMPLES = Path.of("..", "examples", "bpf");

    static BpfObject example(String name) {
        return BpfObject.open(EXAMPLES.resolve(name + ".o"));
    }

    @Test
    @DisplayName("A1-A5 in C: two programs by section (sockops, cgroup/setsockopt), the SK_STORAGE state, kfuncs, CO-RE sites")
    void referencePolicy() {
        BpfObject o = example("autolowat_policy");
        assertEquals("autolowat_policy", o.name());
        assertEquals("GPL", o.license());
        assertEquals(List.of("autolowat_rcvq", "autolowat_enable"), o.programs().stream().map(ObjectProgram::name).toList());

        ObjectProgram rcvq = o.programsInSection("sockops").get(0);
        assertEquals(Optional.of(ProgramType.SOCK_OPS), rcvq.sectionInfo().sdkType());
        ObjectProgram enable = o.program("autolowat_enable");
        assertEquals(Optional.of(ProgramType.CGROUP_SETSOCKOPT), enable.sectionInfo().sdkType());

        ObjectMap state = o.map("autolowat_state").orElseThrow();
        assertEquals(Optional.of(MapType.SK_STORAGE), state.sdkType());
        assertEquals(ObjectMap.Kind.BTF_DEFINED, state.kind());
        assertEquals(4, state.keySize());
        assertEquals(32, state.valueSize());            // struct autolowat_state: 4 u32 + 16 bytes
        assertEquals(ObjectMap.F_NO_PREALLOC, state.flags());

        List<String> kfuncs = rcvq.relocations().stream()
                .filter(r -> r instanceof ObjectRelocation.KfuncCall).map(r -> ((ObjectRelocation.KfuncCall) r).name())
                .distinct().toList();
        assertEquals(List.of("bpf_cast_to_kern_ctx", "bpf_sock_ops_tcp_set_rcvlowat"), kfuncs);
        for (ObjectRelocation r : rcvq.relocations()) {
            Instruction insn = Instruction.decode(rcvq.bytecode().toByteArray(), r.slot());
            if (r instanceof ObjectRelocation.KfuncCall) {
                assertEquals(Opcode.JMP | Opcode.CALL, insn.opcode(), r.toString());
                assertEquals(Opcode.PSEUDO_KFUNC_CALL, insn.src(), r.toString());
            } else if (r instanceof ObjectRelocation.MapReference m) {
                assertEquals("autolowat_state", m.map());
                assertTrue(insn.isLoadImm64(), r.toString());
            }
        }
        List<String> core = rcvq.coreRelocations().stream().map(CoreRelocation::description).toList();
        assertTrue(core.contains("struct bpf_sock_ops_kern::skb (0:0)"), core.toString());
        assertTrue(core.contains("struct tcp_skb_cb::seq (0:0)"), core.toString());
        assertTrue(core.contains("struct tcp_sock::copied_seq (0:2)"), core.toString());
        assertTrue(core.contains("struct tcp_sock::inet_conn.icsk_inet.sk.sk_rcvlowat (0:0:0:0:0)"), core.toString());
        // bpf_core_cast in the cgroup program: a target type id relocation, then a field read
        assertTrue(enable.coreRelocations().stream().anyMatch(c -> c.kind() == CoreRelocation.Kind.TYPE_ID_TARGET
                && c.description().equals("struct tcp_sock")), enable.coreRelocations().toString());
        assertFalse(rcvq.lines().isEmpty(), "line_info");
        assertTrue(rcvq.lines().stream().allMatch(l -> l.slot() >= 0 && l.slot() < rcvq.slots()));
        assertEquals("./autolowat_policy.c", rcvq.lines().get(0).file()); // build.sh maps the build directory to "."
    }

    @Test
    @DisplayName("bpf-to-bpf calls: .text subprograms appended once, in order of first call, calls pointing at the copies")
    void subprogramsLinkedAsLibbpf() {
        ObjectProgram p = example("feature_subprog").program("subprog_calls");
        assertEquals(List.of(new ObjectProgram.FuncInfo(0, p.functions().get(0).typeId(), "subprog_calls"),
                        new ObjectProgram.FuncInfo(7, p.functions().get(1).typeId(), "sum_of_squares"),
                        new ObjectProgram.FuncInfo(14, p.functions().get(2).typeId(), "square")),
                p.functions());
        assertEquals(17, p.slots());
        byte[] code = p.bytecode().toByteArray();
        for (ObjectRelocation r : p.relocations()) {
            ObjectRelocation.SubprogramCall c = (ObjectRelocation.SubprogramCall) r;
            Instruction call = Instruction.decode(code, c.slot());
            assertEquals(Opcode.PSEUDO_CALL, call.src());
            assertEquals(c.targetSlot(), c.slot() + call.imm() + 1, "call imm points at the copy: " + c);
        }
        assertEquals(List.of(3, 8, 11), p.relocations().stream().map(ObjectRelocation::slot).toList());
        assertTrue(p.functions().stream().allMatch(f -> f.typeId() > 0), "func_info from .BTF.ext");
    }

    @Test
    @DisplayName("global data: .data/.rodata/.bss as one-entry arrays named as libbpf names them, with their contents")
    void globalData() {
        BpfObject o = example("feature_globals");
        assertEquals(List.of("feature_.data", "feature_.rodata", "feature_.bss"), o.maps().stream().map(ObjectMap::name).toList());
        ObjectMap data = o.map("feature_.data").orElseThrow();
        assertEquals(ObjectMap.Kind.GLOBAL_DATA, data.kind());
        assertEquals(Optional.of(MapType.ARRAY), data.sdkType());
        assertEquals(1, data.maxEntries());
        assertArrayEquals(new byte[]{7, 0, 0, 0}, data.initialData());           // int counter = 7
        assertFalse(data.readOnly());
        ObjectMap rodata = o.map("feature_.rodata").orElseThrow();
        assertArrayEquals(new byte[]{5, 0, 0, 0}, rodata.initialData());         // const volatile int step = 5
        assertTrue(rodata.readOnly());
        assertArrayEquals(new byte[4], o.map("feature_.bss").orElseThrow().initialData());
        ObjectProgram p = o.program("global_data");
        assertEquals(3, p.relocations().size());
        assertTrue(p.relocations().stream().allMatch(r -> r instanceof ObjectRelocation.MapValueReference v && v.offset() == 0),
                p.relocations().toString());
    }

    @Test
    @DisplayName("BTF-defined array and hash maps: type, key/value size from __type, max_entries")
    void btfDefinedMaps() {
        BpfObject o = example("feature_maps");
        ObjectMap array = o.map("ops_seen").orElseThrow();
        assertEquals(new ObjectMap("ops_seen", ObjectMap.Kind.BTF_DEFINED, 2, 4, 8, 32, 0, array.keyTypeId(),
                array.valueTypeId(), ".maps", null), array);
        ObjectMap hash = o.map("bytes_by_port").orElseThrow();
        assertEquals(Optional.of(MapType.HASH), hash.sdkType());
        assertEquals(128, hash.maxEntries());
        assertEquals(4, hash.valueSize());
        assertEquals(Optional.empty(), o.map("no_such_map"));
    }

    @Test
    @DisplayName("an unsatisfiable CO-RE relocation is read and described (resolving it is the loader's job)")
    void unsatisfiableCoreSite() {
        ObjectProgram p = example("feature_core_unsat").program("core_unsatisfiable");
        assertEquals(List.of("struct tcp_sock___future::autolowat_budget (0:0)"),
                p.coreRelocations().stream().map(CoreRelocation::description).toList());
        assertEquals(CoreRelocation.Kind.FIELD_BYTE_OFFSET, p.coreRelocations().get(0).kind());
    }

    @Test
    @DisplayName("field existence and size relocations are told apart from byte offsets")
    void coreKinds() {
        ObjectProgram p = example("feature_core").program("core_reads");
        assertTrue(p.coreRelocations().stream().anyMatch(c -> c.kind() == CoreRelocation.Kind.FIELD_EXISTS));
        assertTrue(p.coreRelocations().stream().anyMatch(c -> c.kind() == CoreRelocation.Kind.FIELD_BYTE_SIZE));
    }

    @Test
    @DisplayName("a program or section that does not exist: the error lists what the object has")
    void missingProgram() {
        BpfObject o = example("autolowat_policy");
        BpfObjectFormatException e = assertThrows(BpfObjectFormatException.class, () -> o.program("nope"));
        assertTrue(e.getMessage().contains("no program named 'nope'; it has [autolowat_rcvq (sockops), autolowat_enable "
                + "(cgroup/setsockopt)]"), e.getMessage());
        e = assertThrows(BpfObjectFormatException.class, () -> o.programsInSection("xdp"));
        assertTrue(e.getMessage().contains("its program sections are [sockops, cgroup/setsockopt]"), e.getMessage());
    }

    // ---- bad input ----

    @Test
    @DisplayName("not an ELF file, a missing file: named, with the reason")
    void notElf(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("policy.c");
        Files.writeString(text, "int main() {}");
        BpfObjectFormatException e = assertThrows(BpfObjectFormatException.class, () -> BpfObject.open(text));
        assertTrue(e.getMessage().startsWith("cannot read BPF object " + text + ": not an ELF file"), e.getMessage());
        Path missing = dir.resolve("missing.o");
        e = assertThrows(BpfObjectFormatException.class, () -> BpfObject.open(missing));
        assertEquals("cannot read BPF object " + missing + ": no such file", e.getMessage());
    }

    @Test
    @DisplayName("an ELF file for another machine (the JVM's own libjava.so? any x86-64 ELF): not a BPF object")
    void otherMachine() {
        byte[] bytes = bytes("feature_kfunc");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 62);
        BpfObjectFormatException e = assertThrows(BpfObjectFormatException.class, () -> BpfObject.open(bytes, "x.o"));
        assertTrue(e.problem().startsWith("not a BPF object: ELF machine 62 (x86-64), expected 247 (EM_BPF)"), e.getMessage());
    }

    @Test
    @DisplayName("a big-endian object is refused with the reason and the fix")
    void bigEndian() {
        byte[] bytes = bytes("feature_kfunc");
        bytes[5] = 2;
        BpfObjectFormatException e = assertThrows(BpfObjectFormatException.class, () -> BpfObject.open(bytes, "be.o"));
        assertTrue(e.problem().startsWith("big-endian BPF object"), e.getMessage());
        assertTrue(e.problem().contains("-target bpf"), e.getMessage());
    }

    @Test
    @DisplayName("every truncation of an object: only BpfObjectFormatException")
    void everyTruncation() {
        byte[] whole = bytes("feature_subprog");
        int parsed = 0;
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(whole, n);
            try {
                BpfObject.open(cut, "cut.o");
                parsed++;
            } catch (BpfObjectFormatException expected) {
                assertTrue(expected.getMessage().startsWith("cannot read BPF object cut.o: "), expected.getMessage());
            }
        }
        // the section header table sits at the end: no proper prefix is a whole object
        assertEquals(0, parsed);
    }

    @Test
    @DisplayName("an object without a program section says where programs go")
    void noPrograms() {
        // feature_maps with its program section renamed to .text: only a subprogram is left
        byte[] b = bytes("feature_maps");
        BpfObject original = BpfObject.open(b, "m.o");
        assertEquals(1, original.programs().size());
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.lastIndexOf("sockops\0"); // the section name table comes last (clang: .strtab)
        assertTrue(at > 0);
        byte[] renamed = b.clone();
        byte[] text = ".text\0xx".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, renamed, at, text.length);
        BpfObjectFormatException e = assertThrows(BpfObjectFormatException.class, () -> BpfObject.open(renamed, "m.o"));
        assertTrue(e.getMessage().contains("no programs: no function in a program section"), e.getMessage());
    }

    static byte[] bytes(String example) {
        try {
            return Files.readAllBytes(EXAMPLES.resolve(example + ".o"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
