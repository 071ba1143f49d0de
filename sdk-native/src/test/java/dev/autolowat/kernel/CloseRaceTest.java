package dev.autolowat.kernel;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.socket.NativeTcpPair;
import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Issue 17: close() from another thread — during a blocking recv, racing a setsockopt loop, and the issue's reproducer. */
class CloseRaceTest {

    @Test
    @DisplayName("issue 17: close() during a blocking recv wakes it with ConnectionClosedException (connection and session) [requires root]")
    void closeDuringBlockingRecv() throws Exception {
        BpfTestSupport.requireRootAndCgroup2();
        NativeBackend backend = new NativeBackend();
        for (boolean viaSession : new boolean[]{false, true}) {
            try (NativeSession s = backend.openSession()) {
                NativeConnection c = s.connect(ConnectOptions.IPV4);
                CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(
                        () -> c.recv(new byte[16], 0, 16, RecvMode.blocking(Duration.ofSeconds(30))));
                Thread.sleep(200); // the reader is blocked in recv(2) by now (nothing was sent)
                assertTrue(!reader.isDone(), "the recv did not block");
                long t0 = System.nanoTime();
                if (viaSession) {
                    s.close();
                } else {
                    c.close();
                }
                Throwable thrown = null;
                try {
                    reader.get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    thrown = e.getCause();
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertInstanceOf(ConnectionClosedException.class, thrown, "the blocked recv must end with ConnectionClosedException");
                assertTrue(ms < 2_000, "close() and the woken recv took " + ms + " ms");
            }
        }
    }

    @Test
    @DisplayName("issue 17: a setsockopt loop racing close() + a new connect never reaches the new connection's descriptors"
            + " (2,000 rounds) [requires root]")
    void noCallReachesAReusedDescriptor() throws Exception {
        BpfTestSupport.requireRootAndCgroup2();
        final int magic = 54_321;
        SplittableRandom random = new SplittableRandom(17);
        int misdirected = 0;
        AtomicInteger calls = new AtomicInteger();
        try (NativeSession s = new NativeBackend().openSession()) {
            for (int round = 0; round < 2_000; round++) {
                NativeConnection c = s.connect(ConnectOptions.IPV4);
                CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
                    try {
                        while (true) {
                            c.setRcvLowat(magic);
                            calls.incrementAndGet();
                        }
                    } catch (ConnectionClosedException expected) {
                        // the end of the loop
                    }
                });
                LockSupport.parkNanos(random.nextInt(0, 100_000));
                c.close();
                NativeConnection fresh = s.connect(ConnectOptions.IPV4);
                try {
                    loop.get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    fail("the racing setsockopt threw " + e.getCause(), e.getCause());
                }
                NativeTcpPair p = fresh.pair();
                for (int fd : new int[]{p.acceptedFd(), p.clientFd(), p.listenerFd()}) {
                    if (LibC.getsockoptInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT) == magic) {
                        misdirected++;
                    }
                }
                fresh.close();
            }
        }
        assertEquals(0, misdirected, "calls on a closed connection set the lowat of the next connection's sockets");
        assertTrue(calls.get() > 0, "the loop never ran");
    }

    @Test
    @DisplayName("issue 17: the issue's reproducer (readable() polled while close() runs), 2,000 rounds in a child JVM,"
            + " ends normally [requires root]")
    void issueReproducerInChildJvm() throws Exception {
        BpfTestSupport.requireRootAndCgroup2();
        Process p = ChildJvm.start(IssueReproMain.class, List.of(), "2000");
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, "the reproducer did not finish within 120 s:\n" + tail(out));
        assertEquals(0, p.exitValue(), "the reproducer's JVM ended with " + p.exitValue()
                + (p.exitValue() == 134 ? " (SIGABRT after a fatal error: the JVM crashed)" : "") + ":\n" + tail(out));
        assertTrue(out.contains("ok 2000"), tail(out));
    }

    static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }
}
