package dev.autolowat.testkit.trace;

import dev.autolowat.api.spi.Family;
import dev.autolowat.testkit.selftest.SelftestTraces;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace file format (A6's selftest format, extended): reading, the stream, and one-line errors. */
class TraceFileTest {

    static TraceFile parse(String json) {
        return TraceFile.parse(json, "t.json");
    }

    static String oneCase(String frames, String steps) {
        return "{\"cases\": [{\"name\": \"c\", \"frames\": " + frames + ", \"steps\": " + steps + "}]}";
    }

    @Test
    @DisplayName("A6: spec/selftest-traces.json is a trace file as it is: four cases, IPv4 and IPv6 each")
    void selftestFileReads() {
        TraceFile f = TraceFile.read(SelftestTraces.specDir().resolve("selftest-traces.json"));
        assertEquals(List.of("one-frame-in-one-segment", "two-frames-then-one", "two-frames-then-next-descriptor-only",
                "descriptor-split-across-segments"), f.cases().stream().map(TraceCase::name).toList());
        TraceCase last = f.cases().get(3);
        assertEquals(List.of(Family.INET, Family.INET6), last.families());
        assertEquals(List.of(new TraceCase.Frame(100, 150), new TraceCase.Frame(200, 500)), last.frames());
        assertEquals("{\"autolowat\": 1}", last.steps().get(0).toJson());
        assertEquals("{\"send\": 1}", last.steps().get(1).toJson());
        assertEquals("{\"epoll\": 0}", last.steps().get(2).toJson());
        assertEquals("{\"rcvlowat\": 8}", last.steps().get(3).toJson());
        TraceStep.Recv recv = (TraceStep.Recv) last.steps().stream().filter(s -> s instanceof TraceStep.Recv).findFirst()
                .orElseThrow();
        assertEquals(new TraceStep.Recv(258, true, 100, 258, recv.line()), recv);
    }

    @Test
    @DisplayName("the extensions: fin, rcvbuf, set_rcvlowat, recv results, readable/rcvq_flag/wakeups, segment lists")
    void extendedSteps() {
        TraceFile f = parse(oneCase("[[100, 150]]", "[{\"rcvbuf\": 65536}, {\"autolowat\": 1}, {\"send\": [3, 5]},"
                + " {\"fin\": true}, {\"recv\": 9, \"nonblock\": true, \"result\": 8}, {\"recv\": 4, \"result\": 0,"
                + " \"timeout_ms\": 20}, {\"readable\": true}, {\"rcvq_flag\": 0}, {\"wakeups\": 2},"
                + " {\"set_rcvlowat\": -1}, {\"autolowat\": 1, \"result\": -1, \"comment\": \"EPERM\"}]"));
        List<TraceStep> s = f.cases().get(0).steps();
        assertInstanceOf(TraceStep.SetRcvbuf.class, s.get(0));
        assertArrayEquals(new int[] {3, 5}, ((TraceStep.Send) s.get(2)).segments());
        assertInstanceOf(TraceStep.Fin.class, s.get(3));
        assertEquals(new TraceStep.Recv(9, false, 0, 8, 1), s.get(4));
        assertEquals(new TraceStep.Recv(4, true, 20, 0, 1), s.get(5));
        assertEquals(new TraceStep.ExpectReadable(true, false, 1), s.get(6));
        assertEquals(new TraceStep.ExpectRcvqFlag(false, 1), s.get(7));
        assertEquals(new TraceStep.ExpectWakeups(2, 1), s.get(8));
        assertEquals(new TraceStep.SetRcvlowat(-1, 0, 1), s.get(9));
        assertEquals(new TraceStep.Enable(1, -1, 1), s.get(10));
        // every step prints back to JSON that reads as the same step
        for (TraceStep step : s) {
            TraceStep again = parse(oneCase("[]", "[" + step.toJson() + "]")).cases().get(0).steps().get(0);
            assertEquals(step, again, step.toJson());
        }
    }

    @Test
    @DisplayName("A1/A5: u32 frame lengths: frames of 2 GiB and more, u32-max fields; bytes made lazily, little-endian")
    void u32Frames() {
        TraceCase c = parse(oneCase("[[4294967295, 4294967295], [2147483640, 0]]", "[]")).cases().get(0);
        assertEquals(8 + 2 * 0xFFFF_FFFFL, c.frames().get(0).length());
        assertEquals(8L + 0xFFFF_FFFFL * 2 + 8 + 2147483640L, c.framesLength());
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 0}, c.bytes(0, 9));
        long second = c.frames().get(0).length();
        assertArrayEquals(new byte[] {0, (byte) 0xF8, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 0, 0, 0}, c.bytes(second - 1, 9));
        assertArrayEquals(new byte[4], c.bytes(c.framesLength() + 10, 4), "past the last frame: zero bytes");
    }

    @Test
    @DisplayName("A3: a third number repeats a frame ([0, 0, 101] is 101 empty frames)")
    void repeatedFrames() {
        TraceCase c = parse(oneCase("[[0, 0, 101], [0, 10]]", "[]")).cases().get(0);
        assertEquals(102, c.frames().size());
        assertEquals(101 * 8 + 18, c.framesLength());
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> parse(oneCase("[[0, 0, 0]]", "[]")));
        assertTrue(e.getMessage().contains("a frame's count needs a whole number from 1"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON                 | {\"cases\": [}                                  | t.json:1:12: not valid JSON: unexpected '}', expected a value",
        "no cases                 | {}                                             | t.json:1:1: missing \"cases\" (an array of cases)",
        "unknown root member      | {\"cases\": [], \"case\": 1}                   | t.json:1:23: unknown member \"case\" here; allowed: [about, cases, comment]",
        "negative u32             | " + "{\"cases\": [{\"name\": \"c\", \"frames\": [[-1, 0]], \"steps\": []}]} | t.json:1:38: case \"c\": header_len is a u32 (0 to 4294967295), got -1",
        "u32 too large            | " + "{\"cases\": [{\"name\": \"c\", \"frames\": [[0, 4294967296]], \"steps\": []}]} | t.json:1:41: case \"c\": payload_len is a u32 (0 to 4294967295), got 4294967296",
        "unknown step             | " + "{\"cases\": [{\"name\": \"c\", \"frames\": [], \"steps\": [{\"sned\": 3}]}]} | t.json:1:50: case \"c\": step 0: unknown step \"sned\"; steps are [autolowat, epoll, fin, rcvbuf, rcvlowat, rcvq_flag, readable, recv, send, set_rcvlowat, wakeups]",
        "two kinds in a step      | " + "{\"cases\": [{\"name\": \"c\", \"frames\": [], \"steps\": [{\"send\": 3, \"fin\": true}]}]} | t.json:1:50: case \"c\": step 0: a step has exactly one of [autolowat, epoll, fin, rcvbuf, rcvlowat, rcvq_flag, readable, recv, send, set_rcvlowat, wakeups], got [send, fin]",
        "fraction                 | " + "{\"cases\": [{\"name\": \"c\", \"frames\": [], \"steps\": [{\"send\": 2.5}]}]} | t.json:1:59: case \"c\": step 0: \"send\" must be a whole number, got 2.5",
        "zero send                | " + "{\"cases\": [{\"name\": \"c\", \"frames\": [], \"steps\": [{\"send\": 0}]}]} | t.json:1:59: case \"c\": step 0: \"send\" needs a whole number from 1 to 2147483647, got 0",
        "misspelt modifier        | " + "{\"cases\": [{\"name\": \"c\", \"frames\": [], \"steps\": [{\"rcvlowat\": 8, \"result\": 0}]}]} | t.json:1:76: case \"c\": step 0: unknown member \"result\" here; allowed: [comment, rcvlowat]",
        "bad family               | " + "{\"cases\": [{\"name\": \"c\", \"families\": [\"ipx\"], \"frames\": [], \"steps\": []}]} | t.json:1:39: case \"c\": unknown family \"ipx\"; families are \"inet\" and \"inet6\"",
    })
    @DisplayName("a problem in a file is one line: file:line:column: where and what")
    void oneLineErrors(String what, String json, String message) {
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> parse(json.strip()));
        assertEquals(message.strip(), e.getMessage(), what);
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    @DisplayName("positions count lines: an error on line 3 says so")
    void lineNumbers() {
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> parse("{\"cases\": [\n  {\"name\": \"c\", \"frames\": [],\n   \"steps\": [{\"epoll\": 2}]}]}"));
        assertTrue(e.getMessage().startsWith("t.json:3:24: case \"c\": step 0: \"epoll\" must be 0 or 1"), e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    @DisplayName("a missing file is a one-line format problem, not a stack trace")
    void missingFile() {
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> TraceFile.read(Path.of("no-such.json")));
        assertEquals("no-such.json:0:0: no such file", e.getMessage());
    }
}
