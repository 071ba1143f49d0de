package dev.autolowat.kernel.bpf;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.asm.Relocations;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.object.ObjectMap;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Turns the SDK's portable bytecode ({@link SockOpsProgram.Bytecode},
 * {@link SockoptProgram.Bytecode}) into a program loaded in this kernel:
 * <ol>
 *   <li>resolves every {@link Relocation.FieldRef} and {@link Relocation.KfuncRef} through the
 *       {@link KernelSymbols} given (a program that has such relocations and no symbols is
 *       rejected before anything is created);</li>
 *   <li>creates the declared maps ({@link KernelMap#create(MapSpec)}; SK_STORAGE with generated BTF);</li>
 *   <li>patches the instructions: a {@link Relocation.MapRef}'s {@code LD_IMM64} gets src
 *       {@code BPF_PSEUDO_MAP_FD} and imm = the map's fd; a {@code FieldRef}'s load or store gets
 *       offset = field offset + the instruction's offset; a {@code KfuncRef}'s {@code CALL} gets src
 *       {@code BPF_PSEUDO_KFUNC_CALL}, imm = the function's vmlinux BTF id and offset 0 (vmlinux, so
 *       no {@code fd_array});</li>
 *   <li>loads it ({@link BpfProgram#load}: a rejection carries the verifier log), with
 *       {@code expected_attach_type} = {@link ProgramType#attachType()} for CGROUP_SOCKOPT
 *       ({@code BPF_CGROUP_SETSOCKOPT} = 22).</li>
 * </ol>
 * When any step fails, every map created so far is closed before the exception leaves.
 */
public final class ProgramLoader {
    private final KernelSymbols symbols;

    /** A loader for programs without field or kfunc relocations. */
    public ProgramLoader() {
        this(null);
    }

    /** A loader that resolves field and kfunc relocations through {@code symbols} ({@code null}: none). */
    public ProgramLoader(KernelSymbols symbols) {
        this.symbols = symbols;
    }

    /** Loads a sock_ops program ({@code BPF_PROG_TYPE_SOCK_OPS}). */
    public LoadedProgram load(SockOpsProgram.Bytecode p) {
        Objects.requireNonNull(p, "program");
        return load(ProgramType.SOCK_OPS, p.name(), p.license(), p.code(), p.maps());
    }

    /** Loads a cgroup setsockopt program ({@code BPF_PROG_TYPE_CGROUP_SOCKOPT}, expected attach type 22). */
    public LoadedProgram load(SockoptProgram.Bytecode p) {
        Objects.requireNonNull(p, "program");
        return load(ProgramType.CGROUP_SETSOCKOPT, p.name(), p.license(), p.code(), p.maps());
    }

    /**
     * Loads {@code code} as a program of {@code type} with its maps.
     *
     * @throws ProgramRejectedException   when a relocation cannot be resolved (no symbols, unknown field
     *                                    or kfunc, a relocation on the wrong kind of instruction)
     * @throws VerifierRejectedException  when the verifier refuses the program (with its log)
     * @throws BpfException               when creating a map or loading fails otherwise
     */
    public LoadedProgram load(ProgramType type, String name, String license, BpfBytecode code, List<MapSpec> maps) {
        return load(type, name, license, code, maps, null);
    }

    /**
     * As {@link #load(ProgramType, String, String, BpfBytecode, List)}, but the program uses
     * {@code shared.get(i)} for its map {@code i} wherever that is not {@code null}, instead of
     * creating one: how two programs of one session share a map they both declare (the reference
     * policy's SK_STORAGE state; libbpf's pin-by-name reuse). A shared map must have the declared
     * type, key size, value size and max entries. The {@link LoadedProgram} does not own shared
     * maps: closing it leaves them open (their owner closes them); maps created here it owns.
     *
     * @param shared {@code null}, or one entry per declared map ({@code null} entries are created)
     * @throws IllegalArgumentException when {@code shared} has the wrong length or a shared map does
     *                                  not match its declaration
     */
    public LoadedProgram load(ProgramType type, String name, String license, BpfBytecode code, List<MapSpec> maps,
                              List<KernelMap> shared) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(maps, "maps");
        if (shared != null) {
            if (shared.size() != maps.size()) {
                throw new IllegalArgumentException("program '" + name + "' declares " + maps.size() + " map(s) but "
                        + shared.size() + " shared map slot(s) were given");
            }
            for (int i = 0; i < maps.size(); i++) {
                KernelMap m = shared.get(i);
                MapSpec spec = maps.get(i);
                if (m != null && (m.type() != spec.type().value() || m.keySize() != spec.keySize()
                        || m.valueSize() != spec.valueSize() || m.maxEntries() != spec.maxEntries())) {
                    throw new IllegalArgumentException("program '" + name + "': shared " + m
                            + " does not match its declaration " + spec);
                }
            }
        }
        byte[] insns = code.toByteArray();
        // everything that can be refused is refused before a map exists: where each relocation sits,
        // then the kernel's fields and kfuncs
        Relocations.check(name, insns, code.relocations(), maps.size());
        Map<Relocation, Integer> symbolValues = resolveSymbols(name, code.relocations());

        List<KernelMap> used = new ArrayList<>(maps.size());
        List<KernelMap> created = new ArrayList<>(maps.size());
        try {
            for (int i = 0; i < maps.size(); i++) {
                KernelMap m = shared == null ? null : shared.get(i);
                if (m == null) {
                    m = createMap(maps.get(i), created);
                }
                used.add(m);
            }
            Relocations.apply(name, insns, code.relocations(), maps.size(), new Relocations.Resolver() {
                @Override
                public int map(Relocation.MapRef r) {
                    return used.get(r.mapIndex()).fd();
                }

                @Override
                public int field(Relocation.FieldRef r) {
                    return symbolValues.get(r);
                }

                @Override
                public int kfunc(Relocation.KfuncRef r) {
                    return symbolValues.get(r);
                }
            });
            int expected = type == ProgramType.CGROUP_SETSOCKOPT ? type.attachType() : 0;
            BpfProgram program = BpfProgram.load(new ProgLoadAttributes(type.progType(), expected, insns, license, name,
                    0, 0, null));
            return new LoadedProgram(type, program, used, created);
        } catch (RuntimeException | Error e) {
            for (int i = created.size() - 1; i >= 0; i--) {
                created.get(i).close();
            }
            throw e;
        }
    }

    /** The kernel's value for every field and kfunc reference: a field's offset, a kfunc's vmlinux BTF id. */
    private Map<Relocation, Integer> resolveSymbols(String program, List<Relocation> relocations) {
        Map<Relocation, Integer> out = new HashMap<>();
        for (Relocation r : relocations) {
            if (r instanceof Relocation.FieldRef f) {
                KernelSymbols.FieldLocation loc = requireSymbols(program, r).field(f.struct(), f.field())
                        .orElseThrow(() -> reject(program, r, "this kernel's BTF has no member " + f.field() + " in struct "
                                + f.struct() + " (or it is a bitfield)"));
                out.put(r, loc.offset());
            } else if (r instanceof Relocation.KfuncRef k) {
                OptionalInt id = requireSymbols(program, r).kfuncBtfId(k.name());
                if (id.isEmpty()) {
                    throw reject(program, r, "this kernel has no kfunc " + k.name() + " in its vmlinux BTF"
                            + " (not supported by this kernel)");
                }
                out.put(r, id.getAsInt());
            }
        }
        return out;
    }

    private KernelSymbols requireSymbols(String program, Relocation r) {
        if (symbols == null) {
            throw reject(program, r, "resolving it needs the kernel's BTF, but this ProgramLoader was made without"
                    + " KernelSymbols: create it with new ProgramLoader(symbols), symbols read from"
                    + " /sys/kernel/btf/vmlinux (dev.autolowat.kernel.btf)");
        }
        return symbols;
    }

    private static ProgramRejectedException reject(String program, Relocation r, String why) {
        return Relocations.reject(program, r, why);
    }

    /**
     * Creates the map of {@code spec} (added to {@code created} at once, so that a failure closes it); a
     * map with an initial value gets it as entry 0, a frozen one is created {@code BPF_F_RDONLY_PROG} and
     * frozen after that ({@code BPF_MAP_FREEZE}), as libbpf does with {@code .rodata}.
     */
    private static KernelMap createMap(MapSpec spec, List<KernelMap> created) {
        if (spec.initialValue() == null && !spec.frozen()) {
            KernelMap m = KernelMap.create(spec);
            created.add(m);
            return m;
        }
        KernelMap m = KernelMap.create(MapAttributes.of(spec.type().value(), spec.keySize(), spec.valueSize(),
                spec.maxEntries(), spec.frozen() ? ObjectMap.F_RDONLY_PROG : 0, spec.name()));
        created.add(m);
        initialise(m, spec.initialValue(), spec.frozen());
        return m;
    }

    /**
     * Global data as libbpf sets it up: {@code init} (when not {@code null}) written as entry 0, then the
     * map frozen ({@code BPF_MAP_FREEZE}) when {@code freeze}: programs keep reading it, userspace can no
     * longer write it. Also what {@link ObjectLoader} does with an object's sections.
     */
    static void initialise(KernelMap map, byte[] init, boolean freeze) {
        if (init != null) {
            map.put(KernelMap.key(0), init);
        }
        if (freeze) {
            BpfSyscall.mapFreeze(map.fd());
        }
    }
}
