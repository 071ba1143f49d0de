package dev.autolowat.kernel.socket;

import dev.autolowat.kernel.sysfs.NetSysctls;

/**
 * The expected {@code sk_rcvlowat}/{@code sk_rcvbuf} of a socket with no data, written from rules
 * K2 and K4 ({@code tcp_set_rcvlowat()} and {@code __sock_set_rcvbuf()}), with this machine's
 * sysctls: negative = INT_MAX; {@code cap = locked ? sk_rcvbuf / 2 : tcp_rmem[2] / 2};
 * {@code lowat = max(1, min(val, cap))}; unless locked, {@code sk_rcvbuf} grows to {@code 2 * min(val, cap)}
 * (the default scaling ratio: no data has been received); a user SO_RCVBUF is taken as unsigned,
 * bounded by {@code rmem_max} and {@code INT_MAX / 2}, doubled, and locks the buffer.
 */
final class LowatOracle {
    private final NetSysctls sysctls;
    private int lowat = 1;
    private int rcvbuf;
    private boolean locked;

    LowatOracle(NetSysctls sysctls) {
        this.sysctls = sysctls;
        this.rcvbuf = sysctls.defaultRcvbuf();
    }

    void setRcvLowat(int val) {
        if (val < 0) {
            val = Integer.MAX_VALUE;
        }
        val = Math.min(val, sysctls.lowatCap(locked, rcvbuf));
        lowat = val == 0 ? 1 : val;
        if (!locked && 2L * val > rcvbuf) {
            rcvbuf = 2 * val;
        }
    }

    /** Only for values whose double is above the kernel's SOCK_MIN_RCVBUF (a few KiB). */
    void setRcvBuf(int val) {
        long v = Math.min(Integer.toUnsignedLong(val), sysctls.rmemMax());
        v = Math.min(v, Integer.MAX_VALUE / 2);
        locked = true;
        rcvbuf = (int) (2 * v);
    }

    int lowat() {
        return lowat;
    }

    int rcvbuf() {
        return rcvbuf;
    }

    @Override
    public String toString() {
        return "lowat " + lowat + ", rcvbuf " + rcvbuf + (locked ? " (locked)" : "");
    }
}
