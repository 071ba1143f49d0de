package dev.autolowat.kernel.bpf;

import java.util.Arrays;
import java.util.Objects;

/**
 * The {@code BPF_PROG_LOAD} attributes the SDK sets.
 *
 * @param progType           {@code enum bpf_prog_type} (13 SOCK_OPS, 25 CGROUP_SOCKOPT)
 * @param expectedAttachType {@code expected_attach_type}: 22 ({@code BPF_CGROUP_SETSOCKOPT}) for a
 *                           CGROUP_SOCKOPT program, which the kernel checks again at attach; 0 for SOCK_OPS
 * @param insns              the instructions, 8 bytes each
 * @param license            e.g. {@code "GPL"}
 * @param name               at most 15 characters of {@code [A-Za-z0-9_.]}, or empty
 * @param logLevel           0 (no log), 1 (verifier log), 2 (verbose), 4 (statistics)
 * @param logSize            the log buffer's size in bytes (0 when {@code logLevel} is 0)
 * @param fdArray            {@code fd_array}: descriptors of module BTF objects that kfunc calls
 *                           index through their offset field; {@code null} when none (vmlinux kfuncs)
 * @param btf                the program's BTF, func_info and line_info ({@code prog_btf_fd} and
 *                           friends), as a compiled object carries them; {@code null} for none
 */
public record ProgLoadAttributes(int progType, int expectedAttachType, byte[] insns, String license, String name,
                                 int logLevel, int logSize, int[] fdArray, ProgramBtf btf) {
    /** Attributes without program BTF (the assembler's and the policy compiler's programs). */
    public ProgLoadAttributes(int progType, int expectedAttachType, byte[] insns, String license, String name,
                              int logLevel, int logSize, int[] fdArray) {
        this(progType, expectedAttachType, insns, license, name, logLevel, logSize, fdArray, null);
    }

    /**
     * A program's BTF information for {@code BPF_PROG_LOAD}: the loaded BTF object, and func_info
     * ({@code struct bpf_func_info}, 8 bytes each: insn_off in instructions, type_id) and line_info
     * ({@code struct bpf_line_info}, 16 bytes each) records, little-endian.
     */
    public record ProgramBtf(int btfFd, byte[] funcInfo, byte[] lineInfo) {
        public static final int FUNC_INFO_SIZE = 8;
        public static final int LINE_INFO_SIZE = 16;

        public ProgramBtf {
            Objects.requireNonNull(funcInfo, "funcInfo");
            Objects.requireNonNull(lineInfo, "lineInfo");
            if (funcInfo.length % FUNC_INFO_SIZE != 0 || lineInfo.length % LINE_INFO_SIZE != 0) {
                throw new IllegalArgumentException("func_info records are 8 bytes and line_info records 16");
            }
            funcInfo = funcInfo.clone();
            lineInfo = lineInfo.clone();
        }

        @Override
        public byte[] funcInfo() {
            return funcInfo.clone();
        }

        @Override
        public byte[] lineInfo() {
            return lineInfo.clone();
        }
    }
    public ProgLoadAttributes {
        Objects.requireNonNull(insns, "insns");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(name, "name");
        if (insns.length == 0 || insns.length % 8 != 0) {
            throw new IllegalArgumentException("instructions are a non-empty multiple of 8 bytes, got " + insns.length);
        }
        if (logLevel != 0 && logSize < 128) {
            throw new IllegalArgumentException("a verifier log needs a buffer of at least 128 bytes, got " + logSize);
        }
        insns = insns.clone();
        fdArray = fdArray == null ? null : fdArray.clone();
    }

    /** The same attributes with another log level and buffer size. */
    public ProgLoadAttributes withLog(int level, int size) {
        return new ProgLoadAttributes(progType, expectedAttachType, insns, license, name, level, size, fdArray, btf);
    }

    @Override
    public byte[] insns() {
        return insns.clone();
    }

    @Override
    public int[] fdArray() {
        return fdArray == null ? null : fdArray.clone();
    }

    /** Number of instruction slots. */
    public int insnCount() {
        return insns.length / 8;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgLoadAttributes a && progType == a.progType && expectedAttachType == a.expectedAttachType
                && Arrays.equals(insns, a.insns) && license.equals(a.license) && name.equals(a.name)
                && logLevel == a.logLevel && logSize == a.logSize && Arrays.equals(fdArray, a.fdArray)
                && Objects.equals(btf, a.btf);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(insns) * 31 + progType;
    }

    @Override
    public String toString() {
        return "ProgLoadAttributes[type " + progType + ", expected attach type " + expectedAttachType + ", "
                + insnCount() + " insns, license " + license + ", name " + name + ", log level " + logLevel + "]";
    }
}
