package dev.autolowat.sim;

import dev.autolowat.api.program.SockoptContext;
import dev.autolowat.api.program.SockoptHandler;
import dev.autolowat.sim.vm.BpfVmException;
import dev.autolowat.sim.vm.VmProgram;

/**
 * A bytecode cgroup setsockopt program (A2) in the session's dispatch list. An aborted invocation
 * counts as returning 0, so the call fails with EPERM, and is recorded in the session.
 */
final class BytecodeSockopt implements SockoptHandler {
    private final SimSession session;
    final VmProgram program;

    BytecodeSockopt(SimSession session, VmProgram program) {
        this.session = session;
        this.program = program;
    }

    @Override
    public int onSetsockopt(SockoptContext ctx) {
        try {
            return (int) program.runSockopt(((SimSockoptContext) ctx).input());
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
