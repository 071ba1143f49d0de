/**
 * The kernel backend: what the SDK needs from a real Linux kernel to run the RCVQ_CB contract
 * ({@code docs/semantics.md}; rule ids such as K1, H6 refer to it). Java cannot name a package
 * {@code native}, so the module {@code sdk-native} lives under {@code dev.autolowat.kernel}.
 *
 * <p>Every kernel-dependent value is read at run time, never hard-coded ({@code kernel-facts.md}):
 * sysctls differ between machines (the lowat cap {@code tcp_rmem[2] / 2} is 16777216 on one host
 * and 3145728 in a small guest), and cgroup v2 is not always mounted at {@code /sys/fs/cgroup}.
 * A missing or unexpected file raises {@link dev.autolowat.kernel.KernelEnvironmentException},
 * whose message names the file and says what to do.
 *
 * <p>Layout (sub-packages):
 * <ul>
 *   <li>{@code sysfs} — values read from {@code /proc/sys} and {@code /sys}:
 *       {@link dev.autolowat.kernel.sysfs.NetSysctls} (rmem_max, tcp_rmem, tcp_moderate_rcvbuf,
 *       tcp_mem; the bounds of rules K1, K2, K4).</li>
 *   <li>{@code cgroup} — cgroup v2: {@link dev.autolowat.kernel.cgroup.Cgroup2Mount} finds the
 *       mount in {@code /proc/mounts} and the current process's cgroup (rule H6); later, creating
 *       child cgroups and moving processes into them.</li>
 *   <li>{@code bpf} (planned) — the {@code bpf(2)} system call over JNA: map and program
 *       creation, {@code BPF_PROG_ATTACH} of SOCK_OPS and CGROUP_SOCKOPT programs to a cgroup
 *       directory, map lookups.</li>
 *   <li>{@code btf} (planned) — reading vmlinux BTF ({@code /sys/kernel/btf/vmlinux}) to resolve
 *       enum values ({@code BPF_SOCK_OPS_RCVQ_CB}, {@code BPF_SOCK_OPS_RCVQ_CB_FLAG}) and the
 *       kfunc {@code bpf_sock_ops_tcp_set_rcvlowat} by name (rule K1).</li>
 *   <li>{@code features} (planned) — probing what this kernel supports (op 21, flag 0x80 through
 *       the return value of {@code bpf_sock_ops_cb_flags_set}, rule F1) to fill the backend's
 *       {@code Capabilities}.</li>
 *   <li>{@code link} (planned) — attachments and their lifetime (detach on close).</li>
 *   <li>{@code sys} — the C library over JNA direct mapping: {@link dev.autolowat.kernel.sys.LibC}
 *       (socket calls, setsockopt/getsockopt, ioctl FIONREAD, epoll, poll, fcntl, {@code syscall}
 *       for {@code bpf(2)}) with the kernel's return convention (a result or {@code -errno}),
 *       the address structures and {@link dev.autolowat.kernel.sys.ErrnoNames}.</li>
 *   <li>{@code socket} — real TCP sockets over loopback: {@link dev.autolowat.kernel.socket.NativeTcpPair}
 *       (IPv4, IPv6, MPTCP), exact segments, setsockopt/getsockopt (rules K2, K4), level- and
 *       edge-triggered epoll readiness (H3–H5), FIONREAD.</li>
 * </ul>
 */
package dev.autolowat.kernel;
