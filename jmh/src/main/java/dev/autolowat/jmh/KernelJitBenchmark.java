package dev.autolowat.jmh;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.kernel.bpf.BpfPrivileges;
import dev.autolowat.kernel.bpf.BpfProgram;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.ProgLoadAttributes;
import dev.autolowat.sim.vm.VmLoader;
import dev.autolowat.sim.vm.VmOptions;
import dev.autolowat.sim.vm.VmProgram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;

/**
 * The same bytes in three engines, side by side: the running kernel's eBPF JIT (the program loaded
 * as a socket filter and run {@value #REPEAT} times per {@code BPF_PROG_TEST_RUN}, on a 64-byte
 * packet it does not read), the simulator's VM translated to JVM bytecode, and the VM's
 * interpreter (both as raw programs, {@link VmLoader#loadRaw}). One operation is one run of the
 * program; the kernel figure includes its share of the syscall ({@code 1/REPEAT}), the VM figure
 * the VM's entry. Programs: {@code empty} ({@code r0 = 1; exit}), {@code countedLoop} (the ALU loop
 * of {@link VmInstructionBenchmark}, {@value VmInstructionBenchmark#LOOP_INSTRUCTIONS}
 * instructions), {@code stackLoop} (a store and a load through r10 per iteration,
 * {@value #STACK_LOOP_INSTRUCTIONS} instructions).
 *
 * <p>The kernel engine needs root (or CAP_BPF + CAP_PERFMON) and a kernel with bounded loops (5.3+):
 * without them its setup fails with the reason, and the two VM engines still run. Ratios are
 * meaningful only on a quiet machine (the results page checks the load average).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KernelJitBenchmark {
    /** Runs per {@code BPF_PROG_TEST_RUN} (and per benchmark invocation, in every engine). */
    public static final int REPEAT = 1000;
    /** Iterations of {@link #stackLoopProgram()}. */
    public static final int STACK_LOOP_ITERATIONS = 1000;
    /** Instructions one run of {@link #stackLoopProgram()} executes: 2 + 6 per iteration + 2. */
    public static final int STACK_LOOP_INSTRUCTIONS = 2 + STACK_LOOP_ITERATIONS * 6 + 2;
    /** {@code BPF_PROG_TYPE_SOCKET_FILTER}: any program type with a test run would do. */
    static final int SOCKET_FILTER = 1;

    @Param({"KERNEL_JIT", "VM_JIT", "VM_INTERPRETER"})
    public String engine;

    @Param({"empty", "countedLoop", "stackLoop"})
    public String program;

    private final byte[] packet = new byte[64];
    private final byte[] noMemory = new byte[0];
    private BpfProgram kernel;
    private int kernelFd;
    private VmProgram vm;

    /** {@code r0 = 1; exit}. */
    static BpfBytecode emptyProgram() {
        return new Assembler().mov64(R0, 1).exit().build();
    }

    /**
     * <pre>
     *   r0 = 0; r2 = 0
     * loop:
     *   *(u64 *)(r10 - 8) = r2; r3 = *(u64 *)(r10 - 8); r0 += r3; r0 ^= 0x5a
     *   r2 += 1
     *   if r2 &lt; STACK_LOOP_ITERATIONS goto loop
     *   r0 &amp;= 1
     *   exit
     * </pre>
     */
    static BpfBytecode stackLoopProgram() {
        return new Assembler().mov64(R0, 0).mov64(R2, 0)
                .label("loop")
                .stxdw(R10, R2, -8)
                .ldxdw(R3, R10, -8)
                .add64(R0, R3)
                .xor64(R0, 0x5a)
                .add64(R2, 1)
                .jlt(R2, STACK_LOOP_ITERATIONS, "loop")
                .and64(R0, 1)
                .exit()
                .build();
    }

    private BpfBytecode bytes() {
        return switch (program) {
            case "empty" -> emptyProgram();
            case "countedLoop" -> VmInstructionBenchmark.loopProgram().code();
            case "stackLoop" -> stackLoopProgram();
            default -> throw new IllegalArgumentException("program " + program);
        };
    }

    @Setup(Level.Trial)
    public void setup() {
        BpfBytecode code = bytes();
        if (engine.equals("KERNEL_JIT")) {
            if (!BpfPrivileges.sufficient()) {
                throw new IllegalStateException("KERNEL_JIT skipped: " + BpfPrivileges.describe());
            }
            kernel = BpfProgram.load(new ProgLoadAttributes(SOCKET_FILTER, 0, code.toByteArray(), "GPL",
                    "jmh_" + program, 0, 0, null));
            kernelFd = kernel.fd();
            BpfSyscall.progTestRun(kernelFd, packet, 1);
        } else {
            VmOptions.ExecutionMode mode = engine.equals("VM_JIT") ? VmOptions.ExecutionMode.JIT
                    : VmOptions.ExecutionMode.INTERPRETER;
            vm = VmLoader.loadRaw("jmh_" + program, code, 0, new VmOptions(true, () -> 0L, false, mode));
            if (vm.executionMode() != mode) {
                throw new IllegalStateException(program + " is not run as " + mode + ": "
                        + vm.fallbackReason().orElse("?"));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
    }

    /** {@value #REPEAT} runs of the program: one test run in the kernel, {@value #REPEAT} calls into the VM. */
    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public long run() {
        if (vm == null) {
            return BpfSyscall.progTestRun(kernelFd, packet, REPEAT).retval();
        }
        long r = 0;
        for (int i = 0; i < REPEAT; i++) {
            r += vm.runRaw(noMemory);
        }
        return r;
    }
}
