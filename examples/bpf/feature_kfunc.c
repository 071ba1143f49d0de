// SPDX-License-Identifier: GPL-2.0
/* Loader feature: a kfunc extern (__ksym), resolved by name against the target's BTF. On a
 * kernel without the series it does not exist: the loader must say so by name (K1). */
#include "autolowat.h"

SEC("sockops")
int kfunc_call(struct bpf_sock_ops *skops)
{
	if (skops->op == BPF_SOCK_OPS_RCVQ_CB)
		bpf_sock_ops_tcp_set_rcvlowat((struct bpf_sock_ops_kern *)skops, 100);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
