package dev.autolowat.kernel;

import dev.autolowat.api.program.InvocationLogMap;
import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.Errno;
import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.Rule;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Instruction;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.Relocation;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.AbstractBackendSession;
import dev.autolowat.api.spi.AbstractProgramMap;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.ProgramMap;
import dev.autolowat.api.spi.SessionMaps;
import dev.autolowat.api.spi.UnknownMapException;
import dev.autolowat.kernel.bpf.BpfException;
import dev.autolowat.kernel.bpf.KernelMap;
import dev.autolowat.kernel.bpf.KernelSymbols;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.cgroup.SessionCgroup;
import dev.autolowat.kernel.features.ProbeResult;
import dev.autolowat.kernel.features.Probes;
import dev.autolowat.kernel.link.CgroupAttachType;
import dev.autolowat.kernel.socket.NativeTcpPair;

import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A native session: a private cgroup v2 directory holding this JVM ({@link SessionCgroup}), the
 * programs attached to it, the maps they declared (shared by name), the backend's flag observer and
 * the connections made in it (rule H6: every socket the process creates while the session is open
 * belongs to the cgroup, so the programs run for it).
 *
 * <p><b>Attach.</b> Bytecode only ({@link SockOpsProgram.Handler} and {@link SockoptProgram.Handler}
 * are refused: the kernel runs bytecode). Before anything is created the program's needs are checked
 * against this kernel: every kfunc it calls must be in vmlinux BTF, and a sock_ops program may call
 * {@code bpf_skb_load_bytes} only where the kernel allows it — otherwise
 * {@link MissingKernelFeatureException}. Its maps are then taken from the session when another
 * program already declared a map of that name with an equal {@link MapSpec} (shared, as the reference
 * policy's two programs share their SK_STORAGE state), refused when the spec differs, created
 * otherwise; the program is loaded unchanged (relocations resolved through vmlinux BTF) and attached
 * with {@code BPF_F_ALLOW_MULTI} after the programs already there (they run in attach order). A
 * verifier rejection is a {@link dev.autolowat.kernel.bpf.VerifierRejectedException} with the log; a
 * rejected attach changes nothing.
 *
 * <p><b>Close</b> closes the connections, detaches every program (newest first), moves the process
 * back, removes the cgroup directory and closes every program and map descriptor; it tries every
 * step and throws one {@link KernelEnvironmentException} naming what failed. The lifecycle — a final,
 * idempotent close, the open checks — is {@link AbstractBackendSession}'s.
 *
 * <p><b>Maps</b> through the SPI ({@link #maps()}): the attached programs' maps, keys and values in
 * the kernel's byte order; every call runs under the session's lock, so none reaches a map
 * descriptor that {@link #close()} released.
 *
 * <p><b>Threads.</b> Thread-safe: attach, connect and the queries are serialised on the session;
 * {@link #close()} may be called from any thread while they or calls on its connections run — those
 * then throw {@link ConnectionClosedException} (a connection's calls in flight are woken and waited
 * for before the observer, the programs and the maps they use are closed).
 *
 * <p><b>Sessions that are never closed.</b> What a session holds — the cgroup and this process's
 * membership in it, the programs, the maps, the connections' sockets — is owned by a separate object
 * that a {@link Cleaner} releases when the session (and every connection of it) becomes unreachable.
 * Since the process can be in one session cgroup at a time, {@link NativeBackend#openSession()}
 * first reclaims a session that is unreachable but not yet cleaned (it asks for a garbage
 * collection, as the JDK's direct-buffer allocator does when memory runs out): one leaked session
 * never blocks later ones. A JVM that exits normally closes its open session in a shutdown hook; a
 * killed one leaves only its cgroup directory (the programs are attached through BPF links and die
 * with the process), which the next session start removes ({@link SessionCgroup#removeStale}).
 */
public final class NativeSession extends AbstractBackendSession {
    /** The steps of opening a session, in order (tests inject failures by name). */
    static final List<String> STEPS = List.of("load observer", "open cgroup", "attach observer");

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "autolowat-native-session-cleaner");
        t.setDaemon(true);
        return t;
    });
    /** Guards {@link #current} and {@link #currentCleanable}: the session of this JVM that holds the process. */
    private static final Object CURRENT_LOCK = new Object();
    private static WeakReference<NativeSession> current;
    private static Cleaner.Cleanable currentCleanable;
    /** What {@link #current} owns (refers to no session, so it keeps none reachable). */
    private static Owned currentOwned;
    private static boolean shutdownHookAdded;

    private final NativeBackend backend;
    private final Owned owned;
    private final Cleaner.Cleanable cleanable;
    private final SessionCgroup cgroup;
    private final FlagObserver observer;
    private final List<Object> attachedPrograms = new ArrayList<>();
    private final List<LoadedProgram> loaded;
    /** The session's maps by name, in creation order: the spec declared and the map. */
    private final Map<String, SessionMap> maps = new LinkedHashMap<>();
    private final List<NativeConnection> connections = new ArrayList<>();
    private int connectionCount;
    private final SessionMaps sessionMaps = SessionMaps.of(() -> {
        ensureOpen();
        return mapNames();
    }, this::findMap);

    private record SessionMap(MapSpec spec, KernelMap map) {
    }

    private NativeSession(NativeBackend backend, SessionCgroup cgroup, FlagObserver observer) {
        super("native session");
        this.backend = backend;
        this.cgroup = cgroup;
        this.observer = observer;
        this.owned = new Owned(cgroup, observer);
        this.loaded = owned.loaded;
        this.cleanable = CLEANER.register(this, owned);
    }

    /**
     * What a session owns, released once — by {@link #close()} or, for a session dropped without
     * it, by the {@link Cleaner}. It must not refer to the session (that would keep it reachable).
     */
    private static final class Owned implements Runnable {
        final SessionCgroup cgroup;
        final FlagObserver observer;
        final List<LoadedProgram> loaded = new ArrayList<>();
        /** The connections' pairs (not the connections: they refer to the session). Guarded by {@code this}. */
        final List<NativeTcpPair> pairs = new ArrayList<>();
        /** Guarded by {@code this}. */
        KernelMap sockhash;
        /** What releasing reported; read by {@link NativeSession#close()}. */
        final List<RuntimeException> failures = new ArrayList<>();
        /** Who released: "close", "exit", or null for the Cleaner (a session that became unreachable). */
        volatile String releasedBy;

        Owned(SessionCgroup cgroup, FlagObserver observer) {
            this.cgroup = cgroup;
            this.observer = observer;
        }

        /** Set when {@link #run()} finished (by whichever thread ran it). Guarded by {@code this}. */
        private boolean done;

        /** Waits (bounded) until {@link #run()} finished: the Cleaner's thread may be running it. */
        synchronized void awaitReleased(long millis) {
            long deadline = System.nanoTime() + millis * 1_000_000L;
            while (!done && System.nanoTime() < deadline) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public void run() {
            try {
                release();
            } finally {
                synchronized (this) {
                    done = true;
                    notifyAll();
                }
            }
        }

        private void release() {
            List<NativeTcpPair> open;
            synchronized (this) {
                open = List.copyOf(pairs);
                pairs.clear();
            }
            for (NativeTcpPair p : open) {
                try {
                    p.close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            try {
                cgroup.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
            for (int i = loaded.size() - 1; i >= 0; i--) {
                try {
                    loaded.get(i).close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            loaded.clear();
            try {
                observer.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
            synchronized (this) {
                if (sockhash != null) {
                    sockhash.close();
                }
            }
            if (releasedBy == null) {
                System.err.println("[autolowat] a native session was never closed; released " + cgroup.path()
                        + " when it became unreachable" + (failures.isEmpty() ? "" : "; " + failures.size()
                        + " step(s) failed, first: " + failures.get(0).getMessage()) + ". Close sessions (try-with-resources).");
            }
        }
    }

    /**
     * Before a session opens: releases the session of this JVM that was dropped without
     * {@link #close()} and not yet cleaned (the process is still in its cgroup). Whether it is
     * unreachable only a collection can tell: up to three {@code System.gc()} calls, as
     * {@code java.nio.Bits.reserveMemory} does before giving up. A session still reachable stays
     * open (opening another then fails with {@link IllegalStateException}).
     */
    static void reclaimLeaked() {
        synchronized (CURRENT_LOCK) {
            if (current == null) {
                return;
            }
            for (int i = 0; i < 3 && !current.refersTo(null); i++) {
                NativeSession s = current.get();
                if (s != null && s.isClosed()) {
                    break;
                }
                s = null;
                System.gc();
                try {
                    Thread.sleep(10L << i);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (current.refersTo(null)) {
                currentCleanable.clean(); // runs the Owned action now, unless the Cleaner's thread has begun it
                currentOwned.awaitReleased(10_000);
                current = null;
                currentCleanable = null;
                currentOwned = null;
            }
        }
    }

    private static void becomeCurrent(NativeSession s) {
        synchronized (CURRENT_LOCK) {
            current = new WeakReference<>(s);
            currentCleanable = s.cleanable;
            currentOwned = s.owned;
            if (!shutdownHookAdded) {
                shutdownHookAdded = true;
                // A normal exit closes the open session: its cgroup directory would otherwise stay.
                Runtime.getRuntime().addShutdownHook(new Thread(NativeSession::closeCurrentAtExit,
                        "autolowat-native-session-exit"));
            }
        }
    }

    private static void closeCurrentAtExit() {
        Cleaner.Cleanable c;
        synchronized (CURRENT_LOCK) {
            c = currentCleanable;
            NativeSession s = current == null ? null : current.get();
            if (s != null) {
                s.owned.releasedBy = "exit";
            }
        }
        if (c != null) {
            try {
                c.clean();
            } catch (RuntimeException | Error e) {
                // exiting anyway; the next session start removes what is left
            }
        }
    }

    static NativeSession open(NativeBackend backend, Consumer<String> beforeStep) {
        beforeStep.accept(STEPS.get(0));
        FlagObserver observer = FlagObserver.load();
        SessionCgroup cgroup = null;
        try {
            beforeStep.accept(STEPS.get(1));
            try {
                cgroup = SessionCgroup.open();
            } catch (IllegalStateException e) {
                IllegalStateException x = new IllegalStateException(e.getMessage() + ". A native session of this JVM is"
                        + " still open and reachable (a session, or one of its connections, is still referenced): close"
                        + " it first. Only a session that nothing refers to any more is reclaimed by openSession()", e);
                throw x;
            }
            beforeStep.accept(STEPS.get(2));
            cgroup.attach(observer.loaded());
            NativeSession session = new NativeSession(backend, cgroup, observer);
            becomeCurrent(session);
            return session;
        } catch (RuntimeException | Error e) {
            if (cgroup != null) {
                try {
                    cgroup.close();
                } catch (RuntimeException x) {
                    e.addSuppressed(x);
                }
            }
            observer.close();
            throw e;
        }
    }

    @Override
    public NativeBackend backend() {
        return backend;
    }

    /** The session's cgroup directory. */
    public Path cgroupPath() {
        return cgroup.path();
    }

    /**
     * The kernel ids of the programs attached to the session's cgroup for {@code type}, in run order
     * ({@code BPF_PROG_QUERY}); the backend's flag observer is the first SETSOCKOPT program.
     */
    public synchronized int[] attachedProgramIds(CgroupAttachType type) {
        ensureOpen();
        return cgroup.attachedPrograms(type).programIds();
    }

    /**
     * The map called {@code name} that an attached program declared (for tests and tools: read what a
     * program wrote, e.g. with a socket's fd as the key of an SK_STORAGE map).
     *
     * @throws UnknownMapException when no attached program declared such a map
     */
    public synchronized KernelMap map(String name) {
        ensureOpen();
        SessionMap m = maps.get(Objects.requireNonNull(name, "name"));
        if (m == null) {
            throw new UnknownMapException(name, List.copyOf(maps.keySet()));
        }
        return m.map();
    }

    /** The session's maps through the SPI (see the class comment). */
    @Override
    public SessionMaps maps() {
        return sessionMaps;
    }

    private synchronized Optional<ProgramMap> findMap(String name) {
        ensureOpen();
        SessionMap m = maps.get(name);
        return m == null ? Optional.empty() : Optional.of(new NativeProgramMap(m.spec(), m.map()));
    }

    /**
     * A session map through the SPI (checks in {@link AbstractProgramMap}): each call holds the
     * session's lock, which {@link #close()} takes before it closes the descriptors.
     */
    private final class NativeProgramMap extends AbstractProgramMap {
        private final KernelMap map;

        NativeProgramMap(MapSpec spec, KernelMap map) {
            super(spec);
            this.map = map;
        }

        @Override
        public ByteOrder byteOrder() {
            return ByteOrder.nativeOrder();
        }

        @Override
        protected void ensureOpen() {
            NativeSession.this.ensureOpen();
        }

        @Override
        protected Optional<byte[]> implLookup(byte[] key) {
            synchronized (NativeSession.this) {
                ensureOpen();
                return map.lookup(key);
            }
        }

        @Override
        protected int implUpdate(byte[] key, byte[] value, long flags) {
            synchronized (NativeSession.this) {
                ensureOpen();
                try {
                    map.update(key, value, flags);
                    return 0;
                } catch (BpfException e) {
                    return -e.errno();
                }
            }
        }

        @Override
        protected int implDelete(byte[] key) {
            synchronized (NativeSession.this) {
                ensureOpen();
                try {
                    return map.delete(key) ? 0 : Errno.ENOENT.negative();
                } catch (BpfException e) {
                    return -e.errno();
                }
            }
        }

        @Override
        protected void implForEach(BiConsumer<byte[], byte[]> action) {
            List<byte[]> keys;
            List<byte[]> values = new ArrayList<>();
            synchronized (NativeSession.this) {
                ensureOpen();
                keys = new ArrayList<>();
                for (byte[] k : map.keys()) {
                    Optional<byte[]> v = map.lookup(k);
                    if (v.isPresent()) { // removed by a program meanwhile: not part of the snapshot
                        keys.add(k);
                        values.add(v.get());
                    }
                }
            }
            // outside the lock: the action may call back into the session
            for (int i = 0; i < keys.size(); i++) {
                action.accept(keys.get(i), values.get(i));
            }
        }
    }

    /** The names of the session's maps, in creation order. */
    public synchronized List<String> mapNames() {
        return List.copyOf(maps.keySet());
    }

    // ---- attach ----

    /**
     * Loads and attaches a sock_ops program ({@code BPF_CGROUP_SOCK_OPS}); see the class comment.
     *
     * @throws ProgramRejectedException               a Java handler; already attached; a map name
     *                                                declared with another spec
     * @throws MissingKernelFeatureException          the program needs what this kernel lacks
     * @throws dev.autolowat.kernel.bpf.VerifierRejectedException the verifier refused it (log included)
     * @throws KernelEnvironmentException             no vmlinux BTF for its relocations; a bpf() failure
     */
    @Override
    public void attach(SockOpsProgram program) {
        Objects.requireNonNull(program, "program");
        if (program instanceof SockOpsProgram.Bytecode b) {
            attachBytecode(b, ProgramType.SOCK_OPS, b.name(), b.license(), b.code(), b.maps());
        } else {
            throw handlerRefused("sock_ops", program.name(), "SockOpsProgram.Handler");
        }
    }

    /** Loads and attaches a cgroup setsockopt program ({@code BPF_CGROUP_SETSOCKOPT}); as {@link #attach(SockOpsProgram)}. */
    @Override
    public void attach(SockoptProgram program) {
        Objects.requireNonNull(program, "program");
        if (program instanceof SockoptProgram.Bytecode b) {
            attachBytecode(b, ProgramType.CGROUP_SETSOCKOPT, b.name(), b.license(), b.code(), b.maps());
        } else {
            throw handlerRefused("setsockopt", program.name(), "SockoptProgram.Handler");
        }
    }

    private static ProgramRejectedException handlerRefused(String kind, String name, String form) {
        return new ProgramRejectedException(kind + " program '" + name + "' is a Java handler (" + form
                + "): the native backend runs bytecode only — a kernel cannot run Java. Attach the bytecode form"
                + " (SockOpsProgram.Bytecode / SockoptProgram.Bytecode, e.g. FramingPolicy.compile() or the"
                + " Assembler), or run the handler on the simulator");
    }

    private synchronized void attachBytecode(Object program, ProgramType type, String name, String license,
                                             BpfBytecode code, List<MapSpec> specs) {
        ensureOpen();
        String kind = type == ProgramType.SOCK_OPS ? "sock_ops" : "setsockopt";
        if (attachedPrograms.contains(program)) {
            throw new ProgramRejectedException(kind + " program '" + name + "' is already attached to this session"
                    + " (a kernel answers EEXIST to attaching the same program twice); attach it once");
        }
        checkKernelFeatures(name, type, code);
        KernelSymbols symbols = needsSymbols(code) ? backend.symbols() : null;

        if (specs.stream().map(MapSpec::name).distinct().count() != specs.size()) {
            throw new ProgramRejectedException(kind + " program '" + name + "' declares the same map name twice; declare"
                    + " each map once and refer to it by its index");
        }
        // maps: shared by name with an equal spec, refused with another spec, created otherwise
        List<KernelMap> shared = new ArrayList<>(specs.size());
        for (MapSpec spec : specs) {
            SessionMap existing = maps.get(spec.name());
            if (existing != null && !existing.spec().equals(spec)) {
                throw new ProgramRejectedException(kind + " program '" + name + "' declares map '" + spec.name() + "' as "
                        + spec + " but this session already has a map of that name declared as " + existing.spec()
                        + "; programs share a map only when they declare it identically (rename one of them)");
            }
            shared.add(existing != null ? existing.map() : null);
        }

        LoadedProgram lp = new ProgramLoader(symbols).load(type, name, license, code, specs, shared);
        try {
            cgroup.attach(lp);
        } catch (RuntimeException | Error e) {
            lp.close();
            throw e;
        }
        loaded.add(lp);
        attachedPrograms.add(program);
        for (int i = 0; i < specs.size(); i++) {
            maps.putIfAbsent(specs.get(i).name(), new SessionMap(specs.get(i), lp.map(i)));
        }
    }

    private static boolean needsSymbols(BpfBytecode code) {
        for (Relocation r : code.relocations()) {
            if (!(r instanceof Relocation.MapRef)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses, before anything is created, a program that needs what this kernel lacks: a kfunc that
     * is not in vmlinux BTF, or {@code bpf_skb_load_bytes} in a sock_ops program where the kernel does
     * not offer it (the series gives sock_ops programs the H1 segment).
     */
    private void checkKernelFeatures(String name, ProgramType type, BpfBytecode code) {
        for (Relocation r : code.relocations()) {
            if (r instanceof Relocation.KfuncRef k && backend.symbols().kfuncBtfId(k.name()).isEmpty()) {
                throw missingKfunc(name, k.name());
            }
        }
        if (type == ProgramType.SOCK_OPS && callsHelper(code, Helper.SKB_LOAD_BYTES.id())) {
            ProbeResult p = Probes.sockOpsHelper(Helper.SKB_LOAD_BYTES);
            if (p.status() == ProbeResult.Status.NOT_SUPPORTED) {
                String release = NativeBackend.kernelRelease();
                List<Rule> rules = List.of(Rule.H1, Rule.A3, Rule.A5, Rule.A6);
                throw new MissingKernelFeatureException(name, "helper bpf_skb_load_bytes in sock_ops programs", release,
                        rules, "program '" + name + "' calls bpf_skb_load_bytes (helper 26) from a sock_ops program,"
                        + " which this kernel (" + release + ") does not allow (" + p.reason() + "): it needs the"
                        + " AutoLOWAT series, which gives sock_ops programs the enqueued segment"
                        + " (BPF_SOCK_OPS_RCVQ_CB); rules H1, A3, A5, A6 are not supported by this kernel");
            }
        }
    }

    static MissingKernelFeatureException missingKfunc(String program, String kfunc) {
        String release = NativeBackend.kernelRelease();
        if (kfunc.equals(NativeBackend.KFUNC_SET_RCVLOWAT)) {
            List<Rule> rules = List.of(Rule.K1, Rule.H1, Rule.H2, Rule.A1, Rule.A2, Rule.A3, Rule.A4, Rule.A5, Rule.A6);
            return new MissingKernelFeatureException(program, "kfunc " + kfunc, release, rules, "program '" + program
                    + "' calls the kfunc " + kfunc + ", which this kernel (" + release + ") lacks: it needs the AutoLOWAT"
                    + " series (BPF_SOCK_OPS_RCVQ_CB); rules K1, H1, H2, A1–A6 are not supported by this kernel");
        }
        return new MissingKernelFeatureException(program, "kfunc " + kfunc, release, List.of(), "program '" + program
                + "' calls the kfunc " + kfunc + ", which this kernel (" + release + ") lacks (it is not in the"
                + " kernel's vmlinux BTF): not supported by this kernel");
    }

    private static boolean callsHelper(BpfBytecode code, int helperId) {
        for (Instruction insn : code.instructions()) {
            if (insn.opcode() == (Opcode.JMP | Opcode.CALL) && insn.src() == 0 && insn.imm() == helperId) {
                return true;
            }
        }
        return false;
    }

    // ---- connections ----

    /**
     * Creates a connected loopback pair inside the session's cgroup: the ESTABLISHED callbacks of the
     * attached programs run during this call (op 4 on the client, op 5 on the accepted socket before
     * {@code accept()}).
     *
     * @throws dev.autolowat.kernel.socket.MptcpUnavailableException MPTCP asked for, the kernel refuses it
     * @throws dev.autolowat.kernel.socket.NativeSocketException      a socket call failed (nothing left open)
     */
    @Override
    public synchronized NativeConnection connect(ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        ensureOpen();
        NativeTcpPair pair = NativeTcpPair.open(options);
        NativeConnection c = new NativeConnection(this, pair, ++connectionCount);
        connections.add(c);
        synchronized (owned) {
            owned.pairs.add(pair);
        }
        return c;
    }

    synchronized void forget(NativeConnection c) {
        connections.remove(c);
        synchronized (owned) {
            owned.pairs.remove(c.pairUnchecked());
        }
    }

    /** The flag word of {@code fd}, or {@code -errno} (see {@link FlagObserver#read}). */
    int readCbFlags(int fd) {
        return observer.read(fd);
    }

    /** The session's invocation-log map when an attached program declared one that follows the convention. */
    synchronized KernelMap invocationLog() {
        SessionMap m = maps.get(InvocationLogMap.NAME);
        if (m == null || !InvocationLogMap.follows(m.spec().type().value(), m.spec().keySize(), m.spec().valueSize())) {
            return null;
        }
        return m.map();
    }

    /** The backend-owned SOCKHASH (key u32 = connection number, value = socket fd), created on first use. */
    synchronized KernelMap sockhash() {
        ensureOpen();
        synchronized (owned) {
            if (owned.sockhash == null) {
                owned.sockhash = KernelMap.create(new MapSpec("al_sockhash", MapType.SOCKHASH, 4, 4, 4096));
            }
            return owned.sockhash;
        }
    }

    // ---- close ----

    /**
     * Closes every connection, detaches every program, moves the process back, removes the cgroup
     * directory and closes every descriptor, for {@link #close()} — idempotent and safe from any
     * thread: calls on the session or its connections that race it throw
     * {@link ConnectionClosedException}; a second {@code close()} returns once the first has released
     * everything.
     *
     * @throws KernelEnvironmentException naming the steps that failed (all steps are tried)
     */
    @Override
    protected void implClose() {
        List<NativeConnection> open;
        synchronized (this) {
            // The session is marked closed (no connect or attach starts; connection calls that have
            // not yet entered their pair throw ConnectionClosedException). A connect that passed its
            // open check before the mark holds this lock until its connection is listed: the
            // snapshot includes it.
            open = List.copyOf(connections);
        }
        List<RuntimeException> failures = new ArrayList<>();
        // Outside the monitor: closing a connection waits for its calls in flight, which may need
        // the monitor (sockhash(), invocationLog()). They use the observer and the maps, which are
        // closed only after this.
        for (NativeConnection c : open) {
            try {
                c.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        synchronized (this) {
            closeResources(failures);
        }
    }

    private void closeResources(List<RuntimeException> failures) {
        connections.clear();
        attachedPrograms.clear();
        maps.clear();
        owned.releasedBy = "close";
        cleanable.clean();
        failures.addAll(owned.failures);
        synchronized (CURRENT_LOCK) {
            if (current != null && current.refersTo(this)) {
                current = null;
                currentCleanable = null;
                currentOwned = null;
            }
        }
        if (!failures.isEmpty()) {
            KernelEnvironmentException e = new KernelEnvironmentException("closing native session " + cgroup.path() + ": "
                    + failures.size() + " step(s) failed; first: " + failures.get(0).getMessage(), failures.get(0));
            for (int i = 1; i < failures.size(); i++) {
                e.addSuppressed(failures.get(i));
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "NativeSession[" + cgroup.path() + (isClosed() ? ", closed" : ", " + loaded.size() + " program(s), "
                + connections.size() + " connection(s)") + "]";
    }
}
