package dev.autolowat.kernel.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.util.Objects;

/**
 * The C library calls the native backend makes, bound with JNA direct mapping
 * ({@code Native.register}) and exposed with the kernel's return convention: a non-negative result,
 * or {@code -errno} — never an exception for an error the kernel reports (decision D3; rules K2,
 * K4, H5 compare such values call by call). Exceptions are thrown only for misuse (null
 * arguments, out-of-range lengths).
 *
 * <p>This is the thin, typed layer over the system calls, in the manner of the JDK's
 * {@code sun.nio.ch.Net} or Netty's {@code Native}/{@code LinuxSocket}: one static method per call,
 * the C names and argument orders kept, constants as in the uapi headers for x86-64. The idiomatic
 * API sits above it ({@link dev.autolowat.kernel.socket.NativeTcpPair}).
 *
 * <p>How errors are captured: each bound function is declared {@code throws LastErrorException},
 * which makes JNA clear {@code errno} before the call and throw when it is set afterwards (direct
 * mapping does not otherwise preserve {@code errno}); the wrappers turn that into {@code -errno}.
 * glibc's socket, epoll, ioctl and {@code syscall} wrappers set {@code errno} only on failure.
 *
 * <p>Layouts (x86-64): {@code struct epoll_event} is <em>packed</em>, 12 bytes: {@code u32 events}
 * at offset 0, {@code u64 data} at offset 4 ({@link #EPOLL_EVENT_SIZE}); {@code struct pollfd} is
 * 8 bytes; {@code struct timeval} 16 bytes; socket addresses are {@link SockaddrIn} and
 * {@link SockaddrIn6}.
 */
public final class LibC {

    // ---- address families, socket types, protocols ----
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_TCP = 6;
    /** Multipath TCP: {@code socket(AF_INET[6], SOCK_STREAM, IPPROTO_MPTCP)}. */
    public static final int IPPROTO_MPTCP = 262;

    // ---- socket options ----
    public static final int SOL_SOCKET = 1;
    public static final int SOL_TCP = 6;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVLOWAT = 18;
    /** {@code SO_RCVTIMEO} ({@code SO_RCVTIMEO_OLD} on x86-64): a {@code struct timeval}. */
    public static final int SO_RCVTIMEO = 20;
    /** {@code SO_SNDTIMEO}: a {@code struct timeval}; also bounds a blocking {@code connect}. */
    public static final int SO_SNDTIMEO = 21;
    public static final int SO_PROTOCOL = 38;
    public static final int SO_DOMAIN = 39;
    public static final int TCP_NODELAY = 1;
    public static final int TCP_INFO = 11;

    // ---- send/recv flags, shutdown ----
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // ---- ioctl ----
    /** {@code FIONREAD} / {@code SIOCINQ}: bytes ready to read. */
    public static final long FIONREAD = 0x541B;
    /** {@code TIOCOUTQ} / {@code SIOCOUTQ}: bytes in the send queue not yet acknowledged. */
    public static final long SIOCOUTQ = 0x5411;

    // ---- epoll, poll ----
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLPRI = 0x2;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;
    /** {@code sizeof(struct epoll_event)} on x86-64, where it is packed. */
    public static final int EPOLL_EVENT_SIZE = 12;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLRDHUP = 0x2000;
    /** {@code sizeof(struct pollfd)}. */
    public static final int POLLFD_SIZE = 8;

    // ---- fcntl ----
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x800;
    /** {@code fcntl(fd, F_DUPFD_CLOEXEC, minFd)}: a close-on-exec duplicate of {@code fd}. */
    public static final int F_DUPFD_CLOEXEC = 1030;

    // ---- open flags (x86-64), for cgroup directories and files ----
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_CLOEXEC = 0x80000;

    // ---- syscall numbers (x86-64) ----
    public static final long SYS_GETPID = 39;
    public static final long SYS_BPF = 321;

    private static final int TIMEVAL_SIZE = 16;

    private LibC() {
    }

    /** The bound C functions. Every one may throw {@link LastErrorException}; callers go through {@link LibC}. */
    private static final class Direct {
        static {
            Native.register(Direct.class, Platform.C_LIBRARY_NAME);
        }

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native int bind(int fd, Pointer addr, int addrlen) throws LastErrorException;

        static native int listen(int fd, int backlog) throws LastErrorException;

        static native int connect(int fd, Pointer addr, int addrlen) throws LastErrorException;

        static native int accept4(int fd, Pointer addr, Pointer addrlen, int flags) throws LastErrorException;

        static native int getsockname(int fd, Pointer addr, int[] addrlen) throws LastErrorException;

        static native int getpeername(int fd, Pointer addr, int[] addrlen) throws LastErrorException;

        static native long send(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        static native long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        static native int shutdown(int fd, int how) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int setsockopt(int fd, int level, int optname, Pointer optval, int optlen)
                throws LastErrorException;

        static native int getsockopt(int fd, int level, int optname, Pointer optval, int[] optlen)
                throws LastErrorException;

        static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        static native int epoll_create1(int flags) throws LastErrorException;

        static native int epoll_ctl(int epfd, int op, int fd, Pointer event) throws LastErrorException;

        static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout) throws LastErrorException;

        static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

        /** Variadic in C; on x86-64 a fixed third integer argument is passed the same way. */
        static native int fcntl(int fd, int cmd, long arg) throws LastErrorException;

        /** Variadic in C; integer and pointer arguments travel in the same registers on x86-64. */
        static native long syscall(long number, long a1, long a2, long a3) throws LastErrorException;

        static native long syscall(long number, long a1, Pointer a2, long a3) throws LastErrorException;

        /** Variadic in C (the mode); a fixed third int argument is passed the same way on x86-64. */
        static native int open(byte[] path, int flags, int mode) throws LastErrorException;

        static native long write(int fd, Pointer buf, long count) throws LastErrorException;

        static native int mkdir(byte[] path, int mode) throws LastErrorException;

        static native int rmdir(byte[] path) throws LastErrorException;

        /** Never fails (POSIX); no errno handling. */
        static native int geteuid();

        static native int kill(int pid, int sig) throws LastErrorException;
    }

    private static int err(LastErrorException e) {
        int code = e.getErrorCode();
        // errno is always positive; a non-positive value would be a JNA fault, shown as EIO.
        return code > 0 ? -code : -5;
    }

    /** A small per-thread native buffer for option values, events and address lengths. */
    private static final ThreadLocal<Memory> SCRATCH = ThreadLocal.withInitial(() -> new Memory(64));

    private static Memory scratch() {
        Memory m = SCRATCH.get();
        m.clear();
        return m;
    }

    // ---- sockets ----

    /** {@code socket(domain, type, protocol)}: a file descriptor, or {@code -errno}. */
    public static int socket(int domain, int type, int protocol) {
        try {
            return Direct.socket(domain, type, protocol);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code bind(fd, addr, sizeof addr)}: 0 or {@code -errno}. */
    public static int bind(int fd, Sockaddr addr) {
        Objects.requireNonNull(addr, "addr");
        addr.write();
        try {
            return Direct.bind(fd, addr.getPointer(), addr.size());
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code listen(fd, backlog)}: 0 or {@code -errno}. */
    public static int listen(int fd, int backlog) {
        try {
            return Direct.listen(fd, backlog);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code connect(fd, addr, sizeof addr)}: 0 or {@code -errno}. */
    public static int connect(int fd, Sockaddr addr) {
        Objects.requireNonNull(addr, "addr");
        addr.write();
        try {
            return Direct.connect(fd, addr.getPointer(), addr.size());
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code accept4(fd, NULL, NULL, flags)}: the accepted socket's descriptor, or {@code -errno}. */
    public static int accept4(int fd, int flags) {
        try {
            return Direct.accept4(fd, Pointer.NULL, Pointer.NULL, flags);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code getsockname(fd, addr, &len)}, filling {@code addr}: 0 or {@code -errno}. */
    public static int getsockname(int fd, Sockaddr addr) {
        Objects.requireNonNull(addr, "addr");
        int[] len = {addr.size()};
        try {
            Direct.getsockname(fd, addr.getPointer(), len);
        } catch (LastErrorException e) {
            return err(e);
        }
        addr.read();
        return 0;
    }

    /** {@code getpeername(fd, addr, &len)}, filling {@code addr}: 0 or {@code -errno}. */
    public static int getpeername(int fd, Sockaddr addr) {
        Objects.requireNonNull(addr, "addr");
        int[] len = {addr.size()};
        try {
            Direct.getpeername(fd, addr.getPointer(), len);
        } catch (LastErrorException e) {
            return err(e);
        }
        addr.read();
        return 0;
    }

    /** {@code send(fd, buf, len, flags)}: bytes accepted, or {@code -errno}. */
    public static long send(int fd, Pointer buf, long len, int flags) {
        Objects.requireNonNull(buf, "buf");
        try {
            return Direct.send(fd, buf, len, flags);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /**
     * {@code recv(fd, buf, len, flags)}: bytes copied, 0 at end of stream, or {@code -errno}
     * ({@code -EAGAIN} with {@link #MSG_DONTWAIT} and nothing queued, or when {@code SO_RCVTIMEO}
     * expired before anything arrived; rule H5).
     */
    public static long recv(int fd, Pointer buf, long len, int flags) {
        Objects.requireNonNull(buf, "buf");
        try {
            return Direct.recv(fd, buf, len, flags);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code shutdown(fd, how)}: 0 or {@code -errno}. */
    public static int shutdown(int fd, int how) {
        try {
            return Direct.shutdown(fd, how);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code close(fd)}: 0 or {@code -errno} (the descriptor is released even on {@code -EINTR}). */
    public static int close(int fd) {
        try {
            return Direct.close(fd);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    // ---- socket options ----

    /** {@code setsockopt(fd, level, optname, optval, optlen)}: 0 or {@code -errno}. */
    public static int setsockopt(int fd, int level, int optname, Pointer optval, int optlen) {
        try {
            return Direct.setsockopt(fd, level, optname, optval, optlen);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /**
     * {@code getsockopt(fd, level, optname, optval, &optlen)}: 0 or {@code -errno};
     * {@code optlen[0]} is the buffer size on entry and the value's size on return.
     */
    public static int getsockopt(int fd, int level, int optname, Pointer optval, int[] optlen) {
        Objects.requireNonNull(optlen, "optlen");
        if (optlen.length != 1) {
            throw new IllegalArgumentException("optlen is a one-element array, got " + optlen.length);
        }
        try {
            return Direct.getsockopt(fd, level, optname, optval, optlen);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code setsockopt(fd, level, optname, &value, 4)} (rule K2 for SO_RCVLOWAT): 0 or {@code -errno}. */
    public static int setsockoptInt(int fd, int level, int optname, int value) {
        Memory m = scratch();
        m.setInt(0, value);
        return setsockopt(fd, level, optname, m, 4);
    }

    /**
     * {@code getsockopt(fd, level, optname)} of an int option (rule K4): the value, or
     * {@code -errno}. An option whose value can itself be negative cannot be told apart from an
     * error this way; use {@link #getsockopt(int, int, int, Pointer, int[])} for those.
     */
    public static int getsockoptInt(int fd, int level, int optname) {
        Memory m = scratch();
        int[] len = {4};
        int r = getsockopt(fd, level, optname, m, len);
        return r < 0 ? r : m.getInt(0);
    }

    /**
     * {@code setsockopt} of a {@code struct timeval} option ({@link #SO_RCVTIMEO},
     * {@link #SO_SNDTIMEO}) to {@code millis} milliseconds (0 = wait forever): 0 or {@code -errno}.
     */
    public static int setsockoptTimeval(int fd, int level, int optname, long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("a timeout is >= 0 ms, got " + millis);
        }
        Memory m = scratch();
        m.setLong(0, millis / 1000);
        m.setLong(8, (millis % 1000) * 1000);
        return setsockopt(fd, level, optname, m, TIMEVAL_SIZE);
    }

    // ---- ioctl ----

    /** {@code ioctl(fd, request, &int)} for requests that return an int: the int, or {@code -errno}. */
    public static int ioctlInt(int fd, long request) {
        Memory m = scratch();
        try {
            Direct.ioctl(fd, request, m);
        } catch (LastErrorException e) {
            return err(e);
        }
        return m.getInt(0);
    }

    /** {@code ioctl(fd, FIONREAD)}: bytes ready to read, or {@code -errno}. */
    public static int fionread(int fd) {
        return ioctlInt(fd, FIONREAD);
    }

    // ---- epoll, poll ----

    /** {@code epoll_create1(flags)}: an epoll descriptor, or {@code -errno}. */
    public static int epollCreate1(int flags) {
        try {
            return Direct.epoll_create1(flags);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /**
     * {@code epoll_ctl(epfd, op, fd, &{events, data})} with the packed 12-byte event:
     * 0 or {@code -errno}.
     */
    public static int epollCtl(int epfd, int op, int fd, int events, long data) {
        Memory m = scratch();
        m.setInt(0, events);
        m.setLong(4, data);
        try {
            return Direct.epoll_ctl(epfd, op, fd, m);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /**
     * {@code epoll_wait(epfd, events, maxEvents, timeoutMillis)}: the number of events written to
     * {@code events} (read them with {@link #epollEvents} and {@link #epollData}), or {@code -errno}.
     * {@code timeoutMillis} 0 returns at once, -1 waits forever.
     *
     * @throws IllegalArgumentException when {@code events} is smaller than {@code maxEvents} events
     */
    public static int epollWait(int epfd, Memory events, int maxEvents, int timeoutMillis) {
        Objects.requireNonNull(events, "events");
        if (maxEvents < 1 || (long) maxEvents * EPOLL_EVENT_SIZE > events.size()) {
            throw new IllegalArgumentException("room for " + events.size() / EPOLL_EVENT_SIZE
                    + " events, asked for " + maxEvents);
        }
        try {
            return Direct.epoll_wait(epfd, events, maxEvents, timeoutMillis);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** The {@code events} word of the {@code index}-th packed {@code struct epoll_event} in {@code events}. */
    public static int epollEvents(Pointer events, int index) {
        return events.getInt((long) index * EPOLL_EVENT_SIZE);
    }

    /** The {@code data} word of the {@code index}-th packed {@code struct epoll_event} in {@code events}. */
    public static long epollData(Pointer events, int index) {
        return events.getLong((long) index * EPOLL_EVENT_SIZE + 4);
    }

    /**
     * {@code poll(&{fd, events}, 1, timeoutMillis)} on one descriptor: the returned
     * {@code revents} (0 on timeout), or {@code -errno}. With timeout 0 it only asks the socket's
     * {@code poll} method and registers nothing, so it does not disturb epoll observations.
     */
    public static int pollOne(int fd, short events, int timeoutMillis) {
        Memory m = scratch();
        m.setInt(0, fd);
        m.setShort(4, events);
        m.setShort(6, (short) 0);
        int n;
        try {
            n = Direct.poll(m, 1, timeoutMillis);
        } catch (LastErrorException e) {
            return err(e);
        }
        return n == 0 ? 0 : Short.toUnsignedInt(m.getShort(6));
    }

    // ---- fcntl, syscall ----

    /** {@code fcntl(fd, cmd, arg)}: the command's result, or {@code -errno}. */
    public static int fcntl(int fd, int cmd, long arg) {
        try {
            return Direct.fcntl(fd, cmd, arg);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code syscall(number, a1, a2, a3)}: the result, or {@code -errno}. */
    public static long syscall(long number, long a1, long a2, long a3) {
        try {
            return Direct.syscall(number, a1, a2, a3);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /**
     * {@code syscall(number, a1, ptr, a3)}, the shape of {@code bpf(cmd, &attr, size)}: the result,
     * or {@code -errno}.
     */
    public static long syscall(long number, long a1, Pointer a2, long a3) {
        try {
            return Direct.syscall(number, a1, a2, a3);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    // ---- files and directories (cgroup v2 control files), identity ----

    /** A path as the NUL-terminated bytes the kernel takes (UTF-8, the JVM's usual file name encoding). */
    private static byte[] cPath(String path) {
        Objects.requireNonNull(path, "path");
        byte[] b = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte x : b) {
            if (x == 0) {
                throw new IllegalArgumentException("a path must not contain NUL: " + path);
            }
        }
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    /** {@code open(path, flags, 0)}: a descriptor, or {@code -errno}. Pass {@link #O_CLOEXEC}. */
    public static int open(String path, int flags) {
        byte[] p = cPath(path);
        try {
            return Direct.open(p, flags, 0);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code write(fd, buf, count)}: bytes written, or {@code -errno}. */
    public static long write(int fd, Pointer buf, long count) {
        Objects.requireNonNull(buf, "buf");
        try {
            return Direct.write(fd, buf, count);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /**
     * Writes {@code text} (ASCII, e.g. a pid for {@code cgroup.procs}) with one {@code write()}
     * call: the bytes written, or {@code -errno}. Control files of cgroupfs take one value per write.
     */
    public static long writeString(int fd, String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (Memory m = new Memory(Math.max(1, b.length))) {
            m.write(0, b, 0, b.length);
            return write(fd, m, b.length);
        }
    }

    /** {@code mkdir(path, mode)}: 0 or {@code -errno}. */
    public static int mkdir(String path, int mode) {
        byte[] p = cPath(path);
        try {
            return Direct.mkdir(p, mode);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code rmdir(path)}: 0 or {@code -errno} ({@code -EBUSY} for a cgroup that still has tasks or children). */
    public static int rmdir(String path) {
        byte[] p = cPath(path);
        try {
            return Direct.rmdir(p);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code SIGKILL}. */
    public static final int SIGKILL = 9;
    /** {@code SIGSTOP}: freezes a process (it cannot catch it), e.g. to read its descriptors before killing it. */
    public static final int SIGSTOP = 19;

    /** {@code kill(pid, sig)}: 0 or {@code -errno}. */
    public static int kill(long pid, int sig) {
        try {
            return Direct.kill((int) pid, sig);
        } catch (LastErrorException e) {
            return err(e);
        }
    }

    /** {@code geteuid()}: the effective user id (0 = root). */
    public static int geteuid() {
        return Direct.geteuid();
    }

    /** {@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}: a close-on-exec duplicate, or {@code -errno}. */
    public static int dupCloexec(int fd) {
        return fcntl(fd, F_DUPFD_CLOEXEC, 0);
    }
}
