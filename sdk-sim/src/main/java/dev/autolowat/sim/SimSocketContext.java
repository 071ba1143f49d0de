package dev.autolowat.sim;

import dev.autolowat.api.program.SocketContext;
import dev.autolowat.api.program.StorageKey;
import dev.autolowat.sim.tcp.TcpSocketModel;

/** What both program contexts share: the socket's fields, storage and the F2 flag sockopts. */
abstract class SimSocketContext implements SocketContext {
    private final VirtualClock clock;
    protected TcpSocketModel socket;

    SimSocketContext(VirtualClock clock) {
        this.clock = clock;
    }

    @Override
    public int rcvNxt() {
        return socket.rcvNxt();
    }

    @Override
    public int copiedSeq() {
        return socket.copiedSeq();
    }

    @Override
    public int rcvLowat() {
        return socket.rcvLowat();
    }

    @Override
    public int rcvBuf() {
        return socket.rcvBuf();
    }

    @Override
    public boolean isTcp() {
        return !socket.isMptcp();
    }

    @Override
    public <T> T storage(StorageKey<T> key, boolean create) {
        return socket.storage(key, create);
    }

    @Override
    public int deleteStorage(StorageKey<?> key) {
        return socket.deleteStorage(key);
    }

    @Override
    public int setCbFlagsSockopt(int flags) {
        return socket.setCbFlagsSockopt(flags);
    }

    @Override
    public int getCbFlagsSockopt() {
        return socket.cbFlags();
    }

    @Override
    public long ktimeNs() {
        return clock.nanos();
    }
}
