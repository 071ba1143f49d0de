package dev.autolowat.kernel;

import dev.autolowat.api.ConnectionClosedException;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.kernel.socket.NativeTcpPair;
import dev.autolowat.kernel.sys.LibC;

import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 17's acceptance runs, for a given number of seconds (first argument): the issue's
 * reproducer ({@code readable()} polled while {@code close()} runs) alternating with the fd-reuse
 * race ({@code setRcvLowat} looping while the connection is closed and a new one connected; the new
 * connection's sockets must never get the loop's lowat). Prints the rounds and misdirected calls;
 * exits 1 on a misdirected call or an unexpected exception. Not a unit test (it runs minutes):
 * {@code java -cp <test class path> dev.autolowat.kernel.FdReuseRaceMain 600}.
 */
final class FdReuseRaceMain {
    private FdReuseRaceMain() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        final int magic = 54_321;
        SplittableRandom random = new SplittableRandom();
        long rounds = 0;
        long misdirected = 0;
        try (NativeSession s = new NativeBackend().openSession()) {
            while (System.nanoTime() < end) {
                rounds++;
                // the reproducer
                NativeConnection r = s.connect(ConnectOptions.IPV4);
                r.send(new byte[10]);
                Thread poller = new Thread(() -> {
                    try {
                        while (true) {
                            r.readable();
                        }
                    } catch (ConnectionClosedException e) {
                        // the close ends the loop
                    }
                });
                poller.start();
                Thread.sleep(0, 50_000);
                r.close();
                poller.join();
                // the fd-reuse race
                NativeConnection c = s.connect(ConnectOptions.IPV4);
                Throwable[] failure = new Throwable[1];
                Thread loop = new Thread(() -> {
                    try {
                        while (true) {
                            c.setRcvLowat(magic);
                        }
                    } catch (ConnectionClosedException e) {
                        // the close ends the loop
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                });
                loop.start();
                LockSupport.parkNanos(random.nextInt(0, 100_000));
                c.close();
                NativeConnection fresh = s.connect(ConnectOptions.IPV4);
                loop.join();
                if (failure[0] != null) {
                    failure[0].printStackTrace();
                    System.exit(1);
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
        System.out.println("rounds " + rounds + " misdirected " + misdirected);
        System.exit(misdirected == 0 ? 0 : 1);
    }
}
