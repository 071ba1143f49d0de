package dev.autolowat.kernel.features;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.Family;
import dev.autolowat.kernel.KernelEnvironmentException;
import dev.autolowat.kernel.bpf.BpfException;
import dev.autolowat.kernel.bpf.KernelMap;
import dev.autolowat.kernel.bpf.BpfPrivileges;
import dev.autolowat.kernel.bpf.BpfProgram;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.LoadResult;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.MapAttributes;
import dev.autolowat.kernel.bpf.PrivilegeException;
import dev.autolowat.kernel.bpf.ProgLoadAttributes;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.bpf.VerifierRejectedException;
import dev.autolowat.kernel.cgroup.SessionCgroup;
import dev.autolowat.kernel.socket.NativeTcpPair;
import dev.autolowat.kernel.sys.ErrnoNames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R7;

/**
 * What this kernel (and this process) supports, found by trying it, in the manner of cilium/ebpf's
 * {@code features} package: each probe loads a tiny program or creates a tiny map and reads the
 * kernel's answer. Answers are {@link ProbeResult}s — supported, not supported (the kernel said so:
 * {@code EINVAL} for an unknown type, "unknown func" from the verifier, a flag handed back), or
 * error (the probe could not tell: no privileges, an unexpected errno). Definite answers are cached
 * for the life of the JVM; errors are not.
 *
 * <p>{@link #rcvqCbFlag()} (rule F1) is the one probe with side effects: it opens a
 * {@link SessionCgroup} — moving this JVM into it for a few milliseconds — attaches a sock_ops
 * program, makes one loopback connection and reads what {@code bpf_sock_ops_cb_flags_set(skops,
 * 0x80)} returned on {@code PASSIVE_ESTABLISHED_CB}: 0 means the kernel set the RCVQ flag
 * (supported), 0x80 means it does not know the flag (not supported; every released kernel).
 */
public final class Probes {
    /** {@code BPF_SOCK_OPS_RCVQ_CB_FLAG} of the series (SEMANTICS.md). */
    public static final int RCVQ_CB_FLAG = 0x80;
    /** {@code BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB}. */
    public static final int PASSIVE_ESTABLISHED_CB = 5;

    /** Feature name of {@link #privileges()}. */
    public static final String PRIVILEGES = "bpf() privileges";
    /** Feature name of {@link #rcvqCbFlag()}. */
    public static final String RCVQ_FLAG = "RCVQ callback flag 0x80 (F1)";

    private static final Map<String, ProbeResult> CACHE = new ConcurrentHashMap<>();

    private Probes() {
    }

    /** Every probe, in a fixed order: privileges, program types, map types, sock_ops helpers, F1. */
    public static ProbeReport all() {
        List<ProbeResult> results = new ArrayList<>();
        results.add(privileges());
        for (ProgramType t : ProgramType.values()) {
            results.add(programType(t));
        }
        for (MapType t : List.of(MapType.HASH, MapType.ARRAY, MapType.SK_STORAGE, MapType.RINGBUF)) {
            results.add(mapType(t));
        }
        for (Helper h : Helper.values()) {
            results.add(sockOpsHelper(h));
        }
        results.add(rcvqCbFlag());
        results.addAll(seriesSymbols());
        return new ProbeReport(kernelRelease(), BpfPrivileges.euid(), results);
    }

    /** Feature name of the BTF enumerator probe. */
    public static final String RCVQ_OP_BTF = "op BPF_SOCK_OPS_RCVQ_CB in vmlinux BTF (H1/H2)";
    /** Feature name of the kfunc probe. */
    public static final String RCVLOWAT_KFUNC_BTF = "kfunc bpf_sock_ops_tcp_set_rcvlowat in vmlinux BTF (K1)";

    /**
     * The series' symbols in vmlinux BTF: the op enumerator and the kfunc. Needs no privileges, only
     * a readable {@code /sys/kernel/btf/vmlinux}.
     */
    public static List<ProbeResult> seriesSymbols() {
        dev.autolowat.api.btf.Btf btf;
        try {
            btf = dev.autolowat.kernel.btf.KernelBtf.vmlinux();
        } catch (RuntimeException e) {
            return List.of(ProbeResult.error(RCVQ_OP_BTF, e.getMessage()),
                    ProbeResult.error(RCVLOWAT_KFUNC_BTF, e.getMessage()));
        }
        java.util.OptionalInt op = btf.enumValue(null, "BPF_SOCK_OPS_RCVQ_CB");
        java.util.OptionalInt kfunc = btf.funcId("bpf_sock_ops_tcp_set_rcvlowat");
        return List.of(
                op.isPresent()
                        ? ProbeResult.supported(RCVQ_OP_BTF, "BPF_SOCK_OPS_RCVQ_CB = " + op.getAsInt())
                        : ProbeResult.notSupported(RCVQ_OP_BTF, "not supported by this kernel: no enumerator "
                                + "BPF_SOCK_OPS_RCVQ_CB in vmlinux BTF (the kernel lacks the AutoLOWAT series)"),
                kfunc.isPresent()
                        ? ProbeResult.supported(RCVLOWAT_KFUNC_BTF, "BTF id " + kfunc.getAsInt())
                        : ProbeResult.notSupported(RCVLOWAT_KFUNC_BTF, "not supported by this kernel: no function "
                                + "bpf_sock_ops_tcp_set_rcvlowat in vmlinux BTF (the kernel lacks the AutoLOWAT series)"));
    }

    /** Whether this process may use {@code bpf(2)}: creates a one-entry ARRAY map. */
    public static ProbeResult privileges() {
        return cached(PRIVILEGES, () -> {
            try (KernelMap m = KernelMap.create(MapAttributes.of(MapType.ARRAY.value(), 4, 4, 1, 0, "probe_priv"))) {
                return ProbeResult.supported(PRIVILEGES, "BPF_MAP_CREATE works (" + BpfPrivileges.describe() + ")");
            } catch (PrivilegeException e) {
                return ProbeResult.notSupported(PRIVILEGES, e.getMessage());
            } catch (BpfException e) {
                return ProbeResult.error(PRIVILEGES, e.getMessage());
            }
        });
    }

    /** Whether programs of {@code type} load: {@code r0 = 1; exit} (with expected attach type 22 for CGROUP_SOCKOPT). */
    public static ProbeResult programType(ProgramType type) {
        String feature = "program type " + type.name();
        return cached(feature, () -> {
            int expected = type == ProgramType.CGROUP_SETSOCKOPT ? type.attachType() : 0;
            BpfBytecode code = new Assembler().mov64(R0, 1).exit().build();
            try (BpfProgram p = BpfProgram.load(new ProgLoadAttributes(type.progType(), expected, code.toByteArray(),
                    "GPL", "probe_prog", 0, 0, null))) {
                return ProbeResult.supported(feature, "BPF_PROG_LOAD of \"r0 = 1; exit\" as type " + type.progType()
                        + (expected != 0 ? " (expected attach type " + expected + ")" : "") + " succeeded");
            } catch (PrivilegeException e) {
                return ProbeResult.error(feature, e.getMessage());
            } catch (BpfException e) {
                if (e.errno() == 22) {
                    return ProbeResult.notSupported(feature, "not supported by this kernel: " + e.getMessage());
                }
                return ProbeResult.error(feature, e.getMessage());
            } catch (VerifierRejectedException e) {
                return ProbeResult.error(feature, e.getMessage());
            }
        });
    }

    /** Whether maps of {@code type} can be created (small sizes; SK_STORAGE with its BTF). */
    public static ProbeResult mapType(MapType type) {
        String feature = "map type " + type.name();
        return cached(feature, () -> {
            MapSpec spec = switch (type) {
                case HASH -> new MapSpec("probe_map", type, 4, 4, 1);
                case ARRAY -> new MapSpec("probe_map", type, 4, 4, 1);
                case SK_STORAGE -> new MapSpec("probe_map", type, 4, 8, 0);
                case SOCKMAP, SOCKHASH -> new MapSpec("probe_map", type, 4, 4, 1);
                case RINGBUF -> new MapSpec("probe_map", type, 0, 0, 4096);
            };
            try (KernelMap m = KernelMap.create(spec)) {
                return ProbeResult.supported(feature, "BPF_MAP_CREATE of type " + type.value() + " succeeded"
                        + (type == MapType.SK_STORAGE ? " (BPF_F_NO_PREALLOC, with BTF key/value ids)" : ""));
            } catch (PrivilegeException e) {
                return ProbeResult.error(feature, e.getMessage());
            } catch (BpfException e) {
                if (e.errno() == 22 && e.command() == dev.autolowat.kernel.bpf.BpfCommand.MAP_CREATE) {
                    return ProbeResult.notSupported(feature, "not supported by this kernel: " + e.getMessage());
                }
                return ProbeResult.error(feature, e.getMessage());
            }
        });
    }

    /**
     * Whether a SOCK_OPS program may call {@code helper}: loads {@code call helper; r0 = 1; exit}
     * with a verifier log. The verifier checks that the helper exists for the program type before
     * it checks the arguments, so "unknown func" / "cannot use helper" in the log means not
     * supported, and any other outcome (loaded, or refused for its unset arguments) means supported.
     */
    public static ProbeResult sockOpsHelper(Helper helper) {
        String feature = "sock_ops helper " + helper.kernelName() + " (" + helper.id() + ")";
        return cached(feature, () -> {
            byte[] code = new Assembler().call(helper).mov64(R0, 1).exit().build().toByteArray();
            LoadResult r = BpfSyscall.progLoad(new ProgLoadAttributes(ProgramType.SOCK_OPS.progType(), 0, code, "GPL",
                    "probe_helper", BpfSyscall.BPF_LOG_LEVEL1, 64 * 1024, null));
            if (r.ok()) {
                dev.autolowat.kernel.sys.LibC.close((int) r.result());
                return ProbeResult.supported(feature, "a SOCK_OPS program calling it loads");
            }
            String log = r.log();
            if (log.contains("unknown func") || log.contains("cannot use helper") || log.contains("invalid func")) {
                return ProbeResult.notSupported(feature, "not supported by this kernel: the verifier says \""
                        + lastLine(log) + "\"");
            }
            if (log.isBlank()) {
                return ProbeResult.error(feature, "BPF_PROG_LOAD failed with " + ErrnoNames.name(r.errno()) + " ("
                        + r.errno() + ") and no verifier log (" + BpfPrivileges.describe() + ")");
            }
            return ProbeResult.supported(feature, "the verifier accepted the call and then checked its arguments (\""
                    + lastLine(log) + "\")");
        });
    }

    /**
     * Rule F1: whether this kernel knows the RCVQ callback flag. See the class comment; the
     * result's reason says what the helper returned.
     */
    public static ProbeResult rcvqCbFlag() {
        return cached(RCVQ_FLAG, () -> {
            int ret;
            try {
                ret = cbFlagsSetReturn(RCVQ_CB_FLAG);
            } catch (RuntimeException e) {
                return ProbeResult.error(RCVQ_FLAG, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            String call = "bpf_sock_ops_cb_flags_set(skops, 0x80) on PASSIVE_ESTABLISHED_CB returned ";
            if (ret == 0) {
                return ProbeResult.supported(RCVQ_FLAG, call + "0: the kernel set BPF_SOCK_OPS_RCVQ_CB_FLAG");
            }
            if (ret == RCVQ_CB_FLAG) {
                return ProbeResult.notSupported(RCVQ_FLAG, "not supported by this kernel: " + call
                        + "0x80, the bits it does not support (BPF_SOCK_OPS_ALL_CB_FLAGS lacks 0x80)");
            }
            return ProbeResult.error(RCVQ_FLAG, call + (ret < 0 ? ErrnoNames.describe(ret) : "0x" + Integer.toHexString(ret))
                    + ", neither 0 nor 0x80");
        });
    }

    /**
     * The raw F1 observation: what {@code bpf_sock_ops_cb_flags_set(skops, flags)} returned in a
     * sock_ops program on {@code PASSIVE_ESTABLISHED_CB} for one loopback connection made inside a
     * fresh {@link SessionCgroup}: 0 when every bit was set, the unsupported bits, or
     * {@code -errno}. Not cached.
     *
     * @throws KernelEnvironmentException when the callback did not run, or the session or the
     *                                    connection could not be made
     */
    public static int cbFlagsSetReturn(int flags) {
        try (LoadedProgram lp = new ProgramLoader().load(cbFlagsProgram(flags));
             SessionCgroup session = SessionCgroup.open()) {
            session.attach(lp);
            try (NativeTcpPair pair = NativeTcpPair.open(Family.INET)) {
                pair.port();
            }
            byte[] v = lp.map(0).lookup(KernelMap.key(0)).orElseThrow();
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            if (b.getInt(4) != 1) {
                throw new KernelEnvironmentException("the F1 probe's sock_ops program did not run on"
                        + " PASSIVE_ESTABLISHED_CB for a loopback connection made inside " + session.path()
                        + " (is a program on an ancestor cgroup overriding it, or is CONFIG_CGROUP_BPF off?)");
            }
            return b.getInt(0);
        }
    }

    /**
     * On op 5: {@code ret = bpf_sock_ops_cb_flags_set(skops, flags)}; {@code probe[0] = {ret, 1}}.
     * Other ops: nothing. Returns 1.
     */
    static SockOpsProgram.Bytecode cbFlagsProgram(int flags) {
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxw(R2, R6, SockOpsCtx.OP)
                .jne(R2, PASSIVE_ESTABLISHED_CB, "out")
                .mov64(R1, R6)
                .mov64(R2, flags)
                .call(Helper.SOCK_OPS_CB_FLAGS_SET)
                .mov64(R7, R0)
                .stw(R10, -4, 0)
                .mov64(R2, R10).add64(R2, -4)
                .loadMap(R1, 0)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "out")
                .stxw(R0, R7, 0)
                .stw(R0, 4, 1)
                .label("out")
                .mov64(R0, 1)
                .exit();
        return a.program("probe_f1", "GPL", List.of(new MapSpec("probe_f1", MapType.ARRAY, 4, 8, 1)));
    }

    /** Forgets cached answers (for tests, or after the kernel's configuration changed). */
    public static void clearCache() {
        CACHE.clear();
    }

    private static ProbeResult cached(String feature, Supplier<ProbeResult> probe) {
        ProbeResult r = CACHE.get(feature);
        if (r != null) {
            return r;
        }
        r = probe.get();
        if (r.status() != ProbeResult.Status.ERROR) {
            CACHE.put(feature, r);
        }
        return r;
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("processed ") && !l.startsWith("verification time")) {
                return l;
            }
        }
        return "";
    }

    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
