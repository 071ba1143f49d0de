package dev.autolowat.sim;

import dev.autolowat.api.event.RcvQueueEvent;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.sim.vm.BpfVmException;
import dev.autolowat.sim.vm.VmProgram;

/**
 * A bytecode sock_ops program in the session's dispatch list: it runs in the VM at exactly the
 * points where Java handlers run (ops 3/4/5 and op 21 for H1/H2), on the dispatch's
 * {@code struct bpf_sock_ops}. An aborted invocation counts as returning 0 and is recorded in the
 * session (see {@link SimSession#vmFaults()}).
 */
final class BytecodeSockOps implements SockOpsHandler {
    private final SimSession session;
    final VmProgram program;

    BytecodeSockOps(SimSession session, VmProgram program) {
        this.session = session;
        this.program = program;
    }

    @Override
    public int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx) {
        return run(ctx);
    }

    @Override
    public int onOp(SockOpsContext ctx) {
        return run(ctx);
    }

    private int run(SockOpsContext ctx) {
        try {
            return (int) program.runSockOps(((SimSockOpsContext) ctx).input());
        } catch (BpfVmException e) {
            session.recordFault(e);
            return 0;
        }
    }

    @Override
    public String toString() {
        return "bytecode " + program;
    }
}
