package dev.autolowat.sim;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The simulated machine: sysctls, link and model parameters. Defaults are the values measured on
 * the reference machine ({@code kernel-facts.md}): {@code net.core.rmem_max = 4194304},
 * {@code net.ipv4.tcp_rmem = 4096 131072 33554432}, loopback MSS 65483.
 *
 * @param tcpRmemMin       {@code tcp_rmem[0]}
 * @param tcpRmemDefault   {@code tcp_rmem[1]}: the initial {@code sk_rcvbuf}
 * @param tcpRmemMax       {@code tcp_rmem[2]}: {@code tcp_rmem[2]/2} caps rcvlowat when SO_RCVBUF was
 *                         not set (K1/K2)
 * @param rmemMax          {@code net.core.rmem_max}: bounds a user SO_RCVBUF (K4)
 * @param mssIpv4          sender MSS over IPv4 loopback
 * @param mssIpv6          sender MSS over IPv6 loopback (IPv6 headers are 20 bytes longer)
 * @param kernelHasSeries  whether the simulated kernel carries the AutoLOWAT series (op 21, flag
 *                         0x80, the kfunc). {@code false} simulates a stock kernel (F1 probing).
 * @param skbOverhead      bytes of {@code truesize} charged per queued segment beyond its payload
 *                         (the model's approximation of {@code SKB_TRUESIZE}; see docs/simulator.md)
 * @param isnSeed          seed of the initial sequence numbers: same seed, same scenario, same
 *                         observations
 * @param fixedIsn         when non-null, every connection's peer ISN (to test wraparound, H6)
 * @param faults           deliberate defects, only to test conformance suites ({@link SimFault}); empty
 *                         (the default) for a correct simulator. {@code null} means empty; the set is
 *                         copied and unmodifiable, iterated in declaration order.
 * @param sockmapInqCountsReceiveQueue whether {@code ioctl(FIONREAD)} on a SOCKMAP member without a
 *                         verdict program also counts {@code sk_receive_queue} ({@code tcp_inq}), as
 *                         Debian's 6.12.117 {@code tcp_bpf_ioctl()} does; {@code false} (the default)
 *                         is the 6.18 reference machine, which answers the psock's queue only (0).
 *                         A kernel-version difference, measured per machine by the conformance
 *                         suite (docs/kernel.md).
 */
public record SimConfig(int tcpRmemMin, int tcpRmemDefault, int tcpRmemMax, int rmemMax, int mssIpv4, int mssIpv6,
                        boolean kernelHasSeries, int skbOverhead, long isnSeed, Integer fixedIsn,
                        Set<SimFault> faults, boolean sockmapInqCountsReceiveQueue) {

    /** The reference machine with the series. */
    public static final SimConfig DEFAULT = new SimConfig(4096, 131072, 33554432, 4194304, 65483, 65463,
            true, 576, 0x5eed_a070_10a7L, null, Set.of(), false);

    /** A correct simulator (no {@link SimFault faults}): the form of the constructor before fault injection. */
    public SimConfig(int tcpRmemMin, int tcpRmemDefault, int tcpRmemMax, int rmemMax, int mssIpv4, int mssIpv6,
                     boolean kernelHasSeries, int skbOverhead, long isnSeed, Integer fixedIsn) {
        this(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mssIpv4, mssIpv6, kernelHasSeries, skbOverhead,
                isnSeed, fixedIsn, Set.of(), false);
    }

    public SimConfig {
        if (tcpRmemMin <= 0 || tcpRmemDefault < tcpRmemMin || tcpRmemMax < tcpRmemDefault) {
            throw new IllegalArgumentException("tcp_rmem must be positive and ordered min <= default <= max, got "
                    + tcpRmemMin + " " + tcpRmemDefault + " " + tcpRmemMax);
        }
        if (rmemMax <= 0) {
            throw new IllegalArgumentException("rmem_max must be positive, got " + rmemMax);
        }
        if (mssIpv4 < 88 || mssIpv6 < 88) {
            throw new IllegalArgumentException("MSS must be at least TCP_MIN_MSS (88), got " + mssIpv4 + "/" + mssIpv6);
        }
        if (skbOverhead < 0) {
            throw new IllegalArgumentException("skbOverhead must not be negative, got " + skbOverhead);
        }
        faults = copyOf(faults);
    }

    private static Set<SimFault> copyOf(Collection<SimFault> faults) {
        if (faults == null || faults.isEmpty()) {
            return Collections.unmodifiableSet(EnumSet.noneOf(SimFault.class));
        }
        EnumSet<SimFault> copy = EnumSet.noneOf(SimFault.class);
        for (SimFault fault : faults) {
            copy.add(Objects.requireNonNull(fault, "faults must not contain null"));
        }
        return Collections.unmodifiableSet(copy);
    }

    public SimConfig withSeries(boolean hasSeries) {
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mssIpv4, mssIpv6, hasSeries,
                skbOverhead, isnSeed, fixedIsn, faults, sockmapInqCountsReceiveQueue);
    }

    public SimConfig withTcpRmem(int min, int def, int max) {
        return new SimConfig(min, def, max, rmemMax, mssIpv4, mssIpv6, kernelHasSeries, skbOverhead, isnSeed,
                fixedIsn, faults, sockmapInqCountsReceiveQueue);
    }

    public SimConfig withRmemMax(int value) {
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, value, mssIpv4, mssIpv6, kernelHasSeries,
                skbOverhead, isnSeed, fixedIsn, faults, sockmapInqCountsReceiveQueue);
    }

    /** The same MSS for both families. */
    public SimConfig withMss(int mss) {
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mss, mss, kernelHasSeries,
                skbOverhead, isnSeed, fixedIsn, faults, sockmapInqCountsReceiveQueue);
    }

    public SimConfig withIsnSeed(long seed) {
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mssIpv4, mssIpv6, kernelHasSeries,
                skbOverhead, seed, fixedIsn, faults, sockmapInqCountsReceiveQueue);
    }

    /** Every connection's peer starts at {@code isn} (u32), e.g. near 2^32 to test wraparound (H6). */
    public SimConfig withFixedIsn(int isn) {
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mssIpv4, mssIpv6, kernelHasSeries,
                skbOverhead, isnSeed, isn, faults, sockmapInqCountsReceiveQueue);
    }

    /**
     * The same machine with exactly these {@link SimFault faults} (replacing any set before; none =
     * a correct simulator). Only to build deliberately broken backends that test conformance suites.
     */
    public SimConfig withFaults(SimFault... faults) {
        Objects.requireNonNull(faults, "faults");
        return withFaults(Arrays.asList(faults));
    }

    /** As {@link #withFaults(SimFault...)}. */
    public SimConfig withFaults(Collection<SimFault> faults) {
        Objects.requireNonNull(faults, "faults");
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mssIpv4, mssIpv6, kernelHasSeries,
                skbOverhead, isnSeed, fixedIsn, copyOf(faults), sockmapInqCountsReceiveQueue);
    }

    /** The same machine with {@code bytes} of truesize per queued segment beyond its payload (see {@link #skbOverhead()}). */
    public SimConfig withSkbOverhead(int bytes) {
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mssIpv4, mssIpv6, kernelHasSeries,
                bytes, isnSeed, fixedIsn, faults, sockmapInqCountsReceiveQueue);
    }

    /** The same machine with the given SOCKMAP FIONREAD behaviour (see {@link #sockmapInqCountsReceiveQueue()}). */
    public SimConfig withSockmapInqCountsReceiveQueue(boolean value) {
        return new SimConfig(tcpRmemMin, tcpRmemDefault, tcpRmemMax, rmemMax, mssIpv4, mssIpv6, kernelHasSeries,
                skbOverhead, isnSeed, fixedIsn, faults, value);
    }

    /** Whether {@code fault} is injected. */
    public boolean hasFault(SimFault fault) {
        return faults.contains(fault);
    }

    /** The lowat cap when SO_RCVBUF was not set (K1/K2): {@code tcp_rmem[2] / 2}. */
    public int lowatCapUnlocked() {
        return tcpRmemMax >> 1;
    }
}
