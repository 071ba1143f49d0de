package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.kernel.sysfs.NetSysctls;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;

import java.util.List;
import java.util.ServiceLoader;

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
        return new SimBackend(thisMachine().withSeries(other.capabilities().kernelHasSeries()));
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
