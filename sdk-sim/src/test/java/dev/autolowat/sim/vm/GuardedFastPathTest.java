package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static dev.autolowat.api.asm.Opcode.JEQ;
import static dev.autolowat.api.asm.Opcode.ADD;
import static dev.autolowat.api.asm.Opcode.JNE;
import static dev.autolowat.api.asm.Opcode.MUL;
import static dev.autolowat.sim.vm.Asm.B;
import static dev.autolowat.sim.vm.Asm.DW;
import static dev.autolowat.sim.vm.Asm.H;
import static dev.autolowat.sim.vm.Asm.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The translator's guarded fast paths (docs/decisions.md D25): kernel-object loads through a
 * register {@link PointerGuess} guesses ({@code bpf_sock_ops_kern.skb}, {@code sk_buff.cb},
 * {@code tcp_sock} fields, also through a pointer kept on the stack), and the in-line common case
 * of {@code bpf_skc_to_tcp_sock}, {@code bpf_sk_storage_get}, {@code bpf_skb_load_bytes} and the K1
 * kfunc. Each program runs translated and interpreted, on inputs that take the fast path and
 * inputs where the run-time check fails or the interpreter's check faults; the two modes must give
 * the same r0, instruction count, fault (pc, instruction, reason) and socket and storage effects.
 * Each case also checks a value of its own, so that agreement on a trivial outcome cannot pass.
 */
class GuardedFastPathTest {
    private static final MapSpec STORAGE = new MapSpec("st", MapType.SK_STORAGE, 4, 24, 0);

    /** One mode: its harness and the outcome of each run. */
    private static final class Side {
        final VmHarness h;
        final VmProgram prog;

        Side(VmOptions.ExecutionMode mode, Asm asm, MapSpec... maps) {
            h = VmHarness.raw(mode);
            prog = h.load(asm, maps);
        }

        String run(Consumer<VmHarness> input) {
            input.accept(h);
            StringBuilder out = new StringBuilder();
            try {
                long r0 = prog.runSockOps(h.input);
                out.append("returned ").append(r0);
            } catch (BpfVmException e) {
                out.append("aborted at pc ").append(e.pc()).append(" [").append(e.instruction()).append("]: ")
                        .append(e.reason());
            }
            out.append(", ").append(prog.lastInstructionCount()).append(" instructions; rcvlowat ")
                    .append(h.socket.rcvLowat());
            for (String name : h.maps.names()) {
                out.append("; map ").append(name).append(':');
                for (BpfMapView.Entry entry : h.maps.view(name).entries()) {
                    out.append(' ').append(entry);
                }
            }
            return out.toString();
        }
    }

    /**
     * Runs {@code asm} in both modes on each input (one program per mode, the inputs in order on
     * the same socket) and returns the outcomes, after checking that they are equal.
     */
    @SafeVarargs
    private static String[] both(Asm asm, MapSpec[] maps, Consumer<VmHarness>... inputs) {
        Side interpreted = new Side(VmOptions.ExecutionMode.INTERPRETER, asm, maps);
        Side translated = new Side(VmOptions.ExecutionMode.JIT, asm, maps);
        String[] out = new String[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            out[i] = interpreted.run(inputs[i]);
            assertEquals(out[i], translated.run(inputs[i]), "input " + i + ": translated code and interpreter differ");
        }
        return out;
    }

    @SafeVarargs
    private static String[] both(Asm asm, Consumer<VmHarness>... inputs) {
        return both(asm, new MapSpec[0], inputs);
    }

    /** H1: op 21 with a 10-byte segment (and FIN) that the socket has queued. */
    private static void segment(VmHarness h) {
        h.socket.arrive(h.socket.rcvNxt(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false);
        int seq = h.socket.rcvNxt() - 10;
        h.input.set(h.socket, h.info, 21).segment(seq, seq + 10, false, 10);
    }

    /** H2: op 21 without a segment. */
    private static void noSegment(VmHarness h) {
        h.input.set(h.socket, h.info, 21);
    }

    /** Another op (K1 answers -EOPNOTSUPP there). */
    private static void otherOp(VmHarness h) {
        h.input.set(h.socket, h.info, 4);
    }

    /** r6 = skb (bpf_cast_to_kern_ctx(ctx)->skb), or return -1 when NULL. */
    private static Asm skb() {
        return new Asm().callKfunc("bpf_cast_to_kern_ctx").ldxField(DW, 6, 0, "bpf_sock_ops_kern", "skb", 0)
                .jmp(JNE, 6, 0, "has").ret(-1).label("has");
    }

    /** r0 = bpf_skc_to_tcp_sock(ctx->sk), or return -1 when NULL. */
    private static Asm tcpSock() {
        return new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.SKC_TO_TCP_SOCK.id()).jmp(JNE, 0, 0, "ok").ret(-1)
                .label("ok");
    }

    @Test
    @DisplayName("H1/H2: kern->skb and the segment's seq and end_seq in sk_buff.cb, in line; NULL without a segment")
    void skbAndCb() {
        String[] seq = both(skb().ldxField(W, 0, 6, "sk_buff", "cb", 0).exit(),
                GuardedFastPathTest::segment, GuardedFastPathTest::noSegment, GuardedFastPathTest::segment);
        assertTrue(seq[0].startsWith("returned ") && !seq[0].startsWith("returned -1"), seq[0]);
        assertTrue(seq[1].startsWith("returned -1"), "H2: skb is NULL: " + seq[1]);
        both(skb().ldxField(W, 0, 6, "sk_buff", "cb", 4).exit(), GuardedFastPathTest::segment);
        String[] signed = both(skb().ldxsx(W, 0, 6, 40).exit(), GuardedFastPathTest::segment);
        assertTrue(signed[0].startsWith("returned "), signed[0]);
        // parts of cb and len without an in-line form, and accesses that fault: the interpreter's code
        String[] flags = both(skb().ldxField(B, 0, 6, "sk_buff", "cb", 12).exit(), GuardedFastPathTest::segment);
        assertTrue(flags[0].startsWith("returned 24,"), "ACK|PSH: " + flags[0]);
        both(skb().ldxField(H, 0, 6, "sk_buff", "cb", 2).exit(), GuardedFastPathTest::segment);
        both(skb().ldxField(W, 0, 6, "sk_buff", "len", 0).exit(), GuardedFastPathTest::segment);
        String[] past = both(skb().ldx(DW, 0, 6, 40 + 44).exit(), GuardedFastPathTest::segment);
        assertTrue(past[0].startsWith("aborted"), past[0]);
        String[] nothing = both(skb().ldx(W, 0, 6, 8).exit(), GuardedFastPathTest::segment);
        assertTrue(nothing[0].contains("no field there"), nothing[0]);
        // the skb pointer moved: the check of the pointer fails, the interpreter's code reads
        both(skb().add64(6, 4).ldx(W, 0, 6, 36).exit(), GuardedFastPathTest::segment);
    }

    /** H1: op 21 with a segment whose seq and end_seq have bit 31 set (no data queued: only the input's fields). */
    private static void highSegment(VmHarness h) {
        h.input.set(h.socket, h.info, 21).segment(0x8765_4321, 0x8765_4321 + 10, false, 10);
    }

    @Test
    @DisplayName("D25, H1: only whole-word loads of sk_buff.cb's seq and end_seq are read in line: sign-extended, "
            + "8- and 2-byte loads there, the word after them, kern->args and NULL kern->skb loaded over a pointer "
            + "register give what the interpreter gives")
    void cbInLineOnlyForSeqWords() {
        String[] signed = both(skb().ldxsx(W, 0, 6, 40).exit(), GuardedFastPathTest::highSegment);
        assertTrue(signed[0].startsWith("returned " + (long) 0x8765_4321 + ","), "sign-extended seq: " + signed[0]);
        String[] unsigned = both(skb().ldxField(W, 0, 6, "sk_buff", "cb", 0).exit(), GuardedFastPathTest::highSegment);
        assertTrue(unsigned[0].startsWith("returned " + 0x8765_4321L + ","), "zero-extended seq: " + unsigned[0]);
        String[] wide = both(skb().ldxField(DW, 0, 6, "sk_buff", "cb", 0).exit(), GuardedFastPathTest::highSegment);
        assertTrue(wide[0].startsWith("returned " + ((0x8765_4321L + 10) << 32 | 0x8765_4321L) + ","),
                "seq and end_seq in one load: " + wide[0]);
        String[] half = both(skb().ldxField(H, 0, 6, "sk_buff", "cb", 4).exit(), GuardedFastPathTest::highSegment);
        assertTrue(half[0].startsWith("returned " + ((0x8765_4321 + 10) & 0xffff) + ","), "low half of end_seq: " + half[0]);
        String[] next = both(skb().ldxField(W, 0, 6, "sk_buff", "cb", 8).exit(), GuardedFastPathTest::highSegment);
        assertTrue(!next[0].startsWith("returned " + (0x8765_4321L + 10) + ","), "the word after end_seq: " + next[0]);
        // sign-extended narrow loads of tcp_sock fields read in line (rcv_mss, rcv_nxt)
        for (int off : new int[] {0x400, 0x401, 0x600, 0x601}) {
            String b = both(tcpSock().ldxsx(B, 0, 0, off).exit(), GuardedFastPathTest::highSegment)[0];
            String h = both(tcpSock().ldxsx(H, 0, 0, off & ~1).exit(), GuardedFastPathTest::highSegment)[0];
            System.out.println("tcp_sock sign-extended at " + off + ": " + b + " / " + h);
        }
        // bpf_sock_ops_kern.args: bytes of another view, read through the view's code
        String[] args = both(new Asm().callKfunc("bpf_cast_to_kern_ctx").ldx(W, 0, 0, 8).exit(),
                GuardedFastPathTest::highSegment);
        assertTrue(args[0].startsWith("returned 0,"), "args[0]: " + args[0]);
        // kern->skb NULL (no segment) loaded into the register that held kern: a scalar 0 (MUL is allowed)
        String[] none = both(new Asm().callKfunc("bpf_cast_to_kern_ctx")
                .ldxField(DW, 0, 0, "bpf_sock_ops_kern", "skb", 0).alu64(MUL, 0, 3).exit(),
                GuardedFastPathTest::noSegment);
        assertTrue(none[0].startsWith("returned 0,"), "NULL skb: " + none[0]);
    }

    @Test
    @DisplayName("D25: a fast path serves only its own helper with the arguments its check proves: bpf_tcp_sock on "
            + "the socket, bpf_skc_to_tcp_sock and bpf_sk_storage_get on the context, bpf_sk_storage_get on an "
            + "array map or on a storage map pointer overwritten through a copy of r10 give the interpreter's "
            + "result or fault")
    void fastPathsOnlyForTheirOwnArguments() {
        // bpf_tcp_sock returns the bpf_tcp_sock view, not tcp_sock: its first word is snd_cwnd
        String[] bpfTcpSock = both(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.TCP_SOCK.id())
                .jmp(JNE, 0, 0, "ok").ret(-1).label("ok").ldx(W, 0, 0, 0).exit(), GuardedFastPathTest::otherOp);
        assertTrue(bpfTcpSock[0].startsWith("returned ") && !bpfTcpSock[0].startsWith("returned -1"), bpfTcpSock[0]);
        String[] ctx = both(new Asm().call(Helper.SKC_TO_TCP_SOCK.id()).exit(), GuardedFastPathTest::otherOp);
        assertTrue(ctx[0].startsWith("aborted"), "the context is no socket: " + ctx[0]);
        String[] ctxStorage = both(new Asm().mov64x(2, 1).ldMap(1, 0).mov64(3, 0).mov64(4, 0)
                .call(Helper.SK_STORAGE_GET.id()).exit(), new MapSpec[] {STORAGE}, GuardedFastPathTest::otherOp);
        assertTrue(ctxStorage[0].startsWith("aborted"), "the context is no socket: " + ctxStorage[0]);
        String[] array = both(new Asm().ldx(DW, 2, 1, SockOpsCtx.SK).ldMap(1, 0).mov64(3, 0).mov64(4, 0)
                .call(Helper.SK_STORAGE_GET.id()).exit(), new MapSpec[] {new MapSpec("a", MapType.ARRAY, 4, 24, 1)},
                GuardedFastPathTest::otherOp);
        assertTrue(array[0].contains("into func bpf_sk_storage_get"), array[0]);
        String[] stale = both(new Asm().ldx(DW, 6, 1, SockOpsCtx.SK).ldMap(1, 0).stx(DW, 10, 1, -16)
                .mov64x(2, 10).add64(2, -16).st(DW, 2, 0, 0).ldx(DW, 1, 10, -16).mov64x(2, 6).mov64(3, 0).mov64(4, 0)
                .call(Helper.SK_STORAGE_GET.id()).exit(), new MapSpec[] {STORAGE}, GuardedFastPathTest::otherOp,
                GuardedFastPathTest::otherOp);
        assertTrue(stale[0].startsWith("aborted") && stale[1].startsWith("aborted"),
                "a scalar where the map was: " + stale[0]);
    }

    @Test
    @DisplayName("D20, H1: sock_ops context fields read through the unmodified context: skb_len (zero- and "
            + "sign-extended), remote_port with bit 31 set, skb_data kept in a register")
    void contextFieldsAsTheInterpreter() {
        Consumer<VmHarness> big = h -> h.input.set(h.socket, h.info, 21).segment(1000, 1010, false, 0x8000_1234);
        String[] whole = both(new Asm().ldx(W, 0, 1, SockOpsCtx.SKB_LEN).exit(), big);
        assertTrue(whole[0].startsWith("returned " + 0x8000_1234L + ","), whole[0]);
        String[] signed = both(new Asm().ldxsx(W, 0, 1, SockOpsCtx.SKB_LEN).exit(), big);
        assertTrue(signed[0].startsWith("returned " + (long) 0x8000_1234 + ","), signed[0]);
        // remote port 128: be16 is 0x8000, so the field (be16 << 16) has bit 31 set
        Consumer<VmHarness> port128 = h -> h.input.set(h.socket, new SocketInfo(false, 8080, 128, 65483, 5000, 1000), 4);
        String[] port = both(new Asm().ldx(W, 0, 1, SockOpsCtx.REMOTE_PORT).exit(), port128);
        String[] portSigned = both(new Asm().ldxsx(W, 0, 1, SockOpsCtx.REMOTE_PORT).exit(), port128);
        assertTrue(!port[0].startsWith("returned -") && portSigned[0].startsWith("returned -"),
                "remote_port has bit 31 set (network order in the upper half): " + port[0] + " / " + portSigned[0]);
        // skb_data: a pointer (not a scalar: MUL faults), written into the register that held 0
        String[] data = both(new Asm().mov64(2, 0).ldx(DW, 2, 1, SockOpsCtx.SKB_DATA).jmp(JEQ, 2, 0, "zero").ret(1)
                .label("zero").ret(0), GuardedFastPathTest::segment);
        assertTrue(data[0].startsWith("returned 1,"), "skb_data is not NULL with a segment: " + data[0]);
        String[] notScalar = both(new Asm().ldx(DW, 2, 1, SockOpsCtx.SKB_DATA).alu64(MUL, 2, 2).mov64(0, 0).exit(),
                GuardedFastPathTest::segment);
        assertTrue(notScalar[0].startsWith("aborted"), notScalar[0]);
    }

    @Test
    @DisplayName("D20, D25: the context through a filled copy (guessed, not proven): its fields and sk read as the "
            + "interpreter reads them, moved or overwritten it faults as there")
    void contextThroughAFilledPointer() {
        Consumer<VmHarness> big = h -> h.input.set(h.socket, h.info, 21).segment(1000, 1010, false, 0x8000_1234);
        String[] fields = both(new Asm().stx(DW, 10, 1, -8).ldx(DW, 2, 10, -8).ldx(W, 0, 2, SockOpsCtx.OP)
                .ldx(W, 3, 2, SockOpsCtx.SKB_LEN).alu64x(ADD, 0, 3).ldx(W, 3, 2, SockOpsCtx.REMOTE_PORT)
                .alu64x(ADD, 0, 3).ldxsx(W, 3, 2, SockOpsCtx.SKB_LEN).alu64x(ADD, 0, 3)
                .ldx(DW, 3, 2, SockOpsCtx.SK).jmp(JNE, 3, 0, "sk").ret(-1).label("sk").exit(), big);
        assertTrue(fields[0].startsWith("returned " + (21 + 0x8000_1234L + 0x409c_0000L + (long) 0x8000_1234) + ","),
                fields[0]);
        both(new Asm().stx(DW, 10, 1, -8).ldx(DW, 2, 10, -8).add64(2, 4).ldx(W, 0, 2, 0).exit(), big);
        both(new Asm().stx(DW, 10, 1, -8).mov64x(3, 10).st(DW, 3, -8, 0).ldx(DW, 2, 10, -8).ldx(W, 0, 2, 0).exit(), big);
    }

    @Test
    @DisplayName("D25: bpf_sk_storage_delete and bpf_rdonly_cast with the arguments of a fast path of another call "
            + "(storage map and socket, r3 0, r4 initialized; the context) do what they do in the interpreter")
    void otherCallsWithFastPathArguments() {
        // get with F_CREATE, delete (flags-like r3/r4 0), get without create: NULL, delete's 0 returned
        Asm delete = new Asm().ldx(DW, 6, 1, SockOpsCtx.SK)
                .ldMap(1, 0).mov64x(2, 6).mov64(3, 0).mov64(4, Helper.SK_STORAGE_GET_F_CREATE)
                .call(Helper.SK_STORAGE_GET.id())
                .ldMap(1, 0).mov64x(2, 6).mov64(3, 0).mov64(4, 0).call(Helper.SK_STORAGE_DELETE.id()).mov64x(7, 0)
                .ldMap(1, 0).mov64x(2, 6).mov64(3, 0).mov64(4, 0).call(Helper.SK_STORAGE_GET.id())
                .jmp(JEQ, 0, 0, "gone").ret(100).label("gone").mov64x(0, 7).exit();
        String[] deleted = both(delete, new MapSpec[] {STORAGE}, GuardedFastPathTest::otherOp);
        assertTrue(deleted[0].startsWith("returned 0,"), deleted[0]);
        // bpf_rdonly_cast(ctx, id) in a sock_ops program: not K1 (rcvlowat unchanged)
        both(new Asm().mov64(2, 1).callKfunc("bpf_rdonly_cast").mov64(0, 0).exit(), GuardedFastPathTest::segment);
        // bpf_map_lookup_elem(ctx, ...) with skb_load_bytes' argument shapes: a fault, not a copy
        String[] lookup = both(new Asm().ldMapValue(3, 0, 0).mov64(2, 0).mov64(4, 4).call(Helper.MAP_LOOKUP_ELEM.id())
                .exit(), new MapSpec[] {new MapSpec("a", MapType.ARRAY, 4, 8, 1)}, GuardedFastPathTest::segment);
        assertTrue(lookup[0].startsWith("aborted"), lookup[0]);
        // bpf_sock_ops_cb_flags_set(ctx, 0) with r3 a map value and r4 initialized: no bytes copied there
        String[] flags = both(new Asm().ldMapValue(3, 0, 0).mov64x(6, 3).mov64(2, 0).mov64(4, 4)
                .call(Helper.SOCK_OPS_CB_FLAGS_SET.id()).ldx(W, 0, 6, 0).exit(),
                new MapSpec[] {new MapSpec("a", MapType.ARRAY, 4, 8, 1)}, GuardedFastPathTest::segment);
        assertTrue(flags[0].startsWith("returned 0,"), flags[0]);
    }

    @Test
    @DisplayName("tcp_sock fields read in line through the guessed pointer: copied_seq, rcv_nxt, sk_rcvlowat, "
            + "sk_rcvbuf, rcv_mss, cb flags, narrow and sign-extended loads; faults as the interpreter's")
    void tcpSockFields() {
        String[] lowat = both(tcpSock().ldxField(W, 0, 0, "sock", "sk_rcvlowat", 0).exit(),
                h -> {
                    h.socket.userSetRcvlowat(1234);
                    otherOp(h);
                });
        assertTrue(lowat[0].startsWith("returned 1234,"), lowat[0]);
        both(tcpSock().ldxField(W, 0, 0, "tcp_sock", "copied_seq", 0).exit(), GuardedFastPathTest::segment);
        both(tcpSock().ldxField(W, 0, 0, "tcp_sock", "rcv_nxt", 0).exit(), GuardedFastPathTest::segment);
        both(tcpSock().ldxField(W, 0, 0, "sock", "sk_rcvbuf", 0).exit(), GuardedFastPathTest::otherOp);
        both(tcpSock().ldx(H, 0, 0, 0x400).exit(), GuardedFastPathTest::otherOp);
        both(tcpSock().ldx(B, 0, 0, 0x61c).exit(), GuardedFastPathTest::otherOp);
        both(tcpSock().ldx(B, 0, 0, 0x605).exit(), GuardedFastPathTest::segment); // a byte inside copied_seq
        both(tcpSock().ldxsx(W, 0, 0, 0x604).exit(), GuardedFastPathTest::segment);
        both(tcpSock().ldx(H, 0, 0, 18).exit(), GuardedFastPathTest::otherOp); // skc_state: the view's own code
        String[] wide = both(tcpSock().ldx(DW, 0, 0, 0x604).exit(), GuardedFastPathTest::otherOp);
        assertTrue(wide[0].contains("runs past the end of the field"), wide[0]);
        String[] hole = both(tcpSock().ldx(W, 0, 0, 0x50).exit(), GuardedFastPathTest::otherOp);
        assertTrue(hole[0].contains("no field there"), hole[0]);
        String[] outside = both(tcpSock().ldx(W, 0, 0, 0x7000).exit(), GuardedFastPathTest::otherOp);
        assertTrue(outside[0].startsWith("aborted"), outside[0]);
    }

    @Test
    @DisplayName("a tcp_sock pointer kept on the stack: filled and read in line; overwritten by a scalar "
            + "(through r10 or through a copy of r10) or moved, the load takes the interpreter's path and faults "
            + "or reads as it does")
    void pointerOnTheStack() {
        Asm kept = tcpSock().stx(DW, 10, 0, -16).call(Helper.KTIME_GET_NS.id()).ldx(DW, 1, 10, -16)
                .ldxField(W, 0, 1, "tcp_sock", "copied_seq", 0).exit();
        String[] ok = both(kept, GuardedFastPathTest::segment, GuardedFastPathTest::segment);
        assertTrue(ok[0].startsWith("returned ") && !ok[0].startsWith("returned -1"), ok[0]);
        // overwritten through r10: the guess itself forgets the slot
        String[] scalar = both(tcpSock().stx(DW, 10, 0, -16).st(DW, 10, -16, 0).ldx(DW, 1, 10, -16)
                .ldx(W, 0, 1, 0x604).exit(), GuardedFastPathTest::otherOp);
        assertTrue(scalar[0].startsWith("aborted"), scalar[0]);
        // overwritten through a copy of r10, which the guess does not follow: the run-time check fails
        String[] copy = both(tcpSock().stx(DW, 10, 0, -16).mov64x(2, 10).add64(2, -16).st(DW, 2, 0, 0)
                .ldx(DW, 1, 10, -16).ldx(W, 0, 1, 0x604).exit(), GuardedFastPathTest::otherOp);
        assertTrue(copy[0].startsWith("aborted"), copy[0]);
        // half of the slot overwritten: the fill is refused as the interpreter refuses it
        both(tcpSock().stx(DW, 10, 0, -16).st(W, 10, -16, 7).ldx(DW, 1, 10, -16).ldx(W, 0, 1, 0x604).exit(),
                GuardedFastPathTest::otherOp);
        // a pointer to another view in the slot on one path: no guess where paths meet
        both(tcpSock().stx(DW, 10, 0, -16).ldx(W, 2, 0, 0x604).jmp(JEQ, 2, 0, "other").ja("read").label("other")
                .ldx(DW, 3, 1, 0).label("read").ldx(DW, 1, 10, -16).ldx(W, 0, 1, 0x130).exit(),
                GuardedFastPathTest::otherOp);
        // moved, then read back at the field: BTF pointers may move; the check of the start fails
        String[] moved = both(tcpSock().add64(0, 0x600).ldx(W, 0, 0, 4).exit(), GuardedFastPathTest::segment);
        assertEquals(ok[0].substring(0, ok[0].indexOf(',')), moved[0].substring(0, moved[0].indexOf(',')),
                "copied_seq through a moved pointer");
    }

    @Test
    @DisplayName("bpf_skc_to_tcp_sock in line on the socket; NULL for MPTCP; a NULL, scalar, moved or "
            + "uninitialized argument faults as in the interpreter")
    void skcToTcpSock() {
        String[] same = both(new Asm().ldx(DW, 6, 1, SockOpsCtx.SK).mov64x(1, 6).call(Helper.SKC_TO_TCP_SOCK.id())
                .mov64x(1, 0).call(Helper.SKC_TO_TCP_SOCK.id()).jmpx(JEQ, 0, 6, "eq").ret(0).label("eq").ret(1),
                GuardedFastPathTest::otherOp);
        assertTrue(same[0].startsWith("returned 1,"), "sk, tcp_sock and skc_to_tcp_sock(tcp_sock) agree: " + same[0]);
        String[] nul = both(new Asm().mov64(1, 0).call(Helper.SKC_TO_TCP_SOCK.id()).exit(), GuardedFastPathTest::otherOp);
        assertTrue(nul[0].contains("type=NULL"), nul[0]);
        // guessed a socket (through the stack), a scalar at run time
        String[] stale = both(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).stx(DW, 10, 1, -8).mov64x(2, 10).add64(2, -8)
                .st(DW, 2, 0, 5).ldx(DW, 1, 10, -8).call(Helper.SKC_TO_TCP_SOCK.id()).exit(), GuardedFastPathTest::otherOp);
        assertTrue(stale[0].contains("expected=btf_id sock_common"), stale[0]);
        // guessed a socket, moved at run time (the check of the start fails)
        both(new Asm().ldx(DW, 6, 1, SockOpsCtx.SK).call(Helper.SKC_TO_TCP_SOCK.id()).jmp(JEQ, 0, 0, "n")
                .mov64x(1, 0).add64(1, 8).call(Helper.SKC_TO_TCP_SOCK.id()).exit().label("n").ret(-1),
                GuardedFastPathTest::otherOp);
        // an MPTCP socket: NULL, in line as in the interpreter
        Asm asm = new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).call(Helper.SKC_TO_TCP_SOCK.id()).exit();
        Side interpreted = new Side(VmOptions.ExecutionMode.INTERPRETER, asm);
        Side translated = new Side(VmOptions.ExecutionMode.JIT, asm);
        dev.autolowat.sim.tcp.TcpSocketModel mptcp =
                new dev.autolowat.sim.tcp.TcpSocketModel(dev.autolowat.sim.SimConfig.DEFAULT, true, 1000, 65483);
        mptcp.markAccepted();
        String viaInterpreter = interpreted.run(h -> h.input.set(mptcp, h.info, 4));
        assertTrue(viaInterpreter.startsWith("returned 0,"), viaInterpreter);
        assertEquals(viaInterpreter, translated.run(h -> h.input.set(mptcp, h.info, 4)));
    }

    /** r7 = bpf_sk_storage_get(map 0, ctx->sk, NULL, flags), then {@code body}; -1 when NULL. */
    private static Asm storage(long flags) {
        return new Asm().mov64x(6, 1).ldx(DW, 2, 1, SockOpsCtx.SK).ldMap(1, 0).mov64(3, 0).mov64(4, flags)
                .call(Helper.SK_STORAGE_GET.id()).jmp(JNE, 0, 0, "got").ret(-1).label("got").mov64x(7, 0);
    }

    @Test
    @DisplayName("bpf_sk_storage_get in line after its argument checks: F_CREATE, lookup, other flags; an "
            + "initial value, a scalar socket, an uninitialized flags register take the interpreter's path")
    void skStorageGet() {
        MapSpec[] maps = {STORAGE};
        String[] created = both(storage(Helper.SK_STORAGE_GET_F_CREATE).st(W, 7, 0, 77).ldx(W, 0, 7, 0).exit(), maps,
                GuardedFastPathTest::otherOp, GuardedFastPathTest::otherOp);
        assertTrue(created[1].startsWith("returned 77,") && created[1].contains("map st:"), created[1]);
        String[] lookup = both(storage(0).ret(1), maps, GuardedFastPathTest::otherOp);
        assertTrue(lookup[0].startsWith("returned -1,"), "no storage yet, no F_CREATE: " + lookup[0]);
        String[] flags = both(storage(2).ret(1), maps, GuardedFastPathTest::otherOp);
        assertTrue(flags[0].startsWith("returned -1,"), "unknown flags: NULL: " + flags[0]);
        // twice in one invocation: the second call finds the value numbered already (not the in-line case)
        String[] twice = both(storage(1).mov64x(8, 7).ldx(DW, 2, 6, SockOpsCtx.SK).ldMap(1, 0).mov64(3, 0).mov64(4, 0)
                .call(Helper.SK_STORAGE_GET.id()).jmpx(JEQ, 0, 8, "same").ret(0).label("same").ret(1), maps,
                GuardedFastPathTest::otherOp, GuardedFastPathTest::otherOp);
        assertTrue(twice[1].startsWith("returned 1,"), "the same value: " + twice[1]);
        // two sockets in turn: the map's one-entry cache misses every time
        java.util.Map<VmHarness, dev.autolowat.sim.tcp.TcpSocketModel> second = new java.util.IdentityHashMap<>();
        Consumer<VmHarness> other = h -> h.input.set(second.computeIfAbsent(h, k -> {
            dev.autolowat.sim.tcp.TcpSocketModel m =
                    new dev.autolowat.sim.tcp.TcpSocketModel(dev.autolowat.sim.SimConfig.DEFAULT, false, 2000, 65483);
            m.markAccepted();
            return m;
        }), h.info, 4);
        Asm count = storage(1).ldx(W, 0, 7, 0).alu64(Opcode.ADD, 0, 1).stx(W, 7, 0, 0).ret(1);
        String[] turns = both(count, maps, GuardedFastPathTest::otherOp, other, GuardedFastPathTest::otherOp, other,
                GuardedFastPathTest::otherOp);
        assertTrue(turns[4].contains("value=[3, 0") && turns[4].contains("value=[2, 0"), "per socket: " + turns[4]);
        // an initial value (r3 not NULL): the interpreter's code copies it
        Asm init = new Asm().st(DW, 10, -24, 5).st(DW, 10, -16, 6).st(DW, 10, -8, 7).ldx(DW, 2, 1, SockOpsCtx.SK)
                .ldMap(1, 0).mov64x(3, 10).add64(3, -24).mov64(4, 1).call(Helper.SK_STORAGE_GET.id())
                .jmp(JEQ, 0, 0, "n").ldx(W, 0, 0, 8).exit().label("n").ret(-1);
        String[] copied = both(init, maps, GuardedFastPathTest::otherOp);
        assertTrue(copied[0].startsWith("returned 6,"), copied[0]);
        // the socket register a scalar at run time (stale stack slot), flags uninitialized: faults
        String[] scalar = both(new Asm().ldx(DW, 2, 1, SockOpsCtx.SK).stx(DW, 10, 2, -8).mov64x(3, 10).add64(3, -8)
                .st(DW, 3, 0, 0).ldx(DW, 2, 10, -8).ldMap(1, 0).mov64(3, 0).mov64(4, 1)
                .call(Helper.SK_STORAGE_GET.id()).exit(), maps, GuardedFastPathTest::otherOp);
        assertTrue(scalar[0].contains("R2 type=NULL"), scalar[0]);
        String[] uninit = both(new Asm().ldx(DW, 2, 1, SockOpsCtx.SK).ldMap(1, 0).mov64(3, 0)
                .call(Helper.SK_STORAGE_GET.id()).exit(), maps, GuardedFastPathTest::otherOp);
        assertTrue(uninit[0].contains("R4 !read_ok"), uninit[0]);
    }

    @Test
    @DisplayName("H1: bpf_skb_load_bytes into socket storage in line; -EFAULT (zero-filled) past the segment "
            + "and without one (H2); zero length, past the value, uninitialized registers fault as in the interpreter")
    void skbLoadBytes() {
        MapSpec[] maps = {STORAGE};
        String[] loaded = both(storage(1).mov64x(1, 6).mov64(2, 2).mov64x(3, 7).add64(3, 4).mov64(4, 8)
                .call(Helper.SKB_LOAD_BYTES.id()).jmp(JNE, 0, 0, "fail").ldx(DW, 0, 7, 4).exit()
                .label("fail").alu64(Opcode.ADD, 0, 1000).exit(), maps,
                GuardedFastPathTest::segment, GuardedFastPathTest::noSegment);
        assertTrue(loaded[0].startsWith("returned " + 0x0a09080706050403L + ","), "bytes 3..10 of the segment: " + loaded[0]);
        assertTrue(loaded[1].startsWith("returned " + (1000 - 14) + ","), "H2: -EFAULT: " + loaded[1]);
        // past the segment: -EFAULT and the destination zeroed
        String[] past = both(storage(1).st(DW, 7, 0, -1).mov64x(1, 6).mov64(2, 6).mov64x(3, 7).mov64(4, 8)
                .call(Helper.SKB_LOAD_BYTES.id()).ldx(DW, 1, 7, 0).alu64(Opcode.ADD, 0, 1).alu64x(Opcode.ADD, 0, 1)
                .exit(), maps, GuardedFastPathTest::segment);
        assertTrue(past[0].startsWith("returned " + (-14 + 1) + ","), past[0]);
        String[] zero = both(storage(1).mov64x(1, 6).mov64(2, 0).mov64x(3, 7).mov64(4, 0)
                .call(Helper.SKB_LOAD_BYTES.id()).exit(), maps, GuardedFastPathTest::segment);
        assertTrue(zero[0].contains("invalid zero-sized read"), zero[0]);
        String[] beyond = both(storage(1).mov64x(1, 6).mov64(2, 0).mov64x(3, 7).add64(3, 20).mov64(4, 8)
                .call(Helper.SKB_LOAD_BYTES.id()).exit(), maps, GuardedFastPathTest::segment);
        assertTrue(beyond[0].startsWith("aborted"), beyond[0]);
        String[] before = both(storage(1).mov64x(1, 6).mov64(2, 0).mov64x(3, 7).add64(3, -4).mov64(4, 4)
                .call(Helper.SKB_LOAD_BYTES.id()).exit(), maps, GuardedFastPathTest::segment);
        assertTrue(before[0].startsWith("aborted"), before[0]);
        String[] noLen = both(storage(1).mov64x(1, 6).mov64(2, 0).mov64x(3, 7)
                .call(Helper.SKB_LOAD_BYTES.id()).exit(), maps, GuardedFastPathTest::segment);
        assertTrue(noLen[0].contains("R4 !read_ok"), noLen[0]);
        // into the stack (not plain memory): the interpreter's code, with its clobber marks
        both(new Asm().mov64(2, 0).mov64x(3, 10).add64(3, -8).mov64(4, 8).call(Helper.SKB_LOAD_BYTES.id())
                .ldx(DW, 0, 10, -8).exit(), GuardedFastPathTest::segment);
    }

    @Test
    @DisplayName("K1 in line: bpf_sock_ops_tcp_set_rcvlowat sets sk_rcvlowat on op 21, -EOPNOTSUPP with the "
            + "upper half zero elsewhere; an uninitialized value register faults as in the interpreter")
    void k1() {
        Asm set = new Asm().mov64(2, 3000).callKfunc("bpf_sock_ops_tcp_set_rcvlowat").exit();
        String[] out = both(set, GuardedFastPathTest::noSegment, GuardedFastPathTest::otherOp);
        assertTrue(out[0].startsWith("returned 0,") && out[0].contains("rcvlowat 3000"), out[0]);
        assertTrue(out[1].startsWith("returned " + 0xffff_ffa1L + ","), out[1]);
        String[] uninit = both(new Asm().callKfunc("bpf_sock_ops_tcp_set_rcvlowat").exit(),
                GuardedFastPathTest::noSegment);
        assertTrue(uninit[0].contains("R2 !read_ok"), uninit[0]);
        // r1 not the context: not in line (the facts do not prove it), the interpreter's fault
        String[] notCtx = both(new Asm().ldx(DW, 1, 1, SockOpsCtx.SK).mov64(2, 5)
                .callKfunc("bpf_sock_ops_tcp_set_rcvlowat").exit(), GuardedFastPathTest::noSegment);
        assertTrue(notCtx[0].contains("expected=ctx"), notCtx[0]);
    }

    @Test
    @DisplayName("H1, H2, K1, A3, A4: the reference policy's kernel-object reads and helpers are guessed at "
            + "translation (the guesses its fast paths check)")
    void referencePolicyGuesses() {
        VmHarness h = VmHarness.raw(VmOptions.ExecutionMode.JIT);
        VmProgram prog = VmLoader.load("autolowat", dev.autolowat.api.program.ProgramType.SOCK_OPS, "GPL",
                dev.autolowat.api.policy.FramingPolicy.REFERENCE_RPC.sockOpsProgram().code(),
                java.util.List.of(dev.autolowat.api.policy.FramingPolicy.REFERENCE_RPC.stateMap()), h.maps,
                new VmOptions(true, () -> VmHarness.CLOCK, true, VmOptions.ExecutionMode.JIT)
                        .withKernel(dev.autolowat.sim.kernel.SimKernel.INSTANCE));
        Vm vm = new Vm(prog, new AddressSpace());
        PointerGuess g = PointerGuess.of(prog, vm, new int[] {0});
        int skc = -1;
        int kern = -1;
        int copied = -1;
        for (int pc = 0; pc < prog.slots; pc++) {
            if (prog.code[pc] == (Opcode.JMP | Opcode.CALL) && prog.imm[pc] == Helper.SKC_TO_TCP_SOCK.id()) {
                skc = pc;
            }
            if (prog.code[pc] == (Opcode.LDX | Opcode.MEM | DW) && prog.src[pc] == 0 && kern < 0) {
                kern = pc;
            }
            if (prog.code[pc] == (Opcode.LDX | Opcode.MEM | W) && prog.off[pc] == 0x604) {
                copied = pc;
            }
        }
        assertTrue(skc > 0 && kern > 0 && copied > 0, g.toString());
        assertEquals(vm.bpfSock, g.region(skc, 1), "ctx->sk at bpf_skc_to_tcp_sock");
        assertEquals(vm.kern, g.region(kern, 0), "bpf_cast_to_kern_ctx's result at the load of skb");
        assertEquals(vm.tcpSock, g.region(copied, prog.src[copied]), "the tcp_sock pointer filled from the stack");
    }

    @Test
    @DisplayName("H1: ctx->skb_data (a pointer member that is not constant: packet data only with a segment) is "
            + "the interpreter's value and region in translated code, NULL without a segment")
    void contextPointerMemberWithSegment() {
        String[] out = both(new Asm().ldx(DW, 2, 1, SockOpsCtx.SKB_DATA).jmp(JEQ, 2, 0, "null").ldx(B, 0, 2, 0).exit()
                .label("null").ret(-1), GuardedFastPathTest::segment, GuardedFastPathTest::noSegment);
        assertTrue(out[0].startsWith("aborted at pc 2 "), "the packet data is empty in the model: " + out[0]);
        assertTrue(out[1].startsWith("returned -1,"), "H2: no segment, NULL: " + out[1]);
    }

    @Test
    @DisplayName("H1: bpf_skb_load_bytes into a read-only map value and with a length of 2^64-1 faults as in the "
            + "interpreter; a scalar STX into a read-only map value, or past a writable one's end, faults with its message")
    void readOnlyDestinations() {
        MapSpec rodata = MapSpec.globalData("g.rodata", new byte[16], true);
        String[] ro = both(new Asm().mov64(2, 0).ldMapValue(3, 0, 0).mov64(4, 4).call(Helper.SKB_LOAD_BYTES.id()).exit(),
                new MapSpec[] {rodata}, GuardedFastPathTest::segment);
        assertTrue(ro[0].startsWith("aborted at pc 4 ") && ro[0].contains("cannot write"), ro[0]);
        String[] huge = both(storage(1).mov64x(1, 6).mov64(2, 0).mov64x(3, 7).mov64(4, -1)
                .call(Helper.SKB_LOAD_BYTES.id()).exit(), new MapSpec[] {STORAGE}, GuardedFastPathTest::segment);
        assertTrue(huge[0].startsWith("aborted"), huge[0]);
        String[] stx = both(new Asm().ldMapValue(1, 0, 4).mov64(2, 1).stx(W, 1, 2, 0).ret(0),
                new MapSpec[] {rodata}, GuardedFastPathTest::otherOp);
        assertTrue(stx[0].startsWith("aborted at pc 3 ") && stx[0].contains("g.rodata") && stx[0].contains("read-only"),
                stx[0]);
        // past the end of a writable map value: the fault names the offset in the value
        String[] past = both(new Asm().ldMapValue(1, 0, 4).mov64(2, 1).stx(W, 1, 2, 12).ret(0),
                new MapSpec[] {MapSpec.globalData("g.data", new byte[16], false)}, GuardedFastPathTest::otherOp);
        assertTrue(past[0].startsWith("aborted at pc 3 ") && past[0].contains("offset 16"), past[0]);
        // a scalar STX into the context through a copy of its pointer: the view's own store (not plain memory)
        both(new Asm().mov64x(2, 1).mov64(3, 5).stx(W, 2, 3, SockOpsCtx.REPLY).ret(0), GuardedFastPathTest::otherOp);
    }
}
