package dev.autolowat.api;

/** An operation was attempted on a connection or session that is already closed. */
public class ConnectionClosedException extends IllegalStateException {
    public ConnectionClosedException(String message) {
        super(message);
    }
}
