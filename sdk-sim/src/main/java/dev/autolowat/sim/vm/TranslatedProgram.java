package dev.autolowat.sim.vm;

/**
 * A program translated to JVM bytecode by {@link JitCompiler}: the generated hidden class extends
 * this. {@link #run} executes one invocation on a {@link Vm} that {@link Vm#resetForTranslated()}
 * has prepared ({@link JitRuntime#invoke}), and behaves as {@link Vm#interpret} from pc 0: the same r0, memory and map
 * effects, {@link Vm#lastCount}, and the same {@link BpfVmException} (pc, instruction, reason) on
 * a fault or an exhausted budget.
 */
abstract class TranslatedProgram {
    /** Package-private: only classes of this package (the generated ones) extend it. */
    TranslatedProgram() {
    }

    /** Bytes of JVM code of {@link #run} (at most {@link JitCompiler#HUGE_METHOD_LIMIT}); for tests and tools. */
    int codeSize;

    abstract long run(Vm vm);
}
