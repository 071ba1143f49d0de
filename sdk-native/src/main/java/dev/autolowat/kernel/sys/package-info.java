/**
 * The thin, typed layer over the system calls the native backend needs, bound with JNA direct
 * mapping: {@link dev.autolowat.kernel.sys.LibC} (sockets, socket options, {@code ioctl},
 * epoll, poll, {@code fcntl}, {@code syscall} for {@code bpf(2)}), the C structures
 * {@link dev.autolowat.kernel.sys.SockaddrIn} / {@link dev.autolowat.kernel.sys.SockaddrIn6},
 * and {@link dev.autolowat.kernel.sys.ErrnoNames} for messages.
 *
 * <p>Every call returns what the kernel returns — a non-negative result or {@code -errno} — so
 * that the native backend and the simulator can be compared call by call (decision D3; rules K2,
 * K4, H5). Exceptions mean misuse. Layouts and constants are those of Linux on x86-64
 * ({@code struct epoll_event} is packed there: 12 bytes).
 */
package dev.autolowat.kernel.sys;
