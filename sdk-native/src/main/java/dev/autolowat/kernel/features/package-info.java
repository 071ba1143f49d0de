/**
 * What this kernel and process support, found by trying (cilium/ebpf's {@code features}):
 * {@link dev.autolowat.kernel.features.Probes} — bpf() privileges, program types, map types,
 * sock_ops helpers and the RCVQ callback flag through the return value of
 * {@code bpf_sock_ops_cb_flags_set} (rule F1) — and the
 * {@link dev.autolowat.kernel.features.ProbeReport} as text or JSON.
 */
package dev.autolowat.kernel.features;
