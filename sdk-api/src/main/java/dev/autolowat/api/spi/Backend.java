package dev.autolowat.api.spi;

/**
 * An executor of the contract: the simulator, or a kernel. Backends are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.autolowat.api.spi.Backend}).
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
}
