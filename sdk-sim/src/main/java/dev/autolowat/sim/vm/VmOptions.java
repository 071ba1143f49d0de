package dev.autolowat.sim.vm;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How the VM loads and runs programs.
 *
 * @param kernelHasSeries whether the simulated kernel has the AutoLOWAT series: without it the
 *                        kfunc {@code bpf_sock_ops_tcp_set_rcvlowat} and {@code bpf_skb_load_bytes}
 *                        in sock_ops programs do not exist, and programs that call them are
 *                        rejected at load, as a stock kernel rejects them
 * @param clock           {@code bpf_ktime_get_ns()}: the session's virtual clock
 * @param checkReturn     whether an invocation that exits with {@code r0} outside {@code [0, 1]}
 *                        is aborted (the kernel verifier proves this range for both program types;
 *                        tests of the instruction set turn it off to read raw results)
 * @param mode            how a loaded program runs: translated to JVM bytecode ({@link ExecutionMode#JIT},
 *                        the default) or interpreted; both give the same results, faults and
 *                        instruction counts
 * @param kernel          the kernel the programs run in: what helpers, kfuncs, socket options and
 *                        kernel-object reads do to a socket ({@link KernelServices}); {@code null}
 *                        for a VM without one, which runs only raw programs (a sock_ops or setsockopt
 *                        invocation then fails with {@link IllegalStateException})
 */
public record VmOptions(boolean kernelHasSeries, LongSupplier clock, boolean checkReturn, ExecutionMode mode,
                        KernelServices kernel) {
    /** The system property that picks the default {@link ExecutionMode} ({@code jit} or {@code interpreter}). */
    public static final String MODE_PROPERTY = "autolowat.vm.mode";

    /** How the VM executes a loaded program. */
    public enum ExecutionMode {
        /**
         * Translated at load time to one JVM class per program ({@code JitCompiler}), running on the
         * same checks and helpers as the interpreter, one JVM method per subprogram. A program too
         * large for the JVM to compile is interpreted instead; see {@link VmProgram#executionMode()}
         * and {@link VmProgram#fallbackReason()}.
         */
        JIT,
        /** The interpreter ({@code Vm.interpret}): one instruction at a time. */
        INTERPRETER;

        /**
         * The mode named by the system property {@value VmOptions#MODE_PROPERTY} ({@code jit} or
         * {@code interpreter}, any case), {@link #JIT} when it is not set.
         *
         * @throws IllegalArgumentException when the property names no mode
         */
        public static ExecutionMode fromSystemProperty() {
            String value = System.getProperty(MODE_PROPERTY);
            if (value == null || value.isBlank()) {
                return JIT;
            }
            for (ExecutionMode m : values()) {
                if (m.name().equalsIgnoreCase(value.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("-D" + MODE_PROPERTY + "=" + value
                    + ": expected jit or interpreter");
        }
    }

    public VmOptions {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(mode, "mode");
    }

    /** Options without a kernel ({@link #withKernel} gives one): raw programs only. */
    public VmOptions(boolean kernelHasSeries, LongSupplier clock, boolean checkReturn, ExecutionMode mode) {
        this(kernelHasSeries, clock, checkReturn, mode, null);
    }

    /** The default execution mode ({@link ExecutionMode#fromSystemProperty()}), no kernel. */
    public VmOptions(boolean kernelHasSeries, LongSupplier clock, boolean checkReturn) {
        this(kernelHasSeries, clock, checkReturn, ExecutionMode.fromSystemProperty());
    }

    /** A kernel with the series, the given clock, return range checked, the default execution mode, no kernel services yet. */
    public static VmOptions of(boolean kernelHasSeries, LongSupplier clock) {
        return new VmOptions(kernelHasSeries, clock, true);
    }

    /** The same options with another execution mode. */
    public VmOptions withMode(ExecutionMode newMode) {
        return new VmOptions(kernelHasSeries, clock, checkReturn, newMode, kernel);
    }

    /** The same options with the kernel {@code services} (see {@link KernelServices}). */
    public VmOptions withKernel(KernelServices services) {
        return new VmOptions(kernelHasSeries, clock, checkReturn, mode, services);
    }
}
