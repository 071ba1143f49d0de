package dev.autolowat.conformance.scenario;

import dev.autolowat.api.Rule;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text form of scenarios: every construct, the round trip, and parse errors that say where and what. */
class ScenarioTextTest {

    static final String EXAMPLE = """
            # a comment
            name every step
            family inet6
            mptcp
            program flags-probe 0x84 0x5
            stream frames 0:78*3 100:150 4294967295:0
            isn 0xfffffff0
            expect native step 6 queuedBytes sim=30 native=31 because FIONREAD counts # the DATA_FIN
            expect bytecode step 0 cbFlags sim=0x0 bytecode=0x80 onward sometimes because reasons

            send 86,86,86     # three segments
            write 300
            send-ooo 10,20,30 order 2,0,1
            recv 100 nonblock
            recv 200 block 30
            rcvlowat -1
            rcvbuf 65536
            enable 1
            flags 0xffffffff
            sockmap add
            sockmap remove
            shutdown rd
            shutdown wr
            shutdown rdwr
            peer-shutdown
            peer-getsockopt rcvlowat
            peer-getsockopt rcvbuf
            """;

    @Test
    @DisplayName("every header and step parses to the records it names")
    void parsesEveryConstruct() {
        Scenario s = Scenario.parse(EXAMPLE);
        assertEquals("every step", s.name());
        assertEquals(Family.INET6, s.family());
        assertTrue(s.mptcp());
        assertEquals(ProgramSpec.of(ProgramChoice.FLAGS_PROBE, 0x84, 5), s.program());
        assertEquals(5, s.stream().frames().size());
        assertEquals(new DataStream.Frame(0xFFFF_FFFFL, 0), s.stream().frames().get(4));
        assertEquals(0xfffffff0, s.isn());
        assertEquals(new Expectation("native", 6, "queuedBytes", "30", "31", false, "FIONREAD counts # the DATA_FIN"),
                s.expectations().get(0));
        assertEquals(new Expectation("bytecode", 0, "cbFlags", "0x0", "0x80", true, true, "reasons"), s.expectations().get(1));
        assertEquals(List.of(Step.Send.segments(86, 86, 86), Step.Send.write(300),
                new Step.SendOutOfOrder(List.of(10, 20, 30), List.of(2, 0, 1)), Step.Recv.nonBlocking(100),
                Step.Recv.blocking(200, 30), new Step.SetRcvlowat(-1), new Step.SetRcvbuf(65536), new Step.Enable(1),
                new Step.SetFlags(-1), new Step.AddToSockmap(), new Step.RemoveFromSockmap(),
                new Step.ShutdownStep(Shutdown.READ), new Step.ShutdownStep(Shutdown.WRITE),
                new Step.ShutdownStep(Shutdown.BOTH), new Step.PeerShutdown(), new Step.PeerGetsockopt(false),
                new Step.PeerGetsockopt(true)), s.steps());
        assertEquals(s, Scenario.parse(s.toText()));
    }

    @Test
    @DisplayName("defaults: IPv4, no MPTCP, no program, the counter stream; print writes what is not default")
    void defaults() {
        Scenario s = Scenario.parse("recv 1 nonblock\n");
        assertEquals(Scenario.of(List.of(Step.Recv.nonBlocking(1))), s);
        assertEquals("family inet\nprogram none\nrecv 1 nonblock\n", s.toText());
    }

    @Test
    @DisplayName("the counter and frame streams give the bytes they describe, runs of frames print compressed")
    void streams() {
        DataStream frames = Scenario.parse("stream frames 1:2 0:0*2\n").stream();
        assertEquals("frames 1:2 0:0*2", frames.toText());
        byte[] b = frames.bytes(0, 11 + 16 + 3);
        assertEquals(1, b[0]);
        assertEquals(2, b[4]);
        assertEquals(0, b[8]);
        assertEquals(1, DataStream.COUNTER.bytes(1, 2)[0]);
        assertEquals((byte) 255, DataStream.COUNTER.bytes(255, 1)[0]);
        // a descriptor straddling the requested window
        assertEquals(2, frames.bytes(4, 1)[0]);
    }

    @Test
    @DisplayName("print then parse gives the same scenario, for every rule's generated scenarios")
    void roundTrip() {
        for (Rule rule : Rule.values()) {
            RuleProperty p = RuleProperties.of(rule);
            for (Target t : List.of(Target.SIMULATOR, new Target(true, false, false), new Target(true, false, true))) {
                Property.forAll("round trip " + rule + " " + t, p.generator().apply(t)).tries(60)
                        .check(s -> assertEquals(s, Scenario.parse(s.toText()), s.toText()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "recv 100 nonblok|line 1: 'recv 100 nonblok': expected 'nonblock' or 'block <timeout-ms>' after the length",
            "recv 100|line 1: 'recv 100': expected 'recv <length> nonblock'",
            "frobnicate 3|line 1: 'frobnicate 3': expected a header (name, family",
            "send 1,x|expected segment lengths as comma-separated integers, got '1,x'",
            "send 0|a send needs at least one byte, got 0",
            "send-ooo 1,2 order 0,0|is not a permutation of 0..1",
            "send-ooo 1,2 2,0|expected 'send-ooo <cut>,<cut>,... order <index>,<index>,...'",
            "rcvlowat 99999999999|expected the SO_RCVLOWAT value as a 32-bit integer (decimal or 0x hex), got '99999999999'",
            "family inet7|expected 'inet' or 'inet6' after 'family'",
            "program k3-logger|program k3-logger takes 1 argument(s): <lowat>, got 0",
            "program nope|unknown program 'nope': expected one of none, logger, k3-logger <lowat>",
            "stream frames 1-2|expected a frame '<header_len>:<payload_len>', got '1-2'",
            "stream frames 1:4294967296|expected payload_len as a u32 (0..4294967295), got '4294967296'",
            "sockmap join|expected 'add' or 'remove' after 'sockmap'",
            "shutdown up|expected 'rd', 'wr' or 'rdwr' after 'shutdown'",
            "recv 0 nonblock|recv length must be at least 1",
            "recv 5 block 0|a blocking recv needs a timeout of at least 1 ms",
            "expect native step x rcvBuf sim=1 native=2 because r|expected a step number after 'step', got 'x'",
            "expect native step 1 rcvBuf 1 native=2 because r|expected 'sim=<value>' after the field, got '1'",
            "expect native step 1 rcvBuf sim=1 native=2 onward|expected '[onward] [sometimes] because <reason>' after the values, got '(end of line)'",
            "expect native step 1 rcvBuf sim=1 native=2 later because r|expected '[onward] [sometimes] because <reason>'",
    })
    @DisplayName("parse errors name the line and what was expected")
    void parseErrors(String text, String message) {
        ScenarioParseException e = assertThrows(ScenarioParseException.class, () -> Scenario.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    @DisplayName("headers after steps, twice, or conflicting are refused with the line")
    void headerErrors() {
        ScenarioParseException e = assertThrows(ScenarioParseException.class,
                () -> Scenario.parse("# x\nsend 1\nfamily inet6\n"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("header 'family' after the first step"), e.getMessage());
        e = assertThrows(ScenarioParseException.class, () -> Scenario.parse("mptcp\nmptcp\n"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
        e = assertThrows(ScenarioParseException.class,
                () -> Scenario.parse("program reference-java\nenable-path reference-bytecode\nenable 1\n"));
        assertTrue(e.getMessage().contains("brings its own enable path"), e.getMessage());
    }
}
