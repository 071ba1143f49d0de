package dev.autolowat.api.spi;

import dev.autolowat.api.ConnectionClosedException;

import java.util.Objects;
import java.util.Set;

/**
 * The lifecycle and the option checks every {@link BackendSession} shares, in the shape of the JDK's
 * {@code AbstractInterruptibleChannel}: a final, idempotent {@link #close()} that runs
 * {@link #implClose()} once, {@link #ensureOpen()} for every other call, and {@link #setOption} /
 * {@link #getOption} that refuse an option the backend does not offer before the backend sees it.
 *
 * <p><b>Threads.</b> {@link #close()} may be called from any thread, also while it runs elsewhere: the
 * first call marks the session closed at once (every later {@link #ensureOpen()} throws
 * {@link ConnectionClosedException}) and releases it; any other call waits until that release is done
 * and returns. A backend whose calls may overlap {@code close()} (the native one) must still order
 * what it releases against calls that passed {@link #ensureOpen()} before the mark — e.g. take a
 * snapshot of its connections under the lock its {@code connect} holds.
 */
public abstract class AbstractBackendSession extends AbstractClosable implements BackendSession {
    /** @param description what the session is, for messages: e.g. {@code "simulator session"} */
    protected AbstractBackendSession(String description) {
        super(description, "open a new one with backend.openSession()");
    }

    /** @throws ConnectionClosedException when the session is closed */
    protected final void ensureOpen() {
        checkNotClosed();
    }

    @Override
    public final <T> BackendSession setOption(SessionOption<T> option, T value) {
        T checked = requireSupported(option).check(value);
        ensureOpen();
        implSetOption(option, checked);
        return this;
    }

    @Override
    public final <T> T getOption(SessionOption<T> option) {
        requireSupported(option);
        ensureOpen();
        return implGetOption(option);
    }

    /**
     * Sets a supported option, its value checked ({@link SessionOption#check}). Backends that offer
     * options override this and {@link #implGetOption}; the default is never reached, since
     * {@link #setOption} refuses what {@link #supportedOptions()} does not list.
     */
    protected <T> void implSetOption(SessionOption<T> option, T value) {
        throw unsupported(option);
    }

    /** The value of a supported option; see {@link #implSetOption}. */
    protected <T> T implGetOption(SessionOption<T> option) {
        throw unsupported(option);
    }

    private <T> SessionOption<T> requireSupported(SessionOption<T> option) {
        Objects.requireNonNull(option, "option");
        if (!supportedOptions().contains(option)) {
            throw unsupported(option);
        }
        return option;
    }

    private UnsupportedOperationException unsupported(SessionOption<?> option) {
        Set<SessionOption<?>> offered = supportedOptions();
        return new UnsupportedOperationException("backend '" + backend().name() + "' does not offer the session option "
                + option + (offered.isEmpty() ? " (it offers none)" : "; it offers " + offered));
    }
}
