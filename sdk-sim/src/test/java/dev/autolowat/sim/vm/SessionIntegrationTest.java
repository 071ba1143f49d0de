package dev.autolowat.sim.vm;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.Errno;
import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;
import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.autolowat.api.asm.Opcode.*;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytecode programs attached to a {@link SimSession}: dispatched where Java handlers are, with the
 * helpers and kfuncs of rules F1, F2, H1, H2, K1, K3 and the A2 enable path, observed through
 * their own maps ({@link SimSession#map(String)}) and {@code observe()}.
 */
class SessionIntegrationTest {
    static final MapSpec CNT = new MapSpec("cnt", MapType.ARRAY, 4, 4, 1);
    /** Log entry: op, seq, end_seq, skb_len, first four payload bytes, skb_load_bytes result. */
    static final MapSpec LOG = new MapSpec("log", MapType.ARRAY, 4, 24, 64);
    static final MapSpec OPS = new MapSpec("ops", MapType.HASH, 4, 8, 32);
    static final MapSpec STATE = new MapSpec("state", MapType.SK_STORAGE, 4, 16, 0);
    static final MapSpec SEEN = new MapSpec("seen", MapType.ARRAY, 4, 8, 1);
    static final int LOWAT = 1000;

    /**
     * The sock_ops program of the brief: on PASSIVE_ESTABLISHED_CB it enables RCVQ with
     * bpf_sock_ops_cb_flags_set(0x80) (F1); on op 21 it logs (op, seq, end_seq, skb_len, the
     * first four payload bytes) into "log" and sets rcvlowat with the kfunc (K1); on every op it
     * counts the op in the HASH map "ops".
     */
    static SockOpsProgram.Bytecode logger() {
        Asm a = new Asm()
                .mov64x(6, 1)
                .ldx(W, 7, 6, SockOpsCtx.OP)
                // ops[op] += 1
                .stx(W, 10, 7, -4)
                .ldMap(1, 2).mov64x(2, 10).add64(2, -4).call(Helper.MAP_LOOKUP_ELEM.id())
                .jmp(JEQ, 0, 0, "first")
                .mov64(1, 1).atomic(DW, 0, 1, 0, ADD).ja("dispatch")
                .label("first")
                .st(DW, 10, -16, 1)
                .ldMap(1, 2).mov64x(2, 10).add64(2, -4).mov64x(3, 10).add64(3, -16).mov64(4, 1)
                .call(Helper.MAP_UPDATE_ELEM.id())
                .label("dispatch")
                .jmp(JEQ, 7, 5, "passive")
                .jmp(JEQ, 7, 21, "rcvq")
                .ret(1)
                .label("passive")
                .mov64x(1, 6).mov64(2, CbFlags.RCVQ).call(Helper.SOCK_OPS_CB_FLAGS_SET.id())
                .ret(1)
                .label("rcvq")
                .st(W, 10, -4, 0)
                .ldMap(1, 0).mov64x(2, 10).add64(2, -4).call(Helper.MAP_LOOKUP_ELEM.id())
                .jmp(JEQ, 0, 0, "out")
                .mov64(8, 1).atomic(W, 0, 8, 0, ADD | FETCH)          // r8 = index
                .stx(W, 10, 8, -8)
                .ldMap(1, 1).mov64x(2, 10).add64(2, -8).call(Helper.MAP_LOOKUP_ELEM.id())
                .jmp(JEQ, 0, 0, "out")
                .mov64x(9, 0)
                .stx(W, 9, 7, 0)                                      // op
                .mov64x(1, 6).callKfunc("bpf_cast_to_kern_ctx")
                .ldxField(DW, 2, 0, "bpf_sock_ops_kern", "skb", 0)
                .jmp(JEQ, 2, 0, "noskb")
                .ldxField(W, 3, 2, "sk_buff", "cb", Layouts.CB_SEQ).stx(W, 9, 3, 4)
                .ldxField(W, 3, 2, "sk_buff", "cb", Layouts.CB_END_SEQ).stx(W, 9, 3, 8)
                .label("noskb")
                .ldx(W, 3, 6, SockOpsCtx.SKB_LEN).stx(W, 9, 3, 12)
                .mov64x(1, 6).mov64(2, 0).mov64x(3, 9).add64(3, 16).mov64(4, 4).call(Helper.SKB_LOAD_BYTES.id())
                .stx(W, 9, 0, 20)
                .mov64x(1, 6).mov64(2, LOWAT).callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .label("out")
                .ret(1);
        return new SockOpsProgram.Bytecode("logger", "GPL", a.build(), List.of(CNT, LOG, OPS));
    }

    private static int u32(byte[] b, int at) {
        return (int) MemRegion.read(b, at, 4);
    }

    private static List<Invocation> logged(SimSession s) {
        BpfMapView cnt = s.map("cnt");
        BpfMapView log = s.map("log");
        int n = u32(cnt.lookup(0), 0);
        List<Invocation> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] e = log.lookup(i);
            out.add(new Invocation(u32(e, 0), u32(e, 4), u32(e, 8), u32(e, 12)));
        }
        return out;
    }

    private static long opCount(SimSession s, int op) {
        byte[] v = s.map("ops").lookup(op);
        return v == null ? 0 : MemRegion.read(v, 0, 8);
    }

    @Test
    @DisplayName("F1/H1/H2/K1: a bytecode program enables RCVQ on PASSIVE_ESTABLISHED_CB, logs every op-21 invocation "
            + "into its own map, reads payload and sets rcvlowat; its log equals the simulator's")
    void loggerProgram() {
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(logger());
            assertTrue(s.backend().capabilities().bytecode());
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(CbFlags.RCVQ, c.cbFlags(), "F1: the program set the flag on op 5");
            assertEquals(1, opCount(s, 3), "TCP_CONNECT_CB ran once (client side)");
            assertEquals(1, opCount(s, 4), "ACTIVE_ESTABLISHED_CB ran once (client side)");
            assertEquals(1, opCount(s, 5), "PASSIVE_ESTABLISHED_CB ran once (accepted side)");
            Observation first = c.observe();
            assertEquals(List.of(new Invocation(5, 0, 0, 0)), first.invocations());

            byte[] data = "abcdefgh".getBytes(StandardCharsets.US_ASCII);
            assertEquals(8, c.send(data, 3, 5));
            Observation o = c.observe();
            assertEquals(LOWAT, o.rcvLowat(), "K1: the kfunc set rcvlowat in op 21");
            assertEquals(2, o.invocations().size());
            assertEquals(o.invocations(), logged(s), "the program's own log equals the simulator's (H1)");
            int seq = o.invocations().get(0).seq();
            assertEquals(new Invocation(21, seq, seq + 3, 3), o.invocations().get(0));
            assertEquals(new Invocation(21, seq + 3, seq + 8, 5), o.invocations().get(1));
            byte[] e0 = s.map("log").lookup(0);
            byte[] e1 = s.map("log").lookup(1);
            assertEquals(Errno.EFAULT.negative(), u32(e0, 20), "4 bytes do not fit a 3-byte segment: -EFAULT");
            assertArrayEquals(new byte[4], java.util.Arrays.copyOfRange(e0, 16, 20), "and the buffer is zeroed");
            assertEquals(0, u32(e1, 20));
            assertEquals("defg", new String(e1, 16, 4, StandardCharsets.US_ASCII), "payload offset 0 = first byte of the segment");
            assertFalse(o.readable(), "8 bytes < lowat 1000");

            byte[] buf = new byte[100];
            assertEquals(8, c.recv(buf, 0, 100, RecvMode.NON_BLOCKING));
            Observation after = c.observe();
            assertEquals(List.of(new Invocation(21, 0, 0, 0)), after.invocations(), "H2: no segment");
            List<Invocation> all = logged(s);
            assertEquals(new Invocation(21, 0, 0, 0), all.get(2));
            assertEquals(Errno.EFAULT.negative(), u32(s.map("log").lookup(2), 20), "H2: bpf_skb_load_bytes fails");
            assertEquals(3, opCount(s, 21));
            assertEquals(0, s.vmFaultCount());
        }
    }

    @Test
    @DisplayName("bytecode and Java handlers run in attach order at the same dispatch points")
    void attachOrder() {
        List<Integer> seenLowat = new ArrayList<>();
        SockOpsHandler after = new SockOpsHandler() {
            @Override
            public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {
                seenLowat.add(ctx.rcvLowat());
                return 1;
            }
        };
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(logger());
            s.attach(SockOpsProgram.of("java_after", after));
            SimConnection c = s.connect(ConnectOptions.IPV6);
            c.send(new byte[10], 10);
            assertEquals(List.of(LOWAT), seenLowat, "the Java handler attached second sees the kfunc's effect");
            assertEquals(1, c.observe().invocations().stream().filter(i -> i.op() == 21).count(),
                    "the simulator logs one entry per dispatch, not per program");
        }
    }

    @Test
    @DisplayName("K1/K3: the kfunc outside op 21 and bpf_setsockopt(SO_RCVLOWAT) inside it answer -EOPNOTSUPP")
    void setterRules() {
        // on op 5: kfunc -> -EOPNOTSUPP; setsockopt(SO_RCVLOWAT, 0) before accept -> stored as 1 (K3)
        // on op 21: setsockopt -> -EOPNOTSUPP
        MapSpec res = new MapSpec("res", MapType.ARRAY, 4, 8, 4);
        Asm a = new Asm()
                .mov64x(6, 1)
                .ldx(W, 7, 6, SockOpsCtx.OP)
                .jmp(JEQ, 7, 5, "passive")
                .jmp(JEQ, 7, 21, "rcvq")
                .ret(1)
                .label("passive")
                .mov64x(1, 6).mov64(2, 77).callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .mov64(1, 0).call2store(0)
                .st(W, 10, -4, 5000)
                .mov64x(1, 6).mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT).mov64x(4, 10).add64(4, -4)
                .mov64(5, 4).call(Helper.SETSOCKOPT.id())
                .mov64(1, 1).call2store(0)
                .mov64x(1, 6).mov64(2, CbFlags.RCVQ).call(Helper.SOCK_OPS_CB_FLAGS_SET.id())
                .ret(1)
                .label("rcvq")
                .st(W, 10, -4, 300)
                .mov64x(1, 6).mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT).mov64x(4, 10).add64(4, -4)
                .mov64(5, 4).call(Helper.SETSOCKOPT.id())
                .mov64(1, 2).call2store(0)
                .st(W, 10, -8, 0)
                .mov64x(1, 6).mov64(2, SockOpt.SOL_SOCKET).mov64(3, SockOpt.SO_RCVLOWAT).mov64x(4, 10).add64(4, -8)
                .mov64(5, 4).call(Helper.GETSOCKOPT.id())
                .ldx(W, 0, 10, -8)
                .mov64(1, 3).call2store(0)
                .ret(1);
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(new SockOpsProgram.Bytecode("setters", "GPL", a.build(), List.of(res)));
            SimConnection c = s.connect(ConnectOptions.IPV4);
            BpfMapView r = s.map("res");
            // a kfunc returns a C int: the upper half of r0 is zero, as on the patched kernel (measured)
            assertEquals(Integer.toUnsignedLong(Errno.EOPNOTSUPP.negative()), MemRegion.read(r.lookup(0), 0, 8),
                    "K1: kfunc outside op 21 gives -EOPNOTSUPP in r0's lower half, zero above");
            assertEquals(0, MemRegion.read(r.lookup(1), 0, 8));
            assertEquals(5000, c.observe().rcvLowat(), "K3: stored as given before accept (no cap, no growth)");
            c.send(new byte[4], 4);
            assertEquals(Errno.EOPNOTSUPP.negative(), MemRegion.read(r.lookup(2), 0, 8), "K3: setsockopt in op 21");
            assertEquals(5000, MemRegion.read(r.lookup(3), 0, 8), "K4: getsockopt reads sk_rcvlowat");
        }
    }

    /**
     * The A2 enable path as bytecode: consume setsockopt(0xdeadbeef, 0x8badf00d), check the value,
     * bpf_tcp_sock (NULL on MPTCP: EPERM), create the state with desc_seq = end_seq = rcv_nxt (=
     * copied_seq: the queue is empty),
     * OR RCVQ into the flags through bpf_{get,set}sockopt(TCP_BPF_SOCK_OPS_CB_FLAGS).
     */
    static SockoptProgram.Bytecode enable() {
        Asm a = new Asm()
                .mov64x(6, 1)
                .ldx(W, 2, 6, SockoptCtx.LEVEL).jmp32(JNE, 2, SockOpt.AUTOLOWAT_LEVEL, "pass")
                .ldx(W, 2, 6, SockoptCtx.OPTNAME).jmp32(JNE, 2, SockOpt.AUTOLOWAT_OPTNAME, "pass")
                .st(W, 6, SockoptCtx.OPTLEN, -1)
                .ldx(DW, 2, 6, SockoptCtx.OPTVAL).ldx(DW, 3, 6, SockoptCtx.OPTVAL_END)
                .mov64x(4, 2).add64(4, 4).jmpx(JGT, 4, 3, "deny")
                .ldx(W, 7, 2, 0)
                .jmp(JEQ, 7, 0, "pass")
                .ldx(DW, 8, 6, SockoptCtx.SK)
                .mov64x(1, 8).call(Helper.TCP_SOCK.id())
                .jmp(JEQ, 0, 0, "deny")
                .ldMap(1, 0).mov64x(2, 8).mov64(3, 0).mov64(4, Helper.SK_STORAGE_GET_F_CREATE)
                .call(Helper.SK_STORAGE_GET.id())
                .jmp(JEQ, 0, 0, "deny")
                .mov64x(9, 0)
                // a cgroup sockopt program has no bpf_skc_to_tcp_sock: with the queue empty (F3),
                // copied_seq == rcv_nxt, which struct bpf_tcp_sock has
                .mov64x(1, 8).call(Helper.TCP_SOCK.id())
                .jmp(JEQ, 0, 0, "deny")
                .ldx(W, 2, 0, 16)
                .stx(W, 9, 2, 0).stx(W, 9, 2, 4).st(W, 9, 8, 0)
                .st(W, 10, -4, 0)
                .mov64x(1, 8).mov64(2, SockOpt.SOL_TCP).mov64(3, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS)
                .mov64x(4, 10).add64(4, -4).mov64(5, 4).call(Helper.GETSOCKOPT.id())
                .jmp(JNE, 0, 0, "deny")
                .ldx(W, 2, 10, -4).alu32(OR, 2, CbFlags.RCVQ).stx(W, 10, 2, -4)
                .mov64x(1, 8).mov64(2, SockOpt.SOL_TCP).mov64(3, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS)
                .mov64x(4, 10).add64(4, -4).mov64(5, 4).call(Helper.SETSOCKOPT.id())
                .jmp(JNE, 0, 0, "deny")
                .label("pass")
                .ret(1)
                .label("deny")
                .ret(0);
        return new SockoptProgram.Bytecode("enable", "GPL", a.build(), List.of(STATE));
    }

    /** A sock_ops reader of the shared state: on op 21, seen[0] = state.desc_seq. */
    static SockOpsProgram.Bytecode reader() {
        Asm a = new Asm()
                .mov64x(6, 1)
                .ldx(W, 2, 6, SockOpsCtx.OP).jmp(JNE, 2, 21, "out")
                .ldx(DW, 2, 6, SockOpsCtx.SK).jmp(JEQ, 2, 0, "out")
                .ldMap(1, 0).mov64(3, 0).mov64(4, 0).call(Helper.SK_STORAGE_GET.id())
                .jmp(JEQ, 0, 0, "out")
                .ldx(W, 7, 0, 0)
                .st(W, 10, -4, 0)
                .ldMap(1, 1).mov64x(2, 10).add64(2, -4).call(Helper.MAP_LOOKUP_ELEM.id())
                .jmp(JEQ, 0, 0, "out")
                .stx(DW, 0, 7, 0)
                .label("out")
                .ret(1);
        return new SockOpsProgram.Bytecode("reader", "GPL", a.build(), List.of(STATE, SEEN));
    }

    @Test
    @DisplayName("A2 as bytecode: the setsockopt program consumes the option, creates the shared SK_STORAGE state "
            + "and sets RCVQ through bpf_setsockopt (F2); the sock_ops program reads the same map")
    void enablePath() {
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(reader());
            s.attach(enable());
            assertEquals(List.of("state", "seen"), s.mapNames(), "one SK_STORAGE map, shared by name");
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(0, c.setsockopt(SockOpt.AUTOLOWAT_LEVEL, SockOpt.AUTOLOWAT_OPTNAME, 0),
                    "value 0: consumed, nothing else");
            assertEquals(0, c.cbFlags());
            assertNull(s.map("state").storageOf(c.acceptedSocket()));
            assertEquals(0, c.setsockopt(SockOpt.AUTOLOWAT_LEVEL, SockOpt.AUTOLOWAT_OPTNAME, 1));
            assertEquals(CbFlags.RCVQ, c.cbFlags(), "F2 through the program");
            int copied = c.socket().copiedSeq();
            byte[] state = s.map("state").storageOf(c.acceptedSocket());
            assertEquals(copied, u32(state, 0));
            assertEquals(copied, u32(state, 4));
            assertEquals(1, s.map("state").entries().size());
            c.send(new byte[5], 5);
            assertEquals(copied, (int) MemRegion.read(s.map("seen").lookup(0), 0, 8), "the reader saw the state");
            // other options pass through to the kernel side
            assertEquals(0, c.setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, 3));
            assertEquals(3, c.observe().rcvLowat());
            // MPTCP: bpf_tcp_sock is NULL -> EPERM
            SimConnection m = s.connect(ConnectOptions.IPV4.withMptcp(true));
            assertEquals(Errno.EPERM.negative(), m.setsockopt(SockOpt.AUTOLOWAT_LEVEL, SockOpt.AUTOLOWAT_OPTNAME, 1));
            assertEquals(0, m.cbFlags());
            // closing a connection drops its storage
            c.close();
            assertEquals(0, s.map("state").entries().size());
            assertEquals(0, s.vmFaultCount());
        }
    }

    @Test
    @DisplayName("a setsockopt program may rewrite optval (the kernel side sees it) and a bad optlen is EFAULT; retval is not "
            + "accessible to BPF_CGROUP_SETSOCKOPT programs")
    void sockoptRewrites() {
        // SO_RCVLOWAT v -> 2v; SO_RCVBUF -> optlen 100 (EFAULT)
        Asm a = new Asm()
                .mov64x(6, 1)
                .ldx(W, 2, 6, SockoptCtx.LEVEL).jmp(JNE, 2, SockOpt.SOL_SOCKET, "pass")
                .ldx(W, 2, 6, SockoptCtx.OPTNAME).jmp(JEQ, 2, SockOpt.SO_RCVBUF, "bad")
                .jmp(JNE, 2, SockOpt.SO_RCVLOWAT, "pass")
                .ldx(DW, 2, 6, SockoptCtx.OPTVAL).ldx(DW, 3, 6, SockoptCtx.OPTVAL_END)
                .mov64x(4, 2).add64(4, 16).jmpx(JGT, 4, 3, "pass")   // the buffer is 16 bytes
                .ldx(W, 4, 2, 0).alu32(LSH, 4, 1).stx(W, 2, 4, 0)
                .ja("pass")
                .label("bad")
                .st(W, 6, SockoptCtx.OPTLEN, 100)
                .label("pass")
                .ret(1);
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(new SockoptProgram.Bytecode("rewrite", "GPL", a.build(), List.of()));
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(0, c.setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, 21));
            assertEquals(42, c.observe().rcvLowat());
            assertEquals(Errno.EFAULT.negative(), c.setsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF, 10000));
        }
        Asm retval = new Asm().st(W, 1, SockoptCtx.RETVAL, 0).ret(1);
        try (SimSession s = new SimBackend().openSession()) {
            ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                    () -> s.attach(new SockoptProgram.Bytecode("retval", "GPL", retval.build(), List.of())));
            assertTrue(e.getMessage().contains("retval is accessible only to BPF_CGROUP_GETSOCKOPT"), e.getMessage());
            assertTrue(e.getMessage().contains("'retval'"), e.getMessage());
        }
    }

    @Test
    @DisplayName("an aborted invocation counts as returning 0, the step completes, the fault is recorded and thrown "
            + "at the end of the SPI call (or only recorded when throwing is off)")
    void faults() {
        Asm a = new Asm()
                .mov64x(6, 1)
                .ldx(W, 2, 6, SockOpsCtx.OP)
                .jmp(JEQ, 2, 5, "passive")
                .jmp(JEQ, 2, 21, "boom")
                .ret(1)
                .label("passive")
                .mov64x(1, 6).mov64(2, CbFlags.RCVQ).call(Helper.SOCK_OPS_CB_FLAGS_SET.id())
                .ret(1)
                .label("boom")
                .mov64x(1, 6).mov64(2, 77).callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .ldx(W, 0, 10, 8)     // out of the frame
                .exit();
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(new SockOpsProgram.Bytecode("faulty", "GPL", a.build(), List.of()));
            SimConnection c = s.connect(ConnectOptions.IPV4);
            BpfVmException e = assertThrows(BpfVmException.class, () -> c.send(new byte[100], 100));
            assertEquals("faulty", e.program());
            assertTrue(e.getMessage().contains("r0 = *(u32 *)(r10 +8)"), e.getMessage());
            assertEquals(1, s.vmFaultCount());
            Observation o = c.observe();
            assertEquals(100, o.queuedBytes(), "the segment was queued: the step completed");
            assertEquals(77, o.rcvLowat(), "the helper called before the abort took effect (it completed as a whole)");
            assertTrue(o.readable());
            s.throwOnVmFault(false);
            assertEquals(50, c.send(new byte[50], 50));
            assertEquals(2, s.vmFaultCount());
            assertEquals(2, s.vmFaults().size());
            assertEquals(150, c.observe().queuedBytes());
        }
    }

    @Test
    @DisplayName("a large program (the ~360 loads through a stack pointer copy that made ASM throw "
            + "LimitExceededException out of attach) attaches in the default mode and runs at every dispatch point")
    void largeProgramAttaches() {
        Asm a = new Asm().st(DW, 10, -8, 1).mov64x(7, 10).add64(7, -8).mov64(0, 0);
        for (int i = 0; i < 400; i++) {
            a.ldx(DW, 3, 7, 0).alu64x(ADD, 0, 3);
        }
        a.alu64(AND, 0, 1).exit();
        try (SimSession s = new SimBackend().openSession()) {
            s.attach(new SockOpsProgram.Bytecode("large", "GPL", a.build(), List.of()));
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(100, c.send(new byte[100], 100));
            assertEquals(0, s.vmFaultCount());
            assertTrue(c.observe().invocations().size() > 0, "the program ran");
        }
    }

    @Test
    @DisplayName("attaching bytecode is atomic: a rejected program attaches nothing and creates no map")
    void rejectedAttach() {
        Asm bad = new Asm().ldMap(1, 0).mov64(10, 0).ret(1);
        try (SimSession s = new SimBackend().openSession()) {
            ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                    () -> s.attach(new SockOpsProgram.Bytecode("bad_prog", "GPL", bad.build(), List.of(CNT))));
            assertTrue(e.getMessage().contains("bad_prog") && e.getMessage().contains("pc 2"), e.getMessage());
            assertEquals(List.of(), s.mapNames());
            assertThrows(IllegalArgumentException.class, () -> s.map("cnt"));
            SimConnection c = s.connect(ConnectOptions.IPV4);
            assertEquals(0, c.observe().invocations().size(), "no program attached");
        }
    }

    @Test
    @DisplayName("on a stock kernel the kfunc does not exist: a program that calls it is rejected at attach")
    void stockKernel() {
        try (SimSession s = new SimBackend(SimConfig.DEFAULT.withSeries(false)).openSession()) {
            assertThrows(ProgramRejectedException.class, () -> s.attach(logger()));
        }
    }
}
