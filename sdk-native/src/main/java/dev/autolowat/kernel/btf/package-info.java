/**
 * The running kernel's BTF: {@link dev.autolowat.kernel.btf.KernelBtf} reads
 * {@code /sys/kernel/btf/vmlinux} into a {@link dev.autolowat.api.btf.Btf} (the parser, shared with
 * the BPF object reader, lives in sdk-api) and says which kernel lacks what when it cannot
 * ({@link dev.autolowat.kernel.KernelEnvironmentException}: no BTF file, unreadable).
 */
package dev.autolowat.kernel.btf;
