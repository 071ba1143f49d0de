package dev.autolowat.api.spi;

/** Address family of a connection; rule A6 runs every trace for both. */
public enum Family {
    INET(2),
    INET6(10);

    private final int value;

    Family(int value) {
        this.value = value;
    }

    /** {@code AF_INET} / {@code AF_INET6}. */
    public int value() {
        return value;
    }
}
