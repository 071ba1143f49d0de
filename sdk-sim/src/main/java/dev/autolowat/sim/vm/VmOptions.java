package dev.autolowat.sim.vm;

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
 */
public record VmOptions(boolean kernelHasSeries, LongSupplier clock, boolean checkReturn) {
    public VmOptions {
        java.util.Objects.requireNonNull(clock, "clock");
    }

    /** A kernel with the series, the given clock, return range checked. */
    public static VmOptions of(boolean kernelHasSeries, LongSupplier clock) {
        return new VmOptions(kernelHasSeries, clock, true);
    }
}
