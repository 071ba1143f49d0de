// SPDX-License-Identifier: GPL-2.0
/* Loader feature: a CO-RE relocation that no kernel can satisfy (a member tcp_sock does not
 * have). libbpf poisons the instruction: the program loads, and faults only if the read runs.
 * The read sits behind a .rodata switch: frozen at 0 the verifier sees dead code; a user (or a
 * test) that sets it to 1 before loading reaches the poisoned instruction. */
#include "autolowat.h"

struct tcp_sock___future {
	__u32 autolowat_budget; /* no such member in any kernel */
} __attribute__((preserve_access_index));

const volatile int read_future_field = 0;

SEC("sockops")
int core_unsatisfiable(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	struct tcp_sock___future *tp;

	if (!sk || !read_future_field)
		return 1;
	tp = (void *)bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 1;
	skops->reply = tp->autolowat_budget;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
