package dev.autolowat.sim.vm;

/**
 * What a program can read about a simulated socket that the TCP model itself does not keep:
 * addresses, ports, MSS and initial sequence numbers. Loopback addresses: {@code 127.0.0.1} or
 * {@code ::1}.
 *
 * @param ipv6       whether the socket is AF_INET6
 * @param localPort  the local port (host order)
 * @param remotePort the remote port (host order)
 * @param mss        the sender MSS of the connection ({@code mss_cache})
 * @param iss        the socket's own initial sequence number ({@code snd_nxt = snd_una = iss + 1}:
 *                   the model's sockets send no data of their own)
 * @param irs        the peer's initial sequence number ({@code bytes_received} counts from
 *                   {@code irs + 1})
 */
public record SocketInfo(boolean ipv6, int localPort, int remotePort, int mss, int iss, int irs) {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** {@code 127.0.0.1} as a little-endian load of its network-order bytes. */
    static final int LOOPBACK4 = 0x0100007f;
    /** The last word of {@code ::1} as a little-endian load of its network-order bytes. */
    static final int LOOPBACK6_LAST = 0x01000000;

    /** A standalone socket for tests and tools: IPv4, ports 8080 (local) and 40000 (remote). */
    public static SocketInfo loopback(int mss, int iss, int irs) {
        return new SocketInfo(false, 8080, 40000, mss, iss, irs);
    }

    int family() {
        return ipv6 ? AF_INET6 : AF_INET;
    }

    int ip4() {
        return ipv6 ? 0 : LOOPBACK4;
    }

    int ip6(int word) {
        return ipv6 && word == 3 ? LOOPBACK6_LAST : 0;
    }

    /** A port as the kernel keeps it in {@code skc_dport}: network order, loaded little-endian. */
    static int be16(int port) {
        return Short.reverseBytes((short) port) & 0xffff;
    }
}
