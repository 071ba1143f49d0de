package dev.autolowat.kernel.bpf;

import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.CoreRelocator;
import dev.autolowat.api.object.ObjectMap;
import dev.autolowat.api.object.ObjectProgram;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.asm.Relocations;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.kernel.MissingKernelFeatureException;
import dev.autolowat.kernel.NativeBackend;
import dev.autolowat.kernel.btf.KernelBtf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Loads a clang-compiled {@link BpfObject} into the running kernel the way libbpf's
 * {@code bpf_object__load} does: the object's BTF (with libbpf's fix-ups), its maps (BTF-described;
 * global data initialised and {@code .rodata} frozen), then each program with its CO-RE sites
 * relocated against the kernel's vmlinux BTF, map references and kfunc ids filled in, and its BTF,
 * func_info and line_info. Attaching is the caller's business (the session's cgroup).
 *
 * <p>Everything created is owned by the returned {@link Loaded} and released by its {@code close()};
 * a failure part-way releases what was created before the exception leaves.
 */
public final class ObjectLoader {
    private final Btf vmlinux;

    /** Relocates against the running kernel's BTF ({@code /sys/kernel/btf/vmlinux}). */
    public ObjectLoader() {
        this(KernelBtf.vmlinux());
    }

    /** Relocates against {@code vmlinux} (tests; another kernel's BTF). */
    public ObjectLoader(Btf vmlinux) {
        this.vmlinux = Objects.requireNonNull(vmlinux, "vmlinux");
    }

    /** The loaded object: its BTF, maps and programs, by name. */
    public static final class Loaded implements AutoCloseable {
        private final BpfObject object;
        private final BpfBtf btf;
        private final Map<String, KernelMap> maps;
        private final Map<String, BpfProgram> programs;
        private final Map<String, List<CoreRelocator.Resolution>> poisoned;
        private boolean closed;

        private Loaded(BpfObject object, BpfBtf btf, Map<String, KernelMap> maps, Map<String, BpfProgram> programs,
                       Map<String, List<CoreRelocator.Resolution>> poisoned) {
            this.object = object;
            this.btf = btf;
            this.maps = Collections.unmodifiableMap(maps);
            this.programs = Collections.unmodifiableMap(programs);
            this.poisoned = Collections.unmodifiableMap(poisoned);
        }

        public BpfObject object() {
            return object;
        }

        /** Maps by name, in the object's order. */
        public Map<String, KernelMap> maps() {
            return maps;
        }

        /** Programs by name, in the object's order. */
        public Map<String, BpfProgram> programs() {
            return programs;
        }

        /** The program called {@code name}. */
        public BpfProgram program(String name) {
            BpfProgram p = programs.get(name);
            if (p == null) {
                throw new IllegalArgumentException("no program '" + name + "' in " + object.origin() + "; loaded: "
                        + programs.keySet());
            }
            return p;
        }

        /** Per program, the CO-RE sites that no kernel type satisfied (they fault if executed). */
        public Map<String, List<CoreRelocator.Resolution>> poisoned() {
            return poisoned;
        }

        /**
         * Pins every program at {@code dir/<program name>} (a directory in a BPF file system): they
         * outlive this process until the files are removed — how {@code bpftool prog loadall} leaves
         * an object's programs, so the two can be compared with {@code bpftool prog dump xlated pinned}.
         */
        public void pinPrograms(java.nio.file.Path dir) {
            for (Map.Entry<String, BpfProgram> e : programs.entrySet()) {
                BpfSyscall.objPin(e.getValue().fd(), dir.resolve(e.getKey()).toString());
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            List<AutoCloseable> all = new ArrayList<>(programs.values());
            all.addAll(maps.values());
            if (btf != null) {
                all.add(btf);
            }
            closeAll(all, null);
        }
    }

    /**
     * Loads every program of {@code object} (programs in sections the kernel or the SDK does not know
     * are loaded too when libbpf's conventions give their type).
     *
     * @throws MissingKernelFeatureException when a program calls a kfunc this kernel lacks
     * @throws VerifierRejectedException     when the verifier refuses a program (with its log)
     * @throws BpfException                  when creating BTF or a map fails
     * @throws CoreRelocator.CoreRelocationException when a CO-RE relocation is ambiguous or inconsistent
     */
    public Loaded load(BpfObject object) {
        Objects.requireNonNull(object, "object");
        List<AutoCloseable> created = new ArrayList<>();
        try {
            BpfBtf btf = null;
            Optional<byte[]> blob = object.btfForKernel();
            if (blob.isPresent()) {
                btf = BpfBtf.load(blob.get(), "the BTF of " + object.origin());
                created.add(btf);
            }
            Map<String, KernelMap> maps = new LinkedHashMap<>();
            for (ObjectMap m : object.maps()) {
                KernelMap map = createMap(m, btf);
                created.add(map);
                maps.put(m.name(), map);
            }
            Map<String, BpfProgram> programs = new LinkedHashMap<>();
            Map<String, List<CoreRelocator.Resolution>> poisoned = new LinkedHashMap<>();
            for (ObjectProgram p : object.programs()) {
                if (!p.sectionInfo().known()) {
                    throw new IllegalArgumentException("program '" + p.name() + "' of " + object.origin() + " is in section '"
                            + p.section() + "', which names no program type (libbpf's conventions: sockops, "
                            + "cgroup/setsockopt, ...)");
                }
                BpfBytecode code = p.bytecode();
                if (!p.coreRelocations().isEmpty()) {
                    CoreRelocator.Relocated r = new CoreRelocator(object.btf().orElseThrow(), vmlinux).relocate(p);
                    code = r.bytecode();
                    if (!r.poisoned().isEmpty()) {
                        poisoned.put(p.name(), r.poisoned());
                    }
                }
                // the SDK's one relocation step, as for its own programs (ProgramLoader)
                ObjectProgram.Portable portable = p.portable(code);
                byte[] insns = portable.code().toByteArray();
                Relocations.apply(p.name(), insns, portable.code().relocations(), portable.maps().size(),
                        resolver(object, p, portable, maps));
                ProgLoadAttributes.ProgramBtf programBtf = btf == null ? null
                        : new ProgLoadAttributes.ProgramBtf(btf.fd(), funcInfo(p), lineInfo(p));
                String name = BpfObject.kernelName(p.name());
                BpfProgram prog = BpfProgram.load(new ProgLoadAttributes(p.sectionInfo().progType(),
                        Math.max(0, p.sectionInfo().attachType()), insns, object.license(), name, 0, 0, null,
                        programBtf));
                created.add(prog);
                programs.put(p.name(), prog);
            }
            return new Loaded(object, btf, maps, programs, poisoned);
        } catch (RuntimeException | Error e) {
            Collections.reverse(created);
            closeAll(created, e);
            throw e;
        }
    }

    private static KernelMap createMap(ObjectMap m, BpfBtf btf) {
        String name = BpfObject.kernelName(m.name());
        MapAttributes attrs = MapAttributes.of(m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(), name);
        if (btf != null && m.valueTypeId() > 0) {
            // as libbpf: key and value types of .maps maps; for global data the DATASEC as value, no key type
            attrs = attrs.withBtf(btf.fd(), m.keyTypeId(), m.valueTypeId());
        }
        KernelMap map = KernelMap.create(attrs);
        try {
            byte[] init = m.initialData();
            ProgramLoader.initialise(map, init, init != null && m.readOnly());
            return map;
        } catch (RuntimeException | Error e) {
            map.close();
            throw e;
        }
    }

    /** Map fds by the object's map names, kfunc ids from this kernel's vmlinux BTF. */
    private Relocations.Resolver resolver(BpfObject object, ObjectProgram p, ObjectProgram.Portable portable,
                                          Map<String, KernelMap> maps) {
        return new Relocations.Resolver() {
            @Override
            public int map(Relocation.MapRef r) {
                return maps.get(portable.maps().get(r.mapIndex())).fd();
            }

            @Override
            public int field(Relocation.FieldRef r) {
                // objects reach kernel fields through CO-RE sites, relocated above; the reader makes no FieldRef
                throw new IllegalStateException("an object program with a FieldRef: " + r);
            }

            @Override
            public int kfunc(Relocation.KfuncRef k) {
                return vmlinux.funcId(k.name()).orElseThrow(() -> new MissingKernelFeatureException(p.name(),
                        "kfunc " + k.name(), NativeBackend.kernelRelease(), List.of(),
                        "program '" + p.name() + "' of " + object.origin() + " calls the kfunc " + k.name() + ", which "
                                + "this kernel (" + NativeBackend.kernelRelease() + ") lacks"
                                + (k.name().equals("bpf_sock_ops_tcp_set_rcvlowat")
                                ? ": it needs the AutoLOWAT series (BPF_SOCK_OPS_RCVQ_CB); not supported by this kernel"
                                : ": not in its vmlinux BTF")));
            }
        };
    }

    /** func_info as the kernel takes it: insn_off in instructions, the FUNC's type id. */
    private static byte[] funcInfo(ObjectProgram p) {
        ByteBuffer out = ByteBuffer.allocate(p.functions().size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (ObjectProgram.FuncInfo f : p.functions()) {
            if (f.typeId() == 0) {
                return new byte[0]; // no .BTF.ext: the kernel takes all of it or none
            }
            out.putInt(f.slot()).putInt(f.typeId());
        }
        return out.array();
    }

    /** line_info as the kernel takes it: insn_off in instructions, string offsets into the program's BTF. */
    private static byte[] lineInfo(ObjectProgram p) {
        ByteBuffer out = ByteBuffer.allocate(p.lines().size() * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (ObjectProgram.LineInfo l : p.lines()) {
            out.putInt(l.slot()).putInt(l.fileNameOffset()).putInt(l.sourceOffset()).putInt(l.line() << 10 | l.column());
        }
        return out.array();
    }

    private static void closeAll(List<AutoCloseable> all, Throwable primary) {
        RuntimeException first = null;
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (first == null) {
                    first = e instanceof RuntimeException re ? re : new RuntimeException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
