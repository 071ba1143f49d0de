package dev.autolowat.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code bpf_sock_ops.op} values of the v3 uapi (SEMANTICS.md, constants table). */
class SockOpsOpTest {

    @DisplayName("uapi value of every op (ops 0..20 as in Linux 6.18, RCVQ_CB = 21)")
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "VOID, 0",
        "TIMEOUT_INIT, 1",
        "RWND_INIT, 2",
        "TCP_CONNECT_CB, 3",
        "ACTIVE_ESTABLISHED_CB, 4",
        "PASSIVE_ESTABLISHED_CB, 5",
        "NEEDS_ECN, 6",
        "BASE_RTT, 7",
        "RTO_CB, 8",
        "RETRANS_CB, 9",
        "STATE_CB, 10",
        "TCP_LISTEN_CB, 11",
        "RTT_CB, 12",
        "PARSE_HDR_OPT_CB, 13",
        "HDR_OPT_LEN_CB, 14",
        "WRITE_HDR_OPT_CB, 15",
        "TSTAMP_SCHED_CB, 16",
        "TSTAMP_SND_SW_CB, 17",
        "TSTAMP_SND_HW_CB, 18",
        "TSTAMP_ACK_CB, 19",
        "TSTAMP_SENDMSG_CB, 20",
        "RCVQ_CB, 21",
    })
    void uapiValue(String name, int value) {
        assertEquals(value, SockOpsOp.valueOf(name).value());
    }

    @Test
    @DisplayName("H1/H2: RCVQ_CB is op 21, the first op after TSTAMP_SENDMSG_CB (20)")
    void rcvqIsFirstOpAfterTstampSendmsg() {
        assertEquals(21, SockOpsOp.RCVQ_CB.value());
        assertEquals(SockOpsOp.TSTAMP_SENDMSG_CB.value() + 1, SockOpsOp.RCVQ_CB.value());
        assertSame(SockOpsOp.RCVQ_CB, SockOpsOp.of(21));
    }

    @Test
    @DisplayName("the enum has exactly 22 ops with distinct values 0..21")
    void exactlyOpsZeroToTwentyOne() {
        int[] values = Arrays.stream(SockOpsOp.values()).mapToInt(SockOpsOp::value).sorted().toArray();
        assertEquals(22, values.length);
        for (int i = 0; i < values.length; i++) {
            assertEquals(i, values[i], "values must be exactly 0..21 without gaps or duplicates");
        }
    }

    @DisplayName("of(value()) round-trips")
    @ParameterizedTest(name = "{0}")
    @EnumSource(SockOpsOp.class)
    void ofRoundTrip(SockOpsOp op) {
        assertSame(op, SockOpsOp.of(op.value()));
    }

    @DisplayName("of() rejects values outside 0..21 with a message naming the value")
    @ParameterizedTest(name = "of({0})")
    @ValueSource(ints = {-1, 22, 23, 100, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void ofRejectsUnknown(int value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SockOpsOp.of(value));
        assertTrue(e.getMessage().contains("op " + value),
                () -> "message should name the value " + value + ": " + e.getMessage());
    }

    @Test
    @DisplayName("of(22) message states the valid range 0..21")
    void ofMessageStatesRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SockOpsOp.of(22));
        assertTrue(e.getMessage().contains("22"), e.getMessage());
        assertTrue(e.getMessage().contains("0..21"), e.getMessage());
    }
}
