package dev.autolowat.sim;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Capabilities;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The in-JVM backend: a deterministic model of the TCP receive path (see {@code docs/simulator.md}).
 * Found by {@link java.util.ServiceLoader} under the name {@code sim}.
 *
 * <p>With {@link SimConfig#faults() faults} injected it is a deliberately broken backend (a test-only
 * mutant, see {@link SimFault}): its name says so ({@code sim+hook_after_wakeup}), but its capabilities
 * are those of the correct simulator — a mutant claims conformance, so that a conformance suite has
 * to catch it.
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
}
