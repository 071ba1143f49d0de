package dev.autolowat.api.spi;

import dev.autolowat.api.Rule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapabilitiesTest {

    private static final String STOCK = "not supported by this kernel: no BPF_SOCK_OPS_RCVQ_CB";

    /** A stock kernel: every rule that needs the series is unsupported. */
    private static Capabilities stockKernel() {
        Map<Rule, String> unsupported = Arrays.stream(Rule.values()).filter(Rule::needsSeries)
                .collect(Collectors.toMap(r -> r, r -> STOCK));
        return new Capabilities("native", false, false, true, false, unsupported);
    }

    @Test
    @DisplayName("supports()/reason(): an unsupported rule carries its reason, a supported one has none")
    void supportsAndReason() {
        Capabilities caps = stockKernel();
        for (Rule rule : Rule.values()) {
            assertEquals(!rule.needsSeries(), caps.supports(rule), rule::name);
            if (rule.needsSeries()) {
                assertEquals(STOCK, caps.reason(rule));
            } else {
                assertNull(caps.reason(rule));
            }
        }
    }

    @Test
    @DisplayName("a backend with nothing unsupported supports every rule")
    void supportsAll() {
        Capabilities caps = new Capabilities("sim", true, true, true, true, Map.of());
        for (Rule rule : Rule.values()) {
            assertTrue(caps.supports(rule));
            assertNull(caps.reason(rule));
        }
        assertTrue(caps.unsupported().isEmpty());
    }

    @Test
    @DisplayName("the unsupported map is a copy: later changes to the argument do not show")
    void mapCopied() {
        Map<Rule, String> arg = new HashMap<>();
        arg.put(Rule.H1, "no op 21");
        Capabilities caps = new Capabilities("native", false, false, true, false, arg);
        arg.put(Rule.H2, "no op 21");
        arg.remove(Rule.H1);
        assertFalse(caps.supports(Rule.H1));
        assertEquals("no op 21", caps.reason(Rule.H1));
        assertTrue(caps.supports(Rule.H2));
        assertEquals(Map.of(Rule.H1, "no op 21"), caps.unsupported());
    }

    @Test
    @DisplayName("the unsupported map is unmodifiable")
    void mapUnmodifiable() {
        Capabilities caps = new Capabilities("native", false, false, true, false, new EnumMap<>(Map.of(Rule.K1, "no kfunc")));
        assertThrows(UnsupportedOperationException.class, () -> caps.unsupported().put(Rule.K2, "x"));
        assertThrows(UnsupportedOperationException.class, () -> caps.unsupported().remove(Rule.K1));
        assertThrows(UnsupportedOperationException.class, () -> caps.unsupported().clear());
        assertFalse(caps.supports(Rule.K1));
    }

    @Test
    @DisplayName("record fields keep their values; a null backend name or map is rejected")
    void fieldsAndNulls() {
        Capabilities caps = new Capabilities("sim", true, true, false, true, Map.of());
        assertEquals("sim", caps.backend());
        assertTrue(caps.kernelHasSeries());
        assertTrue(caps.javaHandlers());
        assertFalse(caps.bytecode());
        assertTrue(caps.outOfOrder());
        assertThrows(NullPointerException.class, () -> new Capabilities(null, true, true, true, true, Map.of()));
        assertThrows(NullPointerException.class, () -> new Capabilities("sim", true, true, true, true, null));
        java.util.Map<dev.autolowat.api.Rule, String> noReason = new java.util.EnumMap<>(dev.autolowat.api.Rule.class);
        noReason.put(dev.autolowat.api.Rule.H1, null);
        assertThrows(IllegalArgumentException.class, () -> new Capabilities("sim", true, true, true, true, noReason));
        assertThrows(IllegalArgumentException.class,
                () -> new Capabilities("sim", true, true, true, true, Map.of(dev.autolowat.api.Rule.H1, " ")));
    }
}
