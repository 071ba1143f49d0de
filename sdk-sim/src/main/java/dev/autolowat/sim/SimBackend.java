package dev.autolowat.sim;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Capabilities;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The in-JVM backend: a deterministic model of the TCP receive path (see {@code docs/simulator.md}).
 * Found by {@link java.util.ServiceLoader} under the name {@code sim}.
 */
public final class SimBackend implements Backend {
    private final SimConfig config;

    /** The reference machine with the series ({@link SimConfig#DEFAULT}). */
    public SimBackend() {
        this(SimConfig.DEFAULT);
    }

    public SimBackend(SimConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public SimConfig config() {
        return config;
    }

    @Override
    public String name() {
        return config.kernelHasSeries() ? "sim" : "sim-stock";
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
