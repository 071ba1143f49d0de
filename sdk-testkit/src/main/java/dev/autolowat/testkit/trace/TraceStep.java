package dev.autolowat.testkit.trace;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One step of a {@link TraceCase}: an action on the connection (with the result it must return) or
 * an expectation about the accepted socket. Every step knows the line it came from and prints back
 * as its JSON form ({@link #toJson()}).
 *
 * <table>
 *   <caption>Steps (JSON form → what runs)</caption>
 *   <tr><th>JSON</th><th>runs</th><th>passes when</th></tr>
 *   <tr><td>{@code {"autolowat": 1}}</td><td>{@code setsockopt(fd, 0xdeadbeef, 0x8badf00d, &1, 4)} (A2)</td>
 *       <td>it returns {@code result} (default 0)</td></tr>
 *   <tr><td>{@code {"send": 58}} / {@code {"send": [3, 5]}}</td><td>the peer sends the next bytes of
 *       the stream: one {@code send()} (one segment) per number</td><td>every byte is accepted</td></tr>
 *   <tr><td>{@code {"fin": true}}</td><td>the peer's {@code shutdown(SHUT_WR)}: a FIN after what was sent</td>
 *       <td>it returns 0</td></tr>
 *   <tr><td>{@code {"rcvbuf": 65536}}</td><td>{@code setsockopt(SO_RCVBUF)} on the accepted socket (locks
 *       the buffer, K4)</td><td>it returns {@code result} (default 0)</td></tr>
 *   <tr><td>{@code {"set_rcvlowat": 100}}</td><td>{@code setsockopt(SO_RCVLOWAT)} (K2)</td>
 *       <td>it returns {@code result} (default 0)</td></tr>
 *   <tr><td>{@code {"recv": 258}}</td><td>blocking {@code recv(258)}, 100 ms timeout ({@code "nonblock": true},
 *       {@code "timeout_ms": n})</td><td>it returns {@code result} (default: the length)</td></tr>
 *   <tr><td>{@code {"epoll": 1}} / {@code {"readable": true}}</td><td>level-triggered readiness (H3)</td>
 *       <td>it is as given</td></tr>
 *   <tr><td>{@code {"rcvlowat": 258}}</td><td>{@code getsockopt(SO_RCVLOWAT)}</td><td>it is as given</td></tr>
 *   <tr><td>{@code {"rcvq_flag": 1}}</td><td>the RCVQ bit (0x80) of the sock_ops flag word</td>
 *       <td>it is as given (0/1 or false/true)</td></tr>
 *   <tr><td>{@code {"wakeups": 2}}</td><td>edge-triggered wakeups since the connection was made (H3)</td>
 *       <td>it is as given</td></tr>
 * </table>
 */
public sealed interface TraceStep {
    /** The line of the step in its file (0 when built in code). */
    int line();

    /** The step's JSON form, one line. */
    String toJson();

    /** A2: {@code setsockopt(0xdeadbeef, 0x8badf00d, value)}; must return {@code result}. */
    record Enable(int value, int result, int line) implements TraceStep {
        @Override
        public String toJson() {
            return "{\"autolowat\": " + value + (result != 0 ? ", \"result\": " + result : "") + "}";
        }
    }

    /** The peer sends the next bytes of the stream, one {@code send()} (segment) per length. */
    record Send(int[] segments, int line) implements TraceStep {
        public Send {
            segments = segments.clone();
            if (segments.length == 0 || Arrays.stream(segments).anyMatch(s -> s < 1)) {
                throw new IllegalArgumentException("a send needs segments of at least one byte, got "
                        + Arrays.toString(segments));
            }
        }

        /** Bytes sent by the step. */
        public long bytes() {
            return Arrays.stream(segments).asLongStream().sum();
        }

        @Override
        public int[] segments() {
            return segments.clone();
        }

        @Override
        public String toJson() {
            return "{\"send\": " + (segments.length == 1 ? Integer.toString(segments[0])
                    : Arrays.stream(segments).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"))) + "}";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Send s && s.line == line && Arrays.equals(s.segments, segments);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(segments) * 31 + line;
        }

        @Override
        public String toString() {
            return toJson();
        }
    }

    /** The peer's {@code shutdown(SHUT_WR)}: a FIN follows the data sent so far. */
    record Fin(int line) implements TraceStep {
        @Override
        public String toJson() {
            return "{\"fin\": true}";
        }
    }

    /** {@code setsockopt(SOL_SOCKET, SO_RCVBUF, value)} on the accepted socket; must return {@code result}. */
    record SetRcvbuf(int value, int result, int line) implements TraceStep {
        @Override
        public String toJson() {
            return "{\"rcvbuf\": " + value + (result != 0 ? ", \"result\": " + result : "") + "}";
        }
    }

    /** {@code setsockopt(SOL_SOCKET, SO_RCVLOWAT, value)} on the accepted socket; must return {@code result}. */
    record SetRcvlowat(int value, int result, int line) implements TraceStep {
        @Override
        public String toJson() {
            return "{\"set_rcvlowat\": " + value + (result != 0 ? ", \"result\": " + result : "") + "}";
        }
    }

    /**
     * {@code recv(length)} on the accepted socket, blocking with a timeout (the selftest: 100 ms) or
     * non-blocking; must return {@code result} (bytes, 0 at end of stream, or {@code -errno}).
     */
    record Recv(int length, boolean blocking, int timeoutMs, int result, int line) implements TraceStep {
        /** The selftest's timeout. */
        public static final int DEFAULT_TIMEOUT_MS = 100;

        @Override
        public String toJson() {
            StringBuilder sb = new StringBuilder("{\"recv\": ").append(length);
            if (!blocking) {
                sb.append(", \"nonblock\": true");
            } else if (timeoutMs != DEFAULT_TIMEOUT_MS) {
                sb.append(", \"timeout_ms\": ").append(timeoutMs);
            }
            if (result != length) {
                sb.append(", \"result\": ").append(result);
            }
            return sb.append('}').toString();
        }
    }

    /** Level-triggered readiness ({@code epoll} 0/1 in the selftest's words, or {@code readable}). */
    record ExpectReadable(boolean readable, boolean epollForm, int line) implements TraceStep {
        @Override
        public String toJson() {
            return epollForm ? "{\"epoll\": " + (readable ? 1 : 0) + "}" : "{\"readable\": " + readable + "}";
        }
    }

    /** {@code getsockopt(SO_RCVLOWAT)} must return {@code value}. */
    record ExpectRcvlowat(int value, int line) implements TraceStep {
        @Override
        public String toJson() {
            return "{\"rcvlowat\": " + value + "}";
        }
    }

    /** The RCVQ bit of the flag word must be {@code set}. */
    record ExpectRcvqFlag(boolean set, int line) implements TraceStep {
        @Override
        public String toJson() {
            return "{\"rcvq_flag\": " + (set ? 1 : 0) + "}";
        }
    }

    /** Edge-triggered wakeups since the connection was made must be {@code count}. */
    record ExpectWakeups(long count, int line) implements TraceStep {
        @Override
        public String toJson() {
            return "{\"wakeups\": " + count + "}";
        }
    }
}
