package dev.autolowat.sim.vm;

/**
 * Why the current instruction cannot run. The interpreter turns it into a {@link BpfVmException}
 * that adds the program counter and the instruction text. Stackless: it is a message, not a bug.
 */
final class Fault extends RuntimeException {
    Fault(String reason) {
        super(reason, null, false, false);
    }
}
