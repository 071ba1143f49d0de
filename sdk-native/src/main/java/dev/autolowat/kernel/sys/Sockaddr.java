package dev.autolowat.kernel.sys;

import com.sun.jna.Structure;
import dev.autolowat.api.spi.Family;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A socket address as the kernel takes it ({@code struct sockaddr_in} or {@code sockaddr_in6}),
 * for {@link LibC#bind}, {@link LibC#connect} and {@link LibC#getsockname}. The port is kept in
 * network byte order in the structure, as in C; {@link #port()} returns it in host order.
 */
public abstract class Sockaddr extends Structure {

    Sockaddr() {
    }

    /** The loopback address of {@code family} ({@code 127.0.0.1} or {@code ::1}) and {@code port} (0 = any). */
    public static Sockaddr loopback(Family family, int port) {
        Objects.requireNonNull(family, "family");
        return family == Family.INET ? SockaddrIn.loopback(port) : SockaddrIn6.loopback(port);
    }

    /** An empty address of {@code family}, to be filled by {@link LibC#getsockname}. */
    public static Sockaddr empty(Family family) {
        Objects.requireNonNull(family, "family");
        return family == Family.INET ? new SockaddrIn() : new SockaddrIn6();
    }

    /** {@code AF_INET} or {@code AF_INET6}, as stored in the structure. */
    public abstract int family();

    /** The port, in host byte order. */
    public abstract int port();

    /** The address. */
    public abstract InetAddress address();

    /** {@code htons}/{@code ntohs}: swaps the two bytes of a 16-bit value on a little-endian host. */
    static short toNetworkOrder(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("a port is 0..65535, got " + port);
        }
        short s = (short) port;
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? Short.reverseBytes(s) : s;
    }

    static int fromNetworkOrder(short networkOrder) {
        short s = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN
                ? Short.reverseBytes(networkOrder) : networkOrder;
        return Short.toUnsignedInt(s);
    }

    static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("bad address length " + raw.length, e);
        }
    }

    @Override
    public String toString() {
        InetAddress a = address();
        return (family() == LibC.AF_INET6 ? "[" + a.getHostAddress() + "]" : a.getHostAddress()) + ":" + port();
    }
}
