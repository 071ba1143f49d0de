// SPDX-License-Identifier: GPL-2.0
/* Loader feature: BTF-defined maps in .maps (an array and a hash), updated per invocation. */
#include "autolowat.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} ops_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u32);
} bytes_by_port SEC(".maps");

SEC("sockops")
int count_ops(struct bpf_sock_ops *skops)
{
	__u32 op = skops->op, port = skops->local_port, len = skops->skb_len;
	__u64 *seen = bpf_map_lookup_elem(&ops_seen, &op);
	__u32 *bytes;

	if (seen)
		__sync_fetch_and_add(seen, 1);
	bytes = bpf_map_lookup_elem(&bytes_by_port, &port);
	if (bytes)
		*bytes += len;
	else
		bpf_map_update_elem(&bytes_by_port, &port, &len, BPF_ANY);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
