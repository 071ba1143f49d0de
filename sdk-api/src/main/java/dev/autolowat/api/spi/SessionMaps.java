package dev.autolowat.api.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The maps of a session's programs, by name: a live view (it grows as programs are attached) of
 * what {@link BackendSession#maps()} returns. Programs share a map by declaring the same name with
 * the same spec (rule H6: one cgroup, one set of programs and maps), so a name names one map.
 */
public interface SessionMaps {
    /** The names of the maps, in creation order. */
    List<String> names();

    /** The map called {@code name}, or empty when no attached program declared it. */
    Optional<ProgramMap> find(String name);

    /**
     * The map called {@code name}.
     *
     * @throws UnknownMapException when no attached program declared it (the message lists the names
     *                             there are)
     */
    default ProgramMap get(String name) {
        return find(name).orElseThrow(() -> new UnknownMapException(name, names()));
    }

    /** The view a backend builds from its two look-ups ({@code find} gets a non-null name). */
    static SessionMaps of(Supplier<List<String>> names, Function<String, Optional<ProgramMap>> find) {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(find, "find");
        return new SessionMaps() {
            @Override
            public List<String> names() {
                return names.get();
            }

            @Override
            public Optional<ProgramMap> find(String name) {
                return find.apply(Objects.requireNonNull(name, "name"));
            }
        };
    }
}
