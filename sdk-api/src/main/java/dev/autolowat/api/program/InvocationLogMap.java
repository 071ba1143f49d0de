package dev.autolowat.api.program;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.spi.Invocation;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R7;
import static dev.autolowat.api.asm.Reg.R8;
import static dev.autolowat.api.asm.Reg.R9;

/**
 * The invocation-log convention: how a bytecode program "logs every invocation into a map"
 * (SEMANTICS.md, "What agree means") so that a backend that cannot see invocations itself (the
 * native backend: the kernel offers no way to observe a program from outside it) reports them in
 * {@link dev.autolowat.api.spi.Connection#observe()}. Part of the API, not of a backend: the programs
 * that follow it (the conformance suite's, the user's) and the backend that reads it share the format.
 *
 * <p>A program that declares a map named {@value #NAME} of type {@code SK_STORAGE} (key 4, max
 * entries 0) with a value of {@code 8 + 16·N} bytes logs into it; the backend reads the accepted
 * socket's value with the socket's descriptor as the key:
 * <pre>
 * struct inv_log {               // per socket
 *     u32 count;                 // @0: entries ever written for this socket (u32, wraps)
 *     u32 reserved;              // @4
 *     struct {                   // @8 + 16 * (i % N): entry i
 *         u32 op, seq, end_seq, skb_len;
 *     } entries[N];              // a ring: the newest N entries
 * };
 * </pre>
 * Entry {@code i} is written before {@code count} becomes {@code i + 1}. {@code seq},
 * {@code end_seq} and {@code skb_len} are those of the H1 segment for op 21 and 0 otherwise (H2,
 * other ops), as {@link Invocation} defines. The backend remembers per connection how many entries it
 * returned and returns the newer ones at the next observation; more than {@code N} entries between
 * two observations lose the oldest ({@link dev.autolowat.api.spi.Observation#droppedInvocations()}).
 *
 * <p>Being per socket, the log holds exactly the invocations <em>on the accepted socket</em> that ran
 * while it was a full socket (op 5 and later; the request socket's earlier ops — TIMEOUT_INIT,
 * RWND_INIT, NEEDS_ECN — have no {@code sk} to store into). A program without such a map gives an
 * empty log: the kernel offers no way to observe a program's invocations from outside it. A map named
 * {@value #NAME} of another type or value size is not read (empty log).
 *
 * <p>{@link #emit} appends the logging code to a sock_ops program; the simulator runs the same bytes
 * (its own log is kept by the simulator itself, so the map is simply written there too).
 */
public final class InvocationLogMap {
    /** The map name the backend looks for. */
    public static final String NAME = "inv_log";
    /** Bytes before the first entry. */
    public static final int HEADER_SIZE = 8;
    /** Bytes per entry. */
    public static final int ENTRY_SIZE = 16;
    /** The ring size {@link #spec()} declares. */
    public static final int DEFAULT_CAPACITY = 64;

    private InvocationLogMap() {
    }

    /** The map declaration with {@value #DEFAULT_CAPACITY} entries. */
    public static MapSpec spec() {
        return spec(DEFAULT_CAPACITY);
    }

    /**
     * The map declaration with a ring of {@code capacity} entries (a power of two, so {@link #emit}
     * can index with a mask the verifier bounds).
     */
    public static MapSpec spec(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1 || capacity > 4096) {
            throw new IllegalArgumentException("an inv_log ring holds a power of two of entries between 1 and 4096, got "
                    + capacity);
        }
        return new MapSpec(NAME, MapType.SK_STORAGE, 4, HEADER_SIZE + ENTRY_SIZE * capacity, 0);
    }

    /** Whether a map of this shape follows the convention (then its ring holds {@link #capacity} entries). */
    public static boolean follows(int mapType, int keySize, int valueSize) {
        return mapType == MapType.SK_STORAGE.value() && keySize == 4 && valueSize >= HEADER_SIZE + ENTRY_SIZE
                && (valueSize - HEADER_SIZE) % ENTRY_SIZE == 0;
    }

    /** The ring size of a value of {@code valueSize} bytes. */
    public static int capacity(int valueSize) {
        return (valueSize - HEADER_SIZE) / ENTRY_SIZE;
    }

    /**
     * Appends code that logs the current invocation into the map at {@code mapIndex} (declared with
     * {@link #spec(int)} of the same {@code capacity}), then falls through to whatever follows.
     * Expects the context in R6 (kept); clobbers R0–R5 and R7–R9. Uses
     * {@code bpf_sk_storage_get(map, ctx->sk, NULL, F_CREATE)} (no {@code sk}: logs nothing), and for
     * op 21 the kfunc {@code bpf_cast_to_kern_ctx} with field relocations
     * {@code bpf_sock_ops_kern.skb} and {@code sk_buff.cb} ({@code TCP_SKB_CB(skb)->seq} at +0,
     * {@code end_seq} at +4) plus the context's {@code skb_len}; with no segment (H2) they stay 0.
     *
     * @param labelPrefix prefix of the labels this code defines (unique within the program)
     */
    public static Assembler emit(Assembler a, int mapIndex, int capacity, String labelPrefix) {
        spec(capacity);
        String end = labelPrefix + "_end";
        String commit = labelPrefix + "_commit";
        return a.ldxdw(R7, R6, SockOpsCtx.SK)
                .jeq(R7, 0, end)
                .loadMap(R1, mapIndex)
                .mov64(R2, R7)
                .mov64(R3, 0)
                .mov64(R4, Helper.SK_STORAGE_GET_F_CREATE)
                .call(Helper.SK_STORAGE_GET)
                .jeq(R0, 0, end)
                .mov64(R7, R0)
                .ldxw(R8, R7, 0)
                .mov64(R9, R8)
                .and64(R9, capacity - 1)
                .lsh64(R9, 4)
                .add64(R9, R7)
                .ldxw(R1, R6, SockOpsCtx.OP)
                .stxw(R9, R1, HEADER_SIZE)
                .stw(R9, HEADER_SIZE + 4, 0)
                .stw(R9, HEADER_SIZE + 8, 0)
                .stw(R9, HEADER_SIZE + 12, 0)
                .jne(R1, 21, commit)
                .mov64(R1, R6)
                .callKfunc("bpf_cast_to_kern_ctx")
                .ldxField(Opcode.DW, R1, R0, "bpf_sock_ops_kern", "skb")
                .jeq(R1, 0, commit)
                .ldxField(Opcode.W, R2, R1, "sk_buff", "cb", 0)
                .stxw(R9, R2, HEADER_SIZE + 4)
                .ldxField(Opcode.W, R2, R1, "sk_buff", "cb", 4)
                .stxw(R9, R2, HEADER_SIZE + 8)
                .ldxw(R2, R6, SockOpsCtx.SKB_LEN)
                .stxw(R9, R2, HEADER_SIZE + 12)
                .label(commit)
                .add64(R8, 1)
                .stxw(R7, R8, 0)
                .label(end);
    }

    /** What {@link #decode} found: the new entries, the count to remember, and how many were lost. */
    public record Decoded(List<Invocation> entries, int count, long dropped) {
        public Decoded {
            entries = List.copyOf(entries);
        }
    }

    /**
     * The entries of {@code value} written after the first {@code seen} (u32 counts), oldest first.
     *
     * @throws IllegalArgumentException when the value does not follow the layout
     */
    public static Decoded decode(byte[] value, int seen) {
        if (value.length < HEADER_SIZE + ENTRY_SIZE || (value.length - HEADER_SIZE) % ENTRY_SIZE != 0) {
            throw new IllegalArgumentException("an inv_log value has 8 + 16*N bytes, got " + value.length);
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        int capacity = capacity(value.length);
        int count = b.getInt(0);
        long fresh = Integer.toUnsignedLong(count - seen);
        long dropped = 0;
        int from = seen;
        if (fresh > capacity) {
            dropped = fresh - capacity;
            from = count - capacity;
            fresh = capacity;
        }
        List<Invocation> out = new ArrayList<>((int) fresh);
        for (int i = 0; i < fresh; i++) {
            int at = HEADER_SIZE + ENTRY_SIZE * Integer.remainderUnsigned(from + i, capacity);
            out.add(new Invocation(b.getInt(at), b.getInt(at + 4), b.getInt(at + 8), b.getInt(at + 12)));
        }
        return new Decoded(out, count, dropped);
    }
}
