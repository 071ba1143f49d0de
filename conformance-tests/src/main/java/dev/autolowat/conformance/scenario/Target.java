package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Capabilities;

/**
 * What a generated scenario must suit: the backends of the differential pair it will run on.
 *
 * @param kernel     whether a kernel is in the pair: scenarios then stay inside the regime where the
 *                   simulator is exact (docs/simulator.md, "The regime in which the model is exact")
 *                   and avoid what the kernel does differently by documented design (MPTCP with a
 *                   sock_ops program)
 * @param outOfOrder whether every backend of the pair can deliver out of order
 * @param series     whether every backend of the pair has the AutoLOWAT series
 */
public record Target(boolean kernel, boolean outOfOrder, boolean series) {
    /** Pairs inside the simulator (with the series). */
    public static final Target SIMULATOR = new Target(false, true, true);

    /** The target for the pair "simulator ↔ {@code other}" (a mutant simulator is not a kernel). */
    public static Target of(Backend other) {
        Capabilities caps = other.capabilities();
        boolean model = Backends.isSimulator(other) || Backends.isMutant(other);
        return new Target(!model, caps.outOfOrder(), caps.kernelHasSeries());
    }
}
