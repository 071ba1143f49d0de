/**
 * The eBPF assembler: registers ({@link dev.autolowat.api.asm.Reg}), opcodes
 * ({@link dev.autolowat.api.asm.Opcode}), instructions in the kernel's 8-byte encoding
 * ({@link dev.autolowat.api.asm.Instruction}), relocations that each backend resolves at load time
 * ({@link dev.autolowat.api.asm.Relocation}: map references, kfunc calls by name, and relocatable
 * field loads such as {@code tcp_sock.copied_seq}), and the helper ids of the contract
 * ({@link dev.autolowat.api.asm.Helper}); the builder {@link dev.autolowat.api.asm.Assembler}
 * (labels, helper and kfunc calls by name, map loads, relocatable field accesses) and the
 * {@link dev.autolowat.api.asm.Disassembler}.
 *
 * <p>The model follows the instruction set as Linux documents it
 * ({@code Documentation/bpf/standardization/instruction-set.rst}) and the style of cilium/ebpf's
 * {@code asm} package: one concept per type, a readable builder, a disassembler whose text reads
 * like {@code bpftool prog dump xlated}.
 */
package dev.autolowat.api.asm;
