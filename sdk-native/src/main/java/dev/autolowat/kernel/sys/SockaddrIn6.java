package dev.autolowat.kernel.sys;

import com.sun.jna.Structure;

import java.net.InetAddress;

/**
 * {@code struct sockaddr_in6} (28 bytes): family, port (network order), flow info, IPv6 address
 * (network order), scope id.
 */
@Structure.FieldOrder({"sin6_family", "sin6_port", "sin6_flowinfo", "sin6_addr", "sin6_scope_id"})
public final class SockaddrIn6 extends Sockaddr {
    /** Size of the C structure. */
    public static final int SIZE = 28;

    public short sin6_family = (short) LibC.AF_INET6;
    /** Network byte order. */
    public short sin6_port;
    public int sin6_flowinfo;
    public byte[] sin6_addr = new byte[16];
    public int sin6_scope_id;

    public SockaddrIn6() {
    }

    /** {@code [::1]:port}. */
    public static SockaddrIn6 loopback(int port) {
        SockaddrIn6 s = new SockaddrIn6();
        s.sin6_port = toNetworkOrder(port);
        s.sin6_addr = new byte[16];
        s.sin6_addr[15] = 1;
        return s;
    }

    @Override
    public int family() {
        return Short.toUnsignedInt(sin6_family);
    }

    @Override
    public int port() {
        return fromNetworkOrder(sin6_port);
    }

    @Override
    public InetAddress address() {
        return address(sin6_addr.clone());
    }
}
