package dev.autolowat.api.program;

import java.util.List;
import java.util.Objects;

/**
 * A sock_ops program ({@code BPF_PROG_TYPE_SOCK_OPS}, attached to the session's cgroup as
 * {@code BPF_CGROUP_SOCK_OPS}): either portable {@link Bytecode} or a simulator-only
 * {@link Handler}.
 */
public sealed interface SockOpsProgram permits SockOpsProgram.Bytecode, SockOpsProgram.Handler {
    /** The program's name (as {@code bpftool prog} shows it). */
    String name();

    /** The Java form. */
    static SockOpsProgram of(String name, SockOpsHandler handler) {
        return new Handler(name, handler);
    }

    /**
     * The portable form: the same bytes run in the simulator's VM and in the kernel.
     *
     * @param name    1–15 characters of {@code [A-Za-z0-9_.]}
     * @param license e.g. {@code "GPL"} (the kfunc and some helpers need a GPL-compatible license)
     * @param code    the instructions
     * @param maps    the maps the instructions refer to, in the order of their map indexes
     */
    record Bytecode(String name, String license, BpfBytecode code, List<MapSpec> maps)
            implements SockOpsProgram {
        public Bytecode {
            ProgramNames.check(name);
            Objects.requireNonNull(license, "license");
            Objects.requireNonNull(code, "code");
            maps = List.copyOf(Objects.requireNonNull(maps, "maps"));
        }
    }

    /** The Java form, run only by the simulator. */
    record Handler(String name, SockOpsHandler handler) implements SockOpsProgram {
        public Handler {
            ProgramNames.check(name);
            Objects.requireNonNull(handler, "handler");
        }
    }
}
