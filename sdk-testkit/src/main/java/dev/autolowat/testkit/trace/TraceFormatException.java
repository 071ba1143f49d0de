package dev.autolowat.testkit.trace;

import dev.autolowat.api.AutoLowatException;

/**
 * A trace file that cannot be read: bad JSON, a missing or unknown member, a value out of range.
 * The message is one line naming the file, the line and column, and the problem, e.g.
 * {@code traces.json:14:9: case "fin-in-payload", step 3: "send" needs a whole number of bytes from 1
 * to 2147483647, got -5}.
 */
public final class TraceFormatException extends AutoLowatException {
    private final String source;
    private final int line;
    private final int column;
    private final String problem;

    public TraceFormatException(String source, int line, int column, String problem) {
        super(source + ":" + line + ":" + column + ": " + problem);
        this.source = source;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    /** The file (or other source) name. */
    public String source() {
        return source;
    }

    /** 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** 1-based column of the problem. */
    public int column() {
        return column;
    }

    /** The problem without its position. */
    public String problem() {
        return problem;
    }
}
