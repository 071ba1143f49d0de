package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Shutdown;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One step of a {@link Scenario}: a call on the connection — the peer sends or shuts down, the
 * accepted socket reads or sets an option. After every step the runner records the call's return
 * value and the observation ({@link ScenarioRunner}). Each step has a one-line text form
 * ({@link #toText()}), which {@link ScenarioText} parses back.
 *
 * <table>
 *   <caption>Steps and their text</caption>
 *   <tr><th>step</th><th>text</th><th>call</th><th>rules</th></tr>
 *   <tr><td>{@link Send}</td><td>{@code send 86,86,86} / {@code write 300}</td>
 *       <td>the peer sends the next bytes of the stream, one {@code send()} per cut (or one write)</td><td>H1, H3</td></tr>
 *   <tr><td>{@link SendOutOfOrder}</td><td>{@code send-ooo 10,20,30 order 2,0,1}</td>
 *       <td>segments delivered in the given order (simulator only)</td><td>H1</td></tr>
 *   <tr><td>{@link Recv}</td><td>{@code recv 100 nonblock} / {@code recv 100 block 30}</td>
 *       <td>{@code recv} on the accepted socket; blocking with a timeout in ms</td><td>H2, H5</td></tr>
 *   <tr><td>{@link SetRcvlowat}</td><td>{@code rcvlowat 100}</td><td>{@code setsockopt(SO_RCVLOWAT)}</td><td>K2, H4</td></tr>
 *   <tr><td>{@link SetRcvbuf}</td><td>{@code rcvbuf 65536}</td><td>{@code setsockopt(SO_RCVBUF)}</td><td>K4</td></tr>
 *   <tr><td>{@link Enable}</td><td>{@code enable 1}</td><td>{@code setsockopt(0xdeadbeef, 0x8badf00d)}</td><td>A2</td></tr>
 *   <tr><td>{@link SetFlags}</td><td>{@code flags 0x84}</td>
 *       <td>{@code bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)} through a cgroup setsockopt program</td><td>F2, F3</td></tr>
 *   <tr><td>{@link AddToSockmap} / {@link RemoveFromSockmap}</td><td>{@code sockmap add} / {@code sockmap remove}</td>
 *       <td>SOCKMAP membership</td><td>F3, F4</td></tr>
 *   <tr><td>{@link ShutdownStep}</td><td>{@code shutdown rd|wr|rdwr}</td><td>{@code shutdown()} on the accepted socket</td><td>H4</td></tr>
 *   <tr><td>{@link PeerShutdown}</td><td>{@code peer-shutdown}</td><td>the peer's {@code shutdown(SHUT_WR)}: FIN</td><td>H1, H3, A5</td></tr>
 *   <tr><td>{@link PeerGetsockopt}</td><td>{@code peer-getsockopt rcvlowat|rcvbuf}</td>
 *       <td>{@code getsockopt} on the peer (client side)</td><td>K3</td></tr>
 * </table>
 */
public sealed interface Step {
    /** The step's line in the text form. */
    String toText();

    /**
     * The peer sends the next {@code bytes} bytes of the scenario's stream. With {@code cuts}, each cut
     * is one {@code send()} (one segment); without, the bytes are one write, cut only by the MSS and
     * the window.
     *
     * @param bytes how many bytes ({@code >= 1})
     * @param cuts  segment lengths ({@code >= 1} each, summing to {@code bytes}), or empty for one write
     */
    record Send(int bytes, List<Integer> cuts) implements Step {
        public Send {
            cuts = List.copyOf(cuts);
            if (bytes < 1) {
                throw new IllegalArgumentException("a send needs at least one byte, got " + bytes);
            }
            long sum = 0;
            for (int c : cuts) {
                if (c < 1) {
                    throw new IllegalArgumentException("every segment needs at least one byte, got cuts " + cuts);
                }
                sum += c;
            }
            if (!cuts.isEmpty() && sum != bytes) {
                throw new IllegalArgumentException("cuts " + cuts + " add up to " + sum + ", not " + bytes);
            }
        }

        /** Segments of these lengths, one {@code send()} each. */
        public static Send segments(List<Integer> cuts) {
            return new Send(cuts.stream().mapToInt(Integer::intValue).sum(), cuts);
        }

        /** Segments of these lengths, one {@code send()} each. */
        public static Send segments(int... cuts) {
            return segments(java.util.Arrays.stream(cuts).boxed().toList());
        }

        /** One write of {@code bytes}. */
        public static Send write(int bytes) {
            return new Send(bytes, List.of());
        }

        public boolean oneWrite() {
            return cuts.isEmpty();
        }

        public int[] cutArray() {
            return cuts.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public String toText() {
            return oneWrite() ? "write " + bytes : "send " + ScenarioText.joinInts(cuts);
        }
    }

    /**
     * The peer sends the next bytes cut into {@code cuts}, and the network delivers the segments in
     * {@code order} (a permutation of segment indexes): H1's out-of-order queue. Needs a backend with
     * {@code Capabilities.outOfOrder()} (the simulator).
     */
    record SendOutOfOrder(List<Integer> cuts, List<Integer> order) implements Step {
        public SendOutOfOrder {
            cuts = List.copyOf(cuts);
            order = List.copyOf(order);
            if (cuts.isEmpty() || cuts.stream().anyMatch(c -> c < 1)) {
                throw new IllegalArgumentException("out-of-order cuts need at least one segment of at least one byte, got "
                        + cuts);
            }
            if (order.size() != cuts.size() || !order.stream().sorted().toList()
                    .equals(java.util.stream.IntStream.range(0, cuts.size()).boxed().toList())) {
                throw new IllegalArgumentException("order " + order + " is not a permutation of 0.." + (cuts.size() - 1));
            }
        }

        public int bytes() {
            return cuts.stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public String toText() {
            return "send-ooo " + ScenarioText.joinInts(cuts) + " order " + ScenarioText.joinInts(order);
        }
    }

    /**
     * {@code recv(len)} on the accepted socket: non-blocking ({@code MSG_DONTWAIT}), or blocking with a
     * timeout ({@code SO_RCVTIMEO}, H5).
     */
    record Recv(int length, boolean blocking, int timeoutMs) implements Step {
        public Recv {
            if (length < 1) {
                throw new IllegalArgumentException("recv length must be at least 1, got " + length);
            }
            if (blocking ? timeoutMs < 1 : timeoutMs != 0) {
                throw new IllegalArgumentException(blocking ? "a blocking recv needs a timeout of at least 1 ms, got "
                        + timeoutMs : "a non-blocking recv has no timeout, got " + timeoutMs);
            }
        }

        public static Recv nonBlocking(int length) {
            return new Recv(length, false, 0);
        }

        public static Recv blocking(int length, int timeoutMs) {
            return new Recv(length, true, timeoutMs);
        }

        @Override
        public String toText() {
            return "recv " + length + (blocking ? " block " + timeoutMs : " nonblock");
        }
    }

    /** {@code setsockopt(SO_RCVLOWAT, value)} (K2, H4). */
    record SetRcvlowat(int value) implements Step {
        @Override
        public String toText() {
            return "rcvlowat " + value;
        }
    }

    /** {@code setsockopt(SO_RCVBUF, value)} (K4). */
    record SetRcvbuf(int value) implements Step {
        @Override
        public String toText() {
            return "rcvbuf " + value;
        }
    }

    /** The reference policy's enable call {@code setsockopt(0xdeadbeef, 0x8badf00d, value)} (A2). */
    record Enable(int value) implements Step {
        @Override
        public String toText() {
            return "enable " + value;
        }
    }

    /**
     * Sets the accepted socket's sock_ops flag word to {@code value} with
     * {@code bpf_setsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)} (F2, and F3's guards when RCVQ goes
     * from clear to set). Userspace cannot set the word itself ({@code ENOPROTOOPT}), so the runner
     * attaches a cgroup setsockopt program ({@link ScenarioPrograms#flagSetter()}) that performs the
     * call on a private option; the step's result is the helper's return value.
     */
    record SetFlags(int value) implements Step {
        @Override
        public String toText() {
            return "flags 0x" + Integer.toHexString(value);
        }
    }

    /** Adds the accepted socket to the backend's SOCKMAP/SOCKHASH (F4). */
    record AddToSockmap() implements Step {
        @Override
        public String toText() {
            return "sockmap add";
        }
    }

    /** Removes the accepted socket from the SOCKMAP. */
    record RemoveFromSockmap() implements Step {
        @Override
        public String toText() {
            return "sockmap remove";
        }
    }

    /** {@code shutdown(how)} on the accepted socket (H4: SHUT_RD wakes the reader). */
    record ShutdownStep(Shutdown how) implements Step {
        public ShutdownStep {
            Objects.requireNonNull(how, "how");
        }

        @Override
        public String toText() {
            return "shutdown " + switch (how) {
                case READ -> "rd";
                case WRITE -> "wr";
                case BOTH -> "rdwr";
            };
        }
    }

    /** The peer's {@code shutdown(SHUT_WR)}: a FIN follows its data. */
    record PeerShutdown() implements Step {
        @Override
        public String toText() {
            return "peer-shutdown";
        }
    }

    /** {@code getsockopt(SOL_SOCKET, SO_RCVLOWAT or SO_RCVBUF)} on the peer (K3's client side). */
    record PeerGetsockopt(boolean rcvbuf) implements Step {
        @Override
        public String toText() {
            return "peer-getsockopt " + (rcvbuf ? "rcvbuf" : "rcvlowat");
        }
    }

    /** The text of several steps, one per line. */
    static String toText(List<Step> steps) {
        return steps.stream().map(Step::toText).collect(Collectors.joining("\n"));
    }
}
