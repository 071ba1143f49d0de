package dev.autolowat.api.spi;

/** {@code shutdown(2)}'s {@code how}. */
public enum Shutdown {
    READ(0),
    WRITE(1),
    BOTH(2);

    private final int how;

    Shutdown(int how) {
        this.how = how;
    }

    /** {@code SHUT_RD}, {@code SHUT_WR}, {@code SHUT_RDWR}. */
    public int how() {
        return how;
    }
}
