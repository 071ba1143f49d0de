package dev.autolowat.api.program;

import java.util.Objects;
import java.util.Optional;

/**
 * An AutoLOWAT policy as a user deploys it: the sock_ops program that parses the framing and
 * sets rcvlowat (rules A3–A5) and, optionally, the cgroup setsockopt program of its enable path
 * (rule A2). Both are attached to the same session.
 */
public record Policy(String name, SockOpsProgram sockOps, Optional<SockoptProgram> enablePath) {
    public Policy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sockOps, "sockOps");
        Objects.requireNonNull(enablePath, "enablePath");
    }

    /** A policy with a sock_ops program and an enable path. */
    public static Policy of(String name, SockOpsProgram sockOps, SockoptProgram enablePath) {
        return new Policy(name, sockOps, Optional.of(enablePath));
    }
}
