package dev.autolowat.sim;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptHandler;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.AbstractBackendSession;
import dev.autolowat.api.spi.AbstractProgramMap;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.api.spi.ExecutionMode;
import dev.autolowat.api.spi.SessionMaps;
import dev.autolowat.api.spi.SessionOption;
import dev.autolowat.api.spi.UnknownMapException;
import dev.autolowat.sim.kernel.SimKernel;
import dev.autolowat.sim.vm.BpfMapView;
import dev.autolowat.sim.vm.BpfVmException;
import dev.autolowat.sim.vm.VmLoader;
import dev.autolowat.sim.vm.VmMaps;
import dev.autolowat.sim.vm.VmOptions;
import dev.autolowat.sim.vm.VmProgram;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * A simulated cgroup: the programs attached to it run for every connection made in it, in attach
 * order (H6). Everything is deterministic: connections draw their ISNs from the session's seed.
 *
 * <p>Programs come in both forms. Java handlers run as they are; bytecode programs are checked and
 * linked by the simulator's eBPF VM when attached ({@code docs/programs.md}, "The simulator's eBPF
 * VM") and run in it at the same dispatch points, interleaved with handlers in attach order. Maps
 * of bytecode programs live in the session, shared by name ({@link #map(String)} reads them).
 *
 * <p>When the VM aborts an invocation ({@link BpfVmException}) the invocation counts as returning 0,
 * the model finishes the step it was in (it stays consistent: every helper call completed as a
 * whole), the fault is recorded ({@link #vmFaults()}), and the SPI call that caused it throws it
 * once the step is done — unless {@link #throwOnVmFault(boolean)} turned that off.
 *
 * <p>Through the SPI: {@link #maps()} (userspace map access, little-endian), the options
 * {@link SessionOption#FIXED_ISN} and {@link SessionOption#EXECUTION_MODE}; the lifecycle is
 * {@link AbstractBackendSession}'s.
 */
public final class SimSession extends AbstractBackendSession {
    /** How many faults {@link #vmFaults()} keeps (the first ones; {@link #vmFaultCount()} counts all). */
    public static final int KEPT_FAULTS = 100;
    static final int SERVER_PORT = 8080;
    static final int FIRST_CLIENT_PORT = 40000;

    private final SimBackend backend;
    private final SimConfig config;
    private final SplittableRandom isnRandom;
    private final VirtualClock clock = new VirtualClock();
    private final List<SockOpsProgram> sockOpsPrograms = new ArrayList<>();
    private final List<SockOpsHandler> sockOpsHandlerList = new ArrayList<>();
    private final List<SockoptProgram> sockoptPrograms = new ArrayList<>();
    private final List<SockoptHandler> sockoptHandlerList = new ArrayList<>();
    /** Snapshots read on the hot path: arrays, so dispatch does not iterate a list. */
    private SockOpsHandler[] sockOpsHandlers = new SockOpsHandler[0];
    private SockoptHandler[] sockoptHandlers = new SockoptHandler[0];
    private final List<SimConnection> connections = new ArrayList<>();
    private final VmMaps maps = new VmMaps();
    private final List<BpfVmException> faults = new ArrayList<>();
    private long faultCount;
    private BpfVmException pendingFault;
    private boolean throwOnVmFault = true;
    private int connectionCount;
    /** {@link SessionOption#FIXED_ISN}: the peer ISN of new connections, or null to draw them. */
    private Integer fixedIsn;
    private final SessionMaps sessionMaps = SessionMaps.of(() -> {
        ensureOpen();
        return maps.names();
    }, name -> {
        ensureOpen();
        return Optional.ofNullable(maps.view(name)).map(SimProgramMap::new);
    });
    private VmOptions.ExecutionMode vmMode = VmOptions.ExecutionMode.fromSystemProperty();
    /** The bytecode programs attached, in attach order, with the mode each runs in. */
    private final List<ProgramExecution> executions = new ArrayList<>();

    SimSession(SimBackend backend, SimConfig config) {
        super("simulator session");
        this.backend = backend;
        this.config = config;
        this.isnRandom = new SplittableRandom(config.isnSeed());
        this.fixedIsn = config.fixedIsn();
    }

    @Override
    public Backend backend() {
        return backend;
    }

    public SimConfig config() {
        return config;
    }

    private VmOptions vmOptions() {
        return VmOptions.of(config.kernelHasSeries(), clock::nanos).withMode(vmMode).withKernel(SimKernel.INSTANCE);
    }

    /**
     * How bytecode programs attached from now on run: translated to JVM bytecode (the default, or
     * what {@code -D}{@value VmOptions#MODE_PROPERTY} names) or interpreted. Programs already
     * attached keep their mode. Results are the same in both modes; this exists to compare them.
     *
     * @return this session
     */
    public SimSession setVmMode(VmOptions.ExecutionMode mode) {
        this.vmMode = java.util.Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * The execution mode <em>requested</em> for bytecode programs attached from now on (see
     * {@link #setVmMode}). A program may still be interpreted in JIT mode: {@link #programExecutions()}
     * says how each attached program actually runs.
     */
    public VmOptions.ExecutionMode vmMode() {
        return vmMode;
    }

    /**
     * How each bytecode program attached to this session runs, in attach order: the requested mode,
     * the actual one and, when it is interpreted, why ({@link ProgramExecution}). Java handlers are not
     * listed: they run as they are.
     */
    public List<ProgramExecution> programExecutions() {
        return List.copyOf(executions);
    }

    /** Records how {@code loaded}, just attached, runs. */
    private void recordExecution(VmProgram loaded, ProgramType type) {
        VmOptions.ExecutionMode actual = loaded.executionMode();
        java.util.Optional<String> reason = actual == VmOptions.ExecutionMode.JIT ? java.util.Optional.empty()
                : vmMode == VmOptions.ExecutionMode.INTERPRETER ? java.util.Optional.of("interpreter mode requested")
                : java.util.Optional.of(loaded.fallbackReason().orElse("not translated by the VM"));
        executions.add(new ProgramExecution(loaded.name(), type, vmMode, actual, reason));
    }

    /**
     * Attaches a sock_ops program: a Java handler as it is, bytecode after the VM's load-time checks
     * (its maps are created or shared by name).
     *
     * @throws ProgramRejectedException when the program is already attached or its bytecode is
     *         rejected (the message names the program, the program counter, the instruction and the
     *         reason); nothing changes then
     */
    @Override
    public void attach(SockOpsProgram program) {
        Objects.requireNonNull(program, "program");
        ensureOpen();
        if (sockOpsPrograms.contains(program)) {
            throw new ProgramRejectedException("sock_ops program '" + program.name()
                    + "' is already attached to this session (a kernel answers EEXIST); detach it or attach another program");
        }
        SockOpsHandler handler;
        if (program instanceof SockOpsProgram.Bytecode b) {
            VmProgram loaded = VmLoader.load(b.name(), ProgramType.SOCK_OPS, b.license(), b.code(), b.maps(), maps,
                    vmOptions());
            handler = new BytecodeSockOps(this, loaded);
            recordExecution(loaded, ProgramType.SOCK_OPS);
        } else {
            handler = ((SockOpsProgram.Handler) program).handler();
        }
        sockOpsPrograms.add(program);
        sockOpsHandlerList.add(handler);
        sockOpsHandlers = sockOpsHandlerList.toArray(new SockOpsHandler[0]);
    }

    /** Attaches a cgroup setsockopt program (A2); as {@link #attach(SockOpsProgram)}. */
    @Override
    public void attach(SockoptProgram program) {
        Objects.requireNonNull(program, "program");
        ensureOpen();
        if (sockoptPrograms.contains(program)) {
            throw new ProgramRejectedException("setsockopt program '" + program.name()
                    + "' is already attached to this session (a kernel answers EEXIST)");
        }
        SockoptHandler handler;
        if (program instanceof SockoptProgram.Bytecode b) {
            VmProgram loaded = VmLoader.load(b.name(), ProgramType.CGROUP_SETSOCKOPT, b.license(), b.code(), b.maps(),
                    maps, vmOptions());
            handler = new BytecodeSockopt(this, loaded);
            recordExecution(loaded, ProgramType.CGROUP_SETSOCKOPT);
        } else {
            handler = ((SockoptProgram.Handler) program).handler();
        }
        sockoptPrograms.add(program);
        sockoptHandlerList.add(handler);
        sockoptHandlers = sockoptHandlerList.toArray(new SockoptHandler[0]);
    }

    @Override
    public SimConnection connect(ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        ensureOpen();
        int isn = fixedIsn != null ? fixedIsn : isnRandom.nextInt();
        int clientPort = FIRST_CLIENT_PORT + (connectionCount++ % 20000);
        SimConnection connection = new SimConnection(this, options, isn, clientPort);
        connections.add(connection);
        throwPendingFault();
        return connection;
    }

    /**
     * A read (and userspace-update) view of the map called {@code name}, which a bytecode program
     * attached to this session declared.
     *
     * @throws UnknownMapException when no attached program declared such a map
     */
    public BpfMapView map(String name) {
        Objects.requireNonNull(name, "name");
        BpfMapView view = maps.view(name);
        if (view == null) {
            throw new UnknownMapException(name, maps.names());
        }
        return view;
    }

    /** The session's maps through the SPI: the same maps as {@link #map(String)}, keys and values little-endian. */
    @Override
    public SessionMaps maps() {
        return sessionMaps;
    }

    /** A {@link BpfMapView} through the SPI (checks in {@link AbstractProgramMap}). */
    private final class SimProgramMap extends AbstractProgramMap {
        private final BpfMapView view;

        SimProgramMap(BpfMapView view) {
            super(view.spec());
            this.view = view;
        }

        @Override
        public ByteOrder byteOrder() {
            return ByteOrder.LITTLE_ENDIAN;
        }

        @Override
        protected void ensureOpen() {
            SimSession.this.ensureOpen();
        }

        @Override
        protected Optional<byte[]> implLookup(byte[] key) {
            return Optional.ofNullable(view.lookup(key));
        }

        @Override
        protected int implUpdate(byte[] key, byte[] value, long flags) {
            return view.update(key, value, flags);
        }

        @Override
        protected int implDelete(byte[] key) {
            return view.delete(key);
        }

        @Override
        protected void implForEach(BiConsumer<byte[], byte[]> action) {
            for (BpfMapView.Entry e : view.entries()) {
                action.accept(e.key(), e.value());
            }
        }
    }

    @Override
    protected <T> void implSetOption(SessionOption<T> option, T value) {
        if (option == SessionOption.FIXED_ISN) {
            fixedIsn = SessionOption.FIXED_ISN.check(value);
        } else {
            setVmMode(VmOptions.ExecutionMode.valueOf(SessionOption.EXECUTION_MODE.check(value).name()));
        }
    }

    @Override
    protected <T> T implGetOption(SessionOption<T> option) {
        return option.check(option == SessionOption.FIXED_ISN ? fixedIsn : ExecutionMode.valueOf(vmMode.name()));
    }

    /** The names of the session's maps, in creation order. */
    public List<String> mapNames() {
        return maps.names();
    }

    /** The first {@value #KEPT_FAULTS} invocations the VM aborted in this session, oldest first. */
    public List<BpfVmException> vmFaults() {
        return List.copyOf(faults);
    }

    /** How many invocations the VM aborted in this session. */
    public long vmFaultCount() {
        return faultCount;
    }

    /**
     * Whether an SPI call during which the VM aborted an invocation throws that
     * {@link BpfVmException} when the call's step is done (default {@code true}). With
     * {@code false}, faults are only recorded; the invocation still counts as returning 0.
     */
    public SimSession throwOnVmFault(boolean enabled) {
        this.throwOnVmFault = enabled;
        return this;
    }

    void recordFault(BpfVmException e) {
        faultCount++;
        if (faults.size() < KEPT_FAULTS) {
            faults.add(e);
        }
        if (pendingFault == null) {
            pendingFault = e;
        }
    }

    /** Called at the end of every SPI call that can dispatch programs. */
    void throwPendingFault() {
        BpfVmException e = pendingFault;
        pendingFault = null;
        if (e != null && throwOnVmFault) {
            throw e;
        }
    }

    @Override
    protected void implClose() {
        for (Connection c : List.copyOf(connections)) {
            c.close();
        }
        connections.clear();
        sockOpsPrograms.clear();
        sockoptPrograms.clear();
        sockOpsHandlerList.clear();
        sockoptHandlerList.clear();
        sockOpsHandlers = new SockOpsHandler[0];
        sockoptHandlers = new SockoptHandler[0];
        executions.clear();
        maps.clear();
    }

    void forget(SimConnection connection) {
        connections.remove(connection);
        maps.forgetSocket(connection.acceptedSocket());
        maps.forgetSocket(connection.peerSocket());
    }

    SockOpsHandler[] sockOpsHandlers() {
        return sockOpsHandlers;
    }

    SockoptHandler[] sockoptHandlers() {
        return sockoptHandlers;
    }

    VirtualClock clock() {
        return clock;
    }
}
