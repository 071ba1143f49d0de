package dev.autolowat.conformance.scenario;

/**
 * A scenario text that does not parse: the message names the line number, the line, and what was
 * expected there ({@code line 4: 'recv 100 nonblok': expected 'nonblock' or 'block <timeout-ms>' after
 * the length}).
 */
public final class ScenarioParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int line;

    public ScenarioParseException(int line, String text, String expected) {
        super("line " + line + ": '" + text + "': " + expected);
        this.line = line;
    }

    /** The 1-based line number. */
    public int line() {
        return line;
    }
}
