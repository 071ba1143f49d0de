package dev.autolowat.api.policy;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;

import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R5;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R7;
import static dev.autolowat.api.asm.Reg.R8;
import static dev.autolowat.api.asm.Reg.R9;

/**
 * Code generation for {@link FramingPolicy}: the sock_ops program (A3–A5) and the cgroup
 * setsockopt program (A2), written to mirror {@code ReferenceAutoLowat} (sdk-sim) decision for
 * decision. Comments name the Java statement each block implements.
 *
 * <p>Everything here is written for the kernel verifier as well as for the simulator's VM: pointers
 * from {@code _OR_NULL} sources are NULL-checked, the variable-offset byte load into the map value
 * is bounded by explicit checks, ctx fields are written with {@code STX} only, the walk loop is
 * bounded by a counter the verifier tracks exactly, and no bpf-to-bpf calls are used.
 */
final class FramingCompiler {
    private FramingCompiler() {
    }

    /** The programs of one policy, compiled once. */
    record Compiled(SockOpsProgram.Bytecode sockOps, SockoptProgram.Bytecode enable) {
    }

    // ---- the state (the SK_STORAGE value) ----
    /** u32: sequence number of the current descriptor's first byte. */
    static final int DESC_SEQ = 0;
    /** u32: sequence number after the current frame (valid while buf_len == descriptor size). */
    static final int END_SEQ = 4;
    /** u32: descriptor bytes copied so far (0..descriptor size). */
    static final int BUF_LEN = 8;
    /**
     * u32: {@code copied_seq} as the sock_ops program last saw it (A4 records it on every run), so
     * that a re-enable (A2) while RCVQ is set can reset the state to {@code copied_seq}.
     */
    static final int COPIED_SEQ = 12;
    /** The descriptor bytes; 2 · descriptor size reserved (see {@link FramingPolicy#stateMap()}). */
    static final int DESC = 16;

    /** Value size of the state map for a descriptor of {@code d} bytes. */
    static int valueSize(int d) {
        return DESC + ((2 * d + 7) & ~7);
    }

    // ---- sock_ops stack slots (offsets from r10) ----
    private static final int SLOT_SK = -8;
    private static final int SLOT_TP = -16;
    private static final int SLOT_COPY_LEN = -24;
    private static final int SLOT_SEG_END = -32;
    private static final int SLOT_NEW_BUF_LEN = -40;

    // ---- setsockopt stack slots ----
    private static final int SLOT_FLAGS = -8;
    private static final int SLOT_NEW_FLAGS = -16;

    /** {@code offsetof(struct bpf_tcp_sock, rcv_nxt)} (uapi). */
    static final int BPF_TCP_SOCK_RCV_NXT = 16;

    private static final int STATE_MAP = 0;

    static Compiled compile(FramingPolicy p) {
        List<MapSpec> maps = List.of(p.stateMap());
        SockOpsProgram.Bytecode sockOps = sockOps(p).program(p.name(), FramingPolicy.LICENSE, maps);
        SockoptProgram.Bytecode enable = enable(p).sockoptProgram(p.name() + "_en", FramingPolicy.LICENSE, maps);
        return new Compiled(sockOps, enable);
    }

    /**
     * The sock_ops program. Registers: r6 = ctx, r7 = sk then the state, r8 = the segment's seq,
     * r9 = the walk's pass counter. Stack: sk, tcp_sock, copy length, segment end, new buf_len.
     */
    static Assembler sockOps(FramingPolicy p) {
        int d = p.descriptorSize();
        Assembler a = new Assembler();

        // ---- entry: op 21 only; the socket, its tcp_sock and its state ----
        a.mov64(R6, R1)
         .ldxw(R2, R6, SockOpsCtx.OP)
         .jne32(R2, SockOpsOp.RCVQ_CB.value(), "ret1")       // other ops: return 1 (onOp default)
         .ldxdw(R7, R6, SockOpsCtx.SK)                        // ctx->sk (PTR_TO_SOCKET_OR_NULL)
         .jeq(R7, 0, "ret1")
         .stxdw(R10, R7, SLOT_SK)
         .mov64(R1, R7)
         .call(Helper.SKC_TO_TCP_SOCK)
         .jeq(R0, 0, "ret1")
         .stxdw(R10, R0, SLOT_TP)
         // st = ctx.storage(STATE, false); null -> return 1
         .loadMap(R1, STATE_MAP)
         .mov64(R2, R7)
         .mov64(R3, 0)
         .mov64(R4, 0)
         .call(Helper.SK_STORAGE_GET)
         .jeq(R0, 0, "ret1")
         .mov64(R7, R0)                                      // r7 = state
         // event instanceof SegmentEnqueued? skb == NULL is H2 (recvmsg done): A4 only
         .mov64(R1, R6)
         .callKfunc(FramingPolicy.KFUNC_CAST_TO_KERN_CTX)
         .ldxField(Opcode.DW, R1, R0, "bpf_sock_ops_kern", "skb")
         .jeq(R1, 0, "target");

        // ---- A3: parseSegment ----
        // seq = TCP_SKB_CB(skb)->seq; copyLen = payload length (skb_len). A bare FIN (copyLen 0)
        // disables only in "load" (zero bytes to copy while a descriptor is being copied, A5).
        a.ldxField(Opcode.W, R8, R1, "sk_buff", "cb", 0)
         .ldxw(R2, R6, SockOpsCtx.SKB_LEN)
         .stxdw(R10, R2, SLOT_COPY_LEN)
         .mov32(R3, R8)                                      // segEnd = seq + copyLen (u32)
         .add32(R3, R2)
         .stxdw(R10, R3, SLOT_SEG_END)
         .mov64(R9, 0)                                       // walked = 0
         // if (!st.descriptorComplete()) loadDescriptor(...) else go to the walk
         .ldxw(R1, R7, BUF_LEN)
         .jeq(R1, d, "walk");

        // ---- loadDescriptor: copy the missing descriptor bytes from the segment ----
        a.label("load")
         .ldxw(R1, R7, BUF_LEN)
         .jge(R1, d, "disable")                              // never (incomplete); bounds buf_len for the verifier
         .ldxw(R2, R7, DESC_SEQ)                             // offset = descSeq + bufLen - seq
         .add32(R2, R1)
         .sub32(R2, R8)
         .jslt32(R2, 0, "disable")                           // offset < 0: lost sync
         .ldxdw(R3, R10, SLOT_COPY_LEN)
         .jge32(R2, R3, "disable")                           // offset >= copyLen: zero bytes to copy (FIN), or lost sync
         .sub32(R3, R2)                                      // n = min(D - bufLen, copyLen - offset)
         .mov64(R4, d)
         .sub32(R4, R1)
         .jle32(R3, R4, "n_min")
         .mov32(R3, R4)
         .label("n_min")
         .jgt(R3, d, "disable")                              // never; 1 <= n <= D for the verifier
         .jlt(R3, 1, "disable")
         .mov64(R4, R1)                                      // new bufLen = bufLen + n
         .add64(R4, R3)
         .stxdw(R10, R4, SLOT_NEW_BUF_LEN)
         // bpf_skb_load_bytes(ctx, offset, st->desc + bufLen, n) != 0 -> disable
         .mov64(R4, R3)
         .mov64(R3, R7)
         .add64(R3, DESC)
         .add64(R3, R1)
         .mov64(R1, R6)
         .call(Helper.SKB_LOAD_BYTES)
         .jne(R0, 0, "disable")
         .ldxdw(R1, R10, SLOT_NEW_BUF_LEN)
         .stxw(R7, R1, BUF_LEN)
         .jne(R1, d, "target");                              // the descriptor continues in the next segment

        // complete: frameLength = constant + sum of the fields, in 64 bits
        a.mov64(R2, p.constant());
        for (FramingPolicy.LengthField f : p.lengthFields()) {
            for (int k = 0; k < f.width(); k++) {
                a.ldxb(R3, R7, DESC + f.offset() + k);
                if (f.shift(k) != 0) {
                    a.lsh64(R3, f.shift(k));
                }
                a.add64(R2, R3);
            }
        }
        if (p.constant() < d) {
            a.jlt(R2, d, "disable");                         // a frame must hold its own descriptor
        }
        a.jgt(R2, Integer.MAX_VALUE, "disable")              // frameLength > INT_MAX
         .ldxw(R3, R7, DESC_SEQ)                             // endSeq = descSeq + (int) frameLength
         .add32(R3, R2)
         .stxw(R7, R3, END_SEQ);

        // ---- the walk: each pass checks and counts first, then looks at the frame end (A3) ----
        a.label("walk")
         .jgt(R9, FramingPolicy.MAX_WALK, "disable")         // if (passes > MAX_WALK) disable
         .add64(R9, 1)                                       // passes++
         .ldxw(R1, R7, END_SEQ)
         .ldxdw(R2, R10, SLOT_SEG_END)
         .mov32(R3, R2)
         .sub32(R3, R1)
         .jslt32(R3, 0, "target")                            // after(endSeq, segEnd): frame still arriving
         .stxw(R7, R1, DESC_SEQ)                             // descSeq = endSeq
         .stw(R7, BUF_LEN, 0)                                // bufLen = 0
         .jeq32(R1, R2, "target")                            // the segment ends on a frame boundary
         .ja("load");

        // ---- A4: setTarget ----
        a.label("target")
         .ldxdw(R1, R10, SLOT_TP)
         .ldxField(Opcode.W, R2, R1, "tcp_sock", "copied_seq")
         .stxw(R7, R2, COPIED_SEQ)                           // for a later re-enable (A2)
         .ldxw(R3, R7, DESC_SEQ)
         .mov32(R4, R2)                                      // before(copied, descSeq): (s32)(copied - descSeq) < 0
         .sub32(R4, R3)
         .jslt32(R4, 0, "t_queued")
         .ldxw(R4, R7, BUF_LEN)
         .jeq(R4, d, "t_frame")
         .mov64(R5, d)                                       // descriptor incomplete: its size
         .ja("t_set")
         .label("t_queued")
         .mov32(R5, R3)                                      // whole frames queued: descSeq - copied
         .sub32(R5, R2)
         .ja("t_set")
         .label("t_frame")
         .ldxw(R5, R7, END_SEQ)                              // the frame being read: endSeq - copied
         .sub32(R5, R2)
         .label("t_set")
         .ldxField(Opcode.W, R3, R1, "sock", "sk_rcvlowat")
         .jeq32(R5, R3, "ret1")                              // only when it differs from sk_rcvlowat
         .mov64(R1, R6)
         .mov64(R2, R5)
         .callKfunc(FramingPolicy.KFUNC_SET_RCVLOWAT)
         .label("ret1")
         .mov64(R0, 1)
         .exit();

        // ---- A5: disable = clear RCVQ (F1), lowat 1 (K1), delete the state ----
        a.label("disable")
         .ldxw(R2, R6, SockOpsCtx.BPF_SOCK_OPS_CB_FLAGS)
         .and32(R2, ~CbFlags.RCVQ)
         .mov64(R1, R6)
         .call(Helper.SOCK_OPS_CB_FLAGS_SET)
         .mov64(R1, R6)
         .mov64(R2, 1)
         .callKfunc(FramingPolicy.KFUNC_SET_RCVLOWAT)
         .loadMap(R1, STATE_MAP)
         .ldxdw(R2, R10, SLOT_SK)
         .call(Helper.SK_STORAGE_DELETE)
         .mov64(R0, 1)
         .exit();
        return a;
    }

    /**
     * The cgroup setsockopt program (A2). Registers: r6 = ctx, then sk once the option is consumed;
     * r7 = the value, then "state existed before this call"; r8 = bpf_tcp_sock; r9 = the state.
     * Stack: the flag word before this call, and the new one.
     */
    static Assembler enable(FramingPolicy p) {
        int valueSize = valueSize(p.descriptorSize());
        Assembler a = new Assembler();

        // not our option -> proceed untouched
        a.mov64(R6, R1)
         .ldxw(R2, R6, SockoptCtx.LEVEL)
         .jne32(R2, SockOpt.AUTOLOWAT_LEVEL, "proceed")
         .ldxw(R2, R6, SockoptCtx.OPTNAME)
         .jne32(R2, SockOpt.AUTOLOWAT_OPTNAME, "proceed")
         // optlen < 4 -> consume, EPERM; so does an optval_end check that fails
         .ldxw(R2, R6, SockoptCtx.OPTLEN)
         .jslt32(R2, Integer.BYTES, "consume_eperm")
         .ldxdw(R2, R6, SockoptCtx.OPTVAL)
         .ldxdw(R3, R6, SockoptCtx.OPTVAL_END)
         .mov64(R4, R2)
         .add64(R4, Integer.BYTES)
         .jgt(R4, R3, "consume_eperm")
         .ldxw(R7, R2, 0)                                    // value = *(u32 *)optval
         .mov64(R1, -1)                                      // ctx->optlen = -1: consumed
         .stxw(R6, R1, SockoptCtx.OPTLEN)
         .jeq32(R7, 0, "proceed")                            // value 0: consumed, nothing else
         // !isTcp -> EPERM (bpf_tcp_sock is NULL for MPTCP)
         .ldxdw(R6, R6, SockoptCtx.SK)
         .jeq(R6, 0, "eperm")
         .mov64(R1, R6)
         .call(Helper.TCP_SOCK)
         .jeq(R0, 0, "eperm")
         .mov64(R8, R0)                                      // r8 = struct bpf_tcp_sock *
         // existed = storage(STATE, false) != null
         .loadMap(R1, STATE_MAP)
         .mov64(R2, R6)
         .mov64(R3, 0)
         .mov64(R4, 0)
         .call(Helper.SK_STORAGE_GET)
         .mov64(R7, 0)
         .jeq(R0, 0, "absent")
         .mov64(R7, 1)
         .label("absent")
         // st = storage(STATE, true); null -> EPERM
         .loadMap(R1, STATE_MAP)
         .mov64(R2, R6)
         .mov64(R3, 0)
         .mov64(R4, Helper.SK_STORAGE_GET_F_CREATE)
         .call(Helper.SK_STORAGE_GET)
         .jeq(R0, 0, "eperm")
         .mov64(R9, R0)
         // flags = bpf_getsockopt(sk, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS); < 0 -> undo
         .mov64(R1, R6)
         .mov64(R2, SockOpt.SOL_TCP)
         .mov64(R3, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS)
         .mov64(R4, R10)
         .add64(R4, SLOT_FLAGS)
         .mov64(R5, Integer.BYTES)
         .call(Helper.GETSOCKOPT)
         .jslt(R0, 0, "undo")
         .ldxw(R2, R10, SLOT_FLAGS)                          // the word before this call stays at SLOT_FLAGS
         .or32(R2, CbFlags.RCVQ)
         .stxw(R10, R2, SLOT_NEW_FLAGS)
         // bpf_setsockopt(sk, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS, flags | RCVQ) < 0 -> undo
         .mov64(R1, R6)
         .mov64(R2, SockOpt.SOL_TCP)
         .mov64(R3, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS)
         .mov64(R4, R10)
         .add64(R4, SLOT_NEW_FLAGS)
         .mov64(R5, Integer.BYTES)
         .call(Helper.SETSOCKOPT)
         .jslt(R0, 0, "undo")
         // st.reset(copied_seq), only now that the flag is set. A cgroup setsockopt program cannot
         // reach tcp_sock.copied_seq (no bpf_skc_to_tcp_sock there), so: when RCVQ was clear, F3
         // has just checked that the receive queue is empty, hence copied_seq == rcv_nxt; when RCVQ
         // was already set and the state existed, the sock_ops program recorded copied_seq in the
         // state at its last run, and every copied_seq change since ran it (H2).
         .ldxw(R1, R8, BPF_TCP_SOCK_RCV_NXT)
         .jeq(R7, 0, "reset")
         .ldxw(R2, R10, SLOT_FLAGS)
         .jset(R2, CbFlags.RCVQ, "reset_tracked")
         .ja("reset")
         .label("reset_tracked")
         .ldxw(R1, R9, COPIED_SEQ)
         .label("reset")
         .stxw(R9, R1, DESC_SEQ)
         .stxw(R9, R1, END_SEQ)
         .stw(R9, BUF_LEN, 0)
         .stxw(R9, R1, COPIED_SEQ);
        for (int off = DESC; off < valueSize; off += 8) {
            a.stdw(R9, off, 0);                              // zero the descriptor bytes
        }
        a.label("proceed")
         .mov64(R0, 1)
         .exit()
         // flag update refused: delete the state only if this call created it
         .label("undo")
         .jne(R7, 0, "eperm")
         .loadMap(R1, STATE_MAP)
         .mov64(R2, R6)
         .call(Helper.SK_STORAGE_DELETE)
         .label("eperm")
         .mov64(R0, 0)
         .exit()
         .label("consume_eperm")
         .mov64(R1, -1)
         .stxw(R6, R1, SockoptCtx.OPTLEN)
         .mov64(R0, 0)
         .exit();
        return a;
    }
}
