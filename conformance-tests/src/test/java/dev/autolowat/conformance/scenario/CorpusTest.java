package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The regression corpus: every {@code src/test/resources/corpus/*.scenario} file — each a disagreement
 * found once — is replayed on every run: on the simulator alone (it parses, prints back to the same
 * scenario and runs to the end), against every other available backend ("sim ↔ native"), and, when it
 * attaches the reference policy as bytecode, on the pair inside the simulator ("Java handler ↔
 * bytecode"). Each pair must agree except for the file's {@code expect} lines, which must each happen
 * with exactly their values ({@code sometimes} ones may not happen). A backend that cannot run a file
 * is reported as skipped with its reason.
 *
 * <p>{@code -Dautolowat.corpus.dir=DIR} replays another directory.
 */
class CorpusTest {
    static final ConformanceSuite SUITE = ConformanceSuite.discover();

    static Path corpusDir() {
        String dir = System.getProperty("autolowat.corpus.dir");
        if (dir != null) {
            return Path.of(dir);
        }
        URL url = CorpusTest.class.getResource("/corpus");
        if (url == null) {
            throw new IllegalStateException("no corpus/ directory on the test class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean usesBytecodePolicy(Scenario s) {
        return s.program().choice() == ProgramChoice.REFERENCE_BYTECODE || s.enablePath() == EnablePath.REFERENCE_BYTECODE;
    }

    @Test
    @DisplayName("the corpus holds the disagreements found so far")
    void corpusIsThere() {
        List<Path> files = Corpus.files(corpusDir());
        assertTrue(files.size() >= 10, "corpus files: " + files);
        for (Path f : files) {
            Scenario s = Corpus.load(f);
            assertFalse(s.name().isEmpty(), f + " has no name");
            for (Expectation e : s.expectations()) {
                assertTrue(e.backend().equals(KnownDifferences.BYTECODE) ? usesBytecodePolicy(s) : !e.backend().startsWith("sim"),
                        f + ": an expectation for '" + e.backend() + "' cannot be checked by any pair");
                assertTrue(e.step() <= s.steps().size(), f + ": expectation at step " + e.step() + " past the last step");
            }
        }
    }

    @TestFactory
    @DisplayName("corpus replay: every file on every available backend against the simulator")
    Stream<DynamicNode> replay() {
        List<DynamicNode> out = new ArrayList<>();
        for (Path f : Corpus.files(corpusDir())) {
            String file = f.getFileName().toString();
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(DynamicTest.dynamicTest(file + ": parses, prints back, runs on the simulator", () -> {
                Scenario s = Corpus.load(f);
                assertEquals(s, Scenario.parse(s.toText()), "print/parse round trip");
                Trace t = ScenarioRunner.run(s, new dev.autolowat.sim.SimBackend());
                assertTrue(t.complete(), () -> "the simulator did not run every step:\n" + t.describe());
            }));
            for (Backend b : SUITE.comparedBackends()) {
                tests.add(DynamicTest.dynamicTest(file + ": " + Differential.pairName(b), () -> {
                    Scenario s = Corpus.load(f);
                    Differential.Result r;
                    try {
                        r = Differential.simVersus(s, b);
                    } catch (NotRunnableException e) {
                        Assumptions.abort(e.getMessage());
                        return;
                    }
                    check(file, s, r);
                }));
            }
            if (usesBytecodePolicy(Corpus.load(f))) {
                tests.add(DynamicTest.dynamicTest(file + ": " + Differential.JAVA_VS_BYTECODE,
                        () -> check(file, Corpus.load(f), Differential.javaVersusBytecode(Corpus.load(f)))));
            }
            out.add(DynamicContainer.dynamicContainer(file, tests));
        }
        return out.stream();
    }

    private static void check(String file, Scenario s, Differential.Result r) {
        Verdict v = r.verdictWithExpectations();
        if (!v.ok()) {
            fail(file + " (" + r.reference().backend() + " vs " + r.other().backend() + "):\n" + v.describe()
                    + Disagreement.sideBySide(r.reference(), r.other(), null));
        }
        if (!v.documented().isEmpty()) {
            System.out.println("[corpus] " + file + ", " + r.reference().backend() + " vs " + r.other().backend() + ": "
                    + v.documented().size() + " documented difference(s), first " + v.documented().keySet().iterator().next());
        }
    }
}
