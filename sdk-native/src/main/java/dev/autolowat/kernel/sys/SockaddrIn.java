package dev.autolowat.kernel.sys;

import com.sun.jna.Structure;

import java.net.InetAddress;

/**
 * {@code struct sockaddr_in} (16 bytes): family, port (network order), IPv4 address (network
 * order), 8 bytes of padding.
 */
@Structure.FieldOrder({"sin_family", "sin_port", "sin_addr", "sin_zero"})
public final class SockaddrIn extends Sockaddr {
    /** Size of the C structure. */
    public static final int SIZE = 16;

    public short sin_family = (short) LibC.AF_INET;
    /** Network byte order. */
    public short sin_port;
    /** Network byte order (the bytes as written: 127, 0, 0, 1). */
    public byte[] sin_addr = new byte[4];
    public byte[] sin_zero = new byte[8];

    public SockaddrIn() {
    }

    /** {@code 127.0.0.1:port}. */
    public static SockaddrIn loopback(int port) {
        SockaddrIn s = new SockaddrIn();
        s.sin_port = toNetworkOrder(port);
        s.sin_addr = new byte[]{127, 0, 0, 1};
        return s;
    }

    @Override
    public int family() {
        return Short.toUnsignedInt(sin_family);
    }

    @Override
    public int port() {
        return fromNetworkOrder(sin_port);
    }

    @Override
    public InetAddress address() {
        return address(sin_addr.clone());
    }
}
