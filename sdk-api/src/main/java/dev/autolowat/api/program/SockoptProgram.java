package dev.autolowat.api.program;

import java.util.List;
import java.util.Objects;

/**
 * A cgroup setsockopt program ({@code BPF_PROG_TYPE_CGROUP_SOCKOPT} attached as
 * {@code BPF_CGROUP_SETSOCKOPT}), the enable path of rule A2: portable {@link Bytecode} or a
 * simulator-only {@link Handler}.
 */
public sealed interface SockoptProgram permits SockoptProgram.Bytecode, SockoptProgram.Handler {
    String name();

    /** The Java form. */
    static SockoptProgram of(String name, SockoptHandler handler) {
        return new Handler(name, handler);
    }

    /** The portable form; see {@link SockOpsProgram.Bytecode}. */
    record Bytecode(String name, String license, BpfBytecode code, List<MapSpec> maps)
            implements SockoptProgram {
        public Bytecode {
            ProgramNames.check(name);
            Objects.requireNonNull(license, "license");
            Objects.requireNonNull(code, "code");
            maps = List.copyOf(Objects.requireNonNull(maps, "maps"));
        }
    }

    /** The Java form, run only by the simulator. */
    record Handler(String name, SockoptHandler handler) implements SockoptProgram {
        public Handler {
            ProgramNames.check(name);
            Objects.requireNonNull(handler, "handler");
        }
    }
}
