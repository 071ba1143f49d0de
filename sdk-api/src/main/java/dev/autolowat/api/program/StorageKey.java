package dev.autolowat.api.program;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Identifies one kind of per-socket storage: the Java form of a {@code BPF_MAP_TYPE_SK_STORAGE}
 * map. Two handlers that use the same key share the same per-socket object, as two programs
 * that share one sk_storage map do (the reference policy's A2 program creates the state that
 * its sock_ops program reads).
 *
 * <p>Keys compare by identity, as maps do.
 *
 * @param <T> the type of the per-socket value
 */
public final class StorageKey<T> {
    private final String name;
    private final Supplier<? extends T> initialValue;

    private StorageKey(String name, Supplier<? extends T> initialValue) {
        this.name = name;
        this.initialValue = initialValue;
    }

    /**
     * A new key. {@code initialValue} plays the role of the zero-filled value that
     * {@code bpf_sk_storage_get(..., BPF_SK_STORAGE_GET_F_CREATE)} creates.
     */
    public static <T> StorageKey<T> create(String name, Supplier<? extends T> initialValue) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(initialValue, "initialValue");
        return new StorageKey<>(name, initialValue);
    }

    public String name() {
        return name;
    }

    /** A fresh value for a socket that has none yet; never {@code null}. */
    public T newValue() {
        T value = initialValue.get();
        if (value == null) {
            throw new IllegalStateException("storage key " + name + ": the initial value supplier returned null");
        }
        return value;
    }

    @Override
    public String toString() {
        return "StorageKey[" + name + "]";
    }
}
