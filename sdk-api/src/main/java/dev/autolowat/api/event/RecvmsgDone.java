package dev.autolowat.api.event;

/**
 * Rule H2: a {@code recvmsg()} that copied at least one byte has finished and {@code copied_seq}
 * has advanced. There is no segment: {@code bpf_skb_load_bytes} fails in this event.
 * No wakeup follows from it.
 */
public non-sealed interface RecvmsgDone extends RcvQueueEvent {
    /** Bytes this recvmsg copied (at least 1). */
    int bytesCopied();
}
