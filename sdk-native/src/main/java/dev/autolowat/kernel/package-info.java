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
 * <p>The backend itself is in this package: {@link dev.autolowat.kernel.NativeBackend} (the SPI's
 * {@code Backend}, found by {@code ServiceLoader} as {@code native}), {@link dev.autolowat.kernel.NativeSession}
 * (a private cgroup with its programs, shared maps and connections),
 * {@link dev.autolowat.kernel.NativeConnection} (a loopback pair through the SPI),
 * {@link dev.autolowat.kernel.BtfSymbols} (vmlinux BTF as the loader's {@code KernelSymbols}),
 * {@link dev.autolowat.kernel.MissingKernelFeatureException} (a program needs what the kernel lacks)
 * and the reader of the invocation-log convention ({@link dev.autolowat.api.program.InvocationLogMap},
 * in the API since the programs that write it share the format: how a program logs its invocations
 * for {@code observe()}). See {@code docs/native.md}, "The native backend".
 *
 * <p>Layout (sub-packages):
 * <ul>
 *   <li>{@code sysfs} — values read from {@code /proc/sys} and {@code /sys}:
 *       {@link dev.autolowat.kernel.sysfs.NetSysctls} (rmem_max, tcp_rmem, tcp_moderate_rcvbuf,
 *       tcp_mem; the bounds of rules K1, K2, K4).</li>
 *   <li>{@code cgroup} — cgroup v2: {@link dev.autolowat.kernel.cgroup.Cgroup2Mount} finds the
 *       mount in {@code /proc/mounts} and the current process's cgroup (rule H6);
 *       {@link dev.autolowat.kernel.cgroup.SessionCgroup} makes a private child cgroup, moves the
 *       process in and undoes all of it on close.</li>
 *   <li>{@code bpf} — the {@code bpf(2)} system call over JNA: maps, program loading with the
 *       verifier log, relocation of maps, fields and kfuncs ({@code ProgramLoader}), BTF blobs for
 *       SK_STORAGE maps.</li>
 *   <li>{@code btf} — reading vmlinux BTF ({@code /sys/kernel/btf/vmlinux}) to resolve enum values
 *       ({@code BPF_SOCK_OPS_RCVQ_CB}), kfunc ids by name (rule K1) and struct field offsets.</li>
 *   <li>{@code features} — probing what this kernel supports (op 21, flag 0x80 through the return
 *       value of {@code bpf_sock_ops_cb_flags_set}, rule F1; program and map types; helpers).</li>
 *   <li>{@code link} — cgroup attachments (PROG_ATTACH, LINK_CREATE) and their lifetime.</li>
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
