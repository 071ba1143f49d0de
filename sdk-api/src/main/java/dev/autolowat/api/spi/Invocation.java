package dev.autolowat.api.spi;

/**
 * One entry of a program's invocation log, as the conformance contract defines it: the op and,
 * for op 21, the segment ({@code seq}, {@code end_seq}, {@code skb_len}); a recvmsg-done
 * invocation (H2) and other ops have {@code seq = endSeq = skbLen = 0}.
 */
public record Invocation(int op, int seq, int endSeq, int skbLen) {
    @Override
    public String toString() {
        return op == 21 && (seq != 0 || endSeq != 0 || skbLen != 0)
                ? "op21[seq=" + Integer.toUnsignedString(seq) + ", end_seq=" + Integer.toUnsignedString(endSeq)
                        + ", len=" + skbLen + "]"
                : "op" + op;
    }
}
