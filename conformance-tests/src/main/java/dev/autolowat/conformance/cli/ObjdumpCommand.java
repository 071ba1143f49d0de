package dev.autolowat.conformance.cli;

import dev.autolowat.api.asm.Disassembler;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.BpfObjectFormatException;
import dev.autolowat.api.object.CoreRelocation;
import dev.autolowat.api.object.ObjectMap;
import dev.autolowat.api.object.ObjectProgram;
import dev.autolowat.api.object.ObjectRelocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code autolowat objdump FILE.o}: what the SDK reads from a clang-compiled BPF object, in one
 * view — sections and program types, maps, relocations, CO-RE sites and the disassembly with source
 * lines (what {@code llvm-objdump -dr} and {@code bpftool btf dump} show separately).
 * See docs/objects.md.
 */
@Command(name = "objdump", mixinStandardHelpOptions = true,
        description = {"Show what the SDK reads from a BPF object (clang -target bpf -c): programs by section, maps,",
                "global data, relocations, CO-RE sites and the linked disassembly with source lines."},
        footer = {"", "Exit codes: 0 read; 2 the file is missing or not a BPF object the SDK can read (one line on stderr)."})
public final class ObjdumpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.o", description = "The BPF object.")
    Path file;

    @Option(names = "--program", paramLabel = "NAME", description = "Show only this program.")
    String program;

    @Option(names = "--no-source", description = "Leave out the source lines (BTF line_info) in the disassembly.")
    boolean noSource;

    @Option(names = "--load-and-pin", paramLabel = "DIR",
            description = {"Load the object into the running kernel as libbpf does (maps, global data, CO-RE against "
                    + "vmlinux BTF, kfuncs) and pin its programs at DIR/<program> in a BPF file system, "
                    + "instead of printing it (root; DIR must exist, e.g. under /sys/fs/bpf). Compare with "
                    + "'bpftool prog loadall FILE.o OTHERDIR' and 'bpftool prog dump xlated pinned ...'.",
                    "Exit codes: 0 loaded, 1 the kernel refused a program (its verifier log on stderr), "
                            + "3 the kernel lacks what the object needs (not supported by this kernel)."})
    Path pinDir;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BpfObject obj;
        List<ObjectProgram> programs;
        try {
            obj = BpfObject.open(file);
            programs = program == null ? obj.programs() : List.of(obj.program(program));
        } catch (BpfObjectFormatException e) {
            throw CliErrors.bad(spec, e.getMessage());
        }
        if (pinDir != null) {
            return loadAndPin(obj, out);
        }
        out.print(render(obj, programs, !noSource));
        out.flush();
        return 0;
    }

    private int loadAndPin(BpfObject obj, PrintWriter out) {
        if (!java.nio.file.Files.isDirectory(pinDir)) {
            throw CliErrors.bad(spec, "--load-and-pin: " + pinDir + " is not a directory (create it in a BPF file "
                    + "system, e.g. mkdir /sys/fs/bpf/mine)");
        }
        try (dev.autolowat.kernel.bpf.ObjectLoader.Loaded loaded = new dev.autolowat.kernel.bpf.ObjectLoader().load(obj)) {
            loaded.pinPrograms(pinDir);
            for (var e : loaded.programs().entrySet()) {
                out.println("pinned " + e.getKey() + " (id " + e.getValue().id() + ") at " + pinDir.resolve(e.getKey()));
            }
            loaded.poisoned().forEach((program, sites) -> sites.forEach(site -> out.println("  " + program
                    + ": poisoned CO-RE site " + site.relocation().description() + " (" + site.reason() + ")")));
            out.flush();
            return 0;
        } catch (dev.autolowat.kernel.MissingKernelFeatureException e) {
            spec.commandLine().getErr().println("autolowat objdump: " + CliErrors.oneLine(e.getMessage()));
            spec.commandLine().getErr().flush();
            return 3;
        } catch (dev.autolowat.api.AutoLowatException e) {
            spec.commandLine().getErr().println("autolowat objdump: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
    }

    /** The whole view as text (tests compare it). */
    static String render(BpfObject obj, List<ObjectProgram> programs, boolean source) {
        StringBuilder b = new StringBuilder();
        b.append(obj.origin()).append(": BPF object '").append(obj.name()).append("', license '").append(obj.license())
                .append("', ").append(obj.btf().map(t -> ".BTF with " + t.typeCount() + " types").orElse("no .BTF"))
                .append('\n');
        b.append("\nmaps:\n");
        if (obj.maps().isEmpty()) {
            b.append("  (none)\n");
        }
        for (ObjectMap m : obj.maps()) {
            b.append(String.format("  %-18s %-14s key %3d  value %5d  max_entries %6d  flags 0x%x  (%s%s)%n", m.name(),
                    mapTypeName(m.type()), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(), m.section(),
                    m.kind() == ObjectMap.Kind.GLOBAL_DATA ? (m.readOnly() ? ", read-only, frozen" : ", writable") : ""));
        }
        for (ObjectProgram p : programs) {
            b.append('\n').append("program ").append(p.name()).append("  SEC(\"").append(p.section()).append("\"): ")
                    .append(p.sectionInfo().known()
                            ? progTypeName(p.sectionInfo().progType()) + (p.sectionInfo().attachType() >= 0
                            ? ", attach type " + p.sectionInfo().attachType() : "")
                            : "unknown section (libbpf would refuse it)")
                    .append(p.sectionInfo().sdkType().map(t -> ", runs in the SDK as " + t)
                            .orElse(", not a program type the SDK's backends attach"))
                    .append(", ").append(p.slots()).append(" slots\n");
            for (ObjectProgram.FuncInfo f : p.functions()) {
                b.append(String.format("  function %-20s at slot %d%s%n", f.name(), f.slot(),
                        f.typeId() > 0 ? "  (BTF [" + f.typeId() + "])" : ""));
            }
            Map<Integer, String> notes = new HashMap<>();
            for (ObjectRelocation r : p.relocations()) {
                notes.merge(r.slot(), relocation(r), (x, y) -> x + "; " + y);
            }
            for (CoreRelocation c : p.coreRelocations()) {
                notes.merge(c.slot(), "CO-RE <" + c.kind().label() + "> " + c.description(), (x, y) -> x + "; " + y);
            }
            b.append("  relocations: ").append(p.relocations().size()).append(", CO-RE sites: ")
                    .append(p.coreRelocations().size()).append('\n');
            Map<Integer, List<ObjectProgram.LineInfo>> lines = new HashMap<>();
            for (ObjectProgram.LineInfo l : p.lines()) {
                lines.computeIfAbsent(l.slot(), k -> new ArrayList<>()).add(l);
            }
            byte[] code = p.bytecode().toByteArray();
            String lastLine = null;
            for (int slot = 0; slot < p.slots(); ) {
                if (source) {
                    for (ObjectProgram.LineInfo l : lines.getOrDefault(slot, List.of())) {
                        String text = "  ; " + l.source().strip() + "  [" + l.file() + ':' + l.line() + "]\n";
                        if (!text.equals(lastLine)) { // clang repeats a line for each of its instruction runs
                            b.append(text);
                        }
                        lastLine = text;
                    }
                }
                Instruction insn = Instruction.decode(code, slot);
                String note = notes.get(slot);
                b.append(String.format("  %5d: %s%s%n", slot, Disassembler.format(insn), note == null ? "" : "   <- " + note));
                slot += insn.slots();
            }
        }
        return b.toString();
    }

    private static String relocation(ObjectRelocation r) {
        if (r instanceof ObjectRelocation.MapReference m) {
            return "map " + m.map();
        } else if (r instanceof ObjectRelocation.MapValueReference v) {
            return "map value " + v.map() + "+" + v.offset();
        } else if (r instanceof ObjectRelocation.KfuncCall k) {
            return "kfunc " + k.name();
        } else if (r instanceof ObjectRelocation.SubprogramCall c) {
            return "call " + c.function() + " (slot " + c.targetSlot() + ")";
        }
        return r.toString();
    }

    private static String mapTypeName(int type) {
        return switch (type) {
            case 1 -> "hash";
            case 2 -> "array";
            case 5 -> "percpu_hash";
            case 6 -> "percpu_array";
            case 15 -> "sockmap";
            case 18 -> "sockhash";
            case 24 -> "sk_storage";
            case 27 -> "ringbuf";
            default -> "type " + type;
        };
    }

    private static String progTypeName(int type) {
        return switch (type) {
            case 13 -> "BPF_PROG_TYPE_SOCK_OPS (13)";
            case 25 -> "BPF_PROG_TYPE_CGROUP_SOCKOPT (25)";
            default -> "program type " + type;
        };
    }
}
