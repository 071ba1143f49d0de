package dev.autolowat.sim.trace;

import dev.autolowat.api.spi.Family;
import dev.autolowat.sim.SimBackend;
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

/** Rule A6: the four trace cases of the series' selftest, for AF_INET and AF_INET6, on the simulator. */
class SelftestTraceTest {

    static Stream<Arguments> casesAndFamilies() {
        return SelftestTraces.load().stream()
                .flatMap(c -> Stream.of(Family.values()).map(f -> Arguments.of(c, f)));
    }

    @ParameterizedTest(name = "A6: {0} over {1}")
    @MethodSource("casesAndFamilies")
    @DisplayName("A6: selftest trace on the simulator with the reference policy")
    void traceHolds(TraceCase trace, Family family) {
        SelftestTraces.run(trace, new SimBackend(), ReferenceAutoLowat.policy(), family);
    }

    @Test
    @DisplayName("A6: the spec holds exactly the four selftest cases")
    void fourCases() {
        List<String> names = SelftestTraces.load().stream().map(TraceCase::name).toList();
        assertEquals(List.of("one-frame-in-one-segment", "two-frames-then-one", "two-frames-then-next-descriptor-only",
                "descriptor-split-across-segments"), names);
    }
}
