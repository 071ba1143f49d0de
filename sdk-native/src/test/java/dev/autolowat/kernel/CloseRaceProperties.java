package dev.autolowat.kernel;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.api.spi.Shutdown;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every SPI call of a native connection racing {@code close()} (issue 17): threads call generated
 * sequences of calls in a loop while the test thread closes the connection — or, now and then, the
 * whole session, whose connect() and attach() then race it too — after a generated pause; now and
 * then a worker closes the connection itself, racing the other closer. The only exception a racing call may throw is
 * {@link ConnectionClosedException} ({@code sendOutOfOrder}'s documented
 * {@link UnsupportedOperationException} aside, while the connection is open); every worker must end
 * with it; nothing crashes the JVM (before the fix, {@code readable()} read the freed epoll buffer:
 * SIGSEGV within ~60 rounds). 2,500 tries × 4 threads = 10,000 call sequences racing a close.
 */
class CloseRaceProperties {
    /** Threads racing each close. */
    static final int THREADS = 4;
    static final int TRIES = 2_500;
    /** Every this many tries the session is closed (racing its connections' calls) and a new one opened. */
    static final int SESSION_CLOSE_EVERY = 250;

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(THREADS + 1, r -> {
            Thread t = new Thread(r, "close-race-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** The SPI calls of a connection (every one of them). */
    enum Call {
        SEND, SEND_SEGMENTS, SEND_OUT_OF_ORDER, PEER_SHUTDOWN_WRITE, PEER_GETSOCKOPT, RECV_NONBLOCKING,
        RECV_BLOCKING, SHUTDOWN, SETSOCKOPT, GETSOCKOPT, ADD_TO_SOCKMAP, REMOVE_FROM_SOCKMAP, CB_FLAGS,
        EDGE_WAKEUPS, READABLE, OBSERVE, OPTIONS,
        /** close() from a worker too: two closers race each other and the calls (rare: 1 call in 50). */
        CLOSE
    }

    /** One try: each thread's call sequence (run in a loop until the close stops it) and the pause before close. */
    record Race(List<List<Call>> threads, int pauseMicros) {
    }

    static Gen<Race> races() {
        Call[] calls = java.util.Arrays.copyOf(Call.values(), Call.values().length - 1);
        Gen<Call> call = c -> c.intBetween(0, 49) == 0 ? Call.CLOSE : calls[c.intBetween(0, calls.length - 1)];
        Gen<List<Call>> sequence = call.listOf(1, 6);
        Gen<List<List<Call>>> threads = sequence.listOf(THREADS, THREADS);
        return Gen.zip(threads, Gen.ints(0, 300), Race::new);
    }

    @Test
    @DisplayName("issue 17: 10,000 call sequences (every SPI call) racing close() of the connection or session:"
            + " only ConnectionClosedException, no crash [requires root]")
    void everyCallRacingClose() {
        BpfTestSupport.requireRootAndCgroup2();
        NativeBackend backend = new NativeBackend();
        NativeSession[] session = {backend.openSession()};
        AtomicInteger tries = new AtomicInteger();
        AtomicInteger racedInFlight = new AtomicInteger();
        long t0 = System.nanoTime();
        try {
            int n = Property.forAll("every SPI call racing close()", races())
                    .tries(TRIES)
                    .maxShrinkSteps(20)
                    .check(race -> {
                        boolean closeSession = tries.incrementAndGet() % SESSION_CLOSE_EVERY == 0;
                        if (session[0].isClosed()) {
                            session[0] = backend.openSession();
                        }
                        racedInFlight.addAndGet(runRace(session[0], race, closeSession));
                    });
            assertEquals(TRIES, n);
        } finally {
            session[0].close();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[close race] " + TRIES * THREADS + " call sequences raced close() in " + ms + " ms; "
                + racedInFlight.get() + " of them were inside a call when it closed");
        assertTrue(racedInFlight.get() > 0, "no worker was ever inside a call when close() ran: the test raced nothing");
    }

    /** Runs one race; returns how many workers were stopped by the close while inside a call. */
    private static int runRace(NativeSession session, Race race, boolean closeSession) {
        NativeConnection c = session.connect(ConnectOptions.IPV4);
        c.send(new byte[10]);
        // The close waits for the first connection worker to run, not for all: on a busy machine waking four
        // pool threads costs milliseconds, and a worker that starts after the close races it too
        // (its first call must throw ConnectionClosedException).
        CountDownLatch started = new CountDownLatch(1);
        List<Future<Boolean>> workers = new ArrayList<>();
        for (List<Call> calls : race.threads()) {
            workers.add(pool.submit(() -> worker(c, calls, started)));
        }
        if (closeSession) {
            // the session's own calls race its close too
            workers.add(pool.submit(() -> sessionWorker(session)));
        }
        try {
            started.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // spin rather than park: with the workers busy, a parked thread may wait a whole time slice
        long until = System.nanoTime() + race.pauseMicros() * 1_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        if (closeSession) {
            session.close();
        } else {
            c.close();
        }
        int inside = 0;
        for (Future<Boolean> f : workers) {
            try {
                if (f.get(10, TimeUnit.SECONDS)) {
                    inside++;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("a call racing close() threw " + e.getCause(), e.getCause());
            } catch (Exception e) {
                throw new AssertionError("a worker did not stop within 10 s of close(): " + e, e);
            }
        }
        return inside;
    }

    /**
     * Calls {@code calls} in a loop until {@link ConnectionClosedException}; returns whether that
     * came from a call in flight (message "during the call") rather than at its start.
     */
    private static boolean worker(NativeConnection c, List<Call> calls, CountDownLatch started) {
        started.countDown();
        byte[] buf = new byte[64];
        while (true) {
            for (Call call : calls) {
                try {
                    invoke(c, call, buf);
                } catch (ConnectionClosedException e) {
                    return e.getMessage().contains("during the call");
                } catch (UnsupportedOperationException e) {
                    if (call != Call.SEND_OUT_OF_ORDER) {
                        throw e;
                    }
                }
            }
        }
    }

    private static final AtomicInteger PROGRAMS = new AtomicInteger();

    /** connect() and attach() on the session until ConnectionClosedException; returns false (no in-flight count). */
    private static boolean sessionWorker(NativeSession s) {
        try {
            while (true) {
                s.connect(ConnectOptions.IPV4);
                s.attach(NativeTestPrograms.logger("race_" + PROGRAMS.incrementAndGet() % 10_000, 4));
            }
        } catch (ConnectionClosedException e) {
            return false;
        }
    }

    private static void invoke(NativeConnection c, Call call, byte[] buf) {
        switch (call) {
            case SEND -> c.send(new byte[3]);
            case SEND_SEGMENTS -> c.send(new byte[3], 1, 2);
            case SEND_OUT_OF_ORDER -> c.sendOutOfOrder(new byte[2], new int[]{1, 1}, new int[]{1, 0});
            case PEER_SHUTDOWN_WRITE -> c.peerShutdownWrite();
            case PEER_GETSOCKOPT -> c.peerGetsockopt(1, 8);
            case RECV_NONBLOCKING -> c.recv(buf, 0, buf.length, RecvMode.NON_BLOCKING);
            case RECV_BLOCKING -> c.recv(buf, 0, buf.length, RecvMode.blocking(Duration.ofMillis(20)));
            case SHUTDOWN -> c.shutdown(Shutdown.READ);
            case SETSOCKOPT -> c.setRcvLowat(7);
            case GETSOCKOPT -> c.rcvLowat();
            case ADD_TO_SOCKMAP -> c.addToSockmap();
            case REMOVE_FROM_SOCKMAP -> c.removeFromSockmap();
            case CB_FLAGS -> c.cbFlags();
            case EDGE_WAKEUPS -> c.edgeWakeups();
            case READABLE -> c.readable();
            case OBSERVE -> c.observe();
            case OPTIONS -> {
                // options() is a value, not a call on the sockets: it never throws; the loop must still end.
                c.options();
                if (c.isClosed()) {
                    throw new ConnectionClosedException("closed (seen by options())");
                }
            }
            case CLOSE -> {
                c.close(); // idempotent, never throws: this worker's loop ends here
                throw new ConnectionClosedException("closed by this worker");
            }
            default -> fail("unknown call " + call);
        }
    }
}
