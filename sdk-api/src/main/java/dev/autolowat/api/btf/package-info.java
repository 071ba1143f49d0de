/**
 * Reading BTF, the BPF Type Format ({@code Documentation/bpf/btf.rst},
 * {@code include/uapi/linux/btf.h}), in the manner of cilium/ebpf's {@code btf} package: one
 * concept — {@link dev.autolowat.api.btf.Btf}, a parsed blob — and the queries the SDK needs:
 *
 * <ul>
 *   <li>{@link dev.autolowat.api.btf.Btf#funcId(String)}: kfunc BTF ids for
 *       {@link dev.autolowat.api.asm.Relocation.KfuncRef} (rule K1);</li>
 *   <li>{@link dev.autolowat.api.btf.Btf#enumValue(String, String)}: op and flag values from the
 *       kernel's enums (rules H1, F1, F2);</li>
 *   <li>{@link dev.autolowat.api.btf.Btf#field(String, String)} and
 *       {@link dev.autolowat.api.btf.Btf#structSize(String)}: kernel struct offsets for
 *       {@link dev.autolowat.api.asm.Relocation.FieldRef}, as a
 *       {@link dev.autolowat.api.btf.FieldLocation};</li>
 *   <li>types, members, data sections and variables of a compiled object's {@code .BTF}
 *       ({@link dev.autolowat.api.object.BpfObject}: BTF-defined maps, global data).</li>
 * </ul>
 *
 * <p>Two sources share the parser: the kernel's BTF (read by the native backend's
 * {@code dev.autolowat.kernel.btf.KernelBtf}) and an object's {@code .BTF} section. Errors are
 * typed: {@link dev.autolowat.api.btf.BtfFormatException} (malformed blob, with the byte offset),
 * {@link dev.autolowat.api.btf.BtfLookupException} (missing struct or member, with similar names).
 */
package dev.autolowat.api.btf;
