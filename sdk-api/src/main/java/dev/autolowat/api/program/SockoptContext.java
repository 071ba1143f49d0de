package dev.autolowat.api.program;

/**
 * The context of a cgroup setsockopt invocation ({@code struct bpf_sockopt}) for the Java form of
 * the reference policy's enable path (rule A2). The program runs before the kernel handles the
 * option; it may consume it ({@link #consume()}, i.e. {@code optlen = -1}) so that the kernel never
 * sees it, and it refuses the call by returning 0 (the caller gets {@code EPERM}).
 */
public interface SockoptContext extends SocketContext {
    /** {@code ctx->level}. */
    int level();

    /** {@code ctx->optname}. */
    int optname();

    /** {@code ctx->optlen} as passed by the caller ({@code -1} once consumed). */
    int optlen();

    /**
     * The first four bytes of {@code optval} as a host-order int.
     *
     * @throws IllegalStateException when {@code optlen < 4} (the bytes are not there)
     */
    int optvalInt();

    /** Sets {@code optlen = -1}: the option is consumed and the kernel will not handle it. */
    void consume();
}
