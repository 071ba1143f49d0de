package dev.autolowat.api.spi;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.program.MapType;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every {@link Connection} shares, in the shape of the JDK's {@code AbstractInterruptibleChannel}:
 * a final, idempotent {@link #close()} that runs {@link #implClose()} once; {@link #ensureOpen()},
 * which every other call runs first (the connection and its session); the invocation-log entries
 * dropped so far (as {@link Observation#droppedInvocations()} reports them); {@link #send} with its
 * argument checks (also those of {@link #sendOutOfOrder}); and the checks of {@link #socketStorage}.
 *
 * <p><b>Threads.</b> {@link #close()} may be called from any thread, also while it runs elsewhere: the
 * first call marks the connection closed at once (from then on {@link #ensureOpen()} throws
 * {@link ConnectionClosedException}), then releases it in {@link #implClose()}; a concurrent second
 * call waits until that is done and returns. Calls that passed {@link #ensureOpen()} before the mark
 * are the backend's to stop: a thread-safe backend's {@code implClose()} wakes them and waits for
 * them (the native backend counts every call in flight — issue #17), and they then throw
 * {@link ConnectionClosedException} too.
 */
public abstract class AbstractConnection extends AbstractClosable implements Connection {
    private final BackendSession session;
    private final AtomicLong droppedInvocations = new AtomicLong();

    /**
     * @param session     the session it belongs to (its closing closes the connection for callers)
     * @param description what the connection is, for messages: e.g. {@code "native connection"}
     */
    protected AbstractConnection(BackendSession session, String description) {
        super(description, "make a new one with session.connect()");
        this.session = Objects.requireNonNull(session, "session");
    }

    /** @throws ConnectionClosedException when this connection or its session is closed */
    protected final void ensureOpen() {
        checkNotClosed();
        if (session.isClosed()) {
            throw new ConnectionClosedException("the session of this " + description() + " is closed");
        }
    }

    /**
     * Invocation-log entries lost so far because more than the log holds were written between two
     * observations: the value the latest {@link #observe()} reported in
     * {@link Observation#droppedInvocations()}.
     */
    public final long droppedInvocations() {
        return droppedInvocations.get();
    }

    /** Counts {@code n} more dropped entries (found while draining the log); returns the total. */
    protected final long addDroppedInvocations(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("dropped invocations cannot be negative, got " + n);
        }
        return droppedInvocations.addAndGet(n);
    }

    /**
     * {@link Connection#send}: checks the arguments (see {@link #checkSegments}), then hands the data
     * to {@link #implSendWrite} (no lengths: one write) or {@link #implSendSegments}.
     */
    @Override
    public final int send(byte[] data, int... segmentLengths) {
        ensureOpen();
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(segmentLengths, "segmentLengths");
        if (segmentLengths.length == 0) {
            return data.length == 0 ? 0 : implSendWrite(data, 0, data.length);
        }
        checkSegments(data, segmentLengths);
        return implSendSegments(data, segmentLengths);
    }

    /** The peer writes {@code data[off, off + len)} as one write ({@code len >= 1}, checked). */
    protected abstract int implSendWrite(byte[] data, int off, int len);

    /** The peer sends {@code data} as segments of {@code lengths} (checked: each >= 1, summing to the data). */
    protected abstract int implSendSegments(byte[] data, int[] lengths);

    /**
     * The checks of {@link #send(byte[], int...)} with lengths and of {@link #sendOutOfOrder}: every
     * segment has at least one byte, and the lengths add up to {@code data.length}.
     *
     * @throws NullPointerException     {@code data} or {@code lengths} is null
     * @throws IllegalArgumentException naming the first offending segment, or both sums
     */
    protected static void checkSegments(byte[] data, int[] lengths) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(lengths, "segmentLengths");
        long sum = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1) {
                throw new IllegalArgumentException("segment " + i + " has length " + lengths[i]
                        + "; every segment needs at least one byte");
            }
            sum += lengths[i];
        }
        if (sum != data.length) {
            throw new IllegalArgumentException("segment lengths add up to " + sum + " but data has " + data.length + " bytes");
        }
    }

    @Override
    public final Optional<byte[]> socketStorage(String map) {
        Objects.requireNonNull(map, "map");
        ensureOpen();
        MapType type = session.maps().get(map).spec().type();
        if (type != MapType.SK_STORAGE) {
            throw new IllegalArgumentException("map '" + map + "' is " + type + ", not SK_STORAGE: it has no value per"
                    + " socket; read it with session.maps().get(\"" + map + "\")");
        }
        return implSocketStorage(map);
    }

    /** The accepted socket's value in the SK_STORAGE map {@code map} (checked to exist), or empty. */
    protected abstract Optional<byte[]> implSocketStorage(String map);
}
