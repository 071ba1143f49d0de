/**
 * What a program sees under op {@code RCVQ_CB} (21): {@link dev.autolowat.api.event.RcvQueueEvent}
 * is either a {@link dev.autolowat.api.event.SegmentEnqueued} (rule H1) or a
 * {@link dev.autolowat.api.event.RecvmsgDone} (rule H2).
 *
 * <p>The shape follows the semantics, not the v3 ABI alone: a v5-style struct_ops backend maps
 * {@code enqueue_rcvq(sk, skb)} onto {@code SegmentEnqueued} and {@code dequeue_rcvq(sk)} onto
 * {@code RecvmsgDone} without changing these types.
 */
package dev.autolowat.api.event;
