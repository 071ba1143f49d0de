package dev.autolowat.api.event;

/**
 * An event of the receive queue, delivered to a program under op {@code RCVQ_CB}.
 *
 * <p>Backends reuse event objects between invocations so that the hot path allocates nothing:
 * an event is valid only during the call that received it. Copy what must outlive the call.
 */
public sealed interface RcvQueueEvent permits SegmentEnqueued, RecvmsgDone {
}
