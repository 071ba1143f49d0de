/**
 * The stable AutoLOWAT API: the uapi constants of the v3 series ({@code BPF_SOCK_OPS_RCVQ_CB}),
 * the contract's rule catalogue ({@link dev.autolowat.api.Rule}) and the error types.
 *
 * <p>Sub-packages: {@code event} (what a program sees, rules H1/H2), {@code program} (programs
 * and their Java form, rules F1–F4, K1–K3), {@code spi} (the Backend SPI every executor implements).
 * Rule ids (F1, H3, K2, A4...) refer to {@code docs/semantics.md}.
 */
package dev.autolowat.api;
