/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few kernel definitions the SDK's example BPF programs need, written for this project.
 *
 * Debian 12's uapi headers (linux-libc-dev 6.1) predate the AutoLOWAT series, so the series'
 * constants are defined here (values: ../../docs/semantics.md, "Constants"). Kernel structures are
 * declared with only the members the programs read and marked preserve_access_index: clang emits a
 * CO-RE relocation for every access, and the loader (libbpf, or the SDK) moves the offsets to those
 * of the target kernel's BTF, or of the simulator's (docs/objects.md).
 */
#ifndef AUTOLOWAT_EXAMPLES_H
#define AUTOLOWAT_EXAMPLES_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* ---- the series' uapi (v3) ---- */
#define BPF_SOCK_OPS_RCVQ_CB        21
#define BPF_SOCK_OPS_RCVQ_CB_FLAG   0x80
#define TCP_BPF_SOCK_OPS_CB_FLAGS   1008
#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef SOL_SOCKET
#define SOL_SOCKET 1
#endif

/* ---- the reference policy's enable option (A2) ---- */
#define AUTOLOWAT_LEVEL    0xdeadbeef
#define AUTOLOWAT_OPTNAME  0x8badf00d

/* ---- kernel objects, CO-RE relocated ---- */
struct sock {
	int sk_rcvlowat;
	int sk_rcvbuf;
} __attribute__((preserve_access_index));

struct inet_sock {
	struct sock sk;
} __attribute__((preserve_access_index));

struct inet_connection_sock {
	struct inet_sock icsk_inet;
} __attribute__((preserve_access_index));

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	__u32 rcv_nxt;
	__u32 copied_seq;
} __attribute__((preserve_access_index));

struct sk_buff {
	char cb[48];
} __attribute__((preserve_access_index));

/* What TCP keeps in skb->cb: the segment's sequence numbers (FIN counts one in end_seq). */
struct tcp_skb_cb {
	__u32 seq;
	__u32 end_seq;
} __attribute__((preserve_access_index));

struct bpf_sock_ops_kern {
	struct sk_buff *skb;
} __attribute__((preserve_access_index));

/* ---- kfuncs ---- */
/* K1: the series' rcvlowat setter, only inside BPF_SOCK_OPS_RCVQ_CB. */
extern int bpf_sock_ops_tcp_set_rcvlowat(struct bpf_sock_ops_kern *skops, int val) __ksym;
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* libbpf >= 1.3 has this macro; Debian 12's libbpf-dev (1.1) does not. */
#ifndef bpf_core_cast
#define bpf_core_cast(ptr, type) \
	((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))
#endif

/* Sequence numbers are u32 and wrap (H6). */
static __always_inline int seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

#endif
