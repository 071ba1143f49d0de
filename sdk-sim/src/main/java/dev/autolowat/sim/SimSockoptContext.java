package dev.autolowat.sim;

import dev.autolowat.api.program.SockoptContext;
import dev.autolowat.sim.tcp.TcpSocketModel;

/** The context of a cgroup setsockopt program run (A2). */
final class SimSockoptContext extends SimSocketContext implements SockoptContext {
    private int level;
    private int optname;
    private boolean consumed;
    private int value;

    SimSockoptContext(VirtualClock clock) {
        super(clock);
    }

    void set(TcpSocketModel socket, int level, int optname, int value) {
        this.socket = socket;
        this.level = level;
        this.optname = optname;
        this.consumed = false;
        this.value = value;
    }

    @Override
    public int level() {
        return level;
    }

    @Override
    public int optname() {
        return optname;
    }

    @Override
    public int optlen() {
        // The SPI's setsockopt always passes a 4-byte int; a consumed option reads -1.
        return consumed ? -1 : Integer.BYTES;
    }

    @Override
    public int optvalInt() {
        return value;
    }

    @Override
    public void consume() {
        consumed = true;
    }

    boolean consumed() {
        return consumed;
    }
}
