#!/usr/bin/env python3
"""How Linux loopback TCP cuts and receives a few sends (docs/performance.md, "Fixed: 64 KiB in 2 segments").

For each send (TCP_NODELAY) to a freshly accepted socket with SO_RCVLOWAT set, prints whether the
reader got an edge-triggered event, the receiver's tcpi_data_segs_in / tcpi_rcv_mss / tcpi_rcv_wnd,
the sender's tcpi_snd_mss, and how many data packets took the fast path of tcp_rcv_established()
(the global TcpExt TCPHPHits counter: run it on a quiet machine, other loopback traffic adds to it).

    python3 docs/experiments/loopback_segments.py [lowat] [sizes, comma-separated]
    python3 docs/experiments/loopback_segments.py 65536 32768,32768        # the 64 KiB frame in 2 segments

Measured on 6.18 (tcp_rmem 4096 131072 33554432): the first 32768-byte send arrives as 32741 + 27
bytes (half the 65483-byte handshake window: tcp_bound_to_half_wnd), no event; the 32741-byte packet
takes the slow path (tcp_data_queue: tcp_data_ready before the ACK), the 27-byte one the fast path.
"""
import select
import socket
import struct
import sys
import time

# struct tcp_info offsets (include/uapi/linux/tcp.h, x86-64)
SND_MSS, RCV_MSS, DATA_SEGS_IN, RCV_WND = 16, 20, 152, 232


def fast_path_hits():
    lines = open('/proc/net/netstat').read().split('\n')
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith('TcpExt:'):
            return int(dict(zip(names.split(), values.split()))['TCPHPHits'])
    raise SystemExit('no TcpExt TCPHPHits in /proc/net/netstat')


def tcp_info(sock, offset):
    return struct.unpack_from('I', sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 240), offset)[0]


def main():
    lowat = int(sys.argv[1]) if len(sys.argv) > 1 else 65536
    sizes = [int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else '32768,32768').split(',')]
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(1)
    sender = socket.socket()
    sender.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sender.connect(listener.getsockname())
    receiver, _ = listener.accept()
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, lowat)
    epoll = select.epoll()
    epoll.register(receiver.fileno(), select.EPOLLIN | select.EPOLLET)
    for size in sizes:
        before = fast_path_hits()
        sender.send(b'x' * size)
        time.sleep(0.03)  # loopback delivers within the send; the sleep only makes sure
        print(f'send {size}: event {bool(epoll.poll(0))}, data_segs_in {tcp_info(receiver, DATA_SEGS_IN)},'
              f' rcv_mss {tcp_info(receiver, RCV_MSS)}, rcv_wnd {tcp_info(receiver, RCV_WND)},'
              f' sender snd_mss {tcp_info(sender, SND_MSS)}, fast-path packets {fast_path_hits() - before}')


if __name__ == '__main__':
    main()
