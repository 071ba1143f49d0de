package dev.autolowat.api.spi;

/**
 * A setting of a {@link BackendSession} that some backends offer and others cannot (the shape of
 * {@link java.net.SocketOption}): {@link Backend#supportedOptions()} says which; setting another
 * throws {@link UnsupportedOperationException}. An option applies from the moment it is set:
 * connections made and programs attached afterwards.
 *
 * @param <T> the type of the option's value
 */
public final class SessionOption<T> {
    /**
     * The peer's initial sequence number of every connection made from now on, so that a scenario's
     * sequence numbers (H1's {@code seq} / {@code end_seq}) are the same in every run; {@code null}
     * draws them again (from the session's seed, in the simulator). A kernel picks its ISNs itself, so
     * the native backend does not offer it: compare sequence numbers relative to the first one there.
     */
    public static final SessionOption<Integer> FIXED_ISN = new SessionOption<>("FIXED_ISN", Integer.class, true);

    /**
     * How bytecode programs attached from now on run ({@link ExecutionMode}); programs already attached
     * keep their mode. The simulator's VM offers both; a kernel's JIT is the machine's setting
     * ({@code net.core.bpf_jit_enable}), not a session's.
     */
    public static final SessionOption<ExecutionMode> EXECUTION_MODE =
            new SessionOption<>("EXECUTION_MODE", ExecutionMode.class, false);

    private final String name;
    private final Class<T> type;
    private final boolean nullable;

    private SessionOption(String name, Class<T> type, boolean nullable) {
        this.name = name;
        this.type = type;
        this.nullable = nullable;
    }

    /** The option's name, as in reports and error messages. */
    public String name() {
        return name;
    }

    /** The type of its values. */
    public Class<T> type() {
        return type;
    }

    /**
     * {@code value} if this option accepts it.
     *
     * @throws NullPointerException     {@code null} for an option that has no "unset" value
     * @throws IllegalArgumentException a value of another type (a raw-typed caller)
     */
    public T check(Object value) {
        if (value == null) {
            if (!nullable) {
                throw new NullPointerException("session option " + name + " needs a value (" + type.getSimpleName() + ")");
            }
            return null;
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("session option " + name + " takes a " + type.getSimpleName() + ", got "
                    + value.getClass().getSimpleName() + " " + value);
        }
        return type.cast(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
