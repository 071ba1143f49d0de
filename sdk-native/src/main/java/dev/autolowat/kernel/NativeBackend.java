package dev.autolowat.kernel;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Capabilities;
import dev.autolowat.kernel.bpf.BpfPrivileges;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.kernel.cgroup.Cgroup2Mount;
import dev.autolowat.kernel.cgroup.SessionCgroup;
import dev.autolowat.kernel.features.ProbeResult;
import dev.autolowat.kernel.features.Probes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The kernel backend: the SPI over real loopback TCP pairs, bytecode programs loaded unchanged into
 * this kernel and attached to a private cgroup v2 directory per session ({@code docs/native.md}, "The
 * native backend"). Found by {@link java.util.ServiceLoader} under the name {@code native}.
 *
 * <p>Constructing it does nothing and never throws; {@link #capabilities()} probes the kernel lazily
 * (privileges, cgroup2, vmlinux BTF, and the F1 probe of the RCVQ flag) and never throws either: what
 * it cannot find becomes a reason. {@link #openSession()} fails with a typed exception whose message
 * says what is missing and what to do:
 * <ul>
 *   <li>not root / no {@code CAP_BPF}: {@link dev.autolowat.kernel.bpf.PrivilegeException};</li>
 *   <li>no cgroup2 mount: {@link KernelEnvironmentException};</li>
 *   <li>a session of this JVM is already open (the process can be in one cgroup only):
 *       {@link IllegalStateException} — a session dropped without {@code close()} does not count:
 *       it is reclaimed first.</li>
 * </ul>
 * Every session start also removes the session cgroups of processes that no longer exist
 * ({@link SessionCgroup#removeStale}).
 * At attach: no vmlinux BTF for a program with kfunc or field relocations:
 * {@link KernelEnvironmentException}; a program needing the series on a kernel without it:
 * {@link MissingKernelFeatureException}; a verifier rejection:
 * {@link dev.autolowat.kernel.bpf.VerifierRejectedException} (with the log); a Java handler or a
 * program attached twice: {@link dev.autolowat.api.ProgramRejectedException}.
 */
public final class NativeBackend implements Backend {
    /** The name ServiceLoader users select. */
    public static final String NAME = "native";
    /** The kfunc of rule K1, which only a kernel carrying the series has. */
    public static final String KFUNC_SET_RCVLOWAT = "bpf_sock_ops_tcp_set_rcvlowat";
    /** The op of the series, as its BTF enum names it. */
    public static final String ENUM_RCVQ_CB = "BPF_SOCK_OPS_RCVQ_CB";
    /** The flag of the series, as its BTF enum names it. */
    public static final String ENUM_RCVQ_CB_FLAG = "BPF_SOCK_OPS_RCVQ_CB_FLAG";

    /** Rules that need op 21 to run and the RCVQ flag to be settable (F3, F4, H1, H2). */
    static final List<Rule> FLAG_RULES = List.of(Rule.F3, Rule.F4, Rule.H1, Rule.H2);
    /** Rules that also need the kfunc (K1, and the reference policy A1–A6, which calls it). */
    static final List<Rule> KFUNC_RULES = List.of(Rule.K1, Rule.A1, Rule.A2, Rule.A3, Rule.A4, Rule.A5, Rule.A6);

    private static final Object BTF_LOCK = new Object();
    private static BtfSymbols vmlinux;

    private final Path procMounts;
    private final Path btfPath;
    private final Consumer<String> beforeStep;
    private volatile Capabilities capabilities;
    private BtfSymbols symbols;

    /** The backend of this machine ({@code /proc/mounts}, {@code /sys/kernel/btf/vmlinux}). Never throws. */
    public NativeBackend() {
        this(Cgroup2Mount.PROC_MOUNTS, Btf.VMLINUX, step -> { });
    }

    /**
     * A backend reading the cgroup mounts from {@code procMounts} and the kernel's BTF from
     * {@code btf} (tests: a machine without cgroup2 or without BTF); {@code beforeStep} runs before
     * each step of {@link NativeSession#STEPS} (tests inject failures).
     */
    NativeBackend(Path procMounts, Path btf, Consumer<String> beforeStep) {
        this.procMounts = Objects.requireNonNull(procMounts, "procMounts");
        this.btfPath = Objects.requireNonNull(btf, "btf");
        this.beforeStep = Objects.requireNonNull(beforeStep, "beforeStep");
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * What this kernel and this process can run, computed on first use (and again while the answer
     * is not definite). Never throws. {@code bytecode} is true, {@code javaHandlers} false,
     * {@code outOfOrder} false (loopback does not reorder). Rules:
     * <ul>
     *   <li>without privileges every rule is "requires root: ..." (nothing can be loaded);</li>
     *   <li>without a cgroup2 mount every rule is "not supported by this machine: ...";</li>
     *   <li>without the series ({@code bpf_sock_ops_cb_flags_set(skops, 0x80)} returns 0x80; no
     *       {@code BPF_SOCK_OPS_RCVQ_CB} in BTF) F3, F4, H1, H2 are "not supported by this kernel";
     *       without the kfunc {@value #KFUNC_SET_RCVLOWAT} K1 and A1–A6 are too;</li>
     *   <li>the others (F1, F2, H3–H6, K2–K4) run on any kernel.</li>
     * </ul>
     */
    /**
     * This backend's kernel BTF ({@code /sys/kernel/btf/vmlinux} for the running kernel), read once and
     * kept, as {@link #symbols()} keeps it for kfunc and field relocations.
     *
     * @throws KernelEnvironmentException when there is no vmlinux BTF (CONFIG_DEBUG_INFO_BTF) or sysfs is missing
     */
    @Override
    public Btf targetBtf() {
        return symbols().btf();
    }

    @Override
    public Capabilities capabilities() {
        Capabilities c = capabilities;
        if (c != null) {
            return c;
        }
        try {
            Computed computed = computeCapabilities();
            if (computed.definite) {
                capabilities = computed.capabilities;
            }
            return computed.capabilities;
        } catch (RuntimeException | LinkageError e) {
            return everyRule(false, "cannot tell what this kernel supports: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage());
        }
    }

    private record Computed(Capabilities capabilities, boolean definite) {
    }

    private Computed computeCapabilities() {
        String release = kernelRelease();
        if (!BpfPrivileges.sufficient()) {
            return new Computed(everyRule(false, "requires root: the native backend loads BPF programs and moves this"
                    + " process into a cgroup; " + dev.autolowat.kernel.bpf.PrivilegeException.ADVICE + " ("
                    + BpfPrivileges.describe() + ")"), true);
        }
        if (Cgroup2Mount.find(procMounts).isEmpty()) {
            return new Computed(everyRule(false, "not supported by this machine: no cgroup2 mount in " + procMounts
                    + " (the native backend attaches programs to a cgroup v2 directory; mount one with"
                    + " `mount -t cgroup2 none /sys/fs/cgroup`)"), true);
        }
        // vmlinux BTF: the series' enum values and kfunc
        String btfNote;
        Boolean btfHasOp = null;
        boolean hasKfunc = false;
        try {
            BtfSymbols s = symbols();
            OptionalInt op = s.enumValue(ENUM_RCVQ_CB);
            OptionalInt kfunc = s.kfuncBtfId(KFUNC_SET_RCVLOWAT);
            btfHasOp = op.isPresent();
            hasKfunc = kfunc.isPresent();
            btfNote = "vmlinux BTF " + (op.isPresent() ? "has " + ENUM_RCVQ_CB + " = " + op.getAsInt() : "has no " + ENUM_RCVQ_CB)
                    + " and " + (kfunc.isPresent() ? "has the kfunc " : "no kfunc ") + KFUNC_SET_RCVLOWAT;
        } catch (dev.autolowat.api.AutoLowatException e) {
            btfNote = "no vmlinux BTF (" + e.getMessage() + "), so no kfunc can be called";
        }
        // F1: the flag probe
        ProbeResult f1 = Probes.rcvqCbFlag();
        boolean definite = true;
        boolean hasFlag;
        String flagNote;
        if (f1.status() == ProbeResult.Status.ERROR) {
            definite = false;
            if (btfHasOp == null) {
                return new Computed(seriesRulesUnknown("cannot tell whether kernel " + release + " has the AutoLOWAT"
                        + " series: the F1 probe failed (" + f1.reason() + ") and " + btfNote), false);
            }
            hasFlag = btfHasOp;
            flagNote = "F1 probe failed (" + f1.reason() + "); going by BTF";
        } else {
            hasFlag = f1.isSupported();
            flagNote = f1.reason().replaceFirst("^not supported by this kernel: ", "");
        }
        boolean series = hasFlag && hasKfunc;
        Map<Rule, String> unsupported = new EnumMap<>(Rule.class);
        String why = "not supported by this kernel (" + release + "): it lacks the AutoLOWAT series (op 21"
                + " BPF_SOCK_OPS_RCVQ_CB, flag 0x80, kfunc " + KFUNC_SET_RCVLOWAT + ") — " + flagNote + "; " + btfNote;
        if (!hasFlag) {
            for (Rule r : FLAG_RULES) {
                unsupported.put(r, why);
            }
        }
        if (!series) {
            for (Rule r : KFUNC_RULES) {
                unsupported.put(r, hasFlag ? "not supported by this kernel (" + release + "): the RCVQ flag exists but "
                        + btfNote + " (K1 and the reference policy call the kfunc)" : why);
            }
        }
        return new Computed(new Capabilities(NAME, series, false, true, false, unsupported), definite);
    }

    private static Capabilities everyRule(boolean series, String reason) {
        Map<Rule, String> unsupported = new EnumMap<>(Rule.class);
        for (Rule r : Rule.values()) {
            unsupported.put(r, reason);
        }
        return new Capabilities(NAME, series, false, true, false, unsupported);
    }

    private static Capabilities seriesRulesUnknown(String reason) {
        Map<Rule, String> unsupported = new EnumMap<>(Rule.class);
        for (Rule r : Rule.values()) {
            if (r.needsSeries()) {
                unsupported.put(r, reason);
            }
        }
        return new Capabilities(NAME, false, false, true, false, unsupported);
    }

    /**
     * Opens a session: loads the backend's flag observer, creates a private cgroup
     * ({@link dev.autolowat.kernel.cgroup.SessionCgroup}), moves this JVM into it and attaches the
     * observer. One native session per JVM at a time.
     *
     * @throws dev.autolowat.kernel.bpf.PrivilegeException not root / no CAP_BPF+CAP_NET_ADMIN
     * @throws KernelEnvironmentException                  no cgroup2 mount, or a cgroup step failed
     * @throws IllegalStateException                       a native session of this JVM is open
     */
    @Override
    public NativeSession openSession() {
        Path mount = Cgroup2Mount.require(procMounts);
        // A session of this JVM dropped without close() still holds the process: release it first.
        NativeSession.reclaimLeaked();
        // What killed JVMs left (their cgroup directories; the kernel releases what is attached).
        if (BpfPrivileges.sufficient()) {
            SessionCgroup.removeStale(mount);
        }
        // The F1 probe opens a session cgroup of its own: run it before ours exists.
        capabilities();
        return NativeSession.open(this, beforeStep);
    }

    /**
     * The kernel's BTF symbols (read once per JVM for the running kernel).
     *
     * @throws KernelEnvironmentException when there is no vmlinux BTF
     */
    BtfSymbols symbols() {
        if (btfPath.equals(Btf.VMLINUX)) {
            synchronized (BTF_LOCK) {
                if (vmlinux == null) {
                    vmlinux = BtfSymbols.load(btfPath);
                }
                return vmlinux;
            }
        }
        synchronized (this) {
            if (symbols == null) {
                symbols = BtfSymbols.load(btfPath);
            }
            return symbols;
        }
    }

    /** {@code uname -r}, as {@code /proc/sys/kernel/osrelease} tells it. */
    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String toString() {
        return "NativeBackend[" + kernelRelease() + "]";
    }
}
