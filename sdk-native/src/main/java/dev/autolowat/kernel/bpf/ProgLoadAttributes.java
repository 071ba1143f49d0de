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
 */
public record ProgLoadAttributes(int progType, int expectedAttachType, byte[] insns, String license, String name,
                                 int logLevel, int logSize, int[] fdArray) {
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
        return new ProgLoadAttributes(progType, expectedAttachType, insns, license, name, level, size, fdArray);
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
                && logLevel == a.logLevel && logSize == a.logSize && Arrays.equals(fdArray, a.fdArray);
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
