package dev.autolowat.sim.tcp;

import dev.autolowat.api.CbFlags;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.sim.SimConfig;
import dev.autolowat.sim.SimFault;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The socket model's seams (docs/architecture.md, "Mutants as decorators"): without faults each is
 * its reference; each {@link SimFault} selects its decorator, and the two hook-point faults compose,
 * each still breaking only its own rule.
 */
class MutantsTest {
    private static final int ISN = 1000;
    private static final int MSS = 65483;

    @Test
    @DisplayName("no fault: every seam is its stateless reference")
    void referenceWithoutFaults() {
        assertSame(FlagGuard.REFERENCE, Mutants.flagGuard(SimConfig.DEFAULT));
        assertSame(LowatCap.REFERENCE, Mutants.lowatCap(SimConfig.DEFAULT));
        assertSame(HookPoints.REFERENCE, Mutants.hookPoints(SimConfig.DEFAULT));
    }

    @Test
    @DisplayName("each fault selects the decorator of its own seam and leaves the others at their reference")
    void eachFaultItsSeam() {
        SimConfig guard = SimConfig.DEFAULT.withFaults(SimFault.WRONG_FLAG_GUARD);
        assertSame(Mutants.NO_FLAG_GUARD, Mutants.flagGuard(guard));
        assertSame(LowatCap.REFERENCE, Mutants.lowatCap(guard));
        assertSame(HookPoints.REFERENCE, Mutants.hookPoints(guard));
        SimConfig cap = SimConfig.DEFAULT.withFaults(SimFault.LOWAT_NOT_CAPPED);
        assertSame(Mutants.NO_CAP, Mutants.lowatCap(cap));
        assertSame(FlagGuard.REFERENCE, Mutants.flagGuard(cap));
        assertInstanceOf(Mutants.HookAfterWakeup.class,
                Mutants.hookPoints(SimConfig.DEFAULT.withFaults(SimFault.HOOK_AFTER_WAKEUP)));
        assertInstanceOf(Mutants.RecvmsgHookMissing.class,
                Mutants.hookPoints(SimConfig.DEFAULT.withFaults(SimFault.RECVMSG_HOOK_MISSING)));
    }

    /** Per H1 call: whether the socket was already on epoll's ready list (the wakeup decision ran). */
    private record Run(List<Boolean> h1SawWakeup, List<Integer> h2) {
    }

    private static Run frameAndRead(SimFault... faults) {
        TcpSocketModel socket = new TcpSocketModel(SimConfig.DEFAULT.withFaults(faults), false, ISN, MSS);
        socket.markAccepted();
        Run run = new Run(new ArrayList<>(), new ArrayList<>());
        socket.setHooks(new RcvQueueHooks() {
            @Override
            public void onSegmentEnqueued(TcpSocketModel s, int seq, int endSeq, boolean fin, int payloadLength) {
                // lowat is 1: the packet's wakeup decision wakes, so a hook that runs after it finds the socket listed
                run.h1SawWakeup().add(s.readable());
            }

            @Override
            public void onRecvmsgDone(TcpSocketModel s, int copied) {
                run.h2().add(copied);
            }
        });
        assertEquals(0, socket.cbFlagsSet(CbFlags.RCVQ));
        socket.arrive(ISN + 1, new byte[10], false);
        assertEquals(10, socket.recvmsg(new byte[10], 0, 10, RecvMode.NON_BLOCKING, ReceiveWait.NONE));
        return run;
    }

    @Test
    @DisplayName("H1/H2: the reference runs H1 before the wakeup decision and H2 after a recvmsg that copied")
    void referenceOrder() {
        Run run = frameAndRead();
        assertEquals(List.of(false), run.h1SawWakeup());
        assertEquals(List.of(10), run.h2());
    }

    @Test
    @DisplayName("HOOK_AFTER_WAKEUP + RECVMSG_HOOK_MISSING compose: H1 after the wakeup decision and no H2; each alone breaks only its rule")
    void hookFaultsCompose() {
        Run both = frameAndRead(SimFault.HOOK_AFTER_WAKEUP, SimFault.RECVMSG_HOOK_MISSING);
        assertEquals(List.of(true), both.h1SawWakeup());
        assertEquals(List.of(), both.h2());
        Run late = frameAndRead(SimFault.HOOK_AFTER_WAKEUP);
        assertEquals(List.of(true), late.h1SawWakeup());
        assertEquals(List.of(10), late.h2());
        Run missing = frameAndRead(SimFault.RECVMSG_HOOK_MISSING);
        assertEquals(List.of(false), missing.h1SawWakeup());
        assertEquals(List.of(), missing.h2());
    }
}
