/**
 * Reading BTF, the kernel's description of its own types ({@code Documentation/bpf/btf.rst},
 * {@code include/uapi/linux/btf.h}), in the manner of cilium/ebpf's {@code btf} package: one
 * concept — {@link dev.autolowat.kernel.btf.Btf}, a parsed blob — and the few queries the native
 * backend needs to load the same program bytes on whatever kernel it finds:
 *
 * <ul>
 *   <li>{@link dev.autolowat.kernel.btf.Btf#funcId(String)}: kfunc BTF ids for
 *       {@link dev.autolowat.api.asm.Relocation.KfuncRef} (rule K1);</li>
 *   <li>{@link dev.autolowat.kernel.btf.Btf#enumValue(String, String)}: op and flag values from the
 *       kernel's enums (rules H1, F1, F2);</li>
 *   <li>{@link dev.autolowat.kernel.btf.Btf#field(String, String)} and
 *       {@link dev.autolowat.kernel.btf.Btf#structSize(String)}: kernel struct offsets for
 *       {@link dev.autolowat.api.asm.Relocation.FieldRef}, as a
 *       {@link dev.autolowat.kernel.btf.FieldLocation}.</li>
 * </ul>
 *
 * <p>{@link dev.autolowat.kernel.btf.Btf#loadVmlinux()} reads {@code /sys/kernel/btf/vmlinux}.
 * Errors are typed: {@link dev.autolowat.kernel.btf.BtfFormatException} (malformed blob, with the
 * byte offset), {@link dev.autolowat.kernel.btf.BtfLookupException} (missing struct or member, with
 * the kernel release and similar names), {@link dev.autolowat.kernel.KernelEnvironmentException}
 * (no BTF file).
 */
package dev.autolowat.kernel.btf;
