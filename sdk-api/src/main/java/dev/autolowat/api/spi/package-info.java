/**
 * The Backend SPI: what an executor of the contract offers, so that one scenario can run on the
 * simulator and on a kernel and their observations can be compared step by step.
 *
 * <p>Flow: {@link dev.autolowat.api.spi.Backend#openSession()} → attach programs →
 * {@link dev.autolowat.api.spi.BackendSession#connect connect} a TCP pair → drive the
 * {@link dev.autolowat.api.spi.Connection} (the peer sends, the accepted socket reads and sets
 * options) → {@link dev.autolowat.api.spi.Connection#observe() observe} after every step.
 * Operations that are system calls return the kernel's convention (result or {@code -errno});
 * exceptions mean API misuse or a backend that cannot do what was asked.
 */
package dev.autolowat.api.spi;
