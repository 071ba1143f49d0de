// SPDX-License-Identifier: GPL-2.0
/*
 * The AutoLOWAT reference policy (contract rules A1-A5, docs/semantics.md) written in C the way a
 * policy author writes it: a sock_ops program for BPF_SOCK_OPS_RCVQ_CB and a cgroup/setsockopt
 * program that enables it per socket. Written for this project from the contract text.
 *
 * Frame (A1): an 8-byte descriptor {u32 header_len, u32 payload_len} in host byte order, then
 * header_len + payload_len bytes.
 */
#include "autolowat.h"

#define DESC_SIZE 8
/* A3: each pass of the walk checks a per-segment counter and disables above this. */
#define MAX_WALK  100
#define INT_MAX   0x7fffffff

struct autolowat_state {
	__u32 desc_seq;   /* first byte of the current descriptor */
	__u32 end_seq;    /* the byte after the current frame (valid once the descriptor is complete) */
	__u32 buf_len;    /* descriptor bytes copied so far, 0..DESC_SIZE */
	__u32 pad;
	__u8  desc[2 * DESC_SIZE]; /* room for buf_len + n <= 2 * DESC_SIZE, as the verifier sees it */
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct autolowat_state);
} autolowat_state SEC(".maps");

enum parse_result { PARSE_DONE, PARSE_DISABLE };

/*
 * Copies the missing descriptor bytes from the segment [seq, seg_end), starting at the
 * descriptor's next byte. Returns 1 when the descriptor is complete (end_seq set), 0 when it
 * continues in the next segment, -1 when the policy must disable (A5: zero bytes to copy, a
 * failed byte load, a frame longer than INT_MAX).
 */
static __always_inline int copy_descriptor(struct bpf_sock_ops *skops, struct autolowat_state *st,
					   __u32 seq, __u32 seg_end)
{
	__u32 buf_len = st->buf_len;
	__u32 next = st->desc_seq + buf_len;
	__u64 offset = next - seq;
	__u64 copy_len = seg_end - next;
	__u64 frame_len;
	__u32 header_len, payload_len, len;

	if (buf_len >= DESC_SIZE)
		return -1;
	if (copy_len > DESC_SIZE - buf_len)
		copy_len = DESC_SIZE - buf_len;
	if (offset > 0xffff)
		return -1;
	/* The verifier must see 1 <= len <= DESC_SIZE on the very register passed to the helper (a
	 * zero-sized or longer read is refused): check it after a barrier, and keep it there. */
	len = copy_len;
	barrier_var(len);
	if (len == 0 || len > DESC_SIZE)
		return -1;
	barrier_var(len);
	if (bpf_skb_load_bytes(skops, offset, st->desc + buf_len, len))
		return -1;
	st->buf_len = buf_len + len;
	if (st->buf_len < DESC_SIZE)
		return 0;

	__builtin_memcpy(&header_len, st->desc, 4);
	__builtin_memcpy(&payload_len, st->desc + 4, 4);
	frame_len = DESC_SIZE + (__u64)header_len + (__u64)payload_len;
	if (frame_len > INT_MAX)
		return -1;
	st->end_seq = st->desc_seq + (__u32)frame_len;
	return 1;
}

/* A3: parse the segment's payload; FIN is not payload (skb_len counts payload bytes only). */
static __always_inline int parse_segment(struct bpf_sock_ops *skops, struct autolowat_state *st,
					 __u32 seq)
{
	__u32 seg_end = seq + skops->skb_len;
	int walked, ret;

	if (st->buf_len < DESC_SIZE) {
		ret = copy_descriptor(skops, st, seq, seg_end);
		if (ret < 0)
			return PARSE_DISABLE;
		if (ret == 0)
			return PARSE_DONE;
	}
	for (walked = 0; walked <= MAX_WALK + 1; walked++) {
		if (walked > MAX_WALK)
			return PARSE_DISABLE;
		if (seq_before(seg_end, st->end_seq))
			return PARSE_DONE;          /* the frame does not end in this segment */
		st->desc_seq = st->end_seq;     /* the next frame starts where this one ends */
		st->buf_len = 0;
		if (st->desc_seq == seg_end)
			return PARSE_DONE;          /* the segment ends on a frame boundary */
		ret = copy_descriptor(skops, st, seq, seg_end);
		if (ret < 0)
			return PARSE_DISABLE;
		if (ret == 0)
			return PARSE_DONE;
	}
	return PARSE_DISABLE;
}

/* A4: wake the reader for all complete frames, else for the descriptor, else for the frame. */
static __always_inline void set_target(struct bpf_sock_ops *skops, struct tcp_sock *tp,
				       struct autolowat_state *st)
{
	__u32 copied = tp->copied_seq;
	__u32 target;

	if (seq_before(copied, st->desc_seq))
		target = st->desc_seq - copied;
	else if (st->buf_len < DESC_SIZE)
		target = DESC_SIZE;
	else
		target = st->end_seq - copied;
	if ((int)target != tp->inet_conn.icsk_inet.sk.sk_rcvlowat)
		bpf_sock_ops_tcp_set_rcvlowat((struct bpf_sock_ops_kern *)skops, target);
}

/* A5: clear RCVQ, then lowat 1; the state goes with it. */
static __always_inline void disable(struct bpf_sock_ops *skops, struct bpf_sock *sk)
{
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags & ~BPF_SOCK_OPS_RCVQ_CB_FLAG);
	bpf_sock_ops_tcp_set_rcvlowat((struct bpf_sock_ops_kern *)skops, 1);
	bpf_sk_storage_delete(&autolowat_state, sk);
}

SEC("sockops")
int autolowat_rcvq(struct bpf_sock_ops *skops)
{
	struct bpf_sock_ops_kern *kctx;
	struct autolowat_state *st;
	struct bpf_sock *sk;
	struct tcp_sock *tp;
	struct sk_buff *skb;

	if (skops->op != BPF_SOCK_OPS_RCVQ_CB)
		return 1;
	sk = skops->sk;
	if (!sk)
		return 1;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 1;
	st = bpf_sk_storage_get(&autolowat_state, sk, 0, 0);
	if (!st)
		return 1;

	kctx = bpf_cast_to_kern_ctx(skops);
	skb = kctx->skb;
	if (skb) { /* H1: a segment was queued; H2 (recvmsg done) has no segment: A4 only */
		struct tcp_skb_cb *tcb = (struct tcp_skb_cb *)&skb->cb[0];

		if (parse_segment(skops, st, tcb->seq) == PARSE_DISABLE) {
			disable(skops, sk);
			return 1;
		}
	}
	set_target(skops, tp, st);
	return 1;
}

/* A2: setsockopt(fd, 0xdeadbeef, 0x8badf00d, &one, 4) enables the policy on that socket. */
SEC("cgroup/setsockopt")
int autolowat_enable(struct bpf_sockopt *ctx)
{
	struct autolowat_state *st;
	struct bpf_tcp_sock *btp;
	struct tcp_sock *tp;
	struct bpf_sock *sk;
	int flags, value, created;
	void *optval = ctx->optval, *optval_end = ctx->optval_end;

	if (ctx->level != (int)AUTOLOWAT_LEVEL || ctx->optname != (int)AUTOLOWAT_OPTNAME)
		return 1;
	ctx->optlen = -1; /* consumed: the kernel never sees this option */
	if (optval + sizeof(int) > optval_end)
		return 0;
	value = *(int *)optval;
	if (value == 0)
		return 1;

	sk = ctx->sk;
	if (!sk)
		return 0;
	btp = bpf_tcp_sock(sk);
	if (!btp)
		return 0;
	created = !bpf_sk_storage_get(&autolowat_state, sk, 0, 0);
	st = bpf_sk_storage_get(&autolowat_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	if (bpf_getsockopt(sk, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS, &flags, sizeof(flags)))
		goto undo;
	flags |= BPF_SOCK_OPS_RCVQ_CB_FLAG;
	if (bpf_setsockopt(sk, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS, &flags, sizeof(flags)))
		goto undo;

	/* The state starts at copied_seq; a cgroup program reaches tcp_sock through a cast (CO-RE). */
	tp = bpf_core_cast(btp, struct tcp_sock);
	st->desc_seq = tp->copied_seq;
	st->end_seq = st->desc_seq;
	st->buf_len = 0;
	return 1;
undo:
	if (created)
		bpf_sk_storage_delete(&autolowat_state, sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
