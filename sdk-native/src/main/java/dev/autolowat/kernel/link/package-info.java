/**
 * Programs attached to cgroup v2 directories, and their lifetime (cilium/ebpf's {@code link}):
 * {@link dev.autolowat.kernel.link.ProgAttachment} ({@code BPF_PROG_ATTACH} with
 * {@code BPF_F_ALLOW_MULTI}, detached by {@code BPF_PROG_DETACH} on close),
 * {@link dev.autolowat.kernel.link.CgroupLink} ({@code BPF_LINK_CREATE}, detached when its last
 * descriptor closes), both {@link dev.autolowat.kernel.link.CgroupAttachment}s, and
 * {@link dev.autolowat.kernel.link.CgroupPrograms} ({@code BPF_PROG_QUERY}) to verify them.
 */
package dev.autolowat.kernel.link;
