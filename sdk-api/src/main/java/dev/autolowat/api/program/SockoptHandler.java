package dev.autolowat.api.program;

/**
 * The simulator-only Java form of a cgroup setsockopt program (rule A2).
 */
@FunctionalInterface
public interface SockoptHandler {
    /**
     * Runs for every userspace {@code setsockopt()} on a socket of the session.
     *
     * @return 1 to let the call proceed (or complete, when consumed), 0 to fail it with EPERM
     */
    int onSetsockopt(SockoptContext ctx);
}
