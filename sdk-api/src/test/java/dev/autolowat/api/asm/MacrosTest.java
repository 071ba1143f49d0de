package dev.autolowat.api.asm;

import dev.autolowat.api.SockOpt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Macros}: each sequence is exactly the instructions written out by hand (so programs that
 * moved to them kept their bytecode), and misuse fails early.
 */
@DisplayName("Assembler macros: the same bytecode as the hand-written sequences")
class MacrosTest {

    @Test
    @DisplayName("mapUpdate = r1 = map; r2 = fp + key; r3 = fp + value; r4 = flags; call bpf_map_update_elem")
    void mapUpdate() {
        Assembler byMacro = new Assembler();
        Macros.mapUpdate(byMacro, 2, -20, -16, 1).exit();
        Assembler byHand = new Assembler()
                .loadMap(R1, 2).mov64(R2, R10).add64(R2, -20).mov64(R3, R10).add64(R3, -16).mov64(R4, 1)
                .call(Helper.MAP_UPDATE_ELEM).exit();
        assertEquals(byHand.build(), byMacro.build());
        assertTrue(Disassembler.disassemble(byMacro.build()).contains("map_update_elem"),
                Disassembler.disassemble(byMacro.build()));
    }

    @Test
    @DisplayName("sockoptInt / setsockoptInt = (store the value;) r1 = sk; r2 = level; r3 = optname; r4 = fp + off; r5 = 4; call")
    void sockopt() {
        Assembler byMacro = new Assembler();
        Macros.setsockoptInt(byMacro, R6, SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT, -4, 4000);
        Macros.sockoptInt(byMacro, Helper.GETSOCKOPT, R7, SockOpt.SOL_TCP, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS, -8)
                .exit();
        Assembler byHand = new Assembler()
                .stw(R10, -4, 4000)
                .mov64(R1, R6).mov64(R2, SockOpt.SOL_SOCKET).mov64(R3, SockOpt.SO_RCVLOWAT)
                .mov64(R4, R10).add64(R4, -4).mov64(R5, 4).call(Helper.SETSOCKOPT)
                .mov64(R1, R7).mov64(R2, SockOpt.SOL_TCP).mov64(R3, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS)
                .mov64(R4, R10).add64(R4, -8).mov64(R5, 4).call(Helper.GETSOCKOPT)
                .exit();
        assertEquals(byHand.build(), byMacro.build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Macros.sockoptInt(new Assembler(), Helper.MAP_UPDATE_ELEM, R6, 1, 18, -4));
        assertTrue(e.getMessage().contains("bpf_setsockopt or bpf_getsockopt"), e.getMessage());
    }

    @Test
    @DisplayName("onOps = load the op, one jeq per op to the body, else ja to the given label")
    void onOps() {
        Assembler byMacro = new Assembler().mov64(R6, R1);
        Macros.onOps(byMacro, R6, "skip", 4, 5);
        byMacro.mov64(R0, 7).label("skip").mov64(R0, 1).exit();
        Assembler byHand = new Assembler().mov64(R6, R1)
                .ldxw(R2, R6, SockOpsCtx.OP).jeq(R2, 4, "body").jeq(R2, 5, "body").ja("skip")
                .label("body").mov64(R0, 7)
                .label("skip").mov64(R0, 1).exit();
        assertEquals(byHand.build(), byMacro.build());
        assertThrows(IllegalArgumentException.class, () -> Macros.onOps(new Assembler(), R6, "skip"));
    }

    @Test
    @DisplayName("consumeIntOption = match level and optname, optlen = -1, bounds check, value and ctx->sk loaded, else to pass")
    void consumeIntOption() {
        Assembler byMacro = new Assembler().mov64(R6, R1);
        Macros.consumeIntOption(byMacro, R6, 0xdeadbef0, 1, R8, R7, "pass");
        byMacro.label("pass").mov64(R0, 1).exit();
        Assembler byHand = new Assembler().mov64(R6, R1)
                .ldxw(R2, R6, SockoptCtx.LEVEL).jne32(R2, 0xdeadbef0, "pass")
                .ldxw(R2, R6, SockoptCtx.OPTNAME).jne32(R2, 1, "pass")
                .mov64(R1, -1).stxw(R6, R1, SockoptCtx.OPTLEN)
                .ldxdw(R2, R6, SockoptCtx.OPTVAL).ldxdw(R3, R6, SockoptCtx.OPTVAL_END)
                .mov64(R4, R2).add64(R4, 4).jgt(R4, R3, "pass")
                .ldxw(R8, R2, 0)
                .ldxdw(R7, R6, SockoptCtx.SK).jeq(R7, 0, "pass")
                .label("pass").mov64(R0, 1).exit();
        assertEquals(byHand.build(), byMacro.build());
    }

    @Test
    @DisplayName("consumeIntOption refuses scratch or argument registers and repeated registers (they would be overwritten)")
    void consumeIntOptionRegisters() {
        Reg[][] bad = {              // ctx, value, sk
            {R6, R2, R7},            // value in a scratch register
            {R6, R8, R10},           // sk in the frame pointer
            {R6, R7, R7},            // value and sk the same
            {R8, R8, R7},            // ctx overwritten by the value
            {R0, R8, R7},            // ctx in the return register
            {R6, R5, R7},            // value in an argument register
        };
        for (Reg[] r : bad) {
            assertThrows(IllegalArgumentException.class,
                    () -> Macros.consumeIntOption(new Assembler(), r[0], 1, 1, r[1], r[2], "pass"),
                    "ctx " + r[0] + ", value " + r[1] + ", sk " + r[2]);
        }
    }
}
