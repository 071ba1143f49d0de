package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.ProgramType;
import dev.autolowat.api.spi.Family;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.tcp.TcpSocketModel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.autolowat.api.asm.Opcode.JEQ;
import static dev.autolowat.api.asm.Opcode.JNE;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.H;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The socket views and kernel objects: values read live from the model, read-only, field-bounded. */
@ParameterizedClass(name = "{0}")
@EnumSource(VmOptions.ExecutionMode.class)
class KernelObjectsTest {
    /** Every test of this class runs once per execution mode (interpreter and translated code). */
    @Parameter
    VmOptions.ExecutionMode mode;

    /** r0 = skc_to_tcp_sock(ctx->sk), then {@code body}. */
    private static Asm tcpSock() {
        return new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.SKC_TO_TCP_SOCK.id()).jmp(JNE, 0, 0, "ok").ret(-1)
                .label("ok");
    }

    @Test
    @DisplayName("tcp_sock fields through FieldRefs, nested sock names included, read the model live")
    void tcpSockFields() {
        VmHarness h = VmHarness.raw(mode);
        h.socket.userSetRcvlowat(1234);
        TcpSocketModel s = h.socket;
        assertEquals(s.copiedSeq() & 0xffff_ffffL, h.run(tcpSock().ldxField(W, 0, 0, "tcp_sock", "copied_seq", 0).exit()));
        assertEquals(s.rcvNxt() & 0xffff_ffffL, h.run(tcpSock().ldxField(W, 0, 0, "tcp_sock", "rcv_nxt", 0).exit()));
        assertEquals(1234, h.run(tcpSock().ldxField(W, 0, 0, "sock", "sk_rcvlowat", 0).exit()));
        assertEquals(1234, h.run(tcpSock().ldxField(W, 0, 0, "tcp_sock", "inet_conn.icsk_inet.sk.sk_rcvlowat", 0).exit()));
        assertEquals(s.rcvBuf(), h.run(tcpSock().ldxField(W, 0, 0, "sock", "sk_rcvbuf", 0).exit()));
        assertEquals(2, h.run(tcpSock().ldxField(H, 0, 0, "sock", "__sk_common.skc_family", 0).exit()));
        assertEquals(6, h.run(tcpSock().ldxField(H, 0, 0, "sock", "sk_protocol", 0).exit()));
        // a partial load inside a field is fine (a PROBE_MEM load)
        assertEquals(1234 & 0xff, h.run(tcpSock().ldxField(B, 0, 0, "sock", "sk_rcvlowat", 0).exit()));
        // past the field, or a store: abort
        BpfVmException e = assertThrows(BpfVmException.class,
                () -> h.run(tcpSock().ldxField(DW, 0, 0, "sock", "sk_rcvlowat", 0).exit()));
        assertTrue(e.reason().contains("runs past the end of the field"), e.getMessage());
        e = assertThrows(BpfVmException.class, () -> h.run(tcpSock().st(W, 0, 0x604, 1).ret(0)));
        assertTrue(e.reason().contains("kernel objects are read-only"), e.getMessage());
        e = assertThrows(BpfVmException.class, () -> h.run(tcpSock().ldx(W, 0, 0, 0x50).exit()));
        assertTrue(e.reason().contains("no field there"), e.getMessage());
    }

    @Test
    @DisplayName("ctx->sk, bpf_tcp_sock(sk) and bpf_skc_to_tcp_sock(sk) are the same address; bpf_sock and "
            + "bpf_tcp_sock use the uapi layouts")
    void views() {
        VmHarness h = VmHarness.raw(mode);
        Asm same = new Asm().ldx(DW, 6, 1, SockOpsCtx.SK).mov64x(1, 6).call(Helper.SKC_TO_TCP_SOCK.id())
                .mov64x(7, 0).mov64x(1, 6).call(Helper.TCP_SOCK.id())
                .jmpx(JEQ, 0, 7, "eq").ret(0).label("eq").jmpx(JEQ, 6, 7, "eq2").ret(0).label("eq2").ret(1);
        assertEquals(1, h.run(same));
        assertEquals(8080, h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(W, 0, 1, 44).exit()), "bpf_sock.src_port");
        assertEquals(Short.reverseBytes((short) 40000) & 0xffff,
                h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(H, 0, 1, 48).exit()), "bpf_sock.dst_port, network order");
        assertEquals(1, h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(W, 0, 1, 72).exit()), "ESTABLISHED");
        assertThrows(BpfVmException.class, () -> h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(H, 0, 1, 16).exit()),
                "bpf_sock.mark takes no narrow load");
        // bpf_sock_is_valid_access(): family's narrow loads start at its first byte, an address's anywhere in it
        assertEquals(2, h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(B, 0, 1, 4).exit()), "bpf_sock.family, 1 byte");
        BpfVmException family = assertThrows(BpfVmException.class,
                () -> h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(B, 0, 1, 5).exit()));
        assertTrue(family.reason().contains("narrower loads must start at its first byte (offset 4)"), family.getMessage());
        h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(B, 0, 1, 25).exit());
        assertThrows(BpfVmException.class, () -> h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).add64(1, 4).ret(0)),
                "no arithmetic on a socket pointer");
        assertEquals(h.socket.rcvNxt() & 0xffff_ffffL, h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK)
                .call(Helper.TCP_SOCK.id()).ldx(W, 0, 0, 16).exit()), "bpf_tcp_sock.rcv_nxt");
        BpfVmException e = assertThrows(BpfVmException.class, () -> h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK)
                .call(Helper.SKC_TO_TCP_SOCK.id()).mov64x(1, 0).call(Helper.TCP_SOCK.id()).exit()));
        assertTrue(e.reason().contains("expected=sock_common"), "bpf_tcp_sock takes no BTF pointer: " + e.getMessage());
    }

    @Test
    @DisplayName("an MPTCP socket has no tcp_sock: bpf_tcp_sock and bpf_skc_to_tcp_sock give NULL; sk_protocol is 262")
    void mptcp() {
        VmHarness h = VmHarness.raw(mode);
        TcpSocketModel m = new TcpSocketModel(SimConfig.DEFAULT, true, 1000, 65483);
        h.input.set(m, new SocketInfo(true, 8080, 40001, 65463, 5, 1000), 4);
        assertEquals(0, h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.TCP_SOCK.id()).exit()));
        assertEquals(0, h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.SKC_TO_TCP_SOCK.id()).exit()));
        assertEquals(262, h.run(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).ldx(W, 0, 1, 12).exit()));
        assertEquals(10, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.FAMILY).exit()), "AF_INET6");
        assertEquals(0x0100_0000L, h.run(new Asm().ldx(W, 0, 1, SockOpsCtx.LOCAL_IP6 + 12).exit()), "::1");
        assertTrue(Family.INET6 != null);
    }

    @Test
    @DisplayName("H1: bpf_cast_to_kern_ctx gives the segment's skb (seq, end_seq, tcp_flags in cb; len); H2 and other ops: NULL")
    void kernCtx() {
        VmHarness h = VmHarness.raw(mode);
        byte[] payload = new byte[10];
        h.socket.arrive(h.socket.rcvNxt(), payload, true);
        int seq = h.socket.rcvNxt() - 11;
        h.input.set(h.socket, h.info, 21).segment(seq, seq + 11, true, 10);
        assertEquals(seq & 0xffff_ffffL, h.run(skb().ldxField(W, 0, 6, "sk_buff", "cb", 0).exit()
                .label("none").ret(-1)));
        assertEquals((seq + 11) & 0xffff_ffffL, h.run(skb().ldxField(W, 0, 6, "sk_buff", "cb", 4).exit()
                .label("none").ret(-1)));
        assertEquals(0x19, h.run(skb().ldxField(B, 0, 6, "sk_buff", "cb", 12).exit().label("none").ret(-1)),
                "ACK|PSH|FIN");
        assertEquals(10, h.run(skb().ldxField(W, 0, 6, "sk_buff", "len", 0).exit().label("none").ret(-1)));
        assertEquals(21, h.run(new Asm().callKfunc("bpf_cast_to_kern_ctx").ldxField(B, 0, 0, "bpf_sock_ops_kern", "op", 0)
                .exit()));
        assertEquals(0x19, h.run(new Asm().ldx(B, 0, 1, SockOpsCtx.SKB_TCP_FLAGS).exit()), "narrow skb_tcp_flags load");
        h.input.set(h.socket, h.info, 21);
        assertEquals(-1, h.run(skb().ret(0).label("none").ret(-1)), "H2: skb is NULL");
        assertTrue(h.load(ProgramType.SOCK_OPS, "GPL", new Asm().ret(0)) != null);
    }

    private static Asm skb() {
        return new Asm().callKfunc("bpf_cast_to_kern_ctx").ldxField(DW, 6, 0, "bpf_sock_ops_kern", "skb", 0)
                .jmp(JEQ, 6, 0, "none");
    }
}
