/**
 * The policy compiler: {@link dev.autolowat.api.policy.FramingPolicy} describes a length-prefixed
 * RPC framing and compiles it to a bytecode AutoLOWAT policy (a sock_ops program, the A2 cgroup
 * setsockopt enable program and the SK_STORAGE map they share) that generalises rules A1–A5.
 * The bytes it produces are the same for every backend: the simulator's VM runs them and the
 * native backend loads them into the kernel.
 */
package dev.autolowat.api.policy;
