package dev.autolowat.sim.docs;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Disassembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimBackend;
import dev.autolowat.sim.SimConnection;
import dev.autolowat.sim.SimSession;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R10;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example of docs/programs.md, "Writing a program with the assembler", kept honest by running it. */
class ProgramsGuideExampleTest {

    /** The guide's program: enable RCVQ when the connection is accepted, then wake only at 100 bytes. */
    static SockOpsProgram lowat100() {
        return new Assembler()
                .mov64(R6, R1)                                              // r6 = ctx (struct bpf_sock_ops *)
                .ldxw(R2, R6, SockOpsCtx.OP)
                .jeq(R2, SockOpsOp.PASSIVE_ESTABLISHED_CB.value(), "enable")
                .jeq(R2, SockOpsOp.RCVQ_CB.value(), "rcvq")
                .ja("out")
                .label("enable")                                            // F1: switch the hook on
                .mov64(R1, R6).mov64(R2, CbFlags.RCVQ).call(Helper.SOCK_OPS_CB_FLAGS_SET)
                .ja("out")
                .label("rcvq")                                              // H1/H2: count the calls
                .stw(R10, -4, 0)
                .loadMap(R1, 0).mov64(R2, R10).add64(R2, -4).call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "lowat")
                .mov64(R1, 1).atomicAdd(Opcode.DW, R0, R1, 0)
                .label("lowat")                                             // K1: the kfunc sets rcvlowat
                .mov64(R1, R6).mov64(R2, 100).callKfunc("bpf_sock_ops_tcp_set_rcvlowat")
                .label("out")
                .mov64(R0, 1).exit()
                .program("lowat100", "GPL", List.of(new MapSpec("calls", MapType.ARRAY, 4, 8, 1)));
    }

    @Test
    @DisplayName("F1/H1/H2/K1: the guide's assembler program runs in the simulator as the guide says")
    void guideExampleRuns() {
        SockOpsProgram.Bytecode program = (SockOpsProgram.Bytecode) lowat100();
        String listing = Disassembler.disassemble(program.code());
        assertTrue(listing.contains("call bpf_sock_ops_tcp_set_rcvlowat"), listing);

        try (SimSession session = new SimBackend().openSession()) {
            session.attach(program);
            SimConnection c = session.connect(ConnectOptions.IPV4);
            assertEquals(CbFlags.RCVQ, c.cbFlags());                        // enabled on op 5

            c.send(new byte[60], 30, 30);                                     // two segments
            Observation o = c.observe();
            assertEquals(100, o.rcvLowat());
            assertFalse(o.readable());                                        // 60 < 100 (H3)
            assertEquals(List.of(5, 21, 21), o.invocations().stream().map(Invocation::op).toList());

            c.send(new byte[40], 40);
            assertTrue(c.observe().readable());                               // 100 >= 100
            assertEquals(100, c.recv(new byte[200], 0, 200, RecvMode.NON_BLOCKING));

            long calls = ByteBuffer.wrap(session.map("calls").lookup(0)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(4, calls);                                           // 3 segments (H1) + 1 recv (H2)
        }
    }
}
