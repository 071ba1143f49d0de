package dev.autolowat.api.spi;

import java.util.Optional;
import java.util.Set;

/**
 * An executor of the contract: the simulator, or a kernel. Backends are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.autolowat.api.spi.Backend}).
 *
 * <p>Everything a client needs is here and in the types it returns — capabilities, options, the
 * role a suite gives it — so that no client has to know a backend's class.
 */
public interface Backend {
    /**
     * Every backend on the module path or class path ({@code sim}, {@code native}, ...), in the
     * order {@link java.util.ServiceLoader} finds them. The lookup lives here, in the API module that
     * declares {@code uses}, so that callers in any module can discover backends. A backend module
     * declares itself with {@code provides dev.autolowat.api.spi.Backend with ...}; class-path users
     * find it through {@code META-INF/services/dev.autolowat.api.spi.Backend}.
     */
    static java.util.List<Backend> installed() {
        return java.util.ServiceLoader.load(Backend.class).stream().map(java.util.ServiceLoader.Provider::get).toList();
    }

    /** A short name such as {@code sim} or {@code native}. */
    String name();

    /** Which rules and features this backend can run on this machine. */
    Capabilities capabilities();

    /**
     * Opens a session: a private attachment point (a cgroup, for a kernel) with its own programs.
     *
     * @throws dev.autolowat.api.AutoLowatException when the backend cannot run here; the message
     *         says what is missing and how to fix it
     */
    BackendSession openSession();

    /**
     * The kernel types this backend's programs see: the <em>target BTF</em> that the CO-RE relocations
     * of a clang-compiled object are resolved against before it is attached here (libbpf resolves
     * them against the running kernel's vmlinux BTF; {@code ObjectPolicies.policy(object, btf)}). A
     * kernel backend answers with {@code /sys/kernel/btf/vmlinux}; the simulator with its own
     * kernel's types (docs/decisions.md D15). Backends that run no objects keep the default.
     *
     * @throws dev.autolowat.api.AutoLowatException when this backend cannot describe its kernel (the
     *         message says why, e.g. a kernel built without {@code CONFIG_DEBUG_INFO_BTF})
     */
    default dev.autolowat.api.btf.Btf targetBtf() {
        throw new dev.autolowat.api.AutoLowatException("backend '" + name() + "' does not describe its kernel's"
                + " types (no target BTF): clang-compiled objects with CO-RE relocations cannot be prepared for it");
    }

    /** The {@link SessionOption}s its sessions accept (none by default). */
    default Set<SessionOption<?>> supportedOptions() {
        return Set.of();
    }

    /** What this backend is to a conformance suite; an {@link BackendRole#IMPLEMENTATION} by default. */
    default BackendRole role() {
        return BackendRole.IMPLEMENTATION;
    }

    /**
     * The correct model of the same machine: this backend for a {@link BackendRole#REFERENCE_MODEL},
     * the model without its faults for a {@link BackendRole#MUTANT}; empty for an implementation (a
     * suite configures a model for it from what it measures).
     */
    default Optional<Backend> referenceModel() {
        return Optional.empty();
    }
}
