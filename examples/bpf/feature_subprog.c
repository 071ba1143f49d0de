// SPDX-License-Identifier: GPL-2.0
/* Loader feature: bpf-to-bpf calls. Two __noinline functions in .text, one calling the other;
 * the loader appends them to the program that calls them (libbpf's rule). */
#include "autolowat.h"

__noinline int square(int x)
{
	return x * x;
}

__noinline int sum_of_squares(int a, int b)
{
	return square(a) + square(b);
}

SEC("sockops")
int subprog_calls(struct bpf_sock_ops *skops)
{
	/* 3^2 + 4^2 = 25, returned in reply for the op the test drives */
	skops->reply = sum_of_squares(3, 4) + (int)skops->op * 0;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
