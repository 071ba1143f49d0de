/**
 * Real TCP sockets over loopback, the idiomatic layer above {@link dev.autolowat.kernel.sys.LibC}:
 * {@link dev.autolowat.kernel.socket.NativeTcpPair} builds a connected pair (IPv4, IPv6 or MPTCP),
 * drives exact segments from the peer and observes the accepted socket — {@code SO_RCVLOWAT} and
 * {@code SO_RCVBUF} (rules K2, K4), level-triggered readability and edge-triggered wakeups from two
 * epoll instances (H3, H4), non-blocking and blocking {@code recv} (H5), {@code FIONREAD}.
 *
 * <p>Building a pair throws {@link dev.autolowat.kernel.socket.NativeSocketException} (or
 * {@link dev.autolowat.kernel.socket.MptcpUnavailableException}) naming the failed call and errno;
 * calls on a built pair return the kernel's result or {@code -errno}.
 */
package dev.autolowat.kernel.socket;
