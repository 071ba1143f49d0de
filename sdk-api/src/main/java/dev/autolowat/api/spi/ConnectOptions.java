package dev.autolowat.api.spi;

import java.util.Objects;

/**
 * How to create a connected pair.
 *
 * @param family IPv4 or IPv6 loopback
 * @param mptcp  whether both ends are MPTCP sockets (F3: RCVQ cannot be enabled on them)
 */
public record ConnectOptions(Family family, boolean mptcp) {
    public static final ConnectOptions IPV4 = new ConnectOptions(Family.INET, false);
    public static final ConnectOptions IPV6 = new ConnectOptions(Family.INET6, false);

    public ConnectOptions {
        Objects.requireNonNull(family, "family");
    }

    public static ConnectOptions of(Family family) {
        return new ConnectOptions(family, false);
    }

    public ConnectOptions withMptcp(boolean mptcp) {
        return new ConnectOptions(family, mptcp);
    }
}
