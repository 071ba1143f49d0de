package dev.autolowat.kernel.bpf;

import java.util.Objects;

/**
 * A kernel object this process reaches through one descriptor it owns — a map, a program, a BTF
 * blob, a cgroup attachment or link: the one place that says "a descriptor we close once". The
 * subclasses add what the object is; this class owns the {@link OwnedFd} and the closing:
 * {@link #close()} is idempotent and thread-safe, runs the subclass's {@link #beforeClose()} (a
 * detach, say) and releases the descriptor also when that fails. A subclass is built around a
 * descriptor that is already open, so a failure before the constructor leaves nothing to release
 * and one after it is the caller's {@code close()}.
 */
public abstract class FdResource implements AutoCloseable {
    private final OwnedFd fd;
    private boolean closed;

    protected FdResource(OwnedFd fd) {
        this.fd = Objects.requireNonNull(fd, "fd");
    }

    /**
     * The descriptor.
     *
     * @throws IllegalStateException when this object was closed (never a number the process may
     *                               have reused for something else)
     */
    public final int fd() {
        return fd.get();
    }

    /** Whether {@link #close()} was called. */
    public final synchronized boolean isClosed() {
        return closed;
    }

    /**
     * A close-on-exec duplicate of the descriptor with its own owner ({@link OwnedFd#dup}), for a
     * holder that must outlive this object.
     */
    protected final OwnedFd dup(String what) {
        return fd.dup(what);
    }

    /**
     * Closes once: {@link #beforeClose()}, then the descriptor — also when {@code beforeClose} throws
     * (its exception propagates). Later calls do nothing.
     */
    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            beforeClose();
        } finally {
            fd.close();
        }
    }

    /** What must happen while the descriptor is still open (e.g. {@code BPF_PROG_DETACH}); nothing by default. */
    protected void beforeClose() {
    }
}
