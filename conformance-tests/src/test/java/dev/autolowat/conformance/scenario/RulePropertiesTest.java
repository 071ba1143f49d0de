package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One property per rule of SEMANTICS.md (F1–F4, H1–H6, K1–K4, A1–A6), each named by its rule id, what
 * it checks and its regime ({@link RuleProperty#displayName()}). Each yields one dynamic test per
 * differential pair ({@link ConformanceSuite#checks}): "sim ↔ native" for every kernel backend found,
 * and "Java handler ↔ bytecode (sim)" for A1–A6. A pair that cannot run the rule is reported as
 * skipped with the backend's reason ("not supported by this kernel: ...", "requires root: ..."), visible
 * in the test's name — never as a pass.
 *
 * <p>On failure the message shows the shrunk scenario in its text form and its first differing step and
 * field: once understood, save it under {@code src/test/resources/corpus/} ({@code Corpus.save}), where
 * {@code CorpusTest} replays it on every run.
 *
 * <p>Tries: {@code -Dautolowat.conformance.tries.native=N} (default 100) for pairs with a kernel,
 * {@code -Dautolowat.conformance.tries.sim=N} (default 300) inside the simulator; {@code -Dautolowat.seed=S}.
 */
@DisplayNameGeneration(RulePropertiesTest.RuleNames.class)
class RulePropertiesTest {
    static final ConformanceSuite SUITE = ConformanceSuite.discover();

    /** Method {@code F1} is displayed as {@code RuleProperties.of(F1).displayName()}. */
    static final class RuleNames extends DisplayNameGenerator.Standard {
        @Override
        public String generateDisplayNameForMethod(List<Class<?>> enclosing, Class<?> testClass, Method method) {
            try {
                return RuleProperties.of(Rule.valueOf(method.getName())).displayName();
            } catch (IllegalArgumentException e) {
                return super.generateDisplayNameForMethod(enclosing, testClass, method);
            }
        }
    }

    static Stream<DynamicTest> checks(Rule rule) {
        return SUITE.checks(rule).stream().map(check -> DynamicTest.dynamicTest(check.displayName(), () -> {
            CheckOutcome o = check.run();
            System.out.println("[conformance] " + o.summary() + " (" + o.millis() + " ms)");
            o.documented().forEach((why, n) -> System.out.println("[conformance]   documented x" + n + ": " + why));
            switch (o.status()) {
                case NOT_SUPPORTED -> Assumptions.abort(o.reason());
                case FAILED -> fail(rule + " " + o.pair() + " failed after " + o.tries() + " scenarios (seed " + o.seed()
                        + ", rerun with -Dautolowat.seed=" + o.seed() + ")\nfirst difference: " + o.firstDifference()
                        + "\nshrunk scenario (save it under src/test/resources/corpus/):\n" + (o.shrunk() == null ? "-"
                        : o.shrunk().toText()) + "original scenario: " + (o.original() == null ? "-" : o.original().summary())
                        + "\n" + o.failure());
                case PASSED -> { }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> F1() {
        return checks(Rule.F1);
    }

    @TestFactory
    Stream<DynamicTest> F2() {
        return checks(Rule.F2);
    }

    @TestFactory
    Stream<DynamicTest> F3() {
        return checks(Rule.F3);
    }

    @TestFactory
    Stream<DynamicTest> F4() {
        return checks(Rule.F4);
    }

    @TestFactory
    Stream<DynamicTest> H1() {
        return checks(Rule.H1);
    }

    @TestFactory
    Stream<DynamicTest> H2() {
        return checks(Rule.H2);
    }

    @TestFactory
    Stream<DynamicTest> H3() {
        return checks(Rule.H3);
    }

    @TestFactory
    Stream<DynamicTest> H4() {
        return checks(Rule.H4);
    }

    @TestFactory
    Stream<DynamicTest> H5() {
        return checks(Rule.H5);
    }

    @TestFactory
    Stream<DynamicTest> H6() {
        return checks(Rule.H6);
    }

    @TestFactory
    Stream<DynamicTest> K1() {
        return checks(Rule.K1);
    }

    @TestFactory
    Stream<DynamicTest> K2() {
        return checks(Rule.K2);
    }

    @TestFactory
    Stream<DynamicTest> K3() {
        return checks(Rule.K3);
    }

    @TestFactory
    Stream<DynamicTest> K4() {
        return checks(Rule.K4);
    }

    @TestFactory
    Stream<DynamicTest> A1() {
        return checks(Rule.A1);
    }

    @TestFactory
    Stream<DynamicTest> A2() {
        return checks(Rule.A2);
    }

    @TestFactory
    Stream<DynamicTest> A3() {
        return checks(Rule.A3);
    }

    @TestFactory
    Stream<DynamicTest> A4() {
        return checks(Rule.A4);
    }

    @TestFactory
    Stream<DynamicTest> A5() {
        return checks(Rule.A5);
    }

    @TestFactory
    Stream<DynamicTest> A6() {
        return checks(Rule.A6);
    }
}
