package dev.autolowat.kernel.bpf;

import dev.autolowat.kernel.KernelEnvironmentException;
import dev.autolowat.kernel.sys.ErrnoNames;
import dev.autolowat.kernel.sys.LibC;

/**
 * A file descriptor with one owner, closed exactly once (cilium/ebpf's {@code sys.FD}): the
 * typed objects ({@link KernelMap}, {@link BpfProgram}, {@link BpfBtf}, the cgroup attachments) hold
 * one each, through their common base {@link FdResource}. {@link #close()} is idempotent and thread-safe; using a closed descriptor is an
 * {@link IllegalStateException} naming what it was, never a call on a number the process may have
 * reused for something else.
 */
public final class OwnedFd implements AutoCloseable {
    private final String what;
    private int fd;

    /**
     * Takes ownership of {@code fd}.
     *
     * @param what what the descriptor is, for messages ("map 'ops'", "cgroup /sys/fs/cgroup/x")
     */
    public OwnedFd(int fd, String what) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd + " (" + what + ")");
        }
        this.fd = fd;
        this.what = what;
    }

    /**
     * Opens {@code path} with {@code flags} ({@code O_CLOEXEC} is added).
     *
     * @throws KernelEnvironmentException naming the path and the errno when {@code open} fails
     */
    public static OwnedFd open(String path, int flags, String what) {
        int fd = LibC.open(path, flags | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new KernelEnvironmentException("open(" + path + ") failed with " + ErrnoNames.name(-fd) + " (" + -fd
                    + ") while opening " + what);
        }
        return new OwnedFd(fd, what);
    }

    /**
     * The descriptor number.
     *
     * @throws IllegalStateException when it was closed
     */
    public synchronized int get() {
        if (fd < 0) {
            throw new IllegalStateException(what + " is closed");
        }
        return fd;
    }

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return fd < 0;
    }

    /** What the descriptor is, as given. */
    public String what() {
        return what;
    }

    /**
     * A close-on-exec duplicate ({@code F_DUPFD_CLOEXEC}) with its own owner.
     *
     * @throws KernelEnvironmentException when {@code fcntl} fails ({@code EMFILE})
     */
    public synchronized OwnedFd dup(String what) {
        int d = LibC.dupCloexec(get());
        if (d < 0) {
            throw new KernelEnvironmentException("fcntl(" + fd + ", F_DUPFD_CLOEXEC) failed with "
                    + ErrnoNames.name(-d) + " (" + -d + ") while duplicating " + this.what);
        }
        return new OwnedFd(d, what);
    }

    /** Closes the descriptor once; later calls do nothing. The kernel releases it even on EINTR. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
    }

    @Override
    public synchronized String toString() {
        return what + (fd < 0 ? " (closed)" : " (fd " + fd + ")");
    }
}
