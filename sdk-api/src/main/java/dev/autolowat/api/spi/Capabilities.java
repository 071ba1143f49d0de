package dev.autolowat.api.spi;

import dev.autolowat.api.Rule;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a backend can run. A rule this backend cannot check carries a reason, and reports show it
 * as "not supported by this kernel" (or by this backend) — never as a pass.
 *
 * @param backend          the backend's name
 * @param kernelHasSeries  whether op 21, flag 0x80 and the kfunc exist
 * @param javaHandlers     whether {@code SockOpsProgram.Handler} programs can be attached
 * @param bytecode         whether bytecode programs can be attached
 * @param outOfOrder       whether {@link Connection#sendOutOfOrder} can be driven
 * @param unsupported      each rule this backend cannot run, with the reason
 */
public record Capabilities(String backend, boolean kernelHasSeries, boolean javaHandlers, boolean bytecode,
                           boolean outOfOrder, Map<Rule, String> unsupported) {
    public Capabilities {
        Objects.requireNonNull(backend, "backend");
        EnumMap<Rule, String> copy = new EnumMap<>(Rule.class);
        unsupported.forEach((rule, reason) -> {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("unsupported rule " + rule + " needs a reason a report can show");
            }
            copy.put(rule, reason);
        });
        unsupported = Collections.unmodifiableMap(copy);
    }

    /** Whether this backend can run {@code rule}. */
    public boolean supports(Rule rule) {
        return !unsupported.containsKey(rule);
    }

    /** Why {@code rule} cannot run here, or {@code null} when it can. */
    public String reason(Rule rule) {
        return unsupported.get(rule);
    }
}
