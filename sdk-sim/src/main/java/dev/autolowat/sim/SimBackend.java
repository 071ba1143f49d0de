package dev.autolowat.sim;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.BackendRole;
import dev.autolowat.api.spi.Capabilities;
import dev.autolowat.api.spi.SessionOption;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The in-JVM backend: a deterministic model of the TCP receive path (see {@code docs/simulator.md}).
 * Found by {@link java.util.ServiceLoader} under the name {@code sim}.
 *
 * <p>With {@link SimConfig#faults() faults} injected it is a deliberately broken backend (a test-only
 * mutant, see {@link SimFault}): its name says so ({@code sim+hook_after_wakeup}), but its capabilities
 * are those of the correct simulator — a mutant claims conformance, so that a conformance suite has
 * to catch it. Its {@link #role()} says what it is ({@link BackendRole#MUTANT}), for the suite that
 * drives it, and {@link #referenceModel()} is the same machine without the faults.
 *
 * <p>Sessions offer {@link SessionOption#FIXED_ISN} (the peer's ISN, else drawn from
 * {@link SimConfig#isnSeed()}) and {@link SessionOption#EXECUTION_MODE} (how the VM runs bytecode).
 */
public final class SimBackend implements Backend {
    private final SimConfig config;
    private final String name;

    /** The reference machine with the series ({@link SimConfig#DEFAULT}). */
    public SimBackend() {
        this(SimConfig.DEFAULT);
    }

    public SimBackend(SimConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        StringBuilder n = new StringBuilder(config.kernelHasSeries() ? "sim" : "sim-stock");
        for (SimFault fault : config.faults()) {
            n.append('+').append(fault.name().toLowerCase(Locale.ROOT));
        }
        this.name = n.toString();
    }

    public SimConfig config() {
        return config;
    }

    /**
     * {@code sim}, or {@code sim-stock} without the series; each injected {@link SimFault} adds
     * {@code +fault_name} in declaration order (e.g. {@code sim+lowat_not_capped+hook_after_wakeup}).
     */
    @Override
    public String name() {
        return name;
    }

    /** The simulated kernel's types ({@link dev.autolowat.sim.vm.SimKernelBtf}, D15), faults or not. */
    @Override
    public dev.autolowat.api.btf.Btf targetBtf() {
        return dev.autolowat.sim.vm.SimKernelBtf.btf();
    }

    @Override
    public Capabilities capabilities() {
        Map<Rule, String> unsupported = new EnumMap<>(Rule.class);
        if (!config.kernelHasSeries()) {
            for (Rule rule : Rule.values()) {
                if (rule.needsSeries()) {
                    unsupported.put(rule, "not supported by this kernel: the simulated kernel has no AutoLOWAT series "
                            + "(op 21, flag 0x80, kfunc)");
                }
            }
        }
        return new Capabilities(name(), config.kernelHasSeries(), true, true, true, unsupported);
    }

    @Override
    public SimSession openSession() {
        return new SimSession(this, config);
    }

    /** {@link SessionOption#FIXED_ISN} and {@link SessionOption#EXECUTION_MODE}. */
    @Override
    public Set<SessionOption<?>> supportedOptions() {
        return Set.of(SessionOption.FIXED_ISN, SessionOption.EXECUTION_MODE);
    }

    /** {@link BackendRole#REFERENCE_MODEL}, or {@link BackendRole#MUTANT} with faults injected. */
    @Override
    public BackendRole role() {
        return config.faults().isEmpty() ? BackendRole.REFERENCE_MODEL : BackendRole.MUTANT;
    }

    /** This backend, or for a mutant the same machine without its faults. */
    @Override
    public Optional<Backend> referenceModel() {
        return Optional.of(config.faults().isEmpty() ? this : new SimBackend(config.withFaults()));
    }
}
