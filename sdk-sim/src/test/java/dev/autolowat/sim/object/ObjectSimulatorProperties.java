package dev.autolowat.sim.object;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.BpfObjectFormatException;
import dev.autolowat.testfixtures.ObjectEdits;
import dev.autolowat.api.object.CoreRelocator;
import dev.autolowat.api.object.ObjectPolicies;
import dev.autolowat.api.object.ObjectProgram;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimSession;
import dev.autolowat.sim.vm.SimKernelBtf;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's path for objects under bad input (issue #11's acceptance, docs/objects.md): mutated
 * committed objects are read, turned into SDK programs for the simulated kernel ({@link ObjectPolicies}
 * with {@link SimKernelBtf}) and loaded into a simulator session. Besides the reader's byte and
 * structure edits ({@link ObjectEdits#edit()}), two edits aim at what only a backend can
 * refuse: a kfunc's name changed (an <b>unknown kfunc</b>) and a BTF array's element count changed —
 * among them the {@code __uint(type, ...)} of a map definition (a <b>map type the simulator does not
 * model</b>). Every case ends in a loaded program or one of the documented typed errors —
 * {@link BpfObjectFormatException} (the object, or a map the SDK cannot express),
 * {@link CoreRelocator.CoreRelocationException}, {@link ProgramRejectedException} (the simulator's
 * loader) — with bounded memory (the test JVM's small heap) and no hang (a time limit on the run).
 */
class ObjectSimulatorProperties {
    static final Path EXAMPLES = Path.of("..", "examples", "bpf");
    static final List<String> OBJECTS = List.of("autolowat_policy", "feature_subprog", "feature_globals",
            "feature_maps", "feature_core", "feature_core_unsat", "feature_kfunc");
    /** Map types worth trying: SOCKMAP and SOCKHASH (SDK types the VM does not implement), others the SDK lacks. */
    static final int[] MAP_TYPES = {1, 2, 4, 6, 9, 15, 18, 27, 0, 0x7fff_ffff};
    /** kfunc names the objects call: an edit changes a letter of one occurrence. */
    static final List<String> KFUNCS = List.of("bpf_sock_ops_tcp_set_rcvlowat", "bpf_cast_to_kern_ctx",
            "bpf_rdonly_cast");

    /** Changes one letter of the {@code occurrence}-th appearance of a kfunc's name in the file. */
    record RenameKfunc(int kfunc, int occurrence, int letter) implements ObjectEdits.Edit {
        public byte[] apply(byte[] b) {
            byte[] name = KFUNCS.get(Math.floorMod(kfunc, KFUNCS.size())).getBytes(StandardCharsets.US_ASCII);
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i + name.length <= b.length; i++) {
                if (java.util.Arrays.equals(b, i, i + name.length, name, 0, name.length)) {
                    at.add(i);
                }
            }
            if (at.isEmpty()) {
                return b;
            }
            int pos = at.get(Math.floorMod(occurrence, at.size())) + Math.floorMod(letter, name.length);
            b[pos] = (byte) (b[pos] == 'x' ? 'y' : 'x');
            return b;
        }
    }

    /**
     * Sets the element count of the {@code which}-th BTF ARRAY record ({@code info} kind 3, no vlen) to a
     * map type of {@link #MAP_TYPES}: the encoding of {@code __uint(type, ...)}, {@code max_entries} and
     * the like in a map definition.
     */
    record SetArrayCount(int which, int type) implements ObjectEdits.Edit {
        public byte[] apply(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            List<Integer> records = new ArrayList<>();
            for (int i = 4; i + 24 <= b.length; i += 4) {
                // struct btf_type {name_off, info, size_or_type} + struct btf_array {type, index_type, nelems};
                // an ARRAY is unnamed, kind 3, vlen 0
                if (buf.getInt(i - 4) == 0 && buf.getInt(i) == 0x0300_0000 && buf.getInt(i + 4) == 0) {
                    records.add(i + 16);
                }
            }
            if (!records.isEmpty()) {
                buf.putInt(records.get(Math.floorMod(which, records.size())), MAP_TYPES[Math.floorMod(type, MAP_TYPES.length)]);
            }
            return b;
        }
    }

    record Case(String object, List<ObjectEdits.Edit> edits) {
    }

    static Gen<ObjectEdits.Edit> edit() {
        return c -> switch (c.intBetween(0, 3)) {
            case 0 -> new RenameKfunc(c.intBetween(0, 2), c.intBetween(0, 3), c.intBetween(0, 40));
            case 1 -> new SetArrayCount(c.intBetween(0, 40), c.intBetween(0, MAP_TYPES.length - 1));
            default -> ObjectEdits.edit().generate(c);
        };
    }

    static Gen<Case> cases() {
        return c -> {
            String object = OBJECTS.get(c.intBetween(0, OBJECTS.size() - 1));
            List<ObjectEdits.Edit> edits = new ArrayList<>();
            for (int i = c.intBetween(1, 2); i > 0; i--) {
                edits.add(edit().generate(c));
            }
            return new Case(object, edits);
        };
    }

    private static byte[] bytes(String object) {
        try {
            return Files.readAllBytes(EXAMPLES.resolve(object + ".o"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads, converts and loads every SDK-attachable program of the mutated object into a fresh session. */
    private static void loadInSimulator(byte[] b, String name) {
        BpfObject o = BpfObject.open(b, name);
        try (SimSession s = new SimBackend().openSession()) {
            for (ObjectProgram p : o.programs()) {
                if (p.sectionInfo().sdkType().equals(java.util.Optional.of(ProgramType.SOCK_OPS))) {
                    SockOpsProgram.Bytecode code = ObjectPolicies.sockOps(o, p.name(), SimKernelBtf.btf());
                    s.attach(code);
                } else if (p.sectionInfo().sdkType().equals(java.util.Optional.of(ProgramType.CGROUP_SETSOCKOPT))) {
                    SockoptProgram.Bytecode code = ObjectPolicies.sockopt(o, p.name(), SimKernelBtf.btf());
                    s.attach(code);
                }
            }
        }
    }

    @Test
    @DisplayName("mutated objects in the simulator (unknown kfuncs, unmodelled map types, corrupt bytes): loaded or a "
            + "documented typed error, bounded memory, no hang")
    void simulatorPathGivesOnlyTypedErrors() {
        Map<String, Integer> outcomes = new TreeMap<>();
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> Property.forAll("objects in the simulator", cases())
                .tries(1500).check(k -> {
                    byte[] b = bytes(k.object());
                    for (ObjectEdits.Edit e : k.edits()) {
                        b = e.apply(b);
                    }
                    String outcome;
                    try {
                        loadInSimulator(b, k.object() + ".o");
                        outcome = "loaded";
                    } catch (BpfObjectFormatException e) {
                        outcome = e.getMessage().contains("do not model") ? "unmodelled map type (object)" : "object refused";
                    } catch (CoreRelocator.CoreRelocationException e) {
                        outcome = "CO-RE refused";
                    } catch (ProgramRejectedException e) {
                        outcome = e.getMessage().contains("has no such kfunc") ? "unknown kfunc"
                                : e.getMessage().contains("does not implement") ? "unmodelled map type (VM)" : "rejected by the VM";
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                }));
        System.out.println("[ObjectSimulatorProperties] " + outcomes);
        assertTrue(outcomes.containsKey("unknown kfunc"), "the kfunc edits must reach the VM's kfunc check: " + outcomes);
        assertTrue(outcomes.containsKey("unmodelled map type (object)") || outcomes.containsKey("unmodelled map type (VM)"),
                "the map type edits must reach a map type the simulator does not model: " + outcomes);
        assertTrue(outcomes.containsKey("loaded"), "some mutations must leave a loadable object: " + outcomes);
    }
}
