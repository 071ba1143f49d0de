package dev.autolowat.api.object;

import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.program.BpfBytecode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A clang-compiled object's programs as the SDK's portable programs ({@link SockOpsProgram.Bytecode},
 * {@link SockoptProgram.Bytecode}, a {@link Policy}), for a backend whose kernel objects the
 * {@code target} BTF describes: CO-RE sites are relocated against it (the simulator:
 * {@code SimKernelBtf.btf()}; a kernel: its vmlinux BTF), maps become {@link MapSpec}s shared by
 * name (as the session shares them between its programs), map references
 * {@link Relocation.MapRef}s and kfunc calls {@link Relocation.KfuncRef}s that the backend resolves.
 *
 * Global data ({@code .data}/{@code .rodata}/{@code .bss}) becomes one-entry ARRAY maps with the
 * section as initial value, {@code .rodata} frozen ({@link MapSpec#globalData}). Map types the SDK's
 * backends do not model are refused with the reason.
 */
public final class ObjectPolicies {
    private ObjectPolicies() {
    }

    /**
     * The object's {@code sockops} program, with its {@code cgroup/setsockopt} program as the enable
     * path (A2) when the object has one: the form {@code session.attach(policy)} takes.
     *
     * @throws BpfObjectFormatException when the object has no sockops program, or several of a kind
     */
    public static Policy policy(BpfObject object, Btf target) {
        List<ObjectProgram> sockOps = ofType(object, ProgramType.SOCK_OPS);
        List<ObjectProgram> enable = ofType(object, ProgramType.CGROUP_SETSOCKOPT);
        if (sockOps.size() != 1 || enable.size() > 1) {
            throw new BpfObjectFormatException(object.origin(), "a policy is one SEC(\"sockops\") program and at most one "
                    + "SEC(\"cgroup/setsockopt\") program; this object has " + sockOps.size() + " sockops and "
                    + enable.size() + " cgroup/setsockopt programs (its programs: " + object.programs().stream()
                    .map(p -> p.name() + " in " + p.section()).toList() + "; sockOps()/sockopt() pick programs by name)");
        }
        SockOpsProgram.Bytecode main = sockOps(object, sockOps.get(0).name(), target);
        return enable.isEmpty() ? new Policy(object.name(), main, Optional.empty())
                : Policy.of(object.name(), main, sockopt(object, enable.get(0).name(), target));
    }

    /** The sock_ops program called {@code program}. */
    public static SockOpsProgram.Bytecode sockOps(BpfObject object, String program, Btf target) {
        Converted c = convert(object, program, target, ProgramType.SOCK_OPS);
        return new SockOpsProgram.Bytecode(BpfObject.kernelName(program), object.license(), c.code(), c.maps());
    }

    /** The cgroup setsockopt program called {@code program}. */
    public static SockoptProgram.Bytecode sockopt(BpfObject object, String program, Btf target) {
        Converted c = convert(object, program, target, ProgramType.CGROUP_SETSOCKOPT);
        return new SockoptProgram.Bytecode(BpfObject.kernelName(program), object.license(), c.code(), c.maps());
    }

    private record Converted(BpfBytecode code, List<MapSpec> maps) {
    }

    private static List<ObjectProgram> ofType(BpfObject object, ProgramType type) {
        return object.programs().stream().filter(p -> p.sectionInfo().sdkType().equals(Optional.of(type))).toList();
    }

    private static Converted convert(BpfObject object, String name, Btf target, ProgramType type) {
        Objects.requireNonNull(target, "target");
        ObjectProgram p = object.program(name);
        if (!p.sectionInfo().sdkType().equals(Optional.of(type))) {
            throw new BpfObjectFormatException(object.origin(), "program '" + name + "' is in section '" + p.section()
                    + "', not a " + type + " program");
        }
        BpfBytecode code = p.bytecode();
        if (!p.coreRelocations().isEmpty()) {
            Btf local = object.btf().orElseThrow(() -> new BpfObjectFormatException(object.origin(),
                    "CO-RE sites without .BTF"));
            code = new CoreRelocator(local, target).relocate(p).bytecode();
        }
        ObjectProgram.Portable portable = p.portable(code);
        List<MapSpec> maps = new ArrayList<>();
        for (String map : portable.maps()) {
            maps.add(mapSpec(object, object.map(map).orElseThrow()));
        }
        return new Converted(portable.code(), maps);
    }

    private static MapSpec mapSpec(BpfObject object, ObjectMap m) {
        MapType type = m.sdkType().orElseThrow(() -> new BpfObjectFormatException(object.origin(), "map '" + m.name()
                + "' has type " + m.type() + ", which the SDK's backends do not model (they have " + List.of(MapType.values())
                + ")"));
        try {
            if (m.kind() == ObjectMap.Kind.GLOBAL_DATA) {
                // libbpf's convention: a one-entry ARRAY holding the section, .rodata frozen
                return MapSpec.globalData(m.name(), m.initialData(), m.readOnly());
            }
            return new MapSpec(m.name(), type, m.keySize(), m.valueSize(), m.maxEntries());
        } catch (IllegalArgumentException e) { // sizes or entries the map type cannot have, a name the kernel refuses
            throw new BpfObjectFormatException(object.origin(), "map '" + m.name() + "' cannot be an SDK map: "
                    + e.getMessage(), e);
        }
    }
}
