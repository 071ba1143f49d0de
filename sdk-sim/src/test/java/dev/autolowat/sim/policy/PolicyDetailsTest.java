package dev.autolowat.sim.policy;

import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Details of the reference policy that its class comment decides and that a mutation test showed
 * unpinned: the enable path consumes its option even when refusing it (decision 5), the sock_ops
 * handler returns 1, the names the handlers and the state show in logs, and the test-data helpers.
 * (The rule-by-rule tests are in ReferenceAutoLowatTest.)
 */
class PolicyDetailsTest {
    private static final int ISN = 7000;

    @Test
    @DisplayName("A2 (SDK decision 5): the AutoLOWAT option with optlen < 4 is EPERM and still consumed, so the kernel never sees it")
    void shortOptionIsConsumed() {
        FakeSocket s = new FakeSocket(ISN);
        assertEquals(Errno.EPERM.negative(), s.setsockopt(SockOpt.AUTOLOWAT_LEVEL, SockOpt.AUTOLOWAT_OPTNAME, new byte[2]));
        assertTrue(s.lastOptionConsumed);
        assertEquals(0, s.flags);
    }

    @Test
    @DisplayName("A3/A4: the sock_ops handler returns 1 on H1 and H2 (the selftest program's return value)")
    void handlerReturnsOne() {
        FakeSocket s = new FakeSocket(ISN);
        assertEquals(0, s.autolowat(1));
        s.deliver(Frames.frame(0, 20));
        assertEquals(1, s.lastHandlerReturn);
        assertEquals(28, s.rcvLowat, "a whole frame queued: lowat at its end (A4)");
    }

    @Test
    @DisplayName("the handlers and the state name themselves in logs and failure messages")
    void names() {
        assertEquals("ReferenceAutoLowat.sockOps", ReferenceAutoLowat.sockOpsHandler().toString());
        assertEquals("ReferenceAutoLowat.enable", ReferenceAutoLowat.enableHandler().toString());
        AutoLowatState st = new AutoLowatState();
        st.reset(-2);
        assertEquals("AutoLowatState[descSeq=4294967294, endSeq=4294967294, bufLen=0]", st.toString());
    }

    @Test
    @DisplayName("Frames.evenCuts: one segment, or as many segments as bytes (one byte each), are allowed; the first segments take the remainder")
    void evenCuts() {
        assertArrayEquals(new int[] {1, 1, 1}, Frames.evenCuts(3, 3));
        assertArrayEquals(new int[] {5}, Frames.evenCuts(5, 1));
        assertArrayEquals(new int[] {4, 3, 3}, Frames.evenCuts(10, 3));
    }
}
