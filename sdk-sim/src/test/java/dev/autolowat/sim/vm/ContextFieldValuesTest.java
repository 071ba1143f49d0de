package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.spi.Shutdown;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.autolowat.api.asm.Opcode.JNE;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The value of every field a program reads from the sock_ops context and the socket views, for an
 * IPv4 and an IPv6 socket: what the kernel's {@code sock_ops_convert_ctx_access()},
 * {@code bpf_sock_convert_ctx_access()} and {@code bpf_tcp_sock_convert_ctx_access()} (net/core/filter.c)
 * load, with the model's documented values where it keeps no state (docs/vm.md: addresses are loopback,
 * snd_cwnd is TCP_INIT_CWND, snd_ssthresh TCP_INFINITE_SSTHRESH, counters 0). Byte-order quirks are the
 * kernel's: {@code bpf_sock_ops.remote_port} is the network-order port in the upper 16 bits,
 * {@code local_port} host order; {@code bpf_sock.dst_port} network order in the low 16 bits.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class ContextFieldValuesTest {
    @Parameter
    VmOptions.ExecutionMode mode;

    private static final int LOCAL_PORT = 8080;
    private static final int REMOTE_PORT = 0x9c41; // 40001: both bytes differ, so byte order shows
    private static final int MSS = 1448;
    private static final int ISS = 0x7000_0001;
    private static final int IRS = 500; // not the model socket's (1000): bytes_received is then 500, not 0

    private VmHarness harness(boolean ipv6, int op) {
        VmHarness h = VmHarness.raw(mode);
        h.input.set(h.socket, new SocketInfo(ipv6, LOCAL_PORT, REMOTE_PORT, MSS, ISS, IRS), op);
        return h;
    }

    private static long ctx(VmHarness h, int size, int off) {
        return h.run(new Asm().ldx(size, 0, 1, off).exit());
    }

    private static long bpfSock(VmHarness h, int size, int off) {
        return h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(size, 0, 1, off).exit());
    }

    private static long bpfTcpSock(VmHarness h, int size, int off) {
        return h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.TCP_SOCK.id()).jmp(JNE, 0, 0, "ok").ret(-1)
                .label("ok").ldx(size, 0, 0, off).exit());
    }

    private static long tcpSock(VmHarness h, int size, String struct, String field) {
        return h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.SKC_TO_TCP_SOCK.id()).jmp(JNE, 0, 0, "ok")
                .ret(-1).label("ok").ldxField(size, 0, 0, struct, field, 0).exit());
    }

    /** A load of {@code field} (+{@code off}) of {@code bpf_sock_ops_kern}, through {@code bpf_cast_to_kern_ctx(ctx)}. */
    private static long sockOpsKern(VmHarness h, int size, String field, int off) {
        return h.run(new Asm().callKfunc("bpf_cast_to_kern_ctx").ldxField(size, 0, 0, "bpf_sock_ops_kern", field, off).exit());
    }

    @Test
    @DisplayName("bpf_sock_ops: op, the four args (reply is args[0]), family, ports, is_fullsock, the model's constants")
    void sockOpsScalars() {
        VmHarness h = harness(false, 4);
        h.input.args[0] = 11;
        h.input.args[1] = 22;
        h.input.args[2] = 33;
        h.input.args[3] = 44;
        assertEquals(4, ctx(h, W, SockOpsCtx.OP));
        assertEquals(11, ctx(h, W, SockOpsCtx.REPLY));
        assertEquals(22, ctx(h, W, 8), "args[1]");
        assertEquals(33, ctx(h, W, 12), "args[2]");
        assertEquals(44, ctx(h, W, 16), "args[3]");
        assertEquals(2, ctx(h, W, SockOpsCtx.FAMILY), "AF_INET");
        assertEquals((long) Short.reverseBytes((short) REMOTE_PORT) & 0xffff, ctx(h, W, SockOpsCtx.REMOTE_PORT) >>> 16,
                "remote_port: network order in the upper half");
        assertEquals(0, ctx(h, W, SockOpsCtx.REMOTE_PORT) & 0xffff, "remote_port's lower half");
        assertEquals(LOCAL_PORT, ctx(h, W, SockOpsCtx.LOCAL_PORT), "local_port: host order");
        assertEquals(1, ctx(h, W, SockOpsCtx.IS_FULLSOCK));
        assertEquals(Views.TCP_INIT_CWND, ctx(h, W, SockOpsCtx.SND_CWND));
        assertEquals(Views.TCP_INFINITE_SSTHRESH, ctx(h, W, SockOpsCtx.SND_SSTHRESH));
        assertEquals(ISS + 1L, ctx(h, W, SockOpsCtx.SND_NXT), "snd_nxt = iss + 1: the model's sockets send no data");
        assertEquals(ISS + 1L, ctx(h, W, SockOpsCtx.SND_UNA));
        assertEquals(MSS, ctx(h, W, SockOpsCtx.MSS_CACHE));
        assertEquals(1, ctx(h, W, SockOpsCtx.STATE), "TCP_ESTABLISHED");
        assertEquals(0, ctx(h, W, SockOpsCtx.SRTT_US), "not kept by the model");
        assertEquals(0, ctx(h, DW, SockOpsCtx.BYTES_ACKED), "not kept by the model");
    }

    @Test
    @DisplayName("bpf_sock_ops: cb flags, bytes_received and state follow the socket; TCP_CONNECT_CB reads SYN_SENT")
    void sockOpsLive() {
        VmHarness h = harness(false, 4);
        h.socket.cbFlagsSet(0x7f);
        assertEquals(h.socket.cbFlags(), ctx(h, W, SockOpsCtx.BPF_SOCK_OPS_CB_FLAGS));
        assertEquals(true, h.socket.cbFlags() != 0, "some flags are set");
        assertEquals(h.socket.rcvNxt() & 0xffff_ffffL, ctx(h, W, SockOpsCtx.RCV_NXT));
        assertEquals(h.socket.rcvNxt() - (IRS + 1L), ctx(h, DW, SockOpsCtx.BYTES_RECEIVED),
                "bytes_received = rcv_nxt - (irs + 1)");
        assertEquals(500, ctx(h, DW, SockOpsCtx.BYTES_RECEIVED));
        VmHarness connect = harness(false, 3); // BPF_SOCK_OPS_TCP_CONNECT_CB
        assertEquals(Views.TCP_SYN_SENT, ctx(connect, W, SockOpsCtx.STATE));
    }

    @Test
    @DisplayName("H1/H2: skb_len is the segment's payload length with a segment, 0 without; skb_tcp_flags narrow")
    void segmentFields() {
        VmHarness h = harness(false, 21);
        assertEquals(0, ctx(h, W, SockOpsCtx.SKB_LEN), "H2: no segment");
        h.input.segment(1001, 1101, false, 100);
        assertEquals(100, ctx(h, W, SockOpsCtx.SKB_LEN));
        assertEquals(0x18, ctx(h, B, SockOpsCtx.SKB_TCP_FLAGS), "ACK|PSH");
    }

    @Test
    @DisplayName("bpf_sock_ops addresses: IPv4 fills remote/local_ip4, IPv6 fills the last word of remote/local_ip6 (::1)")
    void sockOpsAddresses() {
        VmHarness v4 = harness(false, 4);
        VmHarness v6 = harness(true, 4);
        assertEquals(SocketInfo.LOOPBACK4, ctx(v4, W, SockOpsCtx.REMOTE_IP4));
        assertEquals(SocketInfo.LOOPBACK4, ctx(v4, W, SockOpsCtx.LOCAL_IP4));
        assertEquals(0, ctx(v6, W, SockOpsCtx.REMOTE_IP4));
        assertEquals(10, ctx(v6, W, SockOpsCtx.FAMILY), "AF_INET6");
        for (int word = 0; word < 4; word++) {
            long expected6 = word == 3 ? SocketInfo.LOOPBACK6_LAST : 0;
            assertEquals(expected6, ctx(v6, W, SockOpsCtx.REMOTE_IP6 + 4 * word), "remote_ip6[" + word + "]");
            assertEquals(expected6, ctx(v6, W, SockOpsCtx.LOCAL_IP6 + 4 * word), "local_ip6[" + word + "]");
            assertEquals(0, ctx(v4, W, SockOpsCtx.REMOTE_IP6 + 4 * word), "IPv4: remote_ip6[" + word + "]");
            assertEquals(0, ctx(v4, W, SockOpsCtx.LOCAL_IP6 + 4 * word), "IPv4: local_ip6[" + word + "]");
        }
        // the words around the arrays are other fields, not addresses
        assertEquals(LOCAL_PORT, ctx(v6, W, SockOpsCtx.LOCAL_PORT));
        assertEquals(SocketInfo.be16(REMOTE_PORT), ctx(v6, W, SockOpsCtx.REMOTE_PORT) >>> 16);
    }

    @Test
    @DisplayName("bpf_sock: src/dst_ip6 for IPv6 (::1), src/dst_ip4 for IPv4, ports, protocol, state")
    void bpfSockAddresses() {
        VmHarness v4 = harness(false, 4);
        VmHarness v6 = harness(true, 4);
        for (int word = 0; word < 4; word++) {
            long expected6 = word == 3 ? SocketInfo.LOOPBACK6_LAST : 0;
            assertEquals(expected6, bpfSock(v6, W, 28 + 4 * word), "src_ip6[" + word + "]");
            assertEquals(expected6, bpfSock(v6, W, 56 + 4 * word), "dst_ip6[" + word + "]");
            assertEquals(0, bpfSock(v4, W, 28 + 4 * word), "IPv4: src_ip6[" + word + "]");
            assertEquals(0, bpfSock(v4, W, 56 + 4 * word), "IPv4: dst_ip6[" + word + "]");
        }
        assertEquals(SocketInfo.LOOPBACK4, bpfSock(v4, W, 24), "src_ip4");
        assertEquals(SocketInfo.LOOPBACK4, bpfSock(v4, W, 52), "dst_ip4");
        assertEquals(0, bpfSock(v6, W, 24), "IPv6: src_ip4");
        assertEquals(LOCAL_PORT, bpfSock(v6, W, 44), "src_port: host order");
        assertEquals(SocketInfo.be16(REMOTE_PORT), bpfSock(v6, W, 48), "dst_port: network order");
        assertEquals(10, bpfSock(v6, W, 4), "family");
        assertEquals(1, bpfSock(v6, W, 8), "SOCK_STREAM");
        assertEquals(6, bpfSock(v6, W, 12), "IPPROTO_TCP");
        assertEquals(1, bpfSock(v6, W, 72), "TCP_ESTABLISHED");
        assertEquals(0xffff_ffffL, bpfSock(v6, W, 76), "rx_queue_mapping: NO_QUEUE_MAPPING");
        assertEquals(0, bpfSock(v6, W, 16), "mark");
    }

    @Test
    @DisplayName("bpf_tcp_sock: snd_cwnd, snd_ssthresh, rcv_nxt, snd_nxt = snd_una = iss + 1, mss_cache, bytes_received")
    void bpfTcpSock() {
        VmHarness h = harness(false, 4);
        assertEquals(Views.TCP_INIT_CWND, bpfTcpSock(h, W, 0));
        assertEquals(Views.TCP_INFINITE_SSTHRESH, bpfTcpSock(h, W, 12));
        assertEquals(h.socket.rcvNxt() & 0xffff_ffffL, bpfTcpSock(h, W, 16));
        assertEquals(ISS + 1L, bpfTcpSock(h, W, 20), "snd_nxt");
        assertEquals(ISS + 1L, bpfTcpSock(h, W, 24), "snd_una");
        assertEquals(MSS, bpfTcpSock(h, W, 28));
        assertEquals(h.socket.rcvNxt() - (IRS + 1L), bpfTcpSock(h, DW, 80), "bytes_received");
        assertEquals(0, bpfTcpSock(h, W, 4), "srtt_us: not kept");
    }

    @Test
    @DisplayName("tcp_sock (BTF): snd_nxt/snd_una, sk_userlocks (SOCK_RCVBUF_LOCK after SO_RCVBUF, K4), "
            + "sk_shutdown (RCV_SHUTDOWN after SHUT_RD, H4)")
    void tcpSockState() {
        VmHarness h = harness(false, 4);
        assertEquals(ISS + 1L, tcpSock(h, W, "tcp_sock", "snd_nxt"));
        assertEquals(ISS + 1L, tcpSock(h, W, "tcp_sock", "snd_una"));
        assertEquals(0, tcpSock(h, B, "sock", "sk_userlocks"));
        assertEquals(0, tcpSock(h, B, "sock", "sk_shutdown"));
        h.socket.setRcvBuf(65536);
        h.socket.shutdown(Shutdown.READ);
        assertEquals(2, tcpSock(h, B, "sock", "sk_userlocks"), "SOCK_RCVBUF_LOCK");
        assertEquals(1, tcpSock(h, B, "sock", "sk_shutdown"), "RCV_SHUTDOWN");
    }

    @Test
    @DisplayName("bpf_sock_ops_kern (bpf_cast_to_kern_ctx): args as bytes, op and is_fullsock")
    void sockOpsKern() {
        VmHarness h = harness(false, 4);
        h.input.args[0] = 0x11;
        h.input.args[1] = 0x2222;
        h.input.args[3] = -1;
        assertEquals(0x11, sockOpsKern(h, W, "args", 0));
        assertEquals(0x2222, sockOpsKern(h, W, "args", 4));
        assertEquals(0xffff_ffffL, sockOpsKern(h, W, "args", 12));
        assertEquals(4, sockOpsKern(h, B, "op", 0));
        assertEquals(1, sockOpsKern(h, B, "is_fullsock", 0));
    }
}
