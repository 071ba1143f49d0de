package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendRole;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.kernel.sysfs.NetSysctls;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backends the conformance suite compares, and the simulator configured as another backend's
 * machine (the reference of every differential pair "sim ↔ backend").
 */
public final class Backends {
    private Backends() {
    }

    /** Every backend found with {@link java.util.ServiceLoader} ({@code sim}, {@code native}, ...), in class-path order. */
    public static List<Backend> discover() {
        return Backend.installed();
    }

    /**
     * Whether {@code b} is a correct simulator — a model ({@link BackendRole#REFERENCE_MODEL}), never
     * compared with itself. A simulator with {@link dev.autolowat.sim.SimFault faults} injected is not:
     * it is a deliberately broken backend (see {@link #isMutant}), compared with the correct simulator
     * like any other backend.
     */
    public static boolean isSimulator(Backend b) {
        return b.role() == BackendRole.REFERENCE_MODEL;
    }

    /** Whether {@code b} is a test-only mutant ({@link BackendRole#MUTANT}, e.g. {@code sim+hook_after_wakeup}). */
    public static boolean isMutant(Backend b) {
        return b.role() == BackendRole.MUTANT;
    }

    /**
     * The simulator as {@code other}'s machine: for a kernel, {@link #simConfigFor} it. For a model,
     * that model; for a mutant ({@link #isMutant}), the same machine without its faults (both:
     * {@link Backend#referenceModel()}).
     */
    public static Backend simulatorFor(Backend other) {
        return other.referenceModel().orElseGet(() -> new SimBackend(simConfigFor(other)));
    }

    /**
     * The simulator's configuration as {@code kernel}'s machine: this machine's sysctls
     * ({@code tcp_rmem}, {@code rmem_max}, read with {@link NetSysctls}) and the series exactly when the
     * kernel has it ({@code SimConfig.withSeries}); the MSS stays the simulator's loopback default (no
     * scenario of the exact regime comes near it), and what the kernel measures where versions differ
     * ({@link #measuredOn}).
     */
    static SimConfig simConfigFor(Backend kernel) {
        return measuredOn(kernel, thisMachine().withSeries(kernel.capabilities().kernelHasSeries()));
    }

    /**
     * The kernel-version facts of one kernel (decision D10), measured once per backend name and JVM in
     * one session: whether a SOCKMAP member's FIONREAD counts the receive queue, and the rcvbufs the
     * {@link #OVERHEAD_PROBE_SEGMENTS} probes grew to ({@code null} when that measurement failed).
     */
    private record KernelFacts(boolean sockmapInqCountsReceiveQueue, int[] probeRcvbufs) {
    }

    private static final Map<String, KernelFacts> MEASURED = new ConcurrentHashMap<>();

    /**
     * The segments the skb-overhead probe queues, one per connection: big enough that the kernel
     * re-learns its scaling ratio from them, and two neighbouring sizes so that the integer ratios pin
     * the overhead down to a byte or two.
     */
    static final int[] OVERHEAD_PROBE_SEGMENTS = {1445, 1444};
    /** The SO_RCVLOWAT the skb-overhead probe sets: it grows sk_rcvbuf through the learned ratio (K2). */
    static final int OVERHEAD_PROBE_LOWAT = 100_000;

    /**
     * {@code machine} with what {@code kernel} measures where kernel versions differ and the contract
     * does not speak (D10); the reference machine's value for anything the backend cannot measure.
     * <ul>
     *   <li>SOCKMAP FIONREAD: one byte queued, the socket added to the backend's SOCKMAP, FIONREAD read.
     *       Debian's 6.12.117 answers 1 ({@code tcp_bpf_ioctl()} adds {@code tcp_inq()} without a verdict
     *       program), the 6.18 reference machine 0.</li>
     *   <li>The skb overhead (truesize beyond the payload, the simulator's {@code skbOverhead}), through
     *       the only place it shows in the contract's observations: the scaling ratio the kernel learns
     *       from a segment ({@code len * 256 / truesize}) sets how much SO_RCVLOWAT grows
     *       {@code sk_rcvbuf} ({@code lowat * 256 / ratio}, K2). Per size in
     *       {@link #OVERHEAD_PROBE_SEGMENTS}: one connection, one segment,
     *       {@code setsockopt(SO_RCVLOWAT, }{@value #OVERHEAD_PROBE_LOWAT}{@code )}, SO_RCVBUF. The
     *       reference machine measures 576 bytes, Debian's 6.12.117 896.</li>
     * </ul>
     */
    static SimConfig measuredOn(Backend kernel, SimConfig machine) {
        KernelFacts facts = MEASURED.computeIfAbsent(kernel.name(), name -> measure(kernel));
        int overhead = facts.probeRcvbufs() == null ? machine.skbOverhead()
                : overheadFromRcvbuf(OVERHEAD_PROBE_SEGMENTS, OVERHEAD_PROBE_LOWAT, facts.probeRcvbufs(), machine.skbOverhead());
        return machine.withSockmapInqCountsReceiveQueue(facts.sockmapInqCountsReceiveQueue()).withSkbOverhead(overhead);
    }

    private static KernelFacts measure(Backend kernel) {
        boolean sockmapInq = false;
        int[] rcvbufs = null;
        try (BackendSession session = kernel.openSession()) {
            Connection member = session.connect(ConnectOptions.IPV4);
            sockmapInq = member.send(new byte[]{1}, 1) == 1 && member.addToSockmap() == 0
                    && member.observe().queuedBytes() == 1;
            int[] grown = new int[OVERHEAD_PROBE_SEGMENTS.length];
            for (int i = 0; i < grown.length; i++) {
                int len = OVERHEAD_PROBE_SEGMENTS[i];
                Connection c = session.connect(ConnectOptions.IPV4);
                if (c.send(new byte[len], len) != len || c.setRcvLowat(OVERHEAD_PROBE_LOWAT) != 0) {
                    return new KernelFacts(sockmapInq, null);
                }
                grown[i] = c.observe().rcvBuf();
            }
            rcvbufs = grown;
        } catch (RuntimeException e) {
            // the backend cannot run it (no root, no cgroup2...): what was measured stays, the rest
            // keeps the reference machine's values; the F2 and K2 checks then show any difference
        }
        return new KernelFacts(sockmapInq, rcvbufs);
    }

    /**
     * The skb overhead for which every segment of {@code lens[i]} bytes gives the ratio
     * ({@code len * 256 / (len + overhead)}) that turns SO_RCVLOWAT {@code lowat} into {@code rcvbufs[i]}
     * ({@code lowat * 256 / ratio}), as the kernel's integer arithmetic does — the largest such value
     * (truesize is the upper end of what a ratio allows when the ratio is the floor of len*256/truesize
     * at its largest); {@code fallback} when none fits (e.g. the buffer did not grow).
     */
    static int overheadFromRcvbuf(int[] lens, int lowat, int[] rcvbufs, int fallback) {
        int best = -1;
        candidates:
        for (int overhead = 0; overhead <= 8 * lens[0]; overhead++) {
            for (int i = 0; i < lens.length; i++) {
                long ratio = ((long) lens[i] << 8) / (lens[i] + overhead);
                if (ratio < 1 || ratio > 255 || ((long) lowat << 8) / ratio != rcvbufs[i]) {
                    continue candidates;
                }
            }
            best = overhead;
        }
        return best < 0 ? fallback : best;
    }

    private static volatile SimConfig machine;

    /**
     * {@link SimConfig#DEFAULT} with this machine's {@code tcp_rmem} and {@code rmem_max} (read once per
     * JVM); the reference machine's values where {@code /proc/sys} cannot be read.
     */
    public static SimConfig thisMachine() {
        SimConfig c = machine;
        if (c == null) {
            c = SimConfig.DEFAULT;
            try {
                NetSysctls s = NetSysctls.read();
                c = c.withTcpRmem(s.tcpRmemMin(), s.tcpRmemDefault(), s.tcpRmemMax()).withRmemMax(s.rmemMax());
            } catch (RuntimeException e) {
                // not Linux, or /proc/sys unreadable: the reference machine's values stay
            }
            machine = c;
        }
        return c;
    }
}
