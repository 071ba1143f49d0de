/**
 * The {@code bpf(2)} system call and the objects it creates, in the manner of cilium/ebpf's
 * {@code internal/sys} and top-level types: one concept per class.
 *
 * <ul>
 *   <li>{@link dev.autolowat.kernel.bpf.BpfSyscall} — thin and typed: one static method per
 *       command ({@code BPF_MAP_CREATE}, the element commands, {@code BPF_PROG_LOAD},
 *       {@code BPF_BTF_LOAD}, {@code BPF_PROG_ATTACH}/{@code DETACH}, {@code BPF_LINK_CREATE},
 *       {@code BPF_OBJ_GET_INFO_BY_FD}, {@code BPF_PROG_QUERY}), {@code union bpf_attr} laid out
 *       at the uapi offsets for x86-64.</li>
 *   <li>{@link dev.autolowat.kernel.bpf.KernelMap}, {@link dev.autolowat.kernel.bpf.BpfProgram},
 *       {@link dev.autolowat.kernel.bpf.BpfBtf} — descriptors owned by one object each
 *       ({@link dev.autolowat.kernel.bpf.OwnedFd}), closed on {@code close()} and on every
 *       failure path.</li>
 *   <li>{@link dev.autolowat.kernel.bpf.ProgramLoader} — the SDK's portable bytecode to a loaded
 *       program with its maps ({@link dev.autolowat.kernel.bpf.LoadedProgram}): map references,
 *       field offsets and kfunc ids resolved, the latter two through
 *       {@link dev.autolowat.kernel.bpf.KernelSymbols} (vmlinux BTF).</li>
 *   <li>{@link dev.autolowat.kernel.bpf.BtfBlob} — the minimal BTF the kernel requires for an
 *       SK_STORAGE map's key and value.</li>
 *   <li>Errors: {@link dev.autolowat.kernel.bpf.BpfException} (command, errno name and number,
 *       reason), {@link dev.autolowat.kernel.bpf.PrivilegeException} (EPERM/EACCES without
 *       CAP_BPF+CAP_NET_ADMIN), {@link dev.autolowat.kernel.bpf.VerifierRejectedException} (with
 *       the verifier log).</li>
 * </ul>
 */
package dev.autolowat.kernel.bpf;
