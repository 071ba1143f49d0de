package dev.autolowat.api.spi;

/**
 * An executor of the contract: the simulator, or a kernel. Backends are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.autolowat.api.spi.Backend}).
 */
public interface Backend {
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
