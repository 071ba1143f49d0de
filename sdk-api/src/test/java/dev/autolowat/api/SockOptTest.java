package dev.autolowat.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Socket option levels and names (SEMANTICS.md constants table, rules F2, K2–K4, A2). */
class SockOptTest {

    @Test
    @DisplayName("K2/K4: SOL_SOCKET 1, SO_RCVLOWAT 18, SO_RCVBUF 8")
    void solSocketOptions() {
        assertEquals(1, SockOpt.SOL_SOCKET);
        assertEquals(18, SockOpt.SO_RCVLOWAT);
        assertEquals(8, SockOpt.SO_RCVBUF);
    }

    @Test
    @DisplayName("F2: TCP_BPF_SOCK_OPS_CB_FLAGS 1008 at level SOL_TCP 6")
    void cbFlagsSockopt() {
        assertEquals(6, SockOpt.SOL_TCP);
        assertEquals(1008, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS);
    }

    @Test
    @DisplayName("A2: the enable option is setsockopt(0xdeadbeef, 0x8badf00d)")
    void autolowatEnableOption() {
        assertEquals(0xdeadbeef, SockOpt.AUTOLOWAT_LEVEL);
        assertEquals(0x8badf00d, SockOpt.AUTOLOWAT_OPTNAME);
        assertEquals(0xdeadbeefL, Integer.toUnsignedLong(SockOpt.AUTOLOWAT_LEVEL));
        assertEquals(0x8badf00dL, Integer.toUnsignedLong(SockOpt.AUTOLOWAT_OPTNAME));
    }
}
