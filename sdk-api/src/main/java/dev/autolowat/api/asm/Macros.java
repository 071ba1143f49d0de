package dev.autolowat.api.asm;

import java.util.Objects;

import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R5;

/**
 * Instruction sequences that programs built with the {@link Assembler} repeat, one call each: a
 * helper called with its arguments on the stack ({@code bpf_map_update_elem},
 * {@code bpf_setsockopt}/{@code bpf_getsockopt} of a 4-byte option), a sock_ops program's "only on
 * these ops", and the start of a cgroup setsockopt program that answers one private option. Each
 * emits exactly the instructions one would write by hand, in the usual registers, so a program
 * built with them is the same bytecode as its hand-written form.
 *
 * <p>Registers: the helper calls set R1–R5 as the calling convention says, clobber them and leave
 * the helper's result in R0; the other sequences use R2 (and R1–R4 for the sockopt prologue) as
 * scratch, and never touch R6–R9 except the registers they are given. Stack offsets are relative to
 * the frame pointer R10 (negative).
 */
public final class Macros {
    private Macros() {
    }

    /**
     * {@code r0 = bpf_map_update_elem(map, fp + keyOff, fp + valueOff, flags)}: the key and the value
     * must already be on the stack.
     *
     * @param mapIndex the map's index in the program's map list ({@link Assembler#loadMap})
     * @param flags    {@code BPF_ANY} (0), {@code BPF_NOEXIST} (1) or {@code BPF_EXIST} (2)
     */
    public static Assembler mapUpdate(Assembler a, int mapIndex, int keyOff, int valueOff, int flags) {
        return a.loadMap(R1, mapIndex)
                .mov64(R2, R10)
                .add64(R2, keyOff)
                .mov64(R3, R10)
                .add64(R3, valueOff)
                .mov64(R4, flags)
                .call(Helper.MAP_UPDATE_ELEM);
    }

    /**
     * {@code r0 = helper(sk, level, optname, fp + off, 4)}: {@code bpf_setsockopt} or
     * {@code bpf_getsockopt} of a 4-byte option whose value is (set) or will be (get) at
     * {@code fp + off}.
     *
     * @param sk the register holding the helper's first argument (the sock_ops context, or a socket)
     * @throws IllegalArgumentException when {@code helper} is neither of the two
     */
    public static Assembler sockoptInt(Assembler a, Helper helper, Reg sk, int level, int optname, int off) {
        if (helper != Helper.SETSOCKOPT && helper != Helper.GETSOCKOPT) {
            throw new IllegalArgumentException("sockoptInt calls bpf_setsockopt or bpf_getsockopt, not " + helper);
        }
        return a.mov64(R1, Objects.requireNonNull(sk, "sk"))
                .mov64(R2, level)
                .mov64(R3, optname)
                .mov64(R4, R10)
                .add64(R4, off)
                .mov64(R5, 4)
                .call(helper);
    }

    /**
     * {@code *(u32 *)(fp + off) = value; r0 = bpf_setsockopt(sk, level, optname, fp + off, 4)}.
     */
    public static Assembler setsockoptInt(Assembler a, Reg sk, int level, int optname, int off, int value) {
        a.stw(R10, off, value);
        return sockoptInt(a, Helper.SETSOCKOPT, sk, level, optname, off);
    }

    /**
     * In a sock_ops program whose context is in {@code ctx}: goes on with the next instruction when
     * the op is one of {@code ops}, else jumps to {@code otherwise}. Uses R2 and defines the label
     * {@code otherwise + "_ops"} (so {@code otherwise} must be unique to this use).
     *
     * @throws IllegalArgumentException when {@code ops} is empty
     */
    public static Assembler onOps(Assembler a, Reg ctx, String otherwise, int... ops) {
        if (ops.length == 0) {
            throw new IllegalArgumentException("onOps needs at least one op");
        }
        String then = otherwise + "_ops";
        a.ldxw(R2, Objects.requireNonNull(ctx, "ctx"), SockOpsCtx.OP);
        for (int op : ops) {
            a.jeq(R2, op, then);
        }
        return a.ja(otherwise).label(then);
    }

    /**
     * The start of a cgroup setsockopt program (context in {@code ctx}) that answers the private option
     * {@code (level, optname)} with a 4-byte value: for that option it consumes it ({@code optlen = -1}:
     * the kernel never sees it), loads the value into {@code value} and {@code ctx->sk} into
     * {@code sk}, and goes on; for any other option, a value shorter than 4 bytes or no socket it
     * jumps to {@code pass} (which should let the option through). Uses R1–R4.
     *
     * @throws IllegalArgumentException when {@code value}, {@code sk} and {@code ctx} are not three
     *                                  different registers outside R0–R5 and R10
     */
    public static Assembler consumeIntOption(Assembler a, Reg ctx, int level, int optname, Reg value, Reg sk,
                                             String pass) {
        for (Reg r : new Reg[] {ctx, value, sk}) {
            Objects.requireNonNull(r, "register");
            if (r.ordinal() <= R5.ordinal() || r == R10) {
                throw new IllegalArgumentException("consumeIntOption needs callee-saved registers (R6-R9), got " + r);
            }
        }
        if (ctx == value || ctx == sk || value == sk) {
            throw new IllegalArgumentException("consumeIntOption needs three different registers, got ctx " + ctx
                    + ", value " + value + ", sk " + sk);
        }
        return a.ldxw(R2, ctx, SockoptCtx.LEVEL)
                .jne32(R2, level, pass)
                .ldxw(R2, ctx, SockoptCtx.OPTNAME)
                .jne32(R2, optname, pass)
                .mov64(R1, -1)
                .stxw(ctx, R1, SockoptCtx.OPTLEN)           // consumed: the kernel never sees this option
                .ldxdw(R2, ctx, SockoptCtx.OPTVAL)
                .ldxdw(R3, ctx, SockoptCtx.OPTVAL_END)
                .mov64(R4, R2)
                .add64(R4, 4)
                .jgt(R4, R3, pass)
                .ldxw(value, R2, 0)
                .ldxdw(sk, ctx, SockoptCtx.SK)
                .jeq(sk, 0, pass);
    }
}
