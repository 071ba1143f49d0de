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
 *
 * <p>What the programs wrote is read through the SPI too: the session's maps by name
 * ({@link dev.autolowat.api.spi.BackendSession#maps()}, {@link dev.autolowat.api.spi.ProgramMap}) and
 * a connection's per-socket storage ({@link dev.autolowat.api.spi.Connection#socketStorage}). What
 * differs between backends is said by {@link dev.autolowat.api.spi.Capabilities},
 * {@link dev.autolowat.api.spi.SessionOption}s and {@link dev.autolowat.api.spi.Backend#role()}, so
 * that a client never needs a backend's class. Backends build on
 * {@link dev.autolowat.api.spi.AbstractBackendSession}, {@link dev.autolowat.api.spi.AbstractConnection}
 * and {@link dev.autolowat.api.spi.AbstractProgramMap} for the lifecycle and the argument checks
 * (docs/architecture.md "SPI", decision D18).
 */
package dev.autolowat.api.spi;
