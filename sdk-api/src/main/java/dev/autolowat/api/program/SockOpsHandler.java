package dev.autolowat.api.program;

import dev.autolowat.api.event.RcvQueueEvent;

/**
 * The simulator-only Java form of a sock_ops program. The simulator calls it at the same points
 * the kernel runs a sock_ops program; the return value is the program's return value.
 *
 * <p>Handlers must not keep the context or the event after returning: backends reuse them.
 */
public interface SockOpsHandler {
    /**
     * Rules H1/H2: op {@code RCVQ_CB} with the receive-queue event (a segment was enqueued, or a
     * recvmsg finished). Only called while the socket's RCVQ flag is set.
     */
    int onRcvQueue(RcvQueueEvent event, SockOpsContext ctx);

    /**
     * Every other op the backend models (the ESTABLISHED callbacks, see {@code docs/semantics.md}).
     * The default does nothing and returns 1.
     */
    default int onOp(SockOpsContext ctx) {
        return 1;
    }
}
