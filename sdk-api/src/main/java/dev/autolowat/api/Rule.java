package dev.autolowat.api;

/**
 * The rules of the RCVQ_CB contract ({@code docs/semantics.md}). Tests, reports and
 * {@link dev.autolowat.api.spi.Capabilities} refer to rules by these ids.
 */
public enum Rule {
    F1(Group.ENABLE, "bpf_sock_ops_cb_flags_set replaces the flag word; unsupported bits are returned", false),
    F2(Group.ENABLE, "bpf_{set,get}sockopt(TCP_BPF_SOCK_OPS_CB_FLAGS) sets/reads the same word", false),
    F3(Group.ENABLE, "guards on RCVQ clear->set: sockmap -EBUSY, MPTCP -EOPNOTSUPP, queue not empty -EBUSY", true),
    F4(Group.ENABLE, "a socket with RCVQ set cannot join a SOCKMAP/SOCKHASH (-EBUSY)", true),
    H1(Group.HOOK, "op 21 runs once per in-order enqueued segment, before the wakeup decision", true),
    H2(Group.HOOK, "op 21 runs once after every recvmsg that copied data, with no segment", true),
    H3(Group.HOOK, "wakeup rule: FIN, or avail > 0 and (avail >= lowat, memory pressure, window <= one MSS)", false),
    H4(Group.HOOK, "userspace setsockopt(SO_RCVLOWAT) runs the wakeup rule", false),
    H5(Group.HOOK, "non-blocking recv returns what is queued; blocking recv waits for min(len, lowat)", false),
    H6(Group.HOOK, "cgroup semantics for attached programs; u32 sequence numbers wrap", false),
    K1(Group.LOWAT, "kfunc bpf_sock_ops_tcp_set_rcvlowat: op 21 only, capped, grows rcvbuf, no wakeup", true),
    K2(Group.LOWAT, "userspace setsockopt(SO_RCVLOWAT): negative is INT_MAX, capped, grows rcvbuf, wakeup", false),
    K3(Group.LOWAT, "bpf_setsockopt(SO_RCVLOWAT): as K2 with a struct socket, stored as given before accept, refused in op 21", false),
    K4(Group.LOWAT, "getsockopt returns sk_rcvlowat and sk_rcvbuf; user SO_RCVBUF is doubled and bounded", false),
    A1(Group.POLICY, "frame = 8-byte descriptor {u32 header_len, u32 payload_len} + header + payload", true),
    A2(Group.POLICY, "enable through setsockopt(0xdeadbeef, 0x8badf00d) consumed by a cgroup setsockopt program", true),
    A3(Group.POLICY, "parse descriptors on enqueue, walk whole frames, bounded walk", true),
    A4(Group.POLICY, "target lowat: all complete frames, else 8, else the current frame's end", true),
    A5(Group.POLICY, "disable on FIN, oversized frame, walk bound, failed load", true),
    A6(Group.POLICY, "the series' selftest traces pass for IPv4 and IPv6", true);

    /** The families of rules. */
    public enum Group {
        /** F: enabling the hook. */
        ENABLE,
        /** H: when the program runs and when the reader wakes. */
        HOOK,
        /** K: rcvlowat setters and bounds. */
        LOWAT,
        /** A: the reference policy. */
        POLICY
    }

    private final Group group;
    private final String summary;
    private final boolean needsSeries;

    Rule(Group group, String summary, boolean needsSeries) {
        this.group = group;
        this.summary = summary;
        this.needsSeries = needsSeries;
    }

    public Group group() {
        return group;
    }

    /** One line saying what the rule requires. */
    public String summary() {
        return summary;
    }

    /**
     * Whether checking this rule needs a kernel carrying the series (op 21, flag 0x80 or the
     * kfunc). A stock kernel reports such a rule as "not supported by this kernel".
     */
    public boolean needsSeries() {
        return needsSeries;
    }
}
