package dev.autolowat.sim;

import dev.autolowat.api.program.SockoptContext;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.sim.vm.SocketInfo;
import dev.autolowat.sim.vm.SockoptInput;

/**
 * The context of a cgroup setsockopt program run (A2). Java handlers and bytecode programs of one
 * call share its {@link SockoptInput} ({@code struct bpf_sockopt}): what one program writes
 * (optlen = -1 to consume, level, optname, optval) the next one and the kernel side see.
 */
final class SimSockoptContext extends SimSocketContext implements SockoptContext {
    private final SockoptInput input = new SockoptInput();

    SimSockoptContext(VirtualClock clock) {
        super(clock);
    }

    void set(TcpSocketModel socket, SocketInfo info, int level, int optname, int value) {
        this.socket = socket;
        input.set(socket, info, level, optname, value);
    }

    SockoptInput input() {
        return input;
    }

    @Override
    public int level() {
        return input.level();
    }

    @Override
    public int optname() {
        return input.optname();
    }

    @Override
    public int optlen() {
        // The SPI's setsockopt always passes a 4-byte int; a consumed option reads -1.
        return input.optlen();
    }

    @Override
    public int optvalInt() {
        return input.value();
    }

    @Override
    public void consume() {
        input.setOptlen(-1);
    }

    boolean consumed() {
        return input.consumed();
    }
}
