// SPDX-License-Identifier: GPL-2.0
/* Loader feature: global data. .data, .rodata and .bss become one-entry array maps with their
 * initial contents (libbpf's convention); .rodata is frozen after loading. */
#include "autolowat.h"

int counter = 7;              /* .data */
const volatile int step = 5;  /* .rodata: a user may rewrite it before loading */
int invocations;              /* .bss */

SEC("sockops")
int global_data(struct bpf_sock_ops *skops)
{
	invocations++;
	counter += step;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
