package dev.autolowat.api.spi;

import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What every backend's {@link ProgramMap} checks before it touches the map, so that misuse reads
 * the same on every backend: the session is open, the map has elements userspace can address by
 * key (ARRAY and HASH), keys and values have the declared sizes. A backend implements the
 * {@code impl} methods on its own map.
 */
public abstract class AbstractProgramMap implements ProgramMap {
    private final MapSpec spec;

    protected AbstractProgramMap(MapSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    @Override
    public final MapSpec spec() {
        return spec;
    }

    @Override
    public final Optional<byte[]> lookup(byte[] key) {
        check("lookup", key, null);
        return implLookup(key);
    }

    @Override
    public final int update(byte[] key, byte[] value, long flags) {
        check("update", key, Objects.requireNonNull(value, "value"));
        return implUpdate(key, value, flags);
    }

    @Override
    public final int delete(byte[] key) {
        check("delete", key, null);
        return implDelete(key);
    }

    @Override
    public final void forEach(BiConsumer<byte[], byte[]> action) {
        Objects.requireNonNull(action, "action");
        checkOpenWithElements("iteration");
        implForEach(action);
    }

    /** @throws dev.autolowat.api.ConnectionClosedException when the map's session is closed */
    protected abstract void ensureOpen();

    /** {@link #lookup} with the arguments checked. */
    protected abstract Optional<byte[]> implLookup(byte[] key);

    /** {@link #update} with the arguments checked. */
    protected abstract int implUpdate(byte[] key, byte[] value, long flags);

    /** {@link #delete} with the arguments checked. */
    protected abstract int implDelete(byte[] key);

    /** {@link #forEach} on a map with elements. */
    protected abstract void implForEach(BiConsumer<byte[], byte[]> action);

    private void check(String what, byte[] key, byte[] value) {
        Objects.requireNonNull(key, "key");
        checkOpenWithElements(what);
        if (key.length != spec.keySize()) {
            throw new IllegalArgumentException("map '" + spec.name() + "' has " + spec.keySize() + "-byte keys, got "
                    + key.length + " bytes");
        }
        if (value != null && value.length != spec.valueSize()) {
            throw new IllegalArgumentException("map '" + spec.name() + "' has " + spec.valueSize() + "-byte values, got "
                    + value.length + " bytes");
        }
    }

    private void checkOpenWithElements(String what) {
        ensureOpen();
        if (spec.type() == MapType.SK_STORAGE) {
            throw new UnsupportedOperationException("map '" + spec.name() + "' is SK_STORAGE: its keys are sockets, so "
                    + what + " by key is not offered; read a connection's value with connection.socketStorage(\""
                    + spec.name() + "\")");
        }
        if (spec.type() != MapType.ARRAY && spec.type() != MapType.HASH) {
            throw new UnsupportedOperationException("map '" + spec.name() + "' is " + spec.type() + ": " + what
                    + " by key is for ARRAY and HASH maps");
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + spec + "]";
    }
}
