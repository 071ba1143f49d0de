package dev.autolowat.conformance.mutation;

import dev.autolowat.conformance.mutation.SurvivorCheck.Equivalent;
import dev.autolowat.conformance.mutation.SurvivorCheck.Mutant;
import dev.autolowat.conformance.mutation.SurvivorCheck.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison of a PIT report with the checked-in list of equivalent mutants (the mutation profile's
 * last step): a survivor not on the list is new, a listed one that no longer survives is stale, a key
 * listed twice covers two survivors.
 */
class SurvivorCheckTest {
    private static final String REPORT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <mutations partial="false">
            <mutation detected='true' status='KILLED' numberOfTestsRun='3'><sourceFile>TcpSocketModel.java</sourceFile>\
            <mutatedClass>dev.autolowat.sim.tcp.TcpSocketModel</mutatedClass><mutatedMethod>shutdownRead</mutatedMethod>\
            <methodDescription>()V</methodDescription><lineNumber>780</lineNumber>\
            <mutator>org.pitest.mutationtest.engine.gregor.mutators.VoidMethodCallMutator</mutator>\
            <indexes><index>5</index></indexes><blocks><block>0</block></blocks><killingTest>t</killingTest>\
            <description>removed call to dev/autolowat/sim/tcp/TcpSocketModel::wake</description></mutation>
            <mutation detected='false' status='SURVIVED' numberOfTestsRun='9'><sourceFile>TcpSocketModel.java</sourceFile>\
            <mutatedClass>dev.autolowat.sim.tcp.TcpSocketModel</mutatedClass><mutatedMethod>afterArrival</mutatedMethod>\
            <methodDescription>(Z)V</methodDescription><lineNumber>600</lineNumber>\
            <mutator>org.pitest.mutationtest.engine.gregor.mutators.VoidMethodCallMutator</mutator>\
            <indexes><index>40</index></indexes><blocks><block>4</block></blocks><killingTest/>\
            <description>removed call to dev/autolowat/sim/tcp/TcpSocketModel::wake</description></mutation>
            <mutation detected='false' status='NO_COVERAGE' numberOfTestsRun='0'><sourceFile>PeerSender.java</sourceFile>\
            <mutatedClass>dev.autolowat.sim.tcp.PeerSender</mutatedClass><mutatedMethod>close</mutatedMethod>\
            <methodDescription>()V</methodDescription><lineNumber>150</lineNumber>\
            <mutator>org.pitest.mutationtest.engine.gregor.mutators.VoidMethodCallMutator</mutator>\
            <indexes><index>3</index></indexes><blocks><block>0</block></blocks><killingTest/>\
            <description>removed call to dev/autolowat/sim/tcp/ByteRing::clear</description></mutation>
            </mutations>
            """;

    private static List<Mutant> report() throws IOException {
        return SurvivorCheck.readReport(new ByteArrayInputStream(REPORT.getBytes(StandardCharsets.UTF_8)), "tcp-policy");
    }

    @Test
    @DisplayName("a listed survivor is equivalent, an unlisted one is new, and the score counts detected out of the non-equivalent")
    void listedAndNew() throws IOException {
        List<Equivalent> list = SurvivorCheck.readList(List.of(
                "# comment",
                "",
                "tcp-policy | dev.autolowat.sim.tcp.TcpSocketModel | afterArrival | VoidMethodCallMutator"
                        + " | removed call to dev/autolowat/sim/tcp/TcpSocketModel::wake | H3: dataReady() wakes on SOCK_DONE"));
        Result r = SurvivorCheck.compare(report(), list, "tcp-policy");
        assertEquals(1, r.equivalentSurvivors().size());
        assertEquals(1, r.newSurvivors().size());
        assertEquals("close", r.newSurvivors().get(0).key().method());
        assertEquals(150, r.newSurvivors().get(0).line());
        assertEquals(0.5, r.scoreOfNonEquivalent(), 1e-9);
        assertTrue(r.stale().isEmpty());
        assertTrue(r.summary("tcp-policy").contains("NEW SURVIVOR (line 150, NO_COVERAGE)"), r.summary("tcp-policy"));
    }

    @Test
    @DisplayName("an entry that no longer survives is stale; entries of another run are ignored; a key listed once covers one survivor")
    void staleAndOtherRuns() throws IOException {
        String entry = " | dev.autolowat.sim.tcp.TcpSocketModel | shutdownRead | VoidMethodCallMutator"
                + " | removed call to dev/autolowat/sim/tcp/TcpSocketModel::wake | reason";
        List<Equivalent> list = SurvivorCheck.readList(List.of("tcp-policy" + entry, "vm" + entry.replace("shutdownRead", "afterArrival")));
        Result r = SurvivorCheck.compare(report(), list, "tcp-policy");
        assertEquals(1, r.stale().size());
        assertEquals(2, r.newSurvivors().size());
        assertEquals(0, r.equivalentSurvivors().size());
    }

    @Test
    @DisplayName("a list line without its reason is rejected with its line number")
    void reasonRequired() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SurvivorCheck.readList(List.of(
                "# header", "tcp-policy | a.B | m | NegateConditionalsMutator | negated conditional |  ")));
        assertTrue(e.getMessage().startsWith("equivalent-mutants list line 2"), e.getMessage());
    }

    @Test
    @DisplayName("the checked-in list parses, and every entry names a run of the profile")
    void checkedInListParses() throws IOException {
        Path list = Path.of("src/test/mutation/equivalent-mutants.txt");
        List<Equivalent> entries = SurvivorCheck.readList(Files.readAllLines(list, StandardCharsets.UTF_8));
        for (Equivalent e : entries) {
            assertTrue(List.of("tcp-policy", "vm", "vm-jit", "vm-rest", "api-policy").contains(e.key().run()),
                    "line " + e.lineNumber() + ": unknown run " + e.key().run());
        }
    }
}
