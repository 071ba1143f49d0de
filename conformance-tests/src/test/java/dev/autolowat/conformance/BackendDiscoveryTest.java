package dev.autolowat.conformance;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Capabilities;
import dev.autolowat.api.spi.Family;
import dev.autolowat.sim.policy.ReferenceAutoLowat;
import dev.autolowat.testkit.selftest.SelftestTraces;
import dev.autolowat.testkit.selftest.SelftestTraces.TraceCase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The seed of the conformance suite: every backend found on the class path runs the selftest traces
 * (A6) through the SPI; a backend that cannot run A6 says so visibly ("not supported by this kernel").
 */
class BackendDiscoveryTest {

    static List<Backend> backends() {
        return Backend.installed().stream().toList();
    }

    @Test
    @DisplayName("the simulator backend is found through ServiceLoader and supports every rule")
    void simulatorIsDiscovered() {
        Backend sim = backends().stream().filter(b -> b.name().equals("sim")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'sim' backend among " + backends()));
        Capabilities caps = sim.capabilities();
        assertTrue(caps.kernelHasSeries());
        for (Rule rule : Rule.values()) {
            assertTrue(caps.supports(rule), rule + ": " + caps.reason(rule));
        }
    }

    static Stream<Arguments> tracesOnBackends() {
        List<TraceCase> cases = SelftestTraces.load();
        assertEquals(4, cases.size());
        return backends().stream().flatMap(b -> cases.stream()
                .flatMap(c -> Stream.of(Family.values()).map(f -> Arguments.of(b.name(), b, c, f))));
    }

    @ParameterizedTest(name = "A6 on {0}: {2} over {3}")
    @MethodSource("tracesOnBackends")
    @DisplayName("A6: selftest traces on every discovered backend")
    void tracesHold(String name, Backend backend, TraceCase trace, Family family) {
        Capabilities caps = backend.capabilities();
        assumeTrue(caps.supports(Rule.A6), () -> "A6 " + caps.reason(Rule.A6));
        // a kernel runs bytecode only: the reference policy as FramingPolicy compiles it
        SelftestTraces.run(trace, backend, caps.javaHandlers() ? ReferenceAutoLowat.policy()
                : dev.autolowat.api.policy.FramingPolicy.REFERENCE_RPC.compile(), family);
    }
}
