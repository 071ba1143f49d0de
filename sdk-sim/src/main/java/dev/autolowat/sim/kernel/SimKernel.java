package dev.autolowat.sim.kernel;

import dev.autolowat.api.Errno;
import dev.autolowat.api.SockOpsOp;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.program.StorageKey;
import dev.autolowat.sim.tcp.TcpSocketModel;
import dev.autolowat.sim.vm.KernelServices;
import dev.autolowat.sim.vm.SocketInfo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The simulated kernel as the eBPF VM sees it: the contract's helper, kfunc and socket-option
 * semantics (rules K1, K3, K4, F1–F3, H1) and the socket facts the context and kernel objects read,
 * on the simulator's {@link TcpSocketModel}. The VM ({@code dev.autolowat.sim.vm}) checks arguments
 * and layouts; everything it needs to know about a socket comes from here, so the VM has no
 * dependency on the TCP model (docs/architecture.md, "VM and its services").
 *
 * <p>Stateless: one instance, {@link #INSTANCE}, serves every VM; the socket handle ({@code sk}) of
 * an invocation is the {@link TcpSocketModel} the simulator put into its input.
 */
public final class SimKernel implements KernelServices {
    /** The simulator's kernel. */
    public static final SimKernel INSTANCE = new SimKernel();

    /** {@code TCP_ESTABLISHED}, {@code TCP_CLOSE_WAIT} ({@code include/net/tcp_states.h}). */
    static final int TCP_ESTABLISHED = 1;
    static final int TCP_CLOSE_WAIT = 8;

    private static final int SOL_SOCKET = SockOpt.SOL_SOCKET;
    private static final int SOL_TCP = SockOpt.SOL_TCP;
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    /** SOL_SOCKET options the kernel's bpf_{get,set}sockopt accept (sol_socket_sockopt); only two are modelled. */
    private static final int[] KERNEL_SOL_SOCKET = {2, 7, 8, 9, 12, 15, 18, 36, 47, 62, 25, 74};

    /** {@code sk->sk_txhash}, which a sock_ops program may write: kept per socket. */
    private static final StorageKey<int[]> TXHASH = StorageKey.create("vm.sk_txhash", () -> new int[1]);

    /** A little-endian int in a byte array (an int option's value). */
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private SimKernel() {
    }

    private static TcpSocketModel socket(Object sk) {
        return (TcpSocketModel) sk;
    }

    @Override
    public int rcvNxt(Object sk) {
        return socket(sk).rcvNxt();
    }

    @Override
    public int copiedSeq(Object sk) {
        return socket(sk).copiedSeq();
    }

    @Override
    public int rcvLowat(Object sk) {
        return socket(sk).rcvLowat();
    }

    @Override
    public int rcvBuf(Object sk) {
        return socket(sk).rcvBuf();
    }

    @Override
    public boolean rcvBufLocked(Object sk) {
        return socket(sk).rcvBufLocked();
    }

    @Override
    public boolean rcvShutdown(Object sk) {
        return socket(sk).rcvShutdown();
    }

    @Override
    public boolean isMptcp(Object sk) {
        return socket(sk).isMptcp();
    }

    @Override
    public int rcvMss(Object sk) {
        return socket(sk).rcvMss();
    }

    @Override
    public int cbFlags(Object sk) {
        return socket(sk).cbFlags();
    }

    @Override
    public int tcpState(Object sk) {
        return socket(sk).finReceived() ? TCP_CLOSE_WAIT : TCP_ESTABLISHED;
    }

    @Override
    public long bytesReceived(Object sk, SocketInfo info) {
        TcpSocketModel s = socket(sk);
        long seqSpace = (s.rcvNxt() - (info.irs() + 1)) & 0xffff_ffffL;
        return s.finReceived() ? seqSpace - 1 : seqSpace;
    }

    @Override
    public int txhash(Object sk) {
        int[] h = socket(sk).storage(TXHASH, false);
        return h == null ? 0 : h[0];
    }

    @Override
    public void setTxhash(Object sk, int value) {
        socket(sk).storage(TXHASH, true)[0] = value;
    }

    @Override
    public int cbFlagsSet(Object sk, int flags) {
        return socket(sk).cbFlagsSet(flags); // F1, F3
    }

    @Override
    public void loadSegmentBytes(Object sk, int segmentLength, int offset, byte[] to, int at, int len) {
        TcpSocketModel s = socket(sk);
        // the segment's payload is the last one queued (H1)
        s.loadQueuedBytes(s.queuedPayload() - segmentLength + offset, to, at, len);
    }

    @Override
    public int sockopt(Object sk, boolean set, int sockOpsOp, int level, int optname, byte[] buf, int at, int len) {
        TcpSocketModel socket = socket(sk);
        int result;
        int value = 0;
        if (level == SOL_SOCKET && (optname == SockOpt.SO_RCVLOWAT || optname == SockOpt.SO_RCVBUF)) {
            if (len != 4) {
                result = Errno.EINVAL.negative();
            } else if (set) {
                int v = (int) INT_LE.get(buf, at);
                if (optname == SockOpt.SO_RCVBUF) {
                    result = socket.setRcvBuf(v); // K4
                } else if (sockOpsOp == SockOpsOp.RCVQ_CB.value()) {
                    result = Errno.EOPNOTSUPP.negative(); // K3 [SDK decision]: the kfunc is the setter in op 21
                } else {
                    result = socket.bpfSetsockoptRcvlowat(v); // K3 (K2 once the socket is accepted)
                }
            } else {
                value = optname == SockOpt.SO_RCVLOWAT ? socket.rcvLowat() : socket.rcvBuf(); // K4
                result = 0;
            }
        } else if (level == SOL_TCP && optname == SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS) {
            if (len != 4) {
                result = Errno.EINVAL.negative();
            } else if (set) {
                result = socket.setCbFlagsSockopt((int) INT_LE.get(buf, at)); // F2, F3
            } else {
                value = socket.cbFlags(); // F2
                result = 0;
            }
        } else if ((level == SOL_SOCKET && contains(KERNEL_SOL_SOCKET, optname))
                || level == SOL_TCP || level == SOL_IP || level == SOL_IPV6) {
            result = Errno.EOPNOTSUPP.negative(); // a real option the model has no state for
        } else {
            result = Errno.EINVAL.negative();
        }
        if (!set) {
            Arrays.fill(buf, at, at + len, (byte) 0);
            if (result == 0) {
                INT_LE.set(buf, at, value);
            }
        }
        return result;
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int sockOpsTcpSetRcvlowat(Object sk, int sockOpsOp, int val) {
        return sockOpsOp != SockOpsOp.RCVQ_CB.value()
                ? Errno.EOPNOTSUPP.negative() // K1 [SDK decision]: op 21 only
                : socket(sk).kfuncSetRcvlowat(val); // K1
    }
}
