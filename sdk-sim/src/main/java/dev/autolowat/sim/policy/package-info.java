/**
 * The reference AutoLOWAT policy (rules A1–A5 of the RCVQ_CB contract) in the simulator-only Java
 * form of programs: {@link dev.autolowat.sim.policy.ReferenceAutoLowat} provides the sock_ops
 * program (A3 parse on enqueue under H1, A4 target through the K1 kfunc under H1 and H2, A5
 * disable) and the cgroup setsockopt program of its enable path (A2, setting the flag through F2).
 *
 * <p>The handlers allocate nothing per event: the per-socket state, including the 8-byte
 * descriptor buffer, lives in per-socket storage created by the enable path.
 */
package dev.autolowat.sim.policy;
