/**
 * Programs and their contexts.
 *
 * <p>A program has two forms. The portable form is bytecode ({@link dev.autolowat.api.program.BpfBytecode}
 * plus the {@link dev.autolowat.api.program.MapSpec maps} it declares, a name and a license): the same
 * bytes run in the simulator's eBPF VM and in the kernel. The simulator-only Java form is a
 * {@link dev.autolowat.api.program.SockOpsHandler} (and, for the enable path of rule A2, a
 * {@link dev.autolowat.api.program.SockoptHandler}), which receives the op, the event and a context
 * offering exactly the helpers a program has: the rcvlowat setters (K1, K3), the flag setters
 * (F1, F2) and per-socket storage.
 */
package dev.autolowat.api.program;
