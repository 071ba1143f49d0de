package dev.autolowat.api.spi;

import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;

import java.util.Set;

/**
 * A session of a backend: programs attached to it run for every connection made in it
 * (rule H6: cgroup semantics). Closing the session closes its connections and detaches its
 * programs, also after failures.
 *
 * <p><b>Threads</b> follow {@link Connection}'s rules: the native backend's sessions are thread-safe
 * ({@link #close()} may race any call on the session or its connections, which then throw
 * {@link dev.autolowat.api.ConnectionClosedException}); the simulator's are confined to one thread
 * at a time. A session that is never closed is released by the backend when it becomes unreachable
 * (the native backend uses a {@link java.lang.ref.Cleaner}), but close it: until then it holds what
 * it holds.
 */
public interface BackendSession extends AutoCloseable {
    /** The backend this session belongs to. */
    Backend backend();

    /**
     * Attaches a sock_ops program. Programs run in attach order.
     *
     * @throws dev.autolowat.api.ProgramRejectedException when this program is already attached,
     *         its form is not supported by this backend, or it needs a missing kernel feature
     */
    void attach(SockOpsProgram program);

    /** Attaches a cgroup setsockopt program (rule A2's enable path); as {@link #attach(SockOpsProgram)}. */
    void attach(SockoptProgram program);

    /** Attaches both programs of a policy. */
    default void attach(Policy policy) {
        attach(policy.sockOps());
        policy.enablePath().ifPresent(this::attach);
    }

    /**
     * Creates a connected TCP pair over loopback: the peer (client) and the accepted socket, on
     * which {@link Connection} operates. The ESTABLISHED callbacks run during this call.
     */
    Connection connect(ConnectOptions options);

    /**
     * The maps the attached programs declared, by name, with userspace lookup, update and iteration
     * (a live view: it grows as programs are attached). Programs share a map by name (H6). Once the
     * session is closed, the view and its maps throw {@link dev.autolowat.api.ConnectionClosedException}.
     */
    SessionMaps maps();

    /** The {@link SessionOption}s this session accepts: its backend's {@link Backend#supportedOptions()}. */
    default Set<SessionOption<?>> supportedOptions() {
        return backend().supportedOptions();
    }

    /**
     * Sets {@code option} for what this session does from now on (see each option).
     *
     * @return this session
     * @throws UnsupportedOperationException when the backend does not offer {@code option} (the
     *         message names the options it offers)
     * @throws dev.autolowat.api.ConnectionClosedException when the session is closed
     */
    <T> BackendSession setOption(SessionOption<T> option, T value);

    /**
     * The current value of {@code option}.
     *
     * @throws UnsupportedOperationException when the backend does not offer {@code option}
     */
    <T> T getOption(SessionOption<T> option);

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /**
     * Closes every connection and detaches every program. Idempotent; any other call afterwards
     * throws {@link dev.autolowat.api.ConnectionClosedException}.
     */
    @Override
    void close();
}
