package dev.autolowat.api.program;

/** The kernel's rule for object names ({@code BPF_OBJ_NAME_LEN} = 16 with the NUL). */
final class ProgramNames {
    private ProgramNames() {
    }

    static void check(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.]{1,15}")) {
            throw new IllegalArgumentException("program name '" + name
                    + "' must be 1-15 characters of [A-Za-z0-9_.] (the kernel's BPF_OBJ_NAME_LEN)");
        }
    }
}
