package dev.autolowat.sim;

import dev.autolowat.api.spi.Backend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The simulator's module boundary (docs/architecture.md, decision D24): its tests run on the module
 * path, so these checks read the real descriptor — the API packages are exported, the socket model and
 * the VM's kernel services are not, and the backend is a service of the API's SPI. Run from the class
 * path (PIT's mutation runs, docs/conformance.md) there is no descriptor to read: skipped with that reason.
 */
class ModuleBoundariesTest {
    static void requireModulePath() {
        assumeTrue(SimBackend.class.getModule().isNamed(),
                "run from the class path (e.g. by PIT): no module descriptor to check; Surefire runs it on the module path");
    }

    @Test
    @DisplayName("module dev.autolowat.sim exports sim, sim.policy and sim.vm only; sim.tcp and sim.kernel are internal")
    void exportsOnlyTheApi() {
        requireModulePath();
        Module m = SimBackend.class.getModule();
        ModuleDescriptor d = m.getDescriptor();
        assertEquals("dev.autolowat.sim", d.name());
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("dev.autolowat.sim", "dev.autolowat.sim.policy", "dev.autolowat.sim.vm"), exported);
        assertTrue(d.packages().containsAll(Set.of("dev.autolowat.sim.tcp", "dev.autolowat.sim.kernel")),
                "the internal packages exist and are simply not exported: " + d.packages());
    }

    @Test
    @DisplayName("the simulator is a provider of the SPI's Backend, found by Backend.installed()")
    void backendIsAService() {
        assertTrue(Backend.installed().stream().anyMatch(b -> b.name().equals("sim")));
        requireModulePath();
        ModuleDescriptor d = SimBackend.class.getModule().getDescriptor();
        assertTrue(d.provides().stream().anyMatch(p -> p.service().equals(Backend.class.getName())
                && p.providers().contains(SimBackend.class.getName())), d.provides().toString());
    }
}
