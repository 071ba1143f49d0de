package dev.autolowat.sim;

import dev.autolowat.api.program.ProgramType;
import dev.autolowat.sim.vm.VmOptions;

import java.util.Objects;
import java.util.Optional;

/**
 * How one bytecode program attached to a {@link SimSession} actually runs: the mode the session asked
 * for when it was attached ({@link SimSession#setVmMode}) and the mode the VM uses, with the reason
 * when they differ (a program the translator does not take, e.g. one too large for the JVM to compile,
 * is interpreted). Results are the same in both modes; only speed differs.
 *
 * @param program   the program's name
 * @param type      its program type
 * @param requested the session's mode when it was attached
 * @param actual    the mode it runs in
 * @param reason    why it is interpreted: {@code "interpreter mode requested"}, or the VM's reason for
 *                  falling back; empty when it is translated
 */
public record ProgramExecution(String program, ProgramType type, VmOptions.ExecutionMode requested,
                               VmOptions.ExecutionMode actual, Optional<String> reason) {
    public ProgramExecution {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(reason, "reason");
    }

    /** Whether the program is interpreted although translation was asked for. */
    public boolean fellBack() {
        return requested == VmOptions.ExecutionMode.JIT && actual == VmOptions.ExecutionMode.INTERPRETER;
    }

    /** {@code autolowat (SOCK_OPS): JIT} or {@code big (SOCK_OPS): INTERPRETER — <reason>}. */
    @Override
    public String toString() {
        return program + " (" + type + "): " + actual + reason.map(r -> " — " + r).orElse("");
    }
}
