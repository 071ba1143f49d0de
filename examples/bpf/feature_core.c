// SPDX-License-Identifier: GPL-2.0
/* Loader feature: CO-RE field reads of kernel structures (tcp_sock, nested sock members) through
 * bpf_skc_to_tcp_sock, plus field-existence and field-size relocations. */
#include "autolowat.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("sockops")
int core_reads(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	struct tcp_sock *tp;
	__u32 zero = 0;
	__u64 v, *slot;

	if (!sk)
		return 1;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 1;
	v = (__u64)(tp->rcv_nxt - tp->copied_seq) << 32 | (__u32)tp->inet_conn.icsk_inet.sk.sk_rcvlowat;
	if (bpf_core_field_exists(tp->copied_seq))
		v ^= bpf_core_field_size(tp->copied_seq);
	slot = bpf_map_lookup_elem(&seen, &zero);
	if (slot)
		*slot = v;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
