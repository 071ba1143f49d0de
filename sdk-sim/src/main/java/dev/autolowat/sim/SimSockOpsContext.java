package dev.autolowat.sim;

import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.program.SockOpsContext;
import dev.autolowat.sim.vm.SockOpsInput;

/** The reusable sock_ops context of one socket. */
final class SimSockOpsContext extends SimSocketContext implements SockOpsContext {
    private SockOpsOp op;
    /** The dispatch as bytecode programs see it ({@code struct bpf_sock_ops}), set once per dispatch. */
    private final SockOpsInput input = new SockOpsInput();

    SimSockOpsContext(VirtualClock clock) {
        super(clock);
    }

    void set(dev.autolowat.sim.tcp.TcpSocketModel socket, SockOpsOp op) {
        this.socket = socket;
        this.op = op;
    }

    SockOpsInput input() {
        return input;
    }

    @Override
    public SockOpsOp op() {
        return op;
    }

    @Override
    public int cbFlags() {
        return socket.cbFlags();
    }

    @Override
    public int cbFlagsSet(int flags) {
        return socket.cbFlagsSet(flags);
    }

    @Override
    public int tcpSetRcvlowat(int val) {
        // K1 [SDK decision]: the kfunc is for the RCVQ hook only.
        if (op != SockOpsOp.RCVQ_CB) {
            return Errno.EOPNOTSUPP.negative();
        }
        return socket.kfuncSetRcvlowat(val);
    }

    @Override
    public int setsockoptRcvlowat(int val) {
        // K3 [SDK decision]: inside the hook the kfunc is the setter; it cannot recurse into a wakeup.
        if (op == SockOpsOp.RCVQ_CB) {
            return Errno.EOPNOTSUPP.negative();
        }
        return socket.bpfSetsockoptRcvlowat(val);
    }
}
