package dev.autolowat.sim.vm;

import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.asm.SockoptCtx;

/**
 * The contexts and kernel objects of one VM, read live from the kernel ({@link KernelServices})
 * for the socket of the VM's current input. One instance of each per VM; they are retargeted by setting the input, so nothing is
 * allocated per invocation. All views of the socket share one address, as in the kernel where
 * {@code ctx->sk}, {@code bpf_tcp_sock(sk)} and {@code bpf_skc_to_tcp_sock(sk)} are the same
 * pointer seen as different types.
 */
final class Views {
    private Views() {
    }

    /** {@code TCP_SYN_SENT}: the state a sock_ops program sees in {@code BPF_SOCK_OPS_TCP_CONNECT_CB}. */
    static final int TCP_SYN_SENT = 2;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_MPTCP = 262;
    static final int SOCK_STREAM = 1;
    /** {@code tcp_wmem[1]} of the reference machine: what {@code sk_sndbuf} reads. */
    static final int SNDBUF = 16384;
    static final int TCP_INIT_CWND = 10;
    static final int TCP_INFINITE_SSTHRESH = 0x7fffffff;

    /** Any view of the socket: which socket it is. */
    abstract static class SocketView extends ViewRegion {
        final Vm vm;

        SocketView(long base, Layout layout, Vm vm) {
            super(base, layout, false);
            this.vm = vm;
        }
    }

    /** The sock_ops context, {@code struct bpf_sock_ops}. */
    static final class SockOpsContext extends ViewRegion {
        private final Vm vm;

        SockOpsContext(long base, Vm vm) {
            super(base, Layouts.SOCK_OPS, true);
            this.vm = vm;
        }

        @Override
        long value(Layout.Member m) {
            SockOpsInput in = vm.sockOps;
            SocketInfo info = vm.info;
            int off = m.off;
            switch (off) {
                case SockOpsCtx.OP:
                    return in.op;
                case SockOpsCtx.REPLY:
                case 8:
                case 12:
                case 16:
                    return in.args[(off - 4) / 4];
                case SockOpsCtx.FAMILY:
                    return info.family();
                case SockOpsCtx.REMOTE_IP4:
                case SockOpsCtx.LOCAL_IP4:
                    return info.ip4();
                case SockOpsCtx.REMOTE_PORT:
                    return (long) SocketInfo.be16(info.remotePort()) << 16;
                case SockOpsCtx.LOCAL_PORT:
                    return info.localPort();
                case SockOpsCtx.IS_FULLSOCK:
                    return 1;
                case SockOpsCtx.SND_CWND:
                    return TCP_INIT_CWND;
                case SockOpsCtx.BPF_SOCK_OPS_CB_FLAGS:
                    return vm.kernel.cbFlags(vm.socket);
                case SockOpsCtx.STATE:
                    return vm.tcpState();
                case SockOpsCtx.SND_SSTHRESH:
                    return TCP_INFINITE_SSTHRESH;
                case SockOpsCtx.RCV_NXT:
                    return vm.kernel.rcvNxt(vm.socket);
                case SockOpsCtx.SND_NXT:
                case SockOpsCtx.SND_UNA:
                    return info.iss() + 1;
                case SockOpsCtx.MSS_CACHE:
                    return info.mss();
                case SockOpsCtx.SK_TXHASH:
                    return vm.txhash();
                case SockOpsCtx.BYTES_RECEIVED:
                    return vm.bytesReceived();
                case SockOpsCtx.SKB_LEN:
                    return in.segment ? in.length : 0;
                case SockOpsCtx.SKB_TCP_FLAGS:
                    return in.tcpFlags();
                default:
                    if (off >= SockOpsCtx.REMOTE_IP6 && off < SockOpsCtx.REMOTE_IP6 + 16) {
                        return info.ip6((off - SockOpsCtx.REMOTE_IP6) / 4);
                    }
                    if (off >= SockOpsCtx.LOCAL_IP6 && off < SockOpsCtx.LOCAL_IP6 + 16) {
                        return info.ip6((off - SockOpsCtx.LOCAL_IP6) / 4);
                    }
                    // srtt, rtt_min, ecn, rate samples, packet counters, bytes_acked, hwtstamp:
                    // the model does not keep them.
                    return 0;
            }
        }

        @Override
        Region pointer(Layout.Member m) {
            return switch (m.off) {
                case SockOpsCtx.SK -> vm.bpfSock;
                default -> vm.sockOps.segment ? vm.packet : null;
            };
        }

        @Override
        Region constantPointer(Layout.Member m) {
            return m.off == SockOpsCtx.SK ? vm.bpfSock : null; // skb_data*: only with a segment
        }

        @Override
        void write(Layout.Member m, long value) {
            if (m.off == SockOpsCtx.REPLY) {
                vm.sockOps.args[0] = (int) value;
            } else {
                vm.setTxhash((int) value);
            }
        }
    }

    /** The cgroup setsockopt context, {@code struct bpf_sockopt}. */
    static final class SockoptContext extends ViewRegion {
        private final Vm vm;

        SockoptContext(long base, Vm vm) {
            super(base, Layouts.SOCKOPT, true);
            this.vm = vm;
        }

        @Override
        long value(Layout.Member m) {
            SockoptInput in = vm.sockopt;
            return switch (m.off) {
                case SockoptCtx.LEVEL -> in.level;
                case SockoptCtx.OPTNAME -> in.optname;
                default -> in.optlen;
            };
        }

        @Override
        Region pointer(Layout.Member m) {
            return m.off == SockoptCtx.SK ? vm.bpfSock : vm.optval;
        }

        @Override
        Region constantPointer(Layout.Member m) {
            return pointer(m);
        }

        @Override
        long pointerOffset(Layout.Member m) {
            return m.off == SockoptCtx.OPTVAL_END ? SockoptInput.BUFFER_SIZE : 0;
        }

        @Override
        void write(Layout.Member m, long value) {
            SockoptInput in = vm.sockopt;
            switch (m.off) {
                case SockoptCtx.LEVEL -> in.level = (int) value;
                case SockoptCtx.OPTNAME -> in.optname = (int) value;
                default -> in.optlen = (int) value;
            }
        }
    }

    /** {@code struct bpf_sock}: {@code ctx->sk}. */
    static final class BpfSock extends SocketView {
        BpfSock(long base, Vm vm) {
            super(base, Layouts.BPF_SOCK, vm);
        }

        @Override
        long value(Layout.Member m) {
            SocketInfo info = vm.info;
            int off = m.off;
            return switch (off) {
                case 4 -> info.family();
                case 8 -> SOCK_STREAM;
                case 12 -> vm.kernel.isMptcp(vm.socket) ? IPPROTO_MPTCP : IPPROTO_TCP;
                case 24, 52 -> info.ip4();
                case 44 -> info.localPort();
                case 48 -> SocketInfo.be16(info.remotePort());
                case 72 -> vm.tcpState();
                case 76 -> 0xffff_ffffL; // rx_queue_mapping: NO_QUEUE_MAPPING (-1)
                default -> off >= 28 && off < 44 ? info.ip6((off - 28) / 4)
                        : off >= 56 && off < 72 ? info.ip6((off - 56) / 4) : 0;
            };
        }
    }

    /** {@code struct bpf_tcp_sock}: what {@code bpf_tcp_sock()} returns. */
    static final class BpfTcpSock extends SocketView {
        BpfTcpSock(long base, Vm vm) {
            super(base, Layouts.BPF_TCP_SOCK, vm);
        }

        @Override
        long value(Layout.Member m) {
            return switch (m.off) {
                case 0 -> TCP_INIT_CWND;
                case 12 -> TCP_INFINITE_SSTHRESH;
                case 16 -> vm.kernel.rcvNxt(vm.socket);
                case 20, 24 -> vm.info.iss() + 1;
                case 28 -> vm.info.mss();
                case 80 -> vm.bytesReceived();
                default -> 0;
            };
        }
    }

    /** The socket as a kernel object ({@code struct tcp_sock}), read-only; see {@link Layouts#TCP_SOCK}. */
    static final class TcpSock extends SocketView {
        TcpSock(long base, Vm vm) {
            super(base, Layouts.TCP_SOCK, vm);
        }

        @Override
        long value(Layout.Member m) {
            KernelServices k = vm.kernel;
            Object s = vm.socket;
            SocketInfo info = vm.info;
            return switch (m.off) { // the offsets of Layouts.TCP_SOCK, one member each
                case 0, 4 -> info.ip4(); // skc_daddr, skc_rcv_saddr
                case 12 -> SocketInfo.be16(info.remotePort()); // skc_dport
                case 14 -> info.localPort(); // skc_num
                case 16 -> info.family(); // skc_family
                case 18 -> vm.tcpState(); // skc_state
                case 0x130 -> k.rcvLowat(s); // sk_rcvlowat
                case 0x134 -> k.rcvBuf(s); // sk_rcvbuf
                case 0x138 -> SNDBUF; // sk_sndbuf
                case 0x13c -> k.rcvBufLocked(s) ? 2 : 0; // sk_userlocks: SOCK_RCVBUF_LOCK
                case 0x13d -> k.rcvShutdown(s) ? 1 : 0; // sk_shutdown: RCV_SHUTDOWN
                case 0x140 -> SOCK_STREAM; // sk_type
                case 0x142 -> k.isMptcp(s) ? IPPROTO_MPTCP : IPPROTO_TCP; // sk_protocol
                case 0x144 -> vm.txhash(); // sk_txhash
                case 0x400 -> k.rcvMss(s); // icsk_ack.rcv_mss
                case 0x600 -> k.rcvNxt(s); // rcv_nxt
                case 0x604 -> k.copiedSeq(s); // copied_seq
                case 0x60c, 0x610 -> info.iss() + 1; // snd_nxt, snd_una
                case 0x614 -> info.mss(); // mss_cache
                case 0x61c -> k.cbFlags(s); // bpf_sock_ops_cb_flags
                case 0x620 -> vm.bytesReceived(); // bytes_received
                default -> 0;
            };
        }

        /**
         * The {@link KernelServices} method (an {@code int (Object sk)}) whose result is all that
         * {@link #value} gives for {@code m}, or null: translated code calls it in line for a load
         * through a pointer it checked to be this view's start (docs/decisions.md D25). Keep in
         * step with {@link #value}.
         */
        static String kernelRead(Layout.Member m) {
            return switch (m.off) {
                case 0x130 -> "rcvLowat";
                case 0x134 -> "rcvBuf";
                case 0x400 -> "rcvMss";
                case 0x600 -> "rcvNxt";
                case 0x604 -> "copiedSeq";
                case 0x61c -> "cbFlags";
                default -> null;
            };
        }
    }

    /** {@code struct bpf_sock_ops_kern}: what {@code bpf_cast_to_kern_ctx(ctx)} returns. */
    static final class SockOpsKern extends ViewRegion {
        private final Vm vm;
        private final byte[] args = new byte[16];

        SockOpsKern(long base, Vm vm) {
            super(base, Layouts.SOCK_OPS_KERN, false);
            this.vm = vm;
        }

        @Override
        long value(Layout.Member m) {
            return switch (m.off) {
                case 48 -> vm.sockOps.op; // op
                case 49 -> 1; // is_fullsock
                default -> 0;
            };
        }

        @Override
        Region pointer(Layout.Member m) {
            if (m.off == 0) { // sk
                return vm.tcpSock;
            }
            return vm.sockOps.segment ? vm.skb : null;
        }

        @Override
        Region constantPointer(Layout.Member m) {
            return m.off == 0 ? vm.tcpSock : null; // skb: only with a segment
        }

        @Override
        Region pointerGuess(Layout.Member m) {
            return m.off == 0 ? vm.tcpSock : vm.skb;
        }

        @Override
        byte[] bytes(Layout.Member m) {
            for (int i = 0; i < 4; i++) {
                MemRegion.write(args, 4 * i, 4, vm.sockOps.args[i]);
            }
            return args;
        }
    }

    /** {@code struct sk_buff} of the op-21 segment (H1): {@code cb} holds {@code tcp_skb_cb}, {@code len} the payload. */
    static final class SkBuff extends ViewRegion {
        private final Vm vm;
        private final byte[] cb = new byte[48];

        SkBuff(long base, Vm vm) {
            super(base, Layouts.SK_BUFF, false);
            this.vm = vm;
        }

        @Override
        long value(Layout.Member m) {
            return m.off == 112 ? vm.sockOps.length : 0; // len
        }

        @Override
        byte[] bytes(Layout.Member m) {
            SockOpsInput in = vm.sockOps;
            MemRegion.write(cb, Layouts.CB_SEQ, 4, in.seq);
            MemRegion.write(cb, Layouts.CB_END_SEQ, 4, in.endSeq);
            MemRegion.write(cb, Layouts.CB_TCP_FLAGS, 1, in.tcpFlags());
            return cb;
        }
    }
}
