package dev.autolowat.api.spi;

import dev.autolowat.api.ConnectionClosedException;

import java.util.Objects;

/**
 * The close discipline of {@link AbstractBackendSession} and {@link AbstractConnection}, in the shape of
 * the JDK's {@code AbstractInterruptibleChannel}: a final, idempotent {@link #close()} that marks the
 * resource closed at once and runs {@link #implClose()} once; a call racing the first waits until
 * that release is done and returns.
 */
abstract class AbstractClosable implements AutoCloseable {
    private final Object closeLock = new Object();
    private final String description;
    private final String reopenHint;
    private volatile boolean closed;

    /**
     * @param description what it is, for messages: e.g. {@code "native connection"}
     * @param reopenHint  how to get a new one: e.g. {@code "make a new one with session.connect()"}
     */
    AbstractClosable(String description, String reopenHint) {
        this.description = Objects.requireNonNull(description, "description");
        this.reopenHint = Objects.requireNonNull(reopenHint, "reopenHint");
    }

    /** Releases it once ({@link #implClose()}); idempotent, from any thread. */
    @Override
    public final void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
            implClose();
        }
    }

    /**
     * Releases what it holds; called once, by the first {@link #close()}, after it was marked closed
     * (so every later open check throws). It should try every step even when one fails, then throw.
     */
    protected abstract void implClose();

    /** Whether {@link #close()} was called. */
    public final boolean isClosed() {
        return closed;
    }

    /** What it is, for messages. */
    final String description() {
        return description;
    }

    /** @throws ConnectionClosedException when {@link #close()} was called */
    final void checkNotClosed() {
        if (closed) {
            throw new ConnectionClosedException("this " + description + " is closed; " + reopenHint);
        }
    }
}
