/**
 * The simulator backend. Exported: {@code SimBackend} and its session, connection and configuration
 * ({@code dev.autolowat.sim}), the Java reference policy ({@code sim.policy}) and the eBPF VM
 * ({@code sim.vm}). Internal: the socket model ({@code sim.tcp}) and the kernel services the VM is
 * given ({@code sim.kernel}) — docs/architecture.md, D24.
 */
module dev.autolowat.sim {
    requires transitive dev.autolowat.api;
    requires org.objectweb.asm;

    exports dev.autolowat.sim;
    exports dev.autolowat.sim.policy;
    exports dev.autolowat.sim.vm;

    provides dev.autolowat.api.spi.Backend with dev.autolowat.sim.SimBackend;
}
