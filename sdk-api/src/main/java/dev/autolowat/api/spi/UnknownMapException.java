package dev.autolowat.api.spi;

import java.util.List;

/**
 * A map name that no program attached to the session declared. The message lists the names there
 * are, so a typo shows at once.
 */
public class UnknownMapException extends IllegalArgumentException {
    private final String name;
    private final List<String> known;

    public UnknownMapException(String name, List<String> known) {
        super("no map named '" + name + "' in this session; the attached programs declared "
                + (known.isEmpty() ? "no maps" : known));
        this.name = name;
        this.known = List.copyOf(known);
    }

    /** The name asked for. */
    public String name() {
        return name;
    }

    /** The names the session has, in creation order. */
    public List<String> known() {
        return known;
    }
}
