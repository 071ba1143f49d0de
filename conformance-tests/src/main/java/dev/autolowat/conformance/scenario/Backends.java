package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;
import dev.autolowat.kernel.sysfs.NetSysctls;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backends the conformance suite compares, and the simulator configured as another backend's
 * machine (the reference of every differential pair "sim ↔ backend").
 */
public final class Backends {
    private Backends() {
    }

    /** Every backend found with {@link ServiceLoader} ({@code sim}, {@code native}, ...), in class-path order. */
    public static List<Backend> discover() {
        return ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /**
     * Whether {@code b} is a correct simulator (a model, never compared with itself). A simulator with
     * {@link dev.autolowat.sim.SimFault faults} injected is not: it is a deliberately broken backend
     * (see {@link #isMutant}), compared with the correct simulator like any other backend.
     */
    public static boolean isSimulator(Backend b) {
        return b instanceof SimBackend s && s.config().faults().isEmpty();
    }

    /** Whether {@code b} is a simulator with faults injected: a test-only mutant ({@code sim+hook_after_wakeup}). */
    public static boolean isMutant(Backend b) {
        return b instanceof SimBackend s && !s.config().faults().isEmpty();
    }

    /**
     * The simulator as {@code other}'s machine: for a kernel, this machine's sysctls ({@code tcp_rmem},
     * {@code rmem_max}, read with {@link NetSysctls}) and the series exactly when the kernel has it
     * ({@code SimConfig.withSeries}); the MSS stays the simulator's loopback default (no scenario of the
     * exact regime comes near it). For a simulator, that simulator; for a mutant ({@link #isMutant}), the
     * same machine without its faults.
     */
    public static SimBackend simulatorFor(Backend other) {
        if (other instanceof SimBackend s) {
            return s.config().faults().isEmpty() ? s : new SimBackend(s.config().withFaults());
        }
        return new SimBackend(thisMachine().withSeries(other.capabilities().kernelHasSeries())
                .withSockmapInqCountsReceiveQueue(sockmapInqCountsReceiveQueue(other)));
    }

    private static final Map<String, Boolean> SOCKMAP_INQ = new ConcurrentHashMap<>();

    /**
     * Measures, once per backend name and JVM, whether {@code kernel}'s {@code ioctl(FIONREAD)} on a
     * SOCKMAP member without a verdict program counts the receive queue: one byte queued, the socket
     * added to the backend's SOCKMAP, FIONREAD read. Debian's 6.12.117 answers 1, the 6.18 reference
     * machine 0 (a kernel-version difference, docs/kernel.md). {@code false} (the reference machine)
     * when the backend cannot run the measurement; the F2 check then shows any difference.
     */
    static boolean sockmapInqCountsReceiveQueue(Backend kernel) {
        return SOCKMAP_INQ.computeIfAbsent(kernel.name(), name -> {
            try (BackendSession session = kernel.openSession()) {
                Connection c = session.connect(ConnectOptions.IPV4);
                return c.send(new byte[]{1}, 1) == 1 && c.addToSockmap() == 0 && c.observe().queuedBytes() == 1;
            } catch (RuntimeException e) {
                return false;
            }
        });
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
