package dev.autolowat.sim;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptHandler;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A simulated cgroup: the programs attached to it run for every connection made in it, in attach
 * order (H6). Everything is deterministic: connections draw their ISNs from the session's seed.
 */
public final class SimSession implements BackendSession {
    private final SimBackend backend;
    private final SimConfig config;
    private final SplittableRandom isnRandom;
    private final VirtualClock clock = new VirtualClock();
    private final List<SockOpsProgram> sockOpsPrograms = new ArrayList<>();
    private final List<SockoptProgram> sockoptPrograms = new ArrayList<>();
    /** Snapshots read on the hot path: arrays, so dispatch does not iterate a list. */
    private SockOpsHandler[] sockOpsHandlers = new SockOpsHandler[0];
    private SockoptHandler[] sockoptHandlers = new SockoptHandler[0];
    private final List<SimConnection> connections = new ArrayList<>();
    private boolean closed;

    SimSession(SimBackend backend, SimConfig config) {
        this.backend = backend;
        this.config = config;
        this.isnRandom = new SplittableRandom(config.isnSeed());
    }

    @Override
    public Backend backend() {
        return backend;
    }

    public SimConfig config() {
        return config;
    }

    @Override
    public void attach(SockOpsProgram program) {
        Objects.requireNonNull(program, "program");
        ensureOpen();
        if (sockOpsPrograms.contains(program)) {
            throw new ProgramRejectedException("sock_ops program '" + program.name()
                    + "' is already attached to this session (a kernel answers EEXIST); detach it or attach another program");
        }
        if (program instanceof SockOpsProgram.Bytecode) {
            throw new ProgramRejectedException("sock_ops program '" + program.name()
                    + "' is bytecode, and this version of the simulator runs only the Java form "
                    + "(SockOpsProgram.Handler): its eBPF VM is the next milestone (issue 3)");
        }
        sockOpsPrograms.add(program);
        List<SockOpsHandler> handlers = new ArrayList<>();
        for (SockOpsProgram p : sockOpsPrograms) {
            handlers.add(((SockOpsProgram.Handler) p).handler());
        }
        sockOpsHandlers = handlers.toArray(new SockOpsHandler[0]);
    }

    @Override
    public void attach(SockoptProgram program) {
        Objects.requireNonNull(program, "program");
        ensureOpen();
        if (sockoptPrograms.contains(program)) {
            throw new ProgramRejectedException("setsockopt program '" + program.name()
                    + "' is already attached to this session (a kernel answers EEXIST)");
        }
        if (program instanceof SockoptProgram.Bytecode) {
            throw new ProgramRejectedException("setsockopt program '" + program.name()
                    + "' is bytecode, and this version of the simulator runs only the Java form "
                    + "(SockoptProgram.Handler): its eBPF VM is the next milestone (issue 3)");
        }
        sockoptPrograms.add(program);
        List<SockoptHandler> handlers = new ArrayList<>();
        for (SockoptProgram p : sockoptPrograms) {
            handlers.add(((SockoptProgram.Handler) p).handler());
        }
        sockoptHandlers = handlers.toArray(new SockoptHandler[0]);
    }

    @Override
    public SimConnection connect(ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        ensureOpen();
        int isn = config.fixedIsn() != null ? config.fixedIsn() : isnRandom.nextInt();
        SimConnection connection = new SimConnection(this, options, isn);
        connections.add(connection);
        return connection;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Connection c : List.copyOf(connections)) {
            c.close();
        }
        connections.clear();
        sockOpsPrograms.clear();
        sockoptPrograms.clear();
        sockOpsHandlers = new SockOpsHandler[0];
        sockoptHandlers = new SockoptHandler[0];
    }

    public boolean isClosed() {
        return closed;
    }

    void forget(SimConnection connection) {
        connections.remove(connection);
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

    private void ensureOpen() {
        if (closed) {
            throw new ConnectionClosedException("this simulator session is closed; open a new one with backend.openSession()");
        }
    }
}
