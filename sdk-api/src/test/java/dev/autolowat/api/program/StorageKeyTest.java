package dev.autolowat.api.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageKeyTest {

    static final class State {
        int descSeq;
    }

    @Test
    @DisplayName("keys compare by identity: two keys with the same name are different keys")
    void identity() {
        StorageKey<State> a = StorageKey.create("state", State::new);
        StorageKey<State> b = StorageKey.create("state", State::new);
        assertEquals(a, a);
        assertNotEquals(a, b);
        Set<StorageKey<?>> set = new HashSet<>();
        set.add(a);
        set.add(b);
        set.add(a);
        assertEquals(2, set.size());
    }

    @Test
    @DisplayName("newValue() returns a fresh value on every call")
    void freshValues() {
        AtomicInteger calls = new AtomicInteger();
        StorageKey<State> key = StorageKey.create("state", () -> {
            calls.incrementAndGet();
            return new State();
        });
        State first = key.newValue();
        first.descSeq = 42;
        State second = key.newValue();
        assertNotSame(first, second);
        assertEquals(0, second.descSeq);
        assertEquals(2, calls.get());
    }

    @Test
    @DisplayName("a supplier returning null gives IllegalStateException naming the key")
    void nullSupplierResult() {
        StorageKey<State> key = StorageKey.create("broken_key", () -> null);
        IllegalStateException e = assertThrows(IllegalStateException.class, key::newValue);
        assertTrue(e.getMessage().contains("broken_key"), e.getMessage());
    }

    @Test
    @DisplayName("create() rejects a null name or supplier")
    void nullArguments() {
        assertThrows(NullPointerException.class, () -> StorageKey.create(null, State::new));
        assertThrows(NullPointerException.class, () -> StorageKey.create("k", null));
    }

    @Test
    @DisplayName("name() and toString() show the name")
    void nameShown() {
        StorageKey<State> key = StorageKey.create("sk_state", State::new);
        assertEquals("sk_state", key.name());
        assertEquals("StorageKey[sk_state]", key.toString());
    }
}
